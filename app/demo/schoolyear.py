"""The demo college's calendar: the current semester's teaching window and its school days."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain import academic_year_start

# Public holidays that fall inside a teaching window (month, day); Sundays are never school days.
HOLIDAYS: frozenset[tuple[int, int]] = frozenset({(11, 4), (2, 23), (3, 8), (5, 1), (5, 9), (6, 12)})


@dataclass(frozen=True)
class Semester:
    """The teaching window of the semester `today` belongs to (app.domain.program_semester's halves).

    Autumn lessons run 1 September – 28 December (January is the session), spring lessons
    1 February – 27 June (July and August are the summer break)."""

    start: date
    end: date
    autumn: bool

    @classmethod
    def containing(cls, today: date) -> Semester:
        year = academic_year_start(today)
        if today.month >= 9 or today.month == 1:
            return cls(date(year, 9, 1), date(year, 12, 28), autumn=True)
        return cls(date(year + 1, 2, 1), date(year + 1, 6, 27), autumn=False)

    @property
    def academic_year(self) -> int:
        return academic_year_start(self.start)

    def school_days(self, until: date | None = None) -> Iterator[date]:
        """School days from the start up to and including min(`until`, end)."""
        last = min(self.end, until) if until else self.end
        day = self.start
        while day <= last:
            if is_school_day(day):
                yield day
            day += timedelta(days=1)


def is_school_day(day: date) -> bool:
    return day.isoweekday() != 7 and (day.month, day.day) not in HOLIDAYS


def previous_school_day(day: date, semester: Semester) -> date | None:
    day -= timedelta(days=1)
    while day >= semester.start:
        if is_school_day(day):
            return day
        day -= timedelta(days=1)
    return None
