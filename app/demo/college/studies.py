"""What a demo college teaches and when: its subjects and curricula, the timetable and the КТП,
their rows, the calendar, and next week's timetable changes."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, time, timedelta

from app.calendar import is_school_day
from app.demo import catalog
from app.demo.catalog import Split, SubjectSpec, Whole
from app.demo.college.common import (
    CURATOR_GROUP,
    CURATOR_PINS,
    TEACHER_GROUP,
    TEACHER_PINS,
    GroupInfo,
    GroupPlace,
    SlotInfo,
    Stream,
    TeacherInfo,
    Topic,
    _Base,
    local,
)
from app.demo.college.plan import build_plan
from app.demo.timetable import PlacementError, Unit, place
from app.domain import SubjectKind


class _Studies(_Base):
    # ----------------------------------------------------------------------- subjects and curricula

    def _subjects(self) -> dict[tuple[str, str], tuple[int, SubjectSpec]]:
        """Subjects by (speciality key, code); the shared ones under every speciality."""
        shared = {s.code: (self._subject(s, None), s) for s in catalog.COMMON_SUBJECTS}
        found: dict[tuple[str, str], tuple[int, SubjectSpec]] = {}
        for spec in catalog.SPECIALITIES:
            modules: dict[str, int] = {}
            speciality_id = next(r[0] for r in self.tables["speciality"] if r[2] == spec.code)
            for code, name in spec.modules:
                modules[code] = self.ids.take("module")
                self.tables["module"].append((modules[code], self.college_id, speciality_id, code, name))
            found.update({(spec.key, code): pair for code, pair in shared.items()})
            for subject in spec.subjects:
                module_id = modules[subject.module] if subject.module else None
                found[spec.key, subject.code] = (self._subject(subject, module_id), subject)
        return found

    def _subject(self, spec: SubjectSpec, module_id: int | None) -> int:
        subject_id = self.ids.take("subject")
        self.tables["subject"].append(
            (subject_id, self.college_id, spec.code, spec.name, spec.kind.value, module_id)
        )
        return subject_id

    def _curricula(
        self,
        groups: list[GroupInfo],
        teachers: list[TeacherInfo],
        subjects: dict[tuple[str, str], tuple[int, SubjectSpec]],
    ) -> list[Stream]:
        by_dept: dict[str, list[TeacherInfo]] = {}
        for teacher in teachers:
            by_dept.setdefault(teacher.department, []).append(teacher)
        pins: dict[tuple[GroupPlace, str], TeacherInfo] = {}
        for key, pinned in (("teacher", TEACHER_PINS), ("curator", CURATOR_PINS)):
            teacher = next(t for t in teachers if t.demo_key == key)
            pins.update({pin: teacher for pin in pinned})
        streams: list[Stream] = []
        half = 0 if self.semester.autumn else 1
        for group in groups:
            for line in catalog.curriculum(group.spec, group.course):
                if isinstance(line, Whole):
                    parts = [(line.code, line.pairs, (line.autumn, line.spring), False)]
                else:
                    assert isinstance(line, Split)
                    parts = [
                        (line.first, line.blocks, line.first_forms, True),
                        (line.second, line.blocks, line.second_forms, True),
                    ]
                busy: list[TeacherInfo] = []  # a split's two teachers work at the same time
                for code, pairs, forms, split in parts:
                    subject_id, subject = subjects[group.spec.key, code]
                    # the least loaded colleague of the department, so the load spreads evenly
                    teacher = pins.get((group.place, code)) or min(
                        (t for t in by_dept[subject.department] if t not in busy and not t.demo_key),
                        key=lambda t: (t.load, self.rng.random()),
                    )
                    teacher.load += pairs * (2 if split else 1)
                    busy.append(teacher)
                    streams.append(
                        Stream(
                            item_id=self.ids.take("curriculum_item"),
                            group=group,
                            subject_id=subject_id,
                            subject=subject,
                            teacher=teacher,
                            form=forms[half],
                            pairs=pairs,
                            split=split,
                        )
                    )
        return streams

    def _curators(
        self,
        groups: list[GroupInfo],
        streams: list[Stream],
        teachers: list[TeacherInfo],
        demo_teacher: TeacherInfo,
        demo_curator: TeacherInfo,
    ) -> None:
        """Every group gets a curator among its teachers; nobody curates two groups."""
        taken: set[int] = {demo_teacher.id, demo_curator.id}
        for group in groups:
            if group.place == TEACHER_GROUP:
                group.curator = demo_teacher
            elif group.place == CURATOR_GROUP:
                group.curator = demo_curator
        for group in groups:
            if group.curator:
                continue
            own = [s.teacher for s in streams if s.group is group and s.teacher.id not in taken]
            pool = own or [t for t in teachers if t.id not in taken]
            group.curator = self.rng.choice(sorted(set(pool), key=lambda t: t.id))
            taken.add(group.curator.id)

    # ----------------------------------------------------------------------- timetable and КТП

    def _timetable(self, streams: list[Stream], demo_teacher: TeacherInfo) -> list[SlotInfo]:
        units: list[Unit] = []
        owners: list[tuple[Stream, ...]] = []
        by_group: dict[int, list[Stream]] = {}
        for stream in streams:
            by_group.setdefault(stream.group.id, []).append(stream)
        halved = self._halved(streams, demo_teacher)
        halves: dict[int, int] = {}  # unit key -> the subgroup a halved subject's unit is for
        for group_streams in by_group.values():
            splits = [s for s in group_streams if s.split]
            for first, second in zip(splits[::2], splits[1::2], strict=True):
                for _ in range(first.pairs):
                    units.append(
                        Unit(
                            len(units),
                            first.group.index,
                            (first.teacher.id, second.teacher.id),
                            2,
                            first.subject_id,
                        )
                    )
                    owners.append((first, second))
            for stream in (s for s in group_streams if not s.split):
                practice = stream.subject.kind in (SubjectKind.training_practice, SubjectKind.work_practice)
                for n in range(stream.pairs * (2 if stream is halved else 1)):
                    if stream is halved:
                        halves[len(units)] = 1 + n % 2
                    units.append(
                        Unit(
                            len(units),
                            stream.group.index,
                            (stream.teacher.id,),
                            1,
                            stream.subject_id,
                            practice,
                        )
                    )
                    owners.append((stream,))
        placed: dict[int, tuple[int, int]] | None = None
        for _attempt in range(100):
            try:
                placed = place(
                    units, random.Random(self.rng.getrandbits(64)), everyday_teachers=(demo_teacher.id,)
                )
                break
            except PlacementError:
                continue
        if placed is None:
            raise RuntimeError("could not build a timetable for the demo college")
        slots: list[SlotInfo] = []
        for unit in units:
            day, pair = placed[unit.key]
            owner = owners[unit.key]
            if len(owner) == 1:
                slots.append(self._slot(owner[0], halves.get(unit.key, 0), day, pair))
            else:
                first, second = owner
                slots += [
                    self._slot(first, 1, day, pair),
                    self._slot(second, 2, day, pair),
                    self._slot(second, 1, day, pair + 1),
                    self._slot(first, 2, day, pair + 1),
                ]
        slots.sort(key=lambda s: (s.stream.group.index, s.weekday, s.pair, s.subgroup))
        return [SlotInfo(self.ids.take("timetable_slot"), s.stream, s.subgroup, s.weekday, s.pair, s.teacher, s.room)
                for s in slots]  # fmt: skip

    def _halved(self, streams: list[Stream], demo_teacher: TeacherInfo) -> Stream | None:
        """One subject of the demo student's group taught to each subgroup apart, its subgroups made
        differently from the group list's (who is in which for English follows the list, for this
        subject the teacher's own split): subgroups per subject, the demo student among those moved."""
        group_streams = [
            s for s in streams
            if s.group.place == TEACHER_GROUP and not s.split and s.teacher is not demo_teacher
            and s.subject.kind == SubjectKind.discipline and s.subject.style not in (catalog.SPORT, catalog.PRACTICE)
        ]  # fmt: skip
        if not group_streams:
            return None
        stream = min(group_streams, key=lambda s: (s.pairs, s.subject.code))
        demo = next((st for st in stream.group.students if st.user_id is not None), None)
        flip = 0
        for position, student in enumerate(stream.group.students):
            if student is demo:
                flip = 0 if 1 + position % 2 != student.subgroup else 1
        for position, student in enumerate(stream.group.students):
            subgroup = 1 + (position + flip) % 2
            if subgroup != student.subgroup:
                student.subject_subgroups[stream.subject_id] = subgroup
                self.tables["subject_subgroup"].append(
                    (student.id, stream.subject_id, self.college_id, subgroup)
                )
        return stream

    def _slot(self, stream: Stream, subgroup: int, weekday: int, pair: int) -> SlotInfo:
        room = (
            catalog.WORK_PRACTICE_ROOM
            if stream.subject.kind == SubjectKind.work_practice
            else stream.teacher.room
        )
        return SlotInfo(0, stream, subgroup, weekday, pair, stream.teacher, room)

    def _plans(self, streams: list[Stream], slots: list[SlotInfo]) -> None:
        """A КТП per curriculum item, one topic per lesson the timetable gives it this semester."""
        per_weekday = Counter(day.isoweekday() for day in self.semester.school_days())
        lessons: Counter[int] = Counter()
        for slot in slots:
            if slot.subgroup in (0, 1):  # both subgroups go through the same КТП
                lessons[slot.stream.item_id] += per_weekday[slot.weekday]
        for stream in streams:
            lines = build_plan(stream.subject, lessons[stream.item_id], stream.form, self.rng)
            stream.topics = [
                Topic(self.ids.take("plan_topic"), position, title, kind, theme, homework, number)
                for position, (title, kind, theme, homework, number) in enumerate(lines, start=1)
            ]

    # ----------------------------------------------------------------------- rows

    def _emit(
        self,
        teachers: list[TeacherInfo],
        groups: list[GroupInfo],
        streams: list[Stream],
        slots: list[SlotInfo],
    ) -> None:
        cid = self.college_id
        t = self.tables
        for teacher in teachers:
            p = teacher.person
            t["teacher"].append((teacher.id, cid, p.last_name, p.first_name, p.middle_name, teacher.position,
                                 teacher.user_id))  # fmt: skip
        for group in groups:
            curator_id = group.curator.id if group.curator else None
            t["study_group"].append(
                (group.id, cid, group.speciality_id, group.name, group.admission_year, curator_id)
            )
            for s in group.students:
                p = s.person
                t["student"].append((s.id, cid, group.id, p.last_name, p.first_name, p.middle_name, s.birth_date,
                                     s.subgroup, s.enrolled_on, s.left_on, s.user_id))  # fmt: skip
                t["student_guardian"].extend(
                    (s.id, guardian_id, relation) for guardian_id, relation in s.guardians
                )
        for stream in streams:
            hours = 2 * len(stream.topics)
            t["curriculum_item"].append((stream.item_id, cid, stream.group.id, stream.subject_id, stream.group.semester,
                                         hours, stream.form.value, stream.teacher.id, False))  # fmt: skip
            t["plan_topic"].extend((topic.id, stream.item_id, topic.position, topic.title, 2, topic.homework)
                                   for topic in stream.topics)  # fmt: skip
        for slot in slots:
            t["timetable_slot"].append((slot.id, cid, slot.stream.group.id, slot.subgroup, slot.weekday, slot.pair,
                                        slot.stream.subject_id, slot.teacher.id, slot.room, self.semester.start,
                                        self.semester.end))  # fmt: skip

    # ----------------------------------------------------------------------- the calendar

    def _calendar(self) -> None:
        """The year's winter holidays, as a deputy enters them (no lessons from 29 December to
        10 January); the sessions keep app.calendar's default."""
        year = self.semester.academic_year
        self.tables["calendar_period"].append(
            (self.ids.take("calendar_period"), self.college_id, year, None, "holidays",
             date(year, 12, 29), date(year + 1, 1, 10), "Зимние каникулы")
        )  # fmt: skip

    # ----------------------------------------------------------------------- timetable changes

    def _coming_changes(self, slots: list[SlotInfo], demo_teacher: TeacherInfo) -> None:
        """Next week's changes, as the deputy enters them: one of the demo teacher's pairs cancelled,
        another moved to the next day's last pair, and a consultation added for her group."""
        deputy = self.accounts[self.prefix + "deputy"]
        start = self.today + timedelta(days=7 - self.today.weekday())  # next Monday
        days = [start + timedelta(days=n) for n in range(6) if is_school_day(start + timedelta(days=n))]
        if start + timedelta(days=6) > self.semester.end or len(days) < 2:
            return
        mine = [s for s in slots if s.teacher is demo_teacher]
        by_day = {d: [s for s in mine if s.weekday == d.isoweekday()] for d in days}
        usable = [d for d in days if by_day[d]]
        if len(usable) < 2:
            return
        at = local(self.today, time(9, 15), self.tz)
        first, second = usable[0], usable[1]
        cancel = by_day[first][0]
        self.tables["timetable_change"].append(
            (self.ids.take("timetable_change"), self.college_id, "cancel", cancel.id, first, None, None, None,
             None, None, None, None, "Преподаватель на курсах повышения квалификации (приказ № 212)", deputy, at)
        )  # fmt: skip
        moved = by_day[second][0]
        group_pairs = {
            s.pair for s in slots if s.stream.group is moved.stream.group and s.weekday == second.isoweekday()
        }
        teacher_pairs = {s.pair for s in mine if s.weekday == second.isoweekday()}
        free = [p for p in range(1, 7) if p not in group_pairs | teacher_pairs]
        if free:
            self.tables["timetable_change"].append(
                (self.ids.take("timetable_change"), self.college_id, "move", moved.id, second, second, free[-1],
                 None, None, None, None, None, "Аудитория занята под олимпиаду", deputy, at)
            )  # fmt: skip
        group = cancel.stream.group
        taken = {s.pair for s in slots if s.stream.group is group and s.weekday == first.isoweekday()}
        busy = {s.pair for s in mine if s.weekday == first.isoweekday()}
        spare = [p for p in range(1, 7) if p not in taken | busy]
        if spare:
            self.tables["timetable_change"].append(
                (self.ids.take("timetable_change"), self.college_id, "extra", None, first, None, spare[-1],
                 cancel.room, group.id, 0, cancel.stream.subject_id, demo_teacher.id,
                 "Консультация перед экзаменом", deputy, at)
            )  # fmt: skip
