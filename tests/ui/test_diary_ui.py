"""The diary's screen text: marks, corrections, absences, and teacher-typed text shown as typed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.domain import AttendanceStatus
from app.services.diary import DiaryLesson, DiaryMark
from app.ui import diary as ui


def a_mark(**kw) -> DiaryMark:
    values = {
        "value": "4",
        "work_kind": "oral",
        "comment": "",
        "corrected": False,
        "original_value": "4",
        "correction_reason": None,
        "lesson_date": date(2026, 11, 23),
        "subject_id": 1,
    }
    return DiaryMark(**{**values, **kw})


def a_lesson(**kw) -> DiaryLesson:
    values = {
        "lesson_id": 1,
        "pair_number": 2,
        "subject": "Операционные системы",
        "teacher": "Соколова Е. В.",
        "substitution": False,
        "room": "204",
        "topic": "Процессы",
        "homework": None,
        "work_done": None,
        "work_kind": None,
        "attendance": None,
    }
    return DiaryLesson(**{**values, **kw})


def test_teacher_text_cannot_inject_markdown():
    assert ui.md("**жирно** [ссылка](http://x) :red[красный] $x$") == (
        r"\*\*жирно\*\* \[ссылка\]\(http\://x\) \:red\[красный\] \$x\$"
    )


def test_a_corrected_mark_names_the_original_and_the_reason():
    mark = a_mark(value="4", corrected=True, original_value="3", correction_reason="описка", comment="к/р №2")
    assert mark.value_text == "4 (исправлено: было 3, причина: описка)"
    assert (
        ui.mark_line(mark)
        == ":blue[**4**] (исправлено: было 3, причина: описка) — Устный опрос, за что: к/р №2"
    )


def test_lesson_card_lines():
    card = ui.lesson_markdown(
        a_lesson(
            homework="§3",
            work_kind="oral",
            work_done="Устный опрос по теме",
            attendance=AttendanceStatus.late,
            marks=(a_mark(value="5"),),
            substitution=True,
        )
    ).split(ui.BREAK)
    assert card[0] == "**2 пара** · 10:10–11:40 · ауд. 204"
    assert card[2] == "Соколова Е\\. В\\. · :orange[замена]"
    assert "Посещаемость: :orange[**оп**] — опоздал" in card
    assert "Задания на занятии: Устный опрос по теме" in card  # the kind is not repeated
    assert "Отметка: :green[**5**] — Устный опрос" in card


def test_a_planned_lesson_says_so_and_nothing_else():
    card = ui.lesson_markdown(a_lesson(lesson_id=None, topic=None))
    assert card.endswith(":gray[по расписанию]") and "Тема" not in card


def test_as_of_is_in_the_colleges_zone():
    assert ui.as_of_label(datetime(2026, 11, 28, 15, 26, tzinfo=UTC)) == "данные на 28.11.2026 18:26"
