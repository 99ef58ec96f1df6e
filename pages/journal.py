"""Журнал: the teacher's lessons of a day, and one screen per lesson to fill it."""

from datetime import timedelta

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.domain import WEEKDAY_NAMES, WORK_KIND_LABELS, WorkKind, fmt_date
from app.errors import DomainError
from app.services.journal import (
    college_today,
    lesson_sheet,
    materialize_lessons,
    save_lesson,
    teacher_lessons,
)
from app.ui import journal as ui
from app.ui.corrections import request_panel
from app.ui.page import require_page
from app.ui.widgets import url_index

actor = require_page(__file__)
FLASH = "journal_flash"

with Session(get_engine()) as db:
    today = college_today(session=db)
st.title("Журнал")

# «Мои замечания» links here as ?lesson=<id>: that lesson's day opens if the service lets the actor read it.
linked_day = None
if st.query_params.get("lesson", "").isdigit():
    try:
        with Session(get_engine()) as db:
            linked_day = lesson_sheet(actor, int(st.query_params["lesson"]), session=db).lesson.lesson_date
    except DomainError as exc:
        st.warning(exc.message)
day = st.date_input(
    "Дата занятий",
    value=min(linked_day or today, today + timedelta(days=14)),
    format="DD.MM.YYYY",
    max_value=today + timedelta(days=14),
    key="journal_day",
)
with Session(get_engine()) as db:
    if day == today:
        materialize_lessons(actor.college_id, day, session=db)  # today's timetable becomes lessons
    lessons = teacher_lessons(actor, day, session=db)

st.caption(f"{WEEKDAY_NAMES[day.weekday()]}, {fmt_date(day)}" + (" — сегодня" if day == today else ""))
if not lessons:
    st.info("На выбранный день занятий нет.")
    st.stop()

st.dataframe([ui.lesson_state(r) for r in lessons], hide_index=True, width="stretch")
labels = {r.id: ui.lesson_label(r) for r in lessons}
lesson_id = st.selectbox(
    "Занятие",
    options=list(labels),
    index=url_index("lesson", list(labels)),  # only among the lessons the actor conducts that day
    format_func=labels.__getitem__,
    key=f"lesson_{day}",
)

try:
    with Session(get_engine()) as db:
        sheet = lesson_sheet(actor, lesson_id, session=db)
except DomainError as exc:
    st.error(exc.message)
    st.stop()

lesson = sheet.lesson
st.subheader(f"{sheet.group_name} · {sheet.subject_name}")
who = sheet.teacher_name + (f"; замещает {sheet.substitute_name}" if sheet.substitute_name else "")
st.caption(
    f"{fmt_date(lesson.lesson_date)}, {ui.pair_label(lesson.pair_number)}"
    + (f", ауд. {lesson.room}" if lesson.room else "")
    + f" · {who}"
)

flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(flash)

future = lesson.lesson_date > sheet.today
past = lesson.lesson_date < sheet.today
if future:
    st.info("Занятие ещё не наступило: журнал заполняется в день занятия.")
elif past:
    st.info(
        "Прошедшее занятие: заполненные поля не изменяются; пустые можно дописать — они будут отмечены "
        "как заполненные с опозданием."
        + (
            f" Отметки за письменную работу можно выставить до {fmt_date(sheet.deadline)}."
            if sheet.marks_open
            else ""
        )
    )
late = [name for name, is_late in sheet.late.items() if is_late]
if late:
    st.warning(
        "Заполнено с опозданием: "
        + ", ".join(
            {
                "topic": "тема",
                "work": "задания",
                "homework": "домашнее задание",
                "attendance": "посещаемость",
            }[n]
            for n in late
        )
        + "."
    )


def locked(value: object) -> bool:
    """After the lesson day a filled field stays as it is."""
    return future or (past and bool(value))


kind_labels = list(WORK_KIND_LABELS.values())
current_kind = WORK_KIND_LABELS[WorkKind(lesson.work_kind)] if lesson.work_kind else ""
plan_labels = [ui.plan_label(p.position, p.title) for p in sheet.plan_topics]
current_plan = next(
    (ui.plan_label(p.position, p.title) for p in sheet.plan_topics if p.id == lesson.plan_topic_id), None
)
topic_options = [*plan_labels, ui.TYPED_TOPIC]
topic_index = (
    topic_options.index(current_plan)
    if current_plan
    else topic_options.index(ui.TYPED_TOPIC)
    if lesson.topic
    else None
)
# Bumped after each save so the browser drops the marks just saved from the inputs.
generation = st.session_state.get(f"journal_gen_{lesson.id}", 0)
attendance_open = not future and (not past or lesson.attendance_filled_at is None)
marks_open = sheet.marks_open and not future

