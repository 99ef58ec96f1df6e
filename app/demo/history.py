"""The semester so far, lesson by lesson, the way a real college fills its journal — defects included.

Each school day from the semester start to yesterday follows the timetable: the teacher takes the
attendance during the pair, writes the topic from the КТП, the work done and the homework during or
after it, marks some students on the day and checks written work within the deadline. Контрольные и
тестовые работы are marked for every student who wrote them (present or late) within the checking
deadline (§4.2.1), as the weekly analysis demands; other work is marked selectively. A few named
teachers, groups and students misbehave on purpose, so the weekly analysis has something to find:
one teacher leaves control works unmarked past the deadline, and the demo teacher's recent control and
test works are still being checked. Today's lessons exist but are left empty for the user to fill.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.calendar import is_school_day
from app.demo import catalog
from app.demo.college import (
    CURATOR_GROUP,
    TEACHER_GROUP,
    College,
    GroupInfo,
    Ids,
    SlotInfo,
    StudentInfo,
    TeacherInfo,
    Topic,
    homework_text,
    local,
)
from app.demo.copy import Row
from app.demo.schoolyear import previous_school_day
from app.domain import PAIR_TIMES, WRITTEN_WORK_KINDS, AttendanceStatus, WorkKind

NO_HOMEWORK = "Не задано"
ABSENTEE_DAYS = 0.38  # the least share of school days a planted absentee misses
UNSCHEDULED_TEST_KINDS = frozenset({"theory", "exercise", "language"})
SAME_DAY_KINDS = frozenset({WorkKind.oral, WorkKind.practical, WorkKind.laboratory, WorkKind.credit})
# Контрольные и тестовые работы: every present (or late) student gets a mark, within the deadline.
FULLY_MARKED = frozenset({WorkKind.control, WorkKind.test})
# The demo teacher's control and test works still inside the checking deadline: this share is marked,
# the rest is left for the demonstration to add.
DEMO_CHECKED_SHARE = 0.6
# Share of the present students marked on a lesson of the other kinds of work: (low, high).
MARK_SHARE: dict[WorkKind, tuple[float, float]] = {
    WorkKind.oral: (0.12, 0.24),
    WorkKind.practical: (0.18, 0.34),
    WorkKind.laboratory: (0.2, 0.36),
    WorkKind.written: (0.3, 0.5),
    WorkKind.independent: (0.3, 0.5),
    WorkKind.credit: (1.0, 1.0),
}
WORK_DONE: dict[WorkKind, str] = {
    WorkKind.oral: "Устный опрос по предыдущей теме; изучение нового материала, конспект",
    WorkKind.written: "Письменные ответы на вопросы по теме",
    WorkKind.independent: "Самостоятельная работа по вариантам",
    WorkKind.test: "Тестирование по теме",
    WorkKind.control: "Контрольная работа",
    WorkKind.practical: "Практическая работа: выполнение заданий по вариантам",
    WorkKind.laboratory: "Лабораторная работа: выполнение измерений, оформление отчёта",
    WorkKind.credit: "Зачёт",
}
# What the theory-like lessons of a kind are checked by, with weights.
THEORY_WORK: dict[str, tuple[tuple[WorkKind, int], ...]] = {
    "theory": ((WorkKind.oral, 55), (WorkKind.test, 15), (WorkKind.independent, 15), (WorkKind.written, 15)),
    "exercise": ((WorkKind.written, 40), (WorkKind.independent, 30), (WorkKind.oral, 30)),
    "seminar": ((WorkKind.oral, 100),),
    "language": ((WorkKind.oral, 50), (WorkKind.written, 30), (WorkKind.test, 20)),
}


@dataclass
class TeacherDefect:
    teacher: TeacherInfo
    kind: str  # no_topic, no_homework, late, unmarked_control
    lessons: int = 0
    no_topic: int = 0
    no_homework: int = 0
    late: int = 0
    unmarked_controls: int = 0


DEFECT_KINDS = ("no_topic", "no_homework", "late", "unmarked_control")


@dataclass
class DemoLesson:
    """A lesson of the demo teacher prepared for the demonstration."""

    day: date
    pair: int
    group: str
    subject: str
    marked: int = 0
    present: int = 0


@dataclass
class History:
    """What the simulation planted and counted, for the report and the tests."""

    teacher_defects: list[TeacherDefect]
    lagging_groups: dict[int, list[int]]  # group id -> [topics covered, lessons held]
    lagging: list[GroupInfo]
    absentees: list[StudentInfo]
    failing: list[StudentInfo]
    hours: dict[int, list[int]] = field(default_factory=dict)  # student id -> [missed, total]
    twos: Counter[int] = field(default_factory=Counter)  # student id -> marks «2»
    substitution: tuple[TeacherInfo, date, date] | None = None
    demo_control: DemoLesson | None = None  # a control work being checked: some marks still missing
    demo_homework_gap: DemoLesson | None = None  # yesterday's lesson without homework
    today_lessons: int = 0


@dataclass
class _Fill:
    """When the conducting teacher filled each part of a lesson (None: not filled)."""

    attendance: datetime | None
    topic: datetime | None
    work: datetime | None
    homework: datetime | None
    late: bool


def build_history(
    college: College, ids: Ids, rng: random.Random, today: date, tz: ZoneInfo, deadline_days: int
) -> History:
    """Append the college's lessons, attendance and marks to its tables; return what was planted."""
    return _Simulation(college, ids, rng, today, tz, deadline_days).run()


