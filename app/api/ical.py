"""A student's timetable and homework as an iCalendar feed, for phone calendars: the diary's
weeks, from this one on (the pairs to come) and the last one (the homework given)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from icalendar import Calendar, Event
from sqlmodel import Session

from app.actor import Actor
from app.domain import PAIR_TIMES
from app.services import diary
from app.services.journal import college_today
from app.settings import get_settings

WEEKS_AHEAD = 2


def feed(actor: Actor, student_id: int, *, session: Session) -> bytes:
    """The feed; diary.week checks that the actor may read this student (and audits the read)."""
    tz = get_settings().tz
    cal = Calendar()
    cal.add("prodid", "-//ejournal//Электронный дневник//RU")
    cal.add("version", "2.0")
    cal.add("x-wr-timezone", tz.key)
    today = diary.week_monday(college_today(session=session))
    name = ""
    for offset in range(-1, WEEKS_AHEAD + 1):
        week = diary.week(actor, student_id, today + timedelta(days=7 * offset), session=session)
        name = week.student.name
        for day in week.days:
            for lesson in day.lessons:
                start, end = PAIR_TIMES.get(lesson.pair_number, (time(8, 0), time(9, 30)))
                event = Event()
                uid_key = (
                    lesson.lesson_id
                    if lesson.lesson_id is not None
                    else f"{day.day:%Y%m%d}-{lesson.pair_number}"
                )
                event.add("uid", f"lesson-{uid_key}-{student_id}@ejournal")
                event.add("summary", f"{lesson.pair_number}-я пара: {lesson.subject}")
                event.add("dtstart", datetime.combine(day.day, start, tzinfo=tz))
                event.add("dtend", datetime.combine(day.day, end, tzinfo=tz))
                if lesson.room:
                    event.add("location", f"ауд. {lesson.room}")
                notes = [f"Преподаватель: {lesson.teacher}"]
                if lesson.change:
                    notes.append(f"Изменение: {lesson.change}")
                if lesson.topic:
                    notes.append(f"Тема: {lesson.topic}")
                if lesson.homework:
                    notes.append(f"Домашнее задание: {lesson.homework}")
                event.add("description", "\n".join(notes))
                cal.add_component(event)
    cal.add("x-wr-calname", f"Расписание: {name}" if name else "Расписание")
    cal.add_missing_timezones()  # a VTIMEZONE for the TZID, which strict calendar apps require
    return bytes(cal.to_ical())
