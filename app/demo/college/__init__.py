"""One demo college's standing data: people, groups, subjects, curricula, КТП and the timetable.

Everything is drawn from one `random.Random` in a fixed order, so a seed always gives the same college.
The lesson history built on top of it lives in app/demo/history/.

The parts: `common` (the fixed demo people and groups, what the build hands on, the builder's
state), `people` (accounts and staff, groups, students, families), `studies` (subjects and
curricula, the timetable and the КТП, their rows, the calendar, next week's changes), `sessions`
(the past halves' attestation sheets and the ГИА), `plan` (a КТП's lines and homework). `build`
here runs the three parts over one builder's state, in the fixed order a seed's draws depend on.
"""

from __future__ import annotations

import random
from datetime import date
from zoneinfo import ZoneInfo

from app.demo import catalog
from app.demo.college.common import (
    CURATOR_GROUP,
    CURATOR_PINS,
    DEMO_FATHER,
    DEMO_PEOPLE,
    DEMO_SIBLING,
    SIBLING_GROUP,
    TEACHER_GROUP,
    TEACHER_PINS,
    College,
    GroupInfo,
    GroupPlace,
    Ids,
    SlotInfo,
    Stream,
    StudentInfo,
    TeacherInfo,
    Topic,
    local,
    login_prefix,
)
from app.demo.college.people import EMAIL_SHARE, _People
from app.demo.college.plan import (
    FINAL_TITLES,
    LANGUAGE_ASPECTS,
    NO_HOMEWORK_KINDS,
    STYLE_PATTERN,
    build_plan,
    homework_text,
)
from app.demo.college.sessions import _Sessions
from app.demo.college.studies import _Studies

__all__ = [
    "CURATOR_GROUP",
    "CURATOR_PINS",
    "DEMO_FATHER",
    "DEMO_PEOPLE",
    "DEMO_SIBLING",
    "EMAIL_SHARE",
    "FINAL_TITLES",
    "LANGUAGE_ASPECTS",
    "NO_HOMEWORK_KINDS",
    "SIBLING_GROUP",
    "STYLE_PATTERN",
    "TEACHER_GROUP",
    "TEACHER_PINS",
    "College",
    "GroupInfo",
    "GroupPlace",
    "Ids",
    "SlotInfo",
    "Stream",
    "StudentInfo",
    "TeacherInfo",
    "Topic",
    "build_college",
    "build_plan",
    "homework_text",
    "local",
    "login_prefix",
]


def build_college(
    index: int, rng: random.Random, ids: Ids, today: date, tz: ZoneInfo, password_hash: str
) -> College:
    return _Builder(index, rng, ids, today, tz, password_hash).build()


class _Builder(_People, _Studies, _Sessions):
    def build(self) -> College:
        name, short, city = catalog.college_identity(self.index)
        self.tables["college"].append((self.college_id, name, short, city))
        self._administration()
        teachers = self._teachers()
        groups = self._groups()
        demo_student, demo_sibling = self._students(groups)
        subject_ids = self._subjects()
        streams = self._curricula(groups, teachers, subject_ids)
        demo_teacher = next(t for t in teachers if t.demo_key == "teacher")
        demo_curator = next(t for t in teachers if t.demo_key == "curator")
        self._curators(groups, streams, teachers, demo_teacher, demo_curator)
        slots = self._timetable(streams, demo_teacher)
        self._plans(streams, slots)
        self._emit(teachers, groups, streams, slots)
        self._past_attestation(groups, teachers, subject_ids)
        self._coming_changes(slots, demo_teacher)
        self._calendar()
        return College(
            index=self.index,
            id=self.college_id,
            name=name,
            semester=self.semester,
            tables=self.tables,
            teachers=teachers,
            groups=groups,
            streams=streams,
            slots=slots,
            accounts=self.accounts,
            demo_teacher=demo_teacher,
            demo_curator=demo_curator,
            demo_student=demo_student,
            demo_sibling=demo_sibling,
        )
