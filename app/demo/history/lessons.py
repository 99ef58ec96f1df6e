"""One lesson as its teacher fills it: the КТП topic (or a revision), the work done, the homework,
the planted defects, and when each part was written."""

from __future__ import annotations

from datetime import date, time, timedelta

from app.demo import catalog
from app.demo.college import SlotInfo, TeacherInfo, Topic, homework_text, local
from app.demo.copy import Row
from app.demo.history.common import DemoLesson, TeacherDefect, _Fill, _minutes
from app.demo.history.marks import _Marks
from app.domain import PAIR_TIMES, WorkKind

NO_HOMEWORK = "Не задано"
UNSCHEDULED_TEST_KINDS = frozenset({"theory", "exercise", "language"})
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


class _Lessons(_Marks):
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
