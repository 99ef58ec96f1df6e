from __future__ import annotations

from datetime import date

from app.domain import AttendanceStatus, WorkKind
from app.models import Lesson, PlanTopic
from app.services.journal import LessonRow, LessonSheet, SheetStudent
from app.ui import journal as ui


def sheet(*, credit: bool = False, work_kind: str | None = "oral") -> LessonSheet:
    lesson = Lesson(
        id=7,
        college_id=1,
        study_group_id=1,
        subject_id=1,
        semester=1,
        teacher_id=1,
        lesson_date=date(2026, 11, 27),
        pair_number=2,
        work_kind=work_kind,
    )
    return LessonSheet(
        lesson=lesson,
        group_name="ИСП-21",
        subject_name="ОС",
        teacher_name="Соколова Е. В.",
        substitute_name=None,
        today=date(2026, 11, 27),
        on_day=True,
        marks_open=True,
        deadline=date(2026, 12, 4),
        credit_allowed=credit,
        students=[
            SheetStudent(11, "Абрамов Илья", None, []),
            SheetStudent(
                12,
                "Белова Анна",
                AttendanceStatus.late,
                [{"value": "4", "original_value": "3", "corrected": True, "work_kind": "oral"}],
            ),
        ],
        plan_topics=[PlanTopic(id=5, curriculum_item_id=1, position=1, title="Введение")],
        late={},
        can_edit=True,
    )


def test_entry_from_form_maps_topics_attendance_and_marks():
    form = ui.FormInput(
        topic_choice="1. Введение",
        topic_text="",
        work_done="Опрос",
        work_kind_label="Тест",
        homework="§1",
        take_attendance=True,
        students=[ui.StudentInput(11, "н", ""), ui.StudentInput(12, "оп", "5", "тест")],
    )
    entry = ui.entry_from_form(sheet(), form)
    assert entry.plan_topic_id == 5 and entry.topic is None and entry.work_kind is WorkKind.test
    assert entry.attendance == {11: AttendanceStatus.absent, 12: AttendanceStatus.late}
    assert [(m.student_id, m.value, m.work_kind, m.comment) for m in entry.marks] == [
        (12, "5", WorkKind.test, "тест")
    ]


def test_typed_topic_and_untouched_attendance():
    form = ui.FormInput(
        topic_choice=ui.TYPED_TOPIC,
        topic_text="  Своя тема ",
        work_done=None,
        work_kind_label=None,
        homework=None,
        take_attendance=False,
        students=[ui.StudentInput(11, "н", "")],
    )
    entry = ui.entry_from_form(sheet(), form)
    assert entry.topic == "Своя тема" and entry.plan_topic_id is None and entry.attendance is None


def test_locked_topic_is_not_sent():
    form = ui.FormInput(
        topic_choice=None,
        topic_text="ignored",
        work_done=None,
        work_kind_label=None,
        homework=None,
        take_attendance=False,
        students=[],
    )
    entry = ui.entry_from_form(sheet(), form)
    assert entry.topic is None and entry.plan_topic_id is None


def test_labels_and_messages():
    row = LessonRow(1, date(2026, 11, 27), 1, "ИСП-21", 2, "ОС", "Соколова", True, None, None, None, False, 0)
    assert ui.lesson_label(row) == "1 пара, 08:30–10:00 · ИСП-21 (подгр. 2) · ОС · замена"
    assert ui.mark_options(False) == ["", "5", "4", "3", "2"]
    assert ui.mark_options(True)[-2:] == ["зач", "незач"]
    assert ui.existing_marks(sheet().students[1].marks) == "4 (исправлено: было 3) — Устный опрос"
    reasoned = {**sheet().students[1].marks[0], "correction_reason": "ошибся строкой"}
    assert ui.mark_text(reasoned) == "4 (исправлено: было 3, причина: ошибся строкой) — Устный опрос"
    assert ui.saved_message(["topic", "attendance"], ["attendance"], 2) == (
        "Сохранено: тема, посещаемость, отметок: 2. Заполнено с опозданием: посещаемость."
    )


def test_present_choice_clears_an_absence():
    form = ui.FormInput(
        topic_choice=None,
        topic_text="",
        work_done=None,
        work_kind_label=None,
        homework=None,
        take_attendance=True,
        students=[ui.StudentInput(11, ui.PRESENT, ""), ui.StudentInput(12, "", "")],
    )
    assert ui.entry_from_form(sheet(), form).attendance == {11: None, 12: None}
    assert ui.attendance_label(None) == ui.PRESENT and ui.attendance_label(AttendanceStatus.excused) == "ув"
