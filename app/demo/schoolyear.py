"""The demo college's calendar: the current semester's teaching window and its school days."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from app.calendar import Half, academic_year_start, is_school_day


@dataclass(frozen=True)
class Semester:
    """The teaching window of the half `today` belongs to, as app.calendar's default has it:
    autumn lessons 1 September – 28 December (January is the session), spring lessons
    1 February – 27 June (July and August are the summer break)."""

    start: date
    end: date
    autumn: bool

    @classmethod
    def containing(cls, today: date) -> Semester:
        half = Half.containing(today)
        return cls(half.start, half.teaching_end, autumn=half.half == 1)

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


def previous_school_day(day: date, semester: Semester) -> date | None:
    day -= timedelta(days=1)
    while day >= semester.start:
        if is_school_day(day):
            return day
        day -= timedelta(days=1)
    return None
