"""The teacher's journal: filling a lesson under the regulation's rules (§4.2.1).

Every public function takes the acting user and a `session`, and is one transaction: it commits what
it accepts or rolls everything back, and audits both outcomes.
"""

from __future__ import annotations

from app.services.journal.common import (
    FIELD_TITLES,
    MAX_TEXT,
    LessonEntry,
    MarkInput,
    SaveResult,
    checking_deadline,
    college_now,
    college_today,
    conducting_teacher_id,
    lesson_roster,
    normalise_mark,
    subject_subgroups,
)
from app.services.journal.lessons import CATCH_UP_DAYS, materialize_due, materialize_lessons, runs_on
from app.services.journal.reading import LessonRow, LessonSheet, SheetStudent, lesson_sheet, teacher_lessons
from app.services.journal.saving import check_mark_value, correct_mark, record_correction, save_lesson

__all__ = [
    "CATCH_UP_DAYS",
    "FIELD_TITLES",
    "MAX_TEXT",
    "LessonEntry",
    "LessonRow",
    "LessonSheet",
    "MarkInput",
    "SaveResult",
    "SheetStudent",
    "check_mark_value",
    "checking_deadline",
    "college_now",
    "college_today",
    "conducting_teacher_id",
    "correct_mark",
    "lesson_roster",
    "lesson_sheet",
    "materialize_due",
    "materialize_lessons",
    "normalise_mark",
    "record_correction",
    "runs_on",
    "save_lesson",
    "subject_subgroups",
    "teacher_lessons",
]