class _Simulation:
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

    # ----------------------------------------------------------------------- one lesson

    def _empty_lesson(self, slot: SlotInfo, day: date) -> None:
        empty = _Fill(None, None, None, None, late=False)
        self.lessons.append(self._row(slot, day, None, None, None, None, None, None, empty))

    def _lesson(self, slot: SlotInfo, day: date, special: str) -> None:
        rng = self.rng
        stream = slot.stream
        substitute = self.substitutes.get((slot.id, day, slot.pair))
        conducting = substitute or slot.teacher
        defect = None if substitute else self.defect_of.get(slot.teacher.id)
        # --- the КТП topic: lagging groups sometimes spend a lesson revising instead of moving on
        key = (stream.item_id, slot.subgroup if stream.split else 0)
        index = self.progress[key]
        lagging = self.history.lagging_groups.get(stream.group.id)
        topics = stream.topics
        revise = (
            lagging is not None
            and 0 < index < len(topics)
            and stream.subject.style not in (catalog.SPORT, catalog.PRACTICE)
            and topics[index - 1].kind not in ("control", "final")
            and rng.random() < 0.35
        )
        plan: Topic = topics[min(max(index - 1, 0) if revise else index, len(topics) - 1)]
        title = f"Повторение и закрепление по теме «{plan.theme}»" if revise else plan.title
        kind = "theory" if revise else plan.kind
        if not revise:
            self.progress[key] += 1
        if lagging is not None and slot.subgroup in (0, 1):
            lagging[0] += 0 if revise else 1
            lagging[1] += 1
        # --- what was done, and the homework
        work_kind = self._work_kind(kind, stream.subject.style)
        work_done: str | None = _work_done(work_kind, plan)
        checker = defect is not None and defect.kind == "unmarked_control"
        forced = checker and day == self.checker_day and kind not in ("control", "final")
        if forced or (checker and kind in UNSCHEDULED_TEST_KINDS and rng.random() < 0.1):
            special = "unscheduled_control"  # sets short tests often, and leaves them unchecked
            self.checker_day = None
        if special in ("control", "unscheduled_control"):  # a test on the КТП topic of the day
            work_kind = WorkKind.control
            title = f"Контрольная работа по теме «{plan.theme}»"
            work_done = f"Контрольная работа по теме «{plan.theme}» (по вариантам)"
        homework: str | None = plan.homework or homework_text(
            kind, plan.theme, plan.number, rng, f"{plan.position}.1"
        )
        homework = homework or NO_HOMEWORK
        topic: str | None = title
        # --- defects and timing
        fill = self._fill_times(slot, day, conducting, defect)
        if defect is not None:
            defect.lessons += 1
            if defect.kind == "no_topic" and rng.random() < 0.35:
                topic = None
                if rng.random() < 0.3 and work_kind != WorkKind.control:
                    work_done = None
            if defect.kind == "no_homework" and rng.random() < 0.5:
                homework = None
            if defect.kind == "unmarked_control" and rng.random() < 0.12:
                homework = None
            if defect.kind == "late" and fill.late and rng.random() < 0.2:
                homework = None  # filled late, and not even all of it
        if special == "homework_gap":
            homework = None
            self.history.demo_homework_gap = DemoLesson(
                day, slot.pair, stream.group.name, stream.subject.name
            )
        if topic is None or fill.topic is None:
            topic = None
        if work_done is None or fill.work is None:
            work_done = None
        if homework is None or fill.homework is None:
            homework = None
        if defect is not None:
            defect.no_topic += topic is None
            defect.no_homework += homework is None
            defect.late += fill.late and fill.topic is not None
        row = self._row(slot, day, substitute, topic, plan.id if topic else None, work_done,
                        work_kind.value if work_done else None, homework, fill)  # fmt: skip
        self.lessons.append(row)
        lesson_id = row[0]
        statuses = self._attendance(slot, day, lesson_id, conducting, fill)
        if work_done is not None:
            self._marks(slot, day, lesson_id, conducting, fill, work_kind, plan, statuses, defect, special)

    def _row(
        self,
        slot: SlotInfo,
        day: date,
        substitute: TeacherInfo | None,
        topic: str | None,
        plan_topic_id: int | None,
        work_done: str | None,
        work_kind: str | None,
        homework: str | None,
        fill: _Fill,
    ) -> Row:
        stream = slot.stream
        created = local(day, time(0, 5), self.tz)  # the nightly job creates the day's lessons
        topic_at = fill.topic if topic else None
        work_at = fill.work if work_done else None
        homework_at = fill.homework if homework else None
        stamps = [t for t in (topic_at, work_at, homework_at, fill.attendance) if t is not None]
        return (
            self.ids.take("lesson"),
            self.c.id, stream.group.id, slot.subgroup, stream.subject_id, stream.group.semester, slot.teacher.id,
            substitute.id if substitute else None, slot.id, day, slot.pair, 2, slot.room, topic, plan_topic_id,
            work_done, work_kind, homework, topic_at, work_at, homework_at, fill.attendance, created,
            max(stamps, default=created),
        )  # fmt: skip

    def _work_kind(self, kind: str, style: str) -> WorkKind:
        if kind in ("practice", "sport", "work"):
            return WorkKind.practical
        if kind == "lab":
            return WorkKind.laboratory
        if kind == "control":
            return WorkKind.control
        if kind == "final":
            return WorkKind.credit
        options = THEORY_WORK["language" if style == catalog.LANGUAGE else kind]
        return self.rng.choices([k for k, _ in options], weights=[w for _, w in options])[0]

    def _fill_times(
        self, slot: SlotInfo, day: date, teacher: TeacherInfo, defect: TeacherDefect | None
    ) -> _Fill:
        rng = self.rng
        start, end = PAIR_TIMES[slot.pair]
        began = local(day, start, self.tz)
        finished = local(day, end, self.tz)
        if defect is not None and defect.kind == "late" and rng.random() < 0.45:
            fill_day = day + timedelta(days=rng.choice((1, 1, 1, 2, 2, 3, 4)))
            if fill_day >= self.today:  # not filled yet
                return _Fill(None, None, None, None, late=True)
            at = local(fill_day, time(16, 0), self.tz) + timedelta(minutes=rng.randint(0, 300))
            return _Fill(
                at, at + _minutes(rng, 1, 3), at + _minutes(rng, 4, 7), at + _minutes(rng, 8, 10), late=True
            )
        attendance = began + _minutes(rng, 2, 12)
        if teacher.evening_filler:
            at = local(day, time(16, 30), self.tz) + timedelta(minutes=rng.randint(0, 270))
            return _Fill(attendance, at, at + _minutes(rng, 1, 4), at + _minutes(rng, 5, 8), late=False)
        topic = began + _minutes(rng, 5, 25)
        work = finished - _minutes(rng, 0, 12)
        return _Fill(attendance, topic, work, work + _minutes(rng, 1, 20), late=False)

    # ----------------------------------------------------------------------- attendance and marks

    def _attendance(
        self, slot: SlotInfo, day: date, lesson_id: int, teacher: TeacherInfo, fill: _Fill
    ) -> dict[int, AttendanceStatus | None]:
        """Rows only for the absent, the excused and the late; returns every roster student's status."""
        rng = self.rng
        statuses: dict[int, AttendanceStatus | None] = {}
        first_pair = slot.pair == min(s.pair for s in self._day_slots(slot))
        for student in self._roster(slot, day):
            status: AttendanceStatus | None
            status, reason = self.absence.get((student.id, day), (None, ""))
            if status is None and rng.random() < student.truancy * 0.3:
                status = AttendanceStatus.absent  # skipped just this pair
            if status is None and rng.random() < (0.04 if first_pair else 0.01):
                status = AttendanceStatus.late
            hours = self.history.hours.setdefault(student.id, [0, 0])
            hours[1] += 2
            if status is None:
                continue
            statuses[student.id] = status
            if fill.attendance is not None:
                hours[0] += 2 * (status != AttendanceStatus.late)
                self.attendance.append((0, self.c.id, lesson_id, student.id, status.value, reason, teacher.user_id,
                                        fill.attendance, fill.attendance))  # fmt: skip
        return statuses

    def _day_slots(self, slot: SlotInfo) -> list[SlotInfo]:
        key = (slot.stream.group.id, slot.weekday)
        if key not in self.day_slots:
            self.day_slots[key] = [s for s in self.c.slots if (s.stream.group.id, s.weekday) == key]
        return self.day_slots[key]

    def _roster(self, slot: SlotInfo, day: date) -> list[StudentInfo]:
        return [
            s
            for s in slot.stream.group.students
            if s.on_roll(day)
            and (slot.subgroup == 0 or s.subgroup_for(slot.stream.subject_id) == slot.subgroup)
        ]

    def _marks(
        self,
        slot: SlotInfo,
        day: date,
        lesson_id: int,
        teacher: TeacherInfo,
        fill: _Fill,
        kind: WorkKind,
        plan: Topic,
        statuses: dict[int, AttendanceStatus | None],
        defect: TeacherDefect | None,
        special: str,
    ) -> None:
        rng = self.rng
        students = [s for s in self._roster(slot, day) if statuses.get(s.id) in (None, AttendanceStatus.late)]
        if not students:
            return
        overdue = day + self.deadline < self.today
        # The demo teacher is still checking the recent control and test works: some marks are missing.
        checking = teacher is self.c.demo_teacher and kind in FULLY_MARKED and not overdue
        when = self._mark_time(
            slot, day, fill, kind, teacher, checked_next_day=special == "control" or checking
        )
        unchecked = defect is not None and defect.kind == "unmarked_control" and kind == WorkKind.control
        if unchecked and overdue and (special == "unscheduled_control" or rng.random() < 0.85):
            assert defect is not None
            defect.unmarked_controls += 1
            return
        if when is None or when.date() >= self.today:
            return  # on the day the work could not be marked late, or it is still being checked
        if special == "control" or checking:
            count = max(1, round(len(students) * DEMO_CHECKED_SHARE))
        elif kind in FULLY_MARKED:
            count = len(students)  # checked and marked for everyone who wrote it
        else:
            low, high = MARK_SHARE[kind]
            count = max(1, round(len(students) * rng.uniform(low, high)))
        subject = slot.stream.subject_id
        # Teachers ask those with fewer marks first, so marks accumulate evenly.
        ranked = sorted(students, key=lambda s: self.marks_of[s.id, subject] + rng.random() * 1.5)
        for student in ranked[:count]:
            value = self._value(student, subject, kind)
            self.marks_of[student.id, subject] += 1
            self.history.twos[student.id] += value == "2"
            self.marks.append((0, self.c.id, lesson_id, student.id, value, kind.value, _comment(kind, plan),
                               teacher.user_id, when + _minutes(rng, 0, 3)))  # fmt: skip
        if special == "control":
            stream = slot.stream
            self.history.demo_control = DemoLesson(
                day,
                slot.pair,
                stream.group.name,
                stream.subject.name,
                min(count, len(students)),
                len(students),
            )

    def _mark_time(
        self,
        slot: SlotInfo,
        day: date,
        fill: _Fill,
        kind: WorkKind,
        teacher: TeacherInfo,
        checked_next_day: bool,
    ) -> datetime | None:
        rng = self.rng
        if fill.work is None:
            return None
        if kind in SAME_DAY_KINDS:
            if fill.late:
                return None  # the regulation forbids marking it after the day
            if teacher.evening_filler:
                return fill.work
            return local(day, PAIR_TIMES[slot.pair][0], self.tz) + _minutes(rng, 15, 85)
        assert kind in WRITTEN_WORK_KINDS
        checked = day
        if checked_next_day:  # the day after, or on the day itself when the day after is today
            checked = min(day + timedelta(days=1), self.today - timedelta(days=1))
        elif kind == WorkKind.control:
            checked = day + timedelta(days=rng.choice((1, 2, 2, 3, 3, 4, 5, 6)))
        elif rng.random() < 0.4:
            checked = day + timedelta(days=rng.randint(1, 2))
        if kind in FULLY_MARKED:
            checked = min(checked, day + self.deadline)  # whatever the deadline is set to
        checked = max(checked, day, fill.work.date())
        if checked > day + self.deadline:
            return None
        return local(checked, time(15, 0), self.tz) + _minutes(rng, 0, 360)

    def _value(self, student: StudentInfo, subject: int, kind: WorkKind) -> str:
        offset = self.offset.get((student.id, subject))
        if offset is None:
            offset = self.offset[student.id, subject] = self.rng.gauss(0, 0.3)
        mean = student.ability + offset - (0.25 if kind == WorkKind.control else 0.0)
        return str(min(5, max(2, round(self.rng.gauss(mean, 0.7)))))


