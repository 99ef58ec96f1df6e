"""Turning a lesson sheet into the journal screen's rows, and the edited screen back into a save."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain import (
    ATTENDANCE_LABELS,
    PAIR_TIMES,
    WORK_KIND_LABELS,
    AttendanceStatus,
    WorkKind,
)
from app.services.journal import LessonEntry, LessonRow, LessonSheet, MarkInput

PRESENT = "✓"
# What a teacher picks per student: present, or one of «н», «ув», «оп».
ATTENDANCE_CHOICES = [PRESENT, *ATTENDANCE_LABELS.values()]
_STATUS_BY_LABEL = {label: status for status, label in ATTENDANCE_LABELS.items()}
_KIND_BY_LABEL = {label: kind for kind, label in WORK_KIND_LABELS.items()}
TYPED_TOPIC = "— ввести тему вручную —"


def pair_label(pair: int) -> str:
    times = PAIR_TIMES.get(pair)
    return f"{pair} пара" + (f", {times[0]:%H:%M}–{times[1]:%H:%M}" if times else "")


def lesson_label(row: LessonRow) -> str:
    sub = f" (подгр. {row.subgroup})" if row.subgroup else ""
    swap = " · замена" if row.is_substitution else ""
    return f"{pair_label(row.pair_number)} · {row.group_name}{sub} · {row.subject_name}{swap}"


def lesson_state(row: LessonRow) -> dict[str, Any]:
    return {
        "Пара": pair_label(row.pair_number),
        "Группа": row.group_name + (f" (подгр. {row.subgroup})" if row.subgroup else ""),
        "Дисциплина": row.subject_name,
        "Тема": "✓" if row.topic else "—",
        "Д/з": "✓" if row.homework else "—",
        "Посещаемость": "✓" if row.attendance_taken else "—",
        "Отметок": row.marks,
        "Замена": "да" if row.is_substitution else "",
    }


def mark_text(mark: Mapping[str, Any]) -> str:
    kind = (
        WORK_KIND_LABELS.get(WorkKind(mark["work_kind"]), mark["work_kind"]) if mark.get("work_kind") else ""
    )
    text = str(mark["value"])
    if mark.get("corrected"):
        # The original stays visible beside the correction (§4.2.1: nothing is silently rewritten).
        reason = str(mark.get("correction_reason") or "").strip()
        text += (
            f" (исправлено: было {mark['original_value']}" + (f", причина: {reason}" if reason else "") + ")"
        )
    return f"{text} — {kind}" if kind else text


def mark_options(credit_allowed: bool) -> list[str]:
    return ["", "5", "4", "3", "2", *(["зач", "незач"] if credit_allowed else [])]


def existing_marks(marks: Sequence[Mapping[str, Any]]) -> str:
    return "; ".join(mark_text(m) for m in marks)


@dataclass(frozen=True)
class StudentInput:
    student_id: int
    attendance_label: str  # "" (not touched) or PRESENT, «н», «ув», «оп»
    mark: str  # "" for none
    comment: str = ""


@dataclass(frozen=True)
class FormInput:
    topic_choice: str | None  # a КТП option label, TYPED_TOPIC, or None when the field is locked
    topic_text: str
    work_done: str | None
    work_kind_label: str | None  # the lesson's kind of work; new marks are given for it
    homework: str | None
    take_attendance: bool
    students: Sequence[StudentInput]


def attendance_label(status: AttendanceStatus | None) -> str:
    return ATTENDANCE_LABELS[status] if status else PRESENT


def plan_label(position: int, title: str) -> str:
    return f"{position}. {title}"


def entry_from_form(sheet: LessonSheet, form: FormInput) -> LessonEntry:
    """What to send to save_lesson. Locked fields (None) are left untouched."""
    plan_by_label = {plan_label(p.position, p.title): p.id for p in sheet.plan_topics}
    plan_topic_id = plan_by_label.get(form.topic_choice or "")
    topic = form.topic_text.strip() or None if form.topic_choice == TYPED_TOPIC else None
    work_kind = _KIND_BY_LABEL.get(form.work_kind_label or "")
    attendance: dict[int, AttendanceStatus | None] | None = {} if form.take_attendance else None
    marks: list[MarkInput] = []
    for row in form.students:
        if attendance is not None:
            attendance[row.student_id] = _STATUS_BY_LABEL.get(row.attendance_label)
        if row.mark.strip():
            marks.append(MarkInput(row.student_id, row.mark.strip(), work_kind, row.comment))
    return LessonEntry(
        topic=topic,
        plan_topic_id=plan_topic_id,
        work_done=form.work_done,
        work_kind=work_kind,
        homework=form.homework,
        attendance=attendance,
        marks=marks,
    )


def saved_message(changed: Sequence[str], late: Sequence[str], marks_added: int) -> str:
    names = {
        "topic": "тема",
        "work": "выполненные задания",
        "homework": "домашнее задание",
        "attendance": "посещаемость",
    }
    parts = [names[c] for c in changed]
    if marks_added:
        parts.append(f"отметок: {marks_added}")
    text = "Сохранено: " + ", ".join(parts) + "."
    if late:
        text += " Заполнено с опозданием: " + ", ".join(names[c] for c in late) + "."
    return text
