"""The academic calendar: the one place that knows when a year, a semester and its teaching run.

A Russian СПО college's year starts on 1 September. Its first half (осенний семестр) runs to
31 January: teaching to the end of December, then the winter session and holidays; the second
(весенний) from 1 February to 31 August: teaching to the end of June, the summer session, then
the holidays (July and August count with the second half: the summer practice closes it). A
group's programme semesters follow from its admission year: odd ones are autumn halves, even ones
spring halves.

Everything that needs a period asks here: the journal's lesson semester, the diary, the reports'
semester keys, the analytics' semester and year filters, the demo's school days. The warehouse
asks `stg_calendar.sql`, which states the same bounds in SQL (tests/test_calendar.py keeps the two
equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Self

from sqlmodel import Session, select

from app.domain import Role

if TYPE_CHECKING:
    from app.actor import Actor
    from app.models import CalendarPeriod

YEAR_START = (9, 1)  # 1 September
SPRING_START = (2, 1)  # the second half begins on 1 February
# When teaching ends in each half of the default calendar (the session and holidays follow).
AUTUMN_TEACHING_END = (12, 28)
SPRING_TEACHING_END = (6, 27)
# Public holidays that fall inside a teaching window (month, day); Sundays are never school days.
HOLIDAYS: frozenset[tuple[int, int]] = frozenset({(11, 4), (2, 23), (3, 8), (5, 1), (5, 9), (6, 12)})


def academic_year_start(day: date) -> int:
    """The calendar year in which the academic year containing `day` began (1 September)."""
    return day.year if (day.month, day.day) >= YEAR_START else day.year - 1


def half_of(day: date) -> int:
    """1 for the autumn half (September – January), 2 for the spring half (February – August)."""
    return 1 if (day.month, day.day) >= YEAR_START or (day.month, day.day) < SPRING_START else 2


def is_school_day(day: date) -> bool:
    """A day lessons may be held: Monday to Saturday, not a public holiday."""
    return day.isoweekday() != 7 and (day.month, day.day) not in HOLIDAYS


# A slot held every week, or only in the odd (числитель) or even (знаменатель) weeks of the year.
EVERY_WEEK, NUMERATOR, DENOMINATOR = 0, 1, 2
PARITY_LABELS = {EVERY_WEEK: "каждую неделю", NUMERATOR: "числитель", DENOMINATOR: "знаменатель"}


def week_parity(day: date) -> int:
    """NUMERATOR for the week holding 1 September and every second week after it, else DENOMINATOR."""
    first = date(academic_year_start(day), *YEAR_START)
    first_monday = first - timedelta(days=first.weekday())
    return NUMERATOR if ((day - first_monday).days // 7) % 2 == 0 else DENOMINATOR


def year_bounds(day: date) -> tuple[date, date]:
    """The academic year containing `day`: 1 September – 31 August."""
    year = academic_year_start(day)
    return date(year, *YEAR_START), date(year + 1, *YEAR_START) - timedelta(days=1)


@dataclass(frozen=True, order=True)
class Half:
    """One half of an academic year: `year` is the year it began (2026 for 2026/2027)."""

    year: int
    half: int  # 1 autumn, 2 spring

    @classmethod
    def containing(cls, day: date) -> Self:
        return cls(academic_year_start(day), half_of(day))

    @classmethod
    def of_group(cls, admission_year: int, semester: int) -> Self:
        """The half in which a group admitted in `admission_year` has programme semester `semester`."""
        return cls(admission_year + (semester - 1) // 2, 1 if semester % 2 else 2)

    @property
    def start(self) -> date:
        return date(self.year, *YEAR_START) if self.half == 1 else date(self.year + 1, *SPRING_START)

    @property
    def end(self) -> date:
        if self.half == 1:
            return date(self.year + 1, *SPRING_START) - timedelta(days=1)
        return date(self.year + 1, *YEAR_START) - timedelta(days=1)

    @property
    def teaching_end(self) -> date:
        """The last day of teaching in the default calendar (the session and holidays follow)."""
        if self.half == 1:
            return date(self.year, *AUTUMN_TEACHING_END)
        return date(self.year + 1, *SPRING_TEACHING_END)

    def previous(self) -> Self:
        """The half before this one (spring → the same year's autumn, autumn → last year's spring)."""
        return type(self)(self.year, 1) if self.half == 2 else type(self)(self.year - 1, 2)

    def group_semester(self, admission_year: int) -> int:
        """The programme semester a group admitted in `admission_year` is in during this half."""
        return 2 * (self.year - admission_year) + self.half


def semester_bounds(day: date) -> tuple[date, date]:
    """The half of the academic year containing `day`."""
    half = Half.containing(day)
    return half.start, half.end


def program_semester(admission_year: int, day: date) -> int:
    """The semester of the programme a group admitted in `admission_year` is in on `day`."""
    return Half.containing(day).group_semester(admission_year)


def group_semester_bounds(admission_year: int, day: date) -> tuple[date, date]:
    """The dates of the programme semester containing `day` for a group admitted in `admission_year`."""
    half = Half.of_group(admission_year, program_semester(admission_year, day))
    return half.start, half.end


# ------------------------------------------------------------------ the college's stored calendar
# The deputy director sets each half's attestation session (calendar_period, migration 0014);
# a half with none stored has the default window below.

AUTUMN_SESSION = ((12, 20), (1, 31))  # 20 December – 31 January
SPRING_SESSION = ((6, 15), (7, 10))  # 15 June – 10 July


def default_session(half: Half) -> tuple[date, date]:
    (sm, sd), (em, ed) = AUTUMN_SESSION if half.half == 1 else SPRING_SESSION
    start_year = half.year if half.half == 1 else half.year + 1
    return date(start_year, sm, sd), date(half.year + 1, em, ed)


def session_window(college_id: int, half: Half, *, session: Session) -> tuple[date, date]:
    """The attestation session of a half: the college's own, else the default."""
    row = stored_session(college_id, half, session=session)
    return (row.starts_on, row.ends_on) if row else default_session(half)


