"""The diary's screen text: markdown cards that read well on a phone's width (no wide tables)."""

from __future__ import annotations

from datetime import date, datetime

from app.domain import fmt_date
from app.services.diary import DiaryDay, DiaryLesson, DiaryMark, DiaryPeriod, SubjectSummary
from app.settings import get_settings
from app.ui.text import md

MARK_COLOURS = {"5": "green", "4": "blue", "3": "orange", "2": "red", "зач": "green", "незач": "red"}
ATTENDANCE_COLOURS = {"н": "red", "ув": "gray", "оп": "orange"}
BREAK = "  \n"


def as_of_label(moment: datetime) -> str:
    """«данные на ДД.ММ.ГГГГ ЧЧ:ММ» in the college's zone: the diary reads the live journal."""
    return f"данные на {moment.astimezone(get_settings().tz):%d.%m.%Y %H:%M}"


def mark_badge(value: str) -> str:
    colour = MARK_COLOURS.get(value)
    return f":{colour}[**{md(value)}**]" if colour else f"**{md(value)}**"


def mark_line(mark: DiaryMark) -> str:
    """«**5** — Устный опрос, за что: ответ у доски», a correction with the original and the reason."""
    text = mark_badge(mark.value)
    if mark.corrected:
        reason = f", причина: {md(mark.correction_reason)}" if mark.correction_reason else ""
        text += f" (исправлено: было {md(mark.original_value)}{reason})"
    # the same words as DiaryMark.what_for, with only the teacher's comment escaped
    if mark.kind_label:
        text += f" — {mark.kind_label}"
    if mark.comment:
        text += f", за что: {md(mark.comment)}"
    return text


def lesson_markdown(lesson: DiaryLesson) -> str:
    head = f"**{lesson.pair_number} пара** · {lesson.time}"
    if lesson.room:
        head += f" · ауд. {md(lesson.room)}"
    lines = [head, f"**{md(lesson.subject)}**"]
    teacher = md(lesson.teacher) + (" · :orange[замена]" if lesson.substitution else "")
    lines.append(teacher)
    if lesson.planned:
        lines.append(f":orange[{lesson.change}]" if lesson.change else ":gray[по расписанию]")
        return BREAK.join(lines)
    if lesson.attendance:
        colour = ATTENDANCE_COLOURS.get(lesson.attendance_label, "gray")
        lines.append(f"Посещаемость: :{colour}[**{lesson.attendance_label}**] — {lesson.attendance_title}")
    lines.append(f"Тема: {md(lesson.topic)}" if lesson.topic else ":gray[Тема не записана]")
    if lesson.work_done or lesson.work_kind:
        kind, done = lesson.work_kind_label, lesson.work_done or ""
        if kind and done.lower().startswith(kind.lower()):
            kind = ""  # «Устный опрос по предыдущей теме» already names its kind
        lines.append("Задания на занятии: " + " — ".join(p for p in (kind, md(done)) if p))
    if lesson.homework:
        lines.append(f"Домашнее задание: {md(lesson.homework)}")
    for mark in lesson.marks:
        lines.append("Отметка: " + mark_line(mark))
    return BREAK.join(lines)


def day_title(day: DiaryDay) -> str:
    return (":blue-background[**Сегодня**] " if day.is_today else "") + f"**{day.title}**"


def week_title(monday: date) -> str:
    saturday = date.fromordinal(monday.toordinal() + 5)
    return f"Неделя {fmt_date(monday)} — {fmt_date(saturday)}"


def average_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def subject_markdown(summary: SubjectSummary) -> str:
    lines = [f"**{md(summary.subject)}**"]
    if summary.marks:
        marks = ", ".join(f"{m.lesson_date:%d.%m} {mark_line_short(m)}" for m in summary.marks)
        lines.append(f"Отметки: {marks}")
    else:
        lines.append(":gray[Отметок нет]")
    lines.append(f"Средний балл: **{average_text(summary.average)}**")
    for semester, form, value in summary.semester_marks:
        how = f" ({form.lower()})" if form else ""
        lines.append(f"Итог за {semester} семестр{how}: {mark_badge_text(value)}")
    for semester, value in summary.year_marks:
        lines.append(f"Годовая отметка ({semester}-й семестр): {mark_badge_text(value)}")
    missed = f"Пропущено: {summary.hours_missed} ч"
    if summary.hours_missed:
        missed += (
            f" (по уважительной причине {summary.hours_excused}, без уважительной {summary.hours_unexcused})"
        )
    if summary.lates:
        missed += f"; опозданий: {summary.lates}"
    lines.append(missed)
    return BREAK.join(lines)


def mark_line_short(mark: DiaryMark) -> str:
    text = mark_badge(mark.value)
    if mark.corrected:
        text += f" (исправлено: было {md(mark.original_value)})"
    return text


def mark_badge_text(value: str) -> str:
    """A semester mark, possibly «4 (исправлено: было 3)»."""
    head, _, rest = value.partition(" ")
    return mark_badge(head) + (f" {md(rest)}" if rest else "")


def period_summary(period: DiaryPeriod) -> str:
    return (
        f"Период {fmt_date(period.start)} — {fmt_date(period.end)} · средний балл "
        f"**{average_text(period.average)}** · пропущено {period.hours_excused + period.hours_unexcused} ч "
        f"(по уважительной причине {period.hours_excused}, без уважительной {period.hours_unexcused})"
    )
