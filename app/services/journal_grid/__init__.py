"""«Журнал группы»: one group × subject × period as the paper journal's spread. Read only.

The left page is the grid: the group's students (rows, as the group list orders them) × the lessons
held in the period (columns «ДД.ММ», with the pair when a day has two), each cell the student's
attendance («н», «ув», «оп») and their marks as they stand now («5/4» for two marks in one lesson);
per student the average of the numeric marks, the hours missed and the semester mark. The right
page is the list of those lessons: date, topic, work done, homework, hours, the conducting teacher.

Current values come from their one home (app.services.marks: `mark_chains` for lesson marks,
`sheet_current` for semester marks), as the printed journal's do, so the screen and the paper agree; it
reads only the marks of the grid's lessons, where the `mark_current` view walks every mark of the
database.

Access is checked here on every call, whatever the page offered: a teacher opens the group ×
subject pairs they teach (lessons they conduct or substitute, or the curriculum item assigned to
them), a curator any subject of the groups they curate, the deputy director and the director any
group of their college. Students, guardians and the officer are refused. Nothing is written (no
audit row either: the grid shows the journal to those who keep and supervise it).

The parts: `common` (the grid's data, refusals, column titles, periods), `access` (who may open
what), `building` (the grid read from the journal), `frames` (its pages as frames).
"""

from __future__ import annotations

from app.services.journal_grid.access import groups_for, subjects_for
from app.services.journal_grid.building import build_grid
from app.services.journal_grid.common import (
    COL_AVERAGE,
    COL_EXCUSED,
    COL_MISSED,
    COL_N,
    COL_NAME,
    COL_SEMESTER,
    NO_AVERAGE,
    NOT_ON_LIST,
    REFUSED_GROUP,
    REFUSED_ROLE,
    REFUSED_SUBJECT,
    ROLES,
    GridLesson,
    GridMark,
    GridStudent,
    GroupOption,
    JournalGrid,
    SubjectOption,
    month_bounds,
    month_label,
    recent_months,
)
from app.services.journal_grid.frames import grid_frame, legend_frame, lessons_frame, marks_frame, title

__all__ = [
    "COL_AVERAGE",
    "COL_EXCUSED",
    "COL_MISSED",
    "COL_N",
    "COL_NAME",
    "COL_SEMESTER",
    "NOT_ON_LIST",
    "NO_AVERAGE",
    "REFUSED_GROUP",
    "REFUSED_ROLE",
    "REFUSED_SUBJECT",
    "ROLES",
    "GridLesson",
    "GridMark",
    "GridStudent",
    "GroupOption",
    "JournalGrid",
    "SubjectOption",
    "build_grid",
    "grid_frame",
    "groups_for",
    "legend_frame",
    "lessons_frame",
    "marks_frame",
    "month_bounds",
    "month_label",
    "recent_months",
    "subjects_for",
    "title",
]