with st.form(f"lesson_form_{lesson.id}"):
    topic_locked = locked(lesson.topic)
    topic_choice = st.selectbox(
        "Тема по КТП",
        topic_options,
        index=topic_index,
        disabled=topic_locked,
        placeholder="— не выбрана —",
    )
    topic_text = st.text_input(
        "Тема (если её нет в КТП)", value="" if current_plan else (lesson.topic or ""), disabled=topic_locked
    )
    c1, c2 = st.columns([1, 2])
    work_locked = locked(lesson.work_done)
    kind_label = c1.selectbox(
        "Тип заданий",
        kind_labels,
        index=kind_labels.index(current_kind) if current_kind else None,
        disabled=work_locked and not marks_open,
        placeholder="— не выбран —",
    )
    work_done = c2.text_input("Выполненные задания", value=lesson.work_done or "", disabled=work_locked)
    homework = st.text_area(
        "Домашнее задание", value=lesson.homework or "", disabled=locked(lesson.homework), height=80
    )

    st.markdown("**Посещаемость и отметки**")
    take_attendance = st.checkbox(
        "Посещаемость отмечена",
        value=lesson.attendance_filled_at is not None or not past,
        disabled=not attendance_open,
        help="«н» — отсутствовал, «ув» — по уважительной причине, «оп» — опоздал",
    )
    st.warning("Сохранённую отметку изменить нельзя: исправление вносит заместитель директора по УР.")
    options = ui.mark_options(sheet.credit_allowed)
    students: list[ui.StudentInput] = []
    widths = [3, 1, 2, 1, 2]
    for col, title in zip(
        st.columns(widths), ["Студент", "Посещ.", "Выставлено", "Отметка", "За что"], strict=True
    ):
        col.caption(title)
    for number, student in enumerate(sheet.students, start=1):
        name_col, att_col, had_col, mark_col, for_col = st.columns(widths, vertical_alignment="center")
        name_col.write(f"{number}. {student.name}")
        status = att_col.selectbox(
            "Посещаемость",
            ui.ATTENDANCE_CHOICES,
            index=ui.ATTENDANCE_CHOICES.index(ui.attendance_label(student.status))
            if student.status
            else None,
            key=f"att_{lesson.id}_{student.id}_{generation}",
            label_visibility="collapsed",
            disabled=not attendance_open,
            placeholder="·",
        )
        had_col.caption(ui.existing_marks(student.marks) or "—")
        mark = mark_col.selectbox(
            "Отметка",
            options[1:],
            index=None,
            key=f"mark_{lesson.id}_{student.id}_{generation}",
            label_visibility="collapsed",
            disabled=not marks_open,
            placeholder="·",
        )
        comment = for_col.text_input(
            "За что",
            key=f"for_{lesson.id}_{student.id}_{generation}",
            label_visibility="collapsed",
            placeholder="за что",
            disabled=not marks_open,
        )
        students.append(ui.StudentInput(student.id, status or "", mark or "", comment))
    submitted = st.form_submit_button("Сохранить", type="primary", disabled=future or not sheet.can_edit)

if submitted:
    form = ui.FormInput(
        topic_choice=None if topic_locked else topic_choice,
        topic_text=topic_text,
        work_done=None if work_locked else (work_done.strip() or None),
        work_kind_label=kind_label or None,
        homework=None if locked(lesson.homework) else (homework.strip() or None),
        take_attendance=take_attendance and attendance_open,
        students=students,
    )
    try:
        with Session(get_engine()) as db:
            result = save_lesson(actor, lesson.id or 0, ui.entry_from_form(sheet, form), session=db)
    except DomainError as exc:
        st.error(exc.message)  # the form keeps what was typed
    else:
        st.session_state[f"journal_gen_{lesson.id}"] = generation + 1
        st.session_state[FLASH] = ui.saved_message(result.changed, result.late, result.marks_added)
        st.rerun()

# Below the form: a saved mark is never edited here; a wrong one goes to the deputy as a request.
request_panel(actor, lesson.id or 0, credit_allowed=sheet.credit_allowed)
