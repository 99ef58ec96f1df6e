"""The notices' texts: Russian, a plain part and an HTML part with the same content, each ending
with the one-click unsubscribe link and where to change the choice in the diary."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.domain import ATTENDANCE_TITLES, AttendanceStatus, fmt_date
from app.reports.common import MONTHS_NOMINATIVE
from app.services.diary import DiaryWeek

WEEKDAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
UNSUBSCRIBE_PATH = "/notices/unsubscribe"  # a route of app.web (app.notify.web), no login
SETTINGS_PAGE = "/notices"  # the diary's «Уведомления»


@dataclass
class Letter:
    """A notice before it is queued: a heading, paragraphs, and sections of lines."""

    subject: str
    greeting: str
    intro: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    outro: str = ""

    def text(self, footer: str) -> str:
        parts = [self.greeting, "", self.intro]
        for title, lines in self.sections:
            parts += ["", title + ":", *(f"  • {line}" for line in lines)]
        if self.outro:
            parts += ["", self.outro]
        return "\n".join([*parts, "", "—", footer]) + "\n"

    def html(self, footer_html: str) -> str:
        e = html.escape
        body = [f"<p>{e(self.greeting)}</p>", f"<p>{e(self.intro)}</p>"]
        for title, lines in self.sections:
            items = "".join(f"<li>{e(line)}</li>" for line in lines)
            body.append(f'<h3 style="margin:16px 0 4px;font-size:15px">{e(title)}</h3><ul>{items}</ul>')
        if self.outro:
            body.append(f"<p>{e(self.outro)}</p>")
        return (
            '<!doctype html><html lang="ru"><head><meta charset="utf-8"></head>'
            '<body style="font-family:Arial,sans-serif;font-size:14px;color:#1f2937">'
            + "".join(body)
            + f'<hr><p style="font-size:12px;color:#6b7280">{footer_html}</p></body></html>'
        )


def footer(public_url: str, token: str) -> tuple[str, str, str]:
    """(plain footer, HTML footer, the unsubscribe URL) for one recipient."""
    link = f"{public_url}{UNSUBSCRIBE_PATH}?t={token}"
    page = f"{public_url}{SETTINGS_PAGE}"
    plain = (
        "Это письмо электронного журнала колледжа; отвечать на него не нужно.\n"
        f"Выбрать, какие письма получать: {page} (раздел «Уведомления» дневника).\n"
        f"Отписаться от всех писем: {link}"
    )
    e = html.escape
    rich = (
        "Это письмо электронного журнала колледжа; отвечать на него не нужно. "
        f'Выбрать, какие письма получать: <a href="{e(page)}">раздел «Уведомления» дневника</a>. '
        f'<a href="{e(link)}">Отписаться от всех писем</a>.'
    )
    return plain, rich, link


def greeting(name: str) -> str:
    parts = name.split()
    polite = " ".join(parts[1:3]) if len(parts) >= 2 else name
    return f"Здравствуйте, {polite}!"


def about(student_name: str, is_self: bool) -> str:
    return "у вас" if is_self else f"у студента {student_name}"


def _day(day: date) -> str:
    return f"{fmt_date(day)} ({WEEKDAYS[day.weekday()]})"


def digest(
    week: DiaryWeek, recipient_name: str, is_self: bool, announcements: list[tuple[date, str, str]]
) -> Letter:
    """The week's marks with what for, absences, homework given, and the curator's announcements."""
    student = week.student
    saturday = week.monday + timedelta(days=5)
    marks, absences, homework = [], [], {}
    for day in week.days:
        for lesson in day.lessons:
            if lesson.lesson_id is None:
                continue
            for mark in lesson.marks:
                marks.append(f"{_day(day.day)}, {lesson.subject}: {mark.text}")
            if lesson.attendance is not None:
                absences.append(f"{_day(day.day)}, {lesson.subject}: {ATTENDANCE_TITLES[lesson.attendance]}")
            if lesson.homework and lesson.homework.strip():
                homework[lesson.subject] = (
                    f"{lesson.subject} (задано {fmt_date(day.day)}): {lesson.homework.strip()}"
                )
    whose = "ваша неделя" if is_self else f"неделя студента {student.name}"
    letter = Letter(
        subject=f"Дневник: {whose} {fmt_date(week.monday)} — {fmt_date(saturday)}",
        greeting=greeting(recipient_name),
        intro=(
            f"Итоги недели {fmt_date(week.monday)} — {fmt_date(saturday)} {about(student.name, is_self)}, "
            f"группа {student.group_name}."
        ),
    )
    letter.sections.append(("Отметки", marks or ["отметок за неделю нет"]))
    unexcused = sum(1 for d in week.days for ls in d.lessons if ls.attendance == AttendanceStatus.absent)
    letter.sections.append(
        (
            "Пропуски и опоздания" + (f" (без уважительной причины: {unexcused})" if unexcused else ""),
            absences or ["пропусков нет"],
        )
    )
    letter.sections.append(("Домашние задания", list(homework.values()) or ["домашних заданий не задано"]))
    if announcements:
        letter.sections.append(
            ("Объявления куратора", [f"{fmt_date(d)}: {title}. {body}" for d, title, body in announcements])
        )
    letter.outro = "Подробности — в электронном дневнике."
    return letter


def absence(
    student_name: str, group_name: str, day: date, lines: list[str], recipient_name: str, is_self: bool
) -> Letter:
    return Letter(
        subject=f"Пропуск занятий {fmt_date(day)}: {student_name}",
        greeting=greeting(recipient_name),
        intro=(
            f"{_day(day)} {about(student_name, is_self)} (группа {group_name}) отмечены пропуски без "
            "уважительной причины. Если причина уважительная, передайте документ (справку, заявление) "
            "куратору группы."
        ),
        sections=[("Пропущено", lines)],
    )


def low_mark(
    student_name: str, day: date, subject: str, mark: str, recipient_name: str, is_self: bool
) -> Letter:
    return Letter(
        subject=f"Отметка «2» по дисциплине «{subject}»: {student_name}",
        greeting=greeting(recipient_name),
        intro=f"{_day(day)} {about(student_name, is_self)} отметка по дисциплине «{subject}»: {mark}.",
        outro="Уточнить, как исправить отметку, можно у преподавателя или куратора группы.",
    )


def systematic(
    student_name: str, month: date, missed: int, held: int, share: float, recipient_name: str, is_self: bool
) -> Letter:
    return Letter(
        subject=f"Систематические пропуски: {student_name}",
        greeting=greeting(recipient_name),
        intro=(
            f"За {MONTHS_NOMINATIVE[month.month - 1].lower()} {month.year} г. {about(student_name, is_self)} "
            f"пропущено {missed} ч "
            f"из {held} ч занятий ({round(100 * missed / held)} %), больше допустимой доли "
            f"{round(100 * share)} %. Это систематические пропуски: свяжитесь, пожалуйста, с куратором группы."
        ),
    )


def debt(student_name: str, lines: list[str], recipient_name: str, is_self: bool) -> Letter:
    return Letter(
        subject=f"Академическая задолженность: {student_name}",
        greeting=greeting(recipient_name),
        intro=(
            f"По итогам промежуточной аттестации {about(student_name, is_self)} есть академическая "
            "задолженность. Сроки пересдачи сообщит куратор группы; они есть и в электронном дневнике."
        ),
        sections=[("Задолженности", lines)],
    )


def announcement(group_name: str, title: str, body: str, author: str, recipient_name: str) -> Letter:
    return Letter(
        subject=f"Объявление для группы {group_name}: {title}",
        greeting=greeting(recipient_name),
        intro=body,
        outro=f"Куратор группы {group_name}: {author}.",
    )


def letter_pdf(student_name: str, period: str, recipient_name: str, sender: str) -> Letter:
    return Letter(
        subject=f"Сведения об успеваемости и посещаемости: {student_name}",
        greeting=greeting(recipient_name),
        intro=(
            f"Во вложении — письмо с текущей успеваемостью и посещаемостью студента {student_name} "
            f"за {period} (PDF, для печати)."
        ),
        outro=f"Отправил: {sender}.",
    )
