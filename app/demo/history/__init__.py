"""The semester so far, lesson by lesson, the way a real college fills its journal — defects included.

Each school day from the semester start to yesterday follows the timetable: the teacher takes the
attendance during the pair, writes the topic from the КТП, the work done and the homework during or
after it, marks some students on the day and checks written work within the deadline. Контрольные и
тестовые работы are marked for every student who wrote them (present or late) within the checking
deadline (§4.2.1), as the weekly analysis demands; other work is marked selectively. A few named
teachers, groups and students misbehave on purpose, so the weekly analysis has something to find:
one teacher leaves control works unmarked past the deadline, and the demo teacher's recent control and
test works are still being checked. Today's lessons exist but are left empty for the user to fill.

The parts, each a layer of one simulation over the one before: `planting` (the state, and what is
planted before the first lesson), `marks` (a lesson's attendance and marks), `lessons` (one lesson
as its teacher fills it); the run over the days is here, and `common` holds what they share
(History and its records, when a lesson's parts were filled).
"""

from __future__ import annotations

import random
from datetime import date
from zoneinfo import ZoneInfo

from app.calendar import is_school_day
from app.demo.college import College, Ids, SlotInfo
from app.demo.copy import Row
from app.demo.history.common import DEFECT_KINDS, DemoLesson, History, TeacherDefect
from app.demo.history.lessons import NO_HOMEWORK, THEORY_WORK, UNSCHEDULED_TEST_KINDS, WORK_DONE, _Lessons
from app.demo.history.marks import DEMO_CHECKED_SHARE, FULLY_MARKED, MARK_SHARE, SAME_DAY_KINDS
from app.demo.history.planting import ABSENTEE_DAYS

__all__ = [
    "ABSENTEE_DAYS",
    "DEFECT_KINDS",
    "DEMO_CHECKED_SHARE",
    "FULLY_MARKED",
    "MARK_SHARE",
    "NO_HOMEWORK",
    "SAME_DAY_KINDS",
    "THEORY_WORK",
    "UNSCHEDULED_TEST_KINDS",
    "WORK_DONE",
    "DemoLesson",
    "History",
    "TeacherDefect",
    "build_history",
]


def build_history(
    college: College, ids: Ids, rng: random.Random, today: date, tz: ZoneInfo, deadline_days: int
) -> History:
    """Append the college's lessons, attendance and marks to its tables; return what was planted."""
    return _Simulation(college, ids, rng, today, tz, deadline_days).run()


class _Simulation(_Lessons):
    # ----------------------------------------------------------------------- the run

    def run(self) -> History:
        by_weekday: dict[int, list[SlotInfo]] = {}
        for slot in self.c.slots:
            by_weekday.setdefault(slot.weekday, []).append(slot)
        demo = self.c.demo_teacher
        gap_pair = max((s.pair for s in self.c.slots if s.teacher is demo and self.demo_gap and
                        s.weekday == self.demo_gap.isoweekday()), default=0)  # fmt: skip
        control_pair = max((s.pair for s in self.c.slots if s.teacher is demo and self.demo_control_day and
                            s.weekday == self.demo_control_day.isoweekday()), default=0)  # fmt: skip
        for day in self.days:
            for slot in by_weekday.get(day.isoweekday(), []):
                special = ""
                if slot.teacher is demo and day == self.demo_gap and slot.pair == gap_pair:
                    special = "homework_gap"
                elif slot.teacher is demo and day == self.demo_control_day and slot.pair == control_pair:
                    special = "control"
                self._lesson(slot, day, special)
        semester = self.c.semester
        if semester.start <= self.today <= semester.end and is_school_day(self.today):
            for slot in by_weekday.get(self.today.isoweekday(), []):
                self._empty_lesson(slot, self.today)
                self.history.today_lessons += 1
        self._number(self.attendance, "attendance", created_at=7)
        self._number(self.marks, "mark", created_at=8)
        return self.history

    def _number(self, rows: list[Row], table: str, created_at: int) -> None:
        """Ids follow the time the rows were written, as they would in the live journal."""
        rows.sort(key=lambda r: (r[created_at], r[2], r[3]))
        self.c.tables[table].extend((self.ids.take(table), *row[1:]) for row in rows)