def set_session_window(actor: Actor, half: Half, starts_on: date, ends_on: date, *, session: Session) -> None:
    """The deputy director sets a half's attestation session (one transaction, audited)."""
    from app import audit
    from app.models import CalendarPeriod

    details = {
        "year": half.year,
        "half": half.half,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
    }
    with audit.user_action(session, actor, "calendar.session", entity="calendar_period", details=details):
        actor.require(Role.deputy, message="Учебный календарь ведёт заместитель директора.")
        check_session(half, starts_on, ends_on)
        row = stored_session(actor.college_id, half, session=session) or CalendarPeriod(
            college_id=actor.college_id,
            academic_year=half.year,
            half=half.half,
            kind="session",
            starts_on=starts_on,
            ends_on=ends_on,
            title="Промежуточная аттестация",
        )
        row.starts_on, row.ends_on, row.updated_by_user_id = starts_on, ends_on, actor.user_id
        session.add(row)
        audit.record(session, actor, "calendar.session", entity="calendar_period", details=details)


def check_session(half: Half, starts_on: date, ends_on: date) -> None:
    """A half's session: in order and inside the half (the page's and the import's one rule)."""
    from app.errors import DomainError

    if ends_on < starts_on:
        raise DomainError("Сессия не может закончиться раньше, чем началась: проверьте даты.")
    if not (half.start <= starts_on and ends_on <= half.end):
        raise DomainError(
            f"Сессия должна лежать внутри полугодия: с {half.start:%d.%m.%Y} по {half.end:%d.%m.%Y}."
        )


def stored_session(college_id: int, half: Half, *, session: Session) -> CalendarPeriod | None:
    """The half's session row the deputy set, if any."""
    from app.models import CalendarPeriod

    return session.exec(
        select(CalendarPeriod).where(
            CalendarPeriod.college_id == college_id,
            CalendarPeriod.academic_year == half.year,
            CalendarPeriod.half == half.half,
            CalendarPeriod.kind == "session",
        )
    ).first()


# Periods the deputy director adds to a year beside the sessions. Holidays and non-teaching days
# stop the whole college's lessons; practice is recorded for the calendar (it is a group's).
PERIOD_LABELS = {
    "teaching": "Теоретическое обучение",
    "session": "Промежуточная аттестация",
    "practice": "Практика",
    "holidays": "Каникулы",
    "non_teaching": "Нерабочие дни",
}
NO_LESSONS = ("holidays", "non_teaching")


def teaching_days(college_id: int, start: date, end: date, *, session: Session) -> set[date]:
    """The school days of [start, end] (app.calendar.is_school_day) outside the college's holidays
    and non-teaching days: what lessons are made for. One query, whatever the span."""
    from sqlmodel import col

    from app.models import CalendarPeriod

    off = session.exec(
        select(col(CalendarPeriod.starts_on), col(CalendarPeriod.ends_on)).where(
            CalendarPeriod.college_id == college_id,
            col(CalendarPeriod.kind).in_(NO_LESSONS),
            CalendarPeriod.starts_on <= end,
            CalendarPeriod.ends_on >= start,
        )
    ).all()
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return {d for d in days if is_school_day(d) and not any(a <= d <= b for a, b in off)}


