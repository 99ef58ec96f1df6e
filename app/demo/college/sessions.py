"""A demo college's past sessions: the attestation sheets, retakes and year marks of the halves
before this one, each half closed by the deputy, and the final-year groups' ГИА."""

from __future__ import annotations

import math
import random
from datetime import date, time, timedelta

from app.calendar import Half, default_session
from app.demo import catalog
from app.demo.catalog import SubjectSpec, Whole
from app.demo.college.common import GroupInfo, StudentInfo, TeacherInfo, _Base, local
from app.domain import DEBT_MARKS, NOT_ADMITTED, AttestationForm, SubjectKind


class _Sessions(_Base):
    # ----------------------------------------------------------------------- the past sessions

    def _past_attestation(
        self,
        groups: list[GroupInfo],
        teachers: list[TeacherInfo],
        subjects: dict[tuple[str, str], tuple[int, SubjectSpec]],
    ) -> None:
        """The attestation sheets of every half from the previous academic year's start to this
        half, filled the way a college fills them: mostly 3–5 (by each student's ability), a few
        «2», «н/а» and «не допущен», most debts retaken in the weeks after the session, some still
        open; year marks for the first course's subjects; each half closed by the deputy. No
        lessons: only the sheets. And the ГИА sheet of each final-year group, for the coming June."""
        # A generator of its own, seeded from the main one without drawing from it: the days, marks
        # and planted defects that follow come out as they did before the sheets were added.
        self.sheet_rng = random.Random(hash(self.rng.getstate()[1]) ^ 0xA77E57)
        by_dept: dict[str, list[TeacherInfo]] = {}
        for teacher in teachers:
            if not teacher.demo_key:
                by_dept.setdefault(teacher.department, []).append(teacher)
        now = Half.containing(self.today)
        halves = [now.previous()]  # the latest first, back to the previous academic year's autumn
        while halves[-1] != Half(now.year - 1, 1):
            halves.append(halves[-1].previous())
        for half in halves:
            self._close(half, latest=half == halves[0])
        for group in groups:
            current: dict[tuple[str, int], dict[int, str]] = {}  # (code, semester) -> student -> value
            for back in range(len(halves), 0, -1):
                semester = group.semester - back
                if semester < 1:
                    continue
                half = Half.of_group(group.admission_year, semester)
                session_start, session_end = default_session(half)
                course = (semester + 1) // 2
                for line in catalog.curriculum(group.spec, course):
                    parts = (
                        [(line.code, (line.autumn, line.spring))]
                        if isinstance(line, Whole)
                        else [(line.first, line.first_forms), (line.second, line.second_forms)]
                    )
                    for code, forms in parts:
                        form = forms[half.half - 1]
                        # the first course's year marks: its subjects' spring items ask for one
                        year_mark = course == 1 and half.half == 2 and form is not AttestationForm.other
                        if form is AttestationForm.other:
                            continue
                        subject_id, subject = subjects[group.spec.key, code]
                        teacher = self.sheet_rng.choice(by_dept[subject.department])
                        item_id = self.ids.take("curriculum_item")
                        self.tables["curriculum_item"].append(
                            (item_id, self.college_id, group.id, subject_id, semester, 72, form.value, teacher.id,
                             year_mark)
                        )  # fmt: skip
                        exam_day = session_start + timedelta(days=self.sheet_rng.randrange(0, 21))
                        values = current.setdefault((code, semester), {})
                        retakes_from = _retakes_from(half)
                        for student in group.students:
                            if not (
                                student.enrolled_on <= half.end
                                and (student.left_on is None or student.left_on > half.end)
                            ):
                                continue
                            values[student.id] = self._sheet_mark(
                                item_id, student, form, teacher, exam_day, retakes_from
                            )
                        if year_mark:
                            self._year_marks(item_id, form, teacher, session_end, values,
                                             current.get((code, semester - 1), {}))  # fmt: skip
        self._gia(groups)

    def _close(self, half: Half, *, latest: bool) -> None:
        """The deputy closed the half a week after its session; the latest one's retakes are still
        open for three weeks, an older one's ended 45 days after its retakes began."""
        _starts, ends = default_session(half)
        closed = ends + timedelta(days=7)
        if closed >= self.today:
            return
        deadline = self.today + timedelta(days=21) if latest else _retakes_from(half) + timedelta(days=45)
        self.tables["attestation_close"].append(
            (self.college_id, half.year, half.half, local(closed, time(16, 0), self.tz),
             self.accounts[self.prefix + "deputy"], deadline)
        )  # fmt: skip

    def _year_marks(
        self,
        item_id: int,
        form: AttestationForm,
        teacher: TeacherInfo,
        session_end: date,
        spring: dict[int, str],
        autumn: dict[int, str],
    ) -> None:
        """Year marks from the year's semester marks as they stand: their mean, a tie going the
        spring's way; «н/а» for a debt still open."""
        day = session_end
        for student_id, last in spring.items():
            first = autumn.get(student_id, last)
            if last in DEBT_MARKS or first in DEBT_MARKS:
                value = "н/а" if NOT_ADMITTED not in (first, last) else "2"
            elif form is AttestationForm.credit or not (first.isdigit() and last.isdigit()):
                value = last
            else:
                a, b = int(first), int(last)
                value = str(math.ceil((a + b) / 2) if b >= a else math.floor((a + b) / 2))
            self.tables["year_mark"].append(
                (self.ids.take("year_mark"), self.college_id, item_id, student_id, value, teacher.user_id,
                 local(day, time(15, 0), self.tz), day)
            )  # fmt: skip

    def _gia(self, groups: list[GroupInfo]) -> None:
        """Each final-year group's ГИА (the defence of the final qualifying work) in its last
        semester: a curriculum line, its sheet the commission's secretary (the curator) fills."""
        finals = [g for g in groups if g.course == len(g.spec.groups_per_course) and g.curator is not None]
        if not finals:
            return
        subject_id = self.ids.take("subject")
        self.tables["subject"].append(
            (subject_id, self.college_id, "ГИА", "Государственная итоговая аттестация (защита ВКР)",
             SubjectKind.gia.value, None)
        )  # fmt: skip
        for group in finals:
            assert group.curator is not None
            self.tables["curriculum_item"].append(
                (self.ids.take("curriculum_item"), self.college_id, group.id, subject_id, 2 * group.course, 216,
                 AttestationForm.gia.value, group.curator.id, False)
            )  # fmt: skip

    def _sheet_mark(
        self,
        item_id: int,
        student: StudentInfo,
        form: AttestationForm,
        teacher: TeacherInfo,
        exam_day: date,
        retakes_from: date,
    ) -> str:
        """The student's sheet mark and its retake, if any; the value that stands now."""
        roll = self.sheet_rng.random()
        if roll < 0.01:
            value = NOT_ADMITTED
        elif roll < 0.01 + 0.6 * student.truancy:
            value = "н/а"
        elif form is AttestationForm.credit:
            value = "незач" if self.sheet_rng.random() < max(0.0, 3.6 - student.ability) * 0.35 else "зач"
        else:
            value = str(min(5, max(2, round(self.sheet_rng.gauss(student.ability, 0.7)))))
        mark_id = self.ids.take("semester_mark")
        at = local(exam_day, time(12, 0), self.tz)
        self.tables["semester_mark"].append(
            (mark_id, self.college_id, item_id, student.id, value, teacher.user_id, at, None, None, "original",
             exam_day, None)
        )  # fmt: skip
        if value not in DEBT_MARKS or self.sheet_rng.random() < 0.3:
            return value  # passed, or the debt is still open
        retake_day = retakes_from + timedelta(days=self.sheet_rng.randrange(0, 38))
        if retake_day >= self.today:
            return value
        passed = "зач" if form is AttestationForm.credit else self.sheet_rng.choice(("3", "3", "4"))
        self.tables["semester_mark"].append(
            (self.ids.take("semester_mark"), self.college_id, item_id, student.id, passed, teacher.user_id,
             local(retake_day, time(14, 0), self.tz), mark_id,
             f"Приказ о ликвидации академической задолженности от {retake_day:%d.%m.%Y}", "retake", retake_day,
             f"{teacher.person.full_name}, заместитель директора по УР, председатель ПЦК")
        )  # fmt: skip
        return passed


def _retakes_from(half: Half) -> date:
    """Debts are retaken from a week after the winter session, and from September for the summer's."""
    if half.half == 2:
        return date(half.year + 1, 9, 2)
    return default_session(half)[1] + timedelta(days=7)
