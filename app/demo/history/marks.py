"""A lesson's attendance and marks: who was absent or late, who was marked and when, and what a
mark was for."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from app.demo.college import SlotInfo, StudentInfo, TeacherInfo, Topic, local
from app.demo.history.common import DemoLesson, TeacherDefect, _Fill, _minutes
from app.demo.history.planting import _Planted
from app.domain import PAIR_TIMES, WRITTEN_WORK_KINDS, AttendanceStatus, WorkKind

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


class _Marks(_Planted):
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
