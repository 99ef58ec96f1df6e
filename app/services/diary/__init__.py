"""The electronic diary (электронный дневник): what a student or a guardian reads, never writes.

Every read checks access on the server for the student asked about, whatever the page offered:
a student reads only their own diary, a guardian only their own children's, a curator only the
students of groups they curate, the deputy director and the director their college's (the officer runs
the system and reads no diary: minors' personal data goes only to those who need it, 152-ФЗ).
Each view is audited («who read whose diary», §1.13 of the regulation), a refusal too. The diary
reads the live database, not the warehouse: it must show a mark the moment it is saved.
"""

from __future__ import annotations

from app.services.diary.common import (
    DIARY_DAYS,
    REFUSED,
    DiaryDay,
    DiaryLesson,
    DiaryMark,
    DiaryPeriod,
    DiaryStudent,
    DiaryWeek,
    SubjectSummary,
    children_of,
    group_students,
    student_of,
    viewable_groups,
)
from app.services.diary.period import period
from app.services.diary.week import read_week, week, week_monday

__all__ = [
    "DIARY_DAYS",
    "REFUSED",
    "DiaryDay",
    "DiaryLesson",
    "DiaryMark",
    "DiaryPeriod",
    "DiaryStudent",
    "DiaryWeek",
    "SubjectSummary",
    "children_of",
    "group_students",
    "period",
    "read_week",
    "student_of",
    "viewable_groups",
    "week",
    "week_monday",
]
