"""The simulation's state, and what it plants before the first lesson: the teachers' defects, the
lagging groups, the absentees and the failing, each student's absences, a sick teacher's
substitutes, and the days the demo teacher's prepared lessons fall on."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from app.demo.college import CURATOR_GROUP, TEACHER_GROUP, College, Ids, SlotInfo, TeacherInfo
from app.demo.copy import Row
from app.demo.history.common import DEFECT_KINDS, History, TeacherDefect
from app.demo.schoolyear import previous_school_day
from app.domain import AttendanceStatus

ABSENTEE_DAYS = 0.38  # the least share of school days a planted absentee misses


class _Planted:
    def __init__(
        self, college: College, ids: Ids, rng: random.Random, today: date, tz: ZoneInfo, deadline_days: int
    ) -> None:
        self.c = college
        self.ids = ids
        self.rng = rng
        self.today = today
        self.tz = tz
        self.deadline = timedelta(days=deadline_days)
        self.days = list(college.semester.school_days(until=today - timedelta(days=1)))
        self.history = self._plant()
        self.defect_of = {d.teacher.id: d for d in self.history.teacher_defects}
        self.absence = self._absence_plan()
        self.progress: Counter[tuple[int, int]] = Counter()
        self.marks_of: Counter[tuple[int, int]] = Counter()  # (student, subject) -> marks so far
        self.offset: dict[tuple[int, int], float] = {}
        self.marks: list[Row] = []
        self.attendance: list[Row] = []
        self.lessons = college.tables["lesson"]
        self.day_slots: dict[tuple[int, int], list[SlotInfo]] = {}
        self.busy = {(s.teacher.id, s.weekday, s.pair) for s in college.slots}
        self.substitutes = self._substitutes()
        demo = college.demo_teacher
        prev = previous_school_day(today, college.semester) if self.days else None
        self.demo_gap = prev if prev and prev in set(self.days) else None
        self.demo_control_day = self._demo_control_day(demo)
        self.checker_day = self._checker_day()

    # ----------------------------------------------------------------------- planting

    def _plant(self) -> History:
        c = self.c
        demo = (c.demo_teacher, c.demo_curator)
        candidates = sorted(
            (t for t in c.teachers if t not in demo and t.department not in ("pe", "master") and t.load >= 6),
            key=lambda t: t.id,
        )
        # The one who leaves tests unchecked must set several control works.
        tests = Counter(s.teacher.id for s in c.streams if any(t.kind == "control" for t in s.topics))
        checker = self.rng.choice([t for t in candidates if tests[t.id] >= 2])
        others = self.rng.sample([t for t in candidates if t is not checker], len(DEFECT_KINDS) - 1)
        chosen = [*others, checker]  # in DEFECT_KINDS order: unmarked_control is last
        defects = [TeacherDefect(t, kind) for t, kind in zip(chosen, DEFECT_KINDS, strict=True)]
        groups = [g for g in c.groups if g.course > 1 and g.place not in (TEACHER_GROUP, CURATOR_GROUP)]
        lagging = self.rng.sample(groups, 2)
        keep = {c.demo_student.id, c.demo_sibling.id}
        pool = [
            s
            for g in c.groups
            for s in g.students
            if s.id not in keep and s.left_on is None and s.enrolled_on <= c.semester.start
        ]
        absentees = self.rng.sample(pool, 7)
        for student in absentees:
            student.truancy = 0.32 + self.rng.random() * 0.1
        failing = absentees[:4]
        for student in failing:
            student.ability = 2.4 + self.rng.random() * 0.3
        return History(
            teacher_defects=defects,
            lagging_groups={g.id: [0, 0] for g in lagging},
            lagging=lagging,
            absentees=absentees,
            failing=failing,
        )

    def _absence_plan(self) -> dict[tuple[int, date], tuple[AttendanceStatus, str]]:
        """Whole days each student misses: illness (справка), orders (приказ) and plain truancy."""
        plan: dict[tuple[int, date], tuple[AttendanceStatus, str]] = {}
        days = self.days
        if not days:
            return plan
        for group in self.c.groups:
            for student in group.students:
                episodes = self.rng.choices((0, 1, 2), weights=(58, 34, 8))[0]
                for _ in range(episodes):
                    first = self.rng.randrange(len(days))
                    for day in days[first : first + self.rng.randint(3, 8)]:
                        plan[student.id, day] = (AttendanceStatus.excused, "справка")
                if self.rng.random() < 0.05:  # an olympiad or a competition, by the director's order
                    first = self.rng.randrange(len(days))
                    for day in days[first : first + self.rng.randint(1, 2)]:
                        plan[student.id, day] = (AttendanceStatus.excused, "приказ")
                for day in days:
                    if (student.id, day) not in plan and self.rng.random() < student.truancy:
                        plan[student.id, day] = (AttendanceStatus.absent, "")
        # A planted absentee misses at least ABSENTEE_DAYS of the days, however short the history.
        for student in self.history.absentees:
            present = [d for d in days if (student.id, d) not in plan]
            missing = round(ABSENTEE_DAYS * len(days)) - (len(days) - len(present))
            for day in self.rng.sample(present, max(0, missing)):
                plan[student.id, day] = (AttendanceStatus.absent, "")
        return plan

    def _substitutes(self) -> dict[tuple[int, date, int], TeacherInfo]:
        """One teacher is on sick leave for a school week in the autumn; colleagues free at the time stand in."""
        c = self.c
        start = c.semester.start + timedelta(days=36)
        week = [d for d in self.days if d >= start][:5]
        if len(week) < 5:
            return {}
        clean = [
            t
            for t in c.teachers
            if t not in (c.demo_teacher, c.demo_curator) and t.id not in self.defect_of and t.load >= 6
        ]
        sick = self.rng.choice(sorted(clean, key=lambda t: t.id))
        self.history.substitution = (sick, week[0], week[-1])
        chosen: dict[tuple[int, date, int], TeacherInfo] = {}
        for day in week:
            for slot in (s for s in c.slots if s.teacher is sick and s.weekday == day.isoweekday()):
                free = [
                    t
                    for t in c.teachers
                    if t is not sick and (t.id, slot.weekday, slot.pair) not in self.busy
                ]
                same = [t for t in free if t.department == sick.department]
                chosen[slot.id, day, slot.pair] = self.rng.choice(same or free)
        return chosen

    def _checker_day(self) -> date | None:
        """The checker's last lesson day already past the checking deadline: one unchecked test there at least."""
        checker = next(
            (d.teacher for d in self.history.teacher_defects if d.kind == "unmarked_control"), None
        )
        weekdays = {s.weekday for s in self.c.slots if s.teacher is checker}
        overdue = [d for d in self.days if d + self.deadline < self.today and d.isoweekday() in weekdays]
        return overdue[-1] if overdue else None

    def _demo_control_day(self, demo: TeacherInfo) -> date | None:
        """A day 2–5 days ago, other than the homework-gap day, when the demo teacher had a lesson."""
        weekdays = {s.weekday for s in self.c.slots if s.teacher is demo}
        for back in range(2, 6):
            day = self.today - timedelta(days=back)
            if day in set(self.days) and day != self.demo_gap and day.isoweekday() in weekdays:
                return day
        return None
