"""What each kind of import expects: its Russian columns, how every cell is parsed, and its natural key.

Parsers raise ValueError with a Russian message that says what to fix; a column that names another
entity (a group, a teacher, a subject) carries `ref` and is resolved against the database by the
service. Headers are matched ignoring case, «ё»/«е», extra spaces, a trailing «*» or «:» and a
parenthesised note, so «дата рождения (ДД.ММ.ГГГГ)» is «Дата рождения».

The parts: `common` (a column, a schema, reading a file's header and rows against one), `people`
(teachers, groups, students, guardians), `studies` (subjects, the curriculum, the КТП, the timetable,
the calendar, the history); here `SCHEMAS`, the reference kinds by name (the history, migrated
apart, is not one of them).
"""

from __future__ import annotations

from app.imports import KINDS
from app.imports.schemas.common import (
    Column,
    Record,
    Resolver,
    Schema,
    key_of,
    match_headers,
    parse_rows,
    unique_keys,
)
from app.imports.schemas.people import GROUPS, GUARDIANS, STUDENTS, TEACHERS
from app.imports.schemas.studies import CALENDAR, CURRICULUM, HISTORY, KTP, SUBJECTS, TIMETABLE

SCHEMAS: dict[str, Schema] = {
    s.kind: s for s in (TEACHERS, GROUPS, STUDENTS, GUARDIANS, SUBJECTS, CURRICULUM, KTP, TIMETABLE, CALENDAR)
}
assert {k: s.title for k, s in SCHEMAS.items()} == KINDS
ORDER_HINT = (
    "Порядок импорта: преподаватели → группы → студенты → родители; дисциплины → учебный план → КТП → "
    "расписание. Учебный календарь — в любой момент."
)

__all__ = [
    "CALENDAR",
    "CURRICULUM",
    "GROUPS",
    "GUARDIANS",
    "HISTORY",
    "KTP",
    "ORDER_HINT",
    "SCHEMAS",
    "STUDENTS",
    "SUBJECTS",
    "TEACHERS",
    "TIMETABLE",
    "Column",
    "Record",
    "Resolver",
    "Schema",
    "key_of",
    "match_headers",
    "parse_rows",
    "unique_keys",
]