def _minutes(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(minutes=rng.randint(low, high), seconds=rng.randint(0, 59))


def _work_done(kind: WorkKind, plan: Topic) -> str:
    if kind == WorkKind.control:
        return (
            f"Контрольная работа №{plan.number or 1}"
            if plan.kind == "control"
            else "Контрольная работа по теме"
        )
    if kind == WorkKind.practical and plan.kind == "practice":
        return f"Практическая работа №{plan.number}: выполнение заданий по вариантам, защита"
    if kind == WorkKind.laboratory:
        return f"Лабораторная работа №{plan.number}: выполнение измерений, оформление отчёта"
    if plan.kind == "sport":
        return "Разминка; выполнение упражнений по теме занятия, учебная игра"
    if plan.kind == "work":
        return "Выполнение работ по заданию практики; заполнение дневника практики"
    return WORK_DONE[kind]


def _comment(kind: WorkKind, plan: Topic) -> str:
    """What the mark was for, as the diary shows it."""
    if kind == WorkKind.control:
        return (
            f"Контрольная работа №{plan.number}"
            if plan.kind == "control" and plan.number
            else "Контрольная работа"
        )
    if kind == WorkKind.practical:
        if plan.kind == "practice":
            return f"Практическая работа №{plan.number}"
        return "Выполнение нормативов" if plan.kind == "sport" else "Выполнение заданий практики"
    if kind == WorkKind.laboratory:
        return f"Лабораторная работа №{plan.number}"
    return {
        WorkKind.oral: "Ответ на занятии",
        WorkKind.written: "Письменная работа",
        WorkKind.independent: "Самостоятельная работа",
        WorkKind.test: "Тест",
        WorkKind.credit: "Зачёт",
    }.get(kind, "")