def is_teaching_day(college_id: int, day: date, *, session: Session) -> bool:
    return day in teaching_days(college_id, day, day, session=session)


def year_periods(college_id: int, year: int, *, session: Session) -> list[CalendarPeriodView]:
    """A year's calendar as the deputy reads it: both sessions (stored or default) and every period."""
    from app.models import CalendarPeriod

    rows = session.exec(
        select(CalendarPeriod).where(
            CalendarPeriod.college_id == college_id, CalendarPeriod.academic_year == year
        )
    ).all()
    out = [
        CalendarPeriodView(
            None,
            "session",
            h.half,
            *session_window(college_id, h, session=session),
            "Зимняя сессия" if h.half == 1 else "Летняя сессия",
        )
        for h in (Half(year, 1), Half(year, 2))
    ]
    out += [
        CalendarPeriodView(r.id, r.kind, r.half, r.starts_on, r.ends_on, r.title or PERIOD_LABELS[r.kind])
        for r in rows
        if r.kind != "session"
    ]
    return sorted(out, key=lambda p: (p.starts_on, p.kind))


@dataclass(frozen=True)
class CalendarPeriodView:
    period_id: int | None  # None: a session (edited on «Аттестация»)
    kind: str
    half: int | None
    starts_on: date
    ends_on: date
    title: str


def add_period(
    actor: Actor, year: int, kind: str, starts_on: date, ends_on: date, *, session: Session, title: str = ""
) -> None:
    """The deputy adds holidays, non-teaching days or a practice to a year (audited)."""
    from app import audit
    from app.models import CalendarPeriod

    details = {"year": year, "kind": kind, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()}
    with audit.user_action(session, actor, "calendar.period", entity="calendar_period", details=details):
        actor.require(Role.deputy, message="Учебный календарь ведёт заместитель директора.")
        title = check_period(year, kind, starts_on, ends_on, title)
        session.add(
            CalendarPeriod(
                college_id=actor.college_id,
                academic_year=year,
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
                title=title,
                updated_by_user_id=actor.user_id,
            )
        )
        audit.record(
            session, actor, "calendar.period", entity="calendar_period", details={**details, "title": title}
        )


ADDED_PERIODS = ("practice", "holidays", "non_teaching")  # what a year takes beside its sessions


def check_period(year: int, kind: str, starts_on: date, ends_on: date, title: str) -> str:
    """A period beside the sessions: its kind, its dates in order inside the academic year; the
    title as stored (the page's and the import's one rule)."""
    from app.errors import DomainError

    if kind not in ADDED_PERIODS:
        raise DomainError(
            "Добавить можно каникулы, нерабочие дни или практику; сессию задают на «Аттестации»."
        )
    if ends_on < starts_on:
        raise DomainError("Период не может закончиться раньше, чем начался: проверьте даты.")
    first, last = date(year, *YEAR_START), date(year + 1, *YEAR_START) - timedelta(days=1)
    if not (first <= starts_on and ends_on <= last):
        raise DomainError(
            f"Период должен лежать внутри учебного года: с {first:%d.%m.%Y} по {last:%d.%m.%Y}."
        )
    title = " ".join(title.split())[:120]
    if not title.isprintable():
        raise DomainError("Название периода не может содержать управляющие символы.")
    return title


def remove_period(actor: Actor, period_id: int, *, session: Session) -> None:
    from app import audit
    from app.errors import DomainError
    from app.models import CalendarPeriod

    details: dict[str, object] = {"period_id": period_id}
    with audit.user_action(
        session,
        actor,
        "calendar.period_remove",
        entity="calendar_period",
        entity_id=period_id,
        details=details,
    ):
        actor.require(Role.deputy, message="Учебный календарь ведёт заместитель директора.")
        row = session.get(CalendarPeriod, period_id)
        if row is None or row.college_id != actor.college_id or row.kind == "session":
            raise DomainError("Период не найден.")
        details.update(kind=row.kind, starts_on=row.starts_on.isoformat(), ends_on=row.ends_on.isoformat())
        session.delete(row)
        audit.record(
            session,
            actor,
            "calendar.period_remove",
            entity="calendar_period",
            entity_id=period_id,
            details=details,
        )
