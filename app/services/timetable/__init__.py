"""The timetable as the officer and the deputy director edit it: the permanent slots (added from a
day on, ended from a day on, every week or числитель/знаменатель), and changes for one date: cancel
a pair, move it to another day or pair, put it in another room, add an extra lesson.

A change is one row (timetable_change); the day's lessons follow from the permanent slots and the
changes (app.services.journal.materialize_lessons), so the refresh loop never brings back a
cancelled pair. A change applies to today or a coming day only (the past is history), and not to a
lesson whose journal is already being filled. A cancelled lesson leaves the journal and raises no
remark; a moved lesson's day is its new day, for the lesson-day rule too.

The parts: `common` (the checks both kinds of change make, taking back a lesson made, the choices
offered), `changes` (one date's changes and the day's pairs), `permanent` (the permanent slots).
"""

from __future__ import annotations

from app.services.timetable.changes import KIND_LABELS, DaySlot, add_extra, change_slot, day_slots
from app.services.timetable.common import MAX_REASON, Choices, choices
from app.services.timetable.permanent import PermanentSlot, add_slot, end_slot, group_slots

__all__ = [
    "KIND_LABELS",
    "MAX_REASON",
    "Choices",
    "DaySlot",
    "PermanentSlot",
    "add_extra",
    "add_slot",
    "change_slot",
    "choices",
    "day_slots",
    "end_slot",
    "group_slots",
]
