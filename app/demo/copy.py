"""The bulk path for seeding: rows with ids assigned in Python, written with PostgreSQL COPY.

History is loaded here rather than through app.services, which rightly refuse backdated entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

Row = tuple[Any, ...]

# Columns written for each table, in load order (parents before children).
COLUMNS: dict[str, tuple[str, ...]] = {
    "college": ("id", "name", "short_name", "city"),
    "user_account": (
        "id", "college_id", "login", "password_hash", "full_name", "is_active", "must_change_password",
        "created_at",
    ),
    "user_role": ("user_id", "role"),
    "speciality": ("id", "college_id", "code", "name", "qualification"),
    "teacher": ("id", "college_id", "last_name", "first_name", "middle_name", "position", "user_id"),
    "study_group": ("id", "college_id", "speciality_id", "name", "admission_year", "curator_teacher_id"),
    "student": (
        "id", "college_id", "study_group_id", "last_name", "first_name", "middle_name", "birth_date",
        "subgroup", "enrolled_on", "left_on", "user_id",
    ),
    "guardian": ("id", "college_id", "last_name", "first_name", "middle_name", "phone", "email", "user_id"),
    "student_guardian": ("student_id", "guardian_id", "relation"),
    "module": ("id", "college_id", "speciality_id", "code", "name"),
    "subject": ("id", "college_id", "code", "name", "kind", "module_id"),
    "curriculum_item": (
        "id", "college_id", "study_group_id", "subject_id", "semester", "planned_hours", "attestation_form",
        "teacher_id", "year_mark",
    ),
    "subject_subgroup": ("student_id", "subject_id", "college_id", "subgroup"),
    "plan_topic": ("id", "curriculum_item_id", "position", "title", "hours", "homework"),
    "timetable_slot": (
        "id", "college_id", "study_group_id", "subgroup", "weekday", "pair_number", "subject_id", "teacher_id",
        "room", "valid_from", "valid_to",
    ),
    "lesson": (
        "id", "college_id", "study_group_id", "subgroup", "subject_id", "semester", "teacher_id",
        "substitute_teacher_id", "timetable_slot_id", "lesson_date", "pair_number", "hours", "room", "topic",
        "plan_topic_id", "work_done", "work_kind", "homework", "topic_filled_at", "work_filled_at",
        "homework_filled_at", "attendance_filled_at", "created_at", "updated_at",
    ),
    "attendance": (
        "id", "college_id", "lesson_id", "student_id", "status", "reason", "created_by_user_id", "created_at",
        "updated_at",
    ),
    "mark": (
        "id", "college_id", "lesson_id", "student_id", "value", "work_kind", "comment", "created_by_user_id",
        "created_at",
    ),
    "calendar_period": ("id", "college_id", "academic_year", "half", "kind", "starts_on", "ends_on", "title"),
    "timetable_change": (
        "id", "college_id", "kind", "timetable_slot_id", "lesson_date", "new_date", "new_pair", "room",
        "study_group_id", "subgroup", "subject_id", "teacher_id", "reason", "created_by_user_id", "created_at",
    ),
    "semester_mark": (
        "id", "college_id", "curriculum_item_id", "student_id", "value", "created_by_user_id", "created_at",
        "corrects_id", "correction_reason", "kind", "taken_on", "commission",
    ),
    "attestation_close": ("college_id", "academic_year", "half", "closed_at", "closed_by_user_id", "retakes_until"),
    "year_mark": (
        "id", "college_id", "curriculum_item_id", "student_id", "value", "created_by_user_id", "created_at",
        "taken_on",
    ),
}  # fmt: skip

# Every table with a serial id, including those the seed leaves empty.
SERIAL_TABLES: tuple[str, ...] = (
    *(t for t, cols in COLUMNS.items() if cols[0] == "id"),
    "audit_event",
)

Tables = dict[str, list[Row]]


def empty_tables() -> Tables:
    return {table: [] for table in COLUMNS}


def copy_rows(cur: psycopg.Cursor[Any], table: str, rows: Iterable[Sequence[Any]]) -> int:
    columns = COLUMNS[table]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    count = 0
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def copy_tables(conn: psycopg.Connection[Any], tables: Tables) -> None:
    """Load one college's rows, parents first, in one transaction."""
    with conn.transaction(), conn.cursor() as cur:
        for table in COLUMNS:
            copy_rows(cur, table, tables.get(table, ()))


@contextmanager
def foreign_keys_deferred(conn: psycopg.Connection[Any]) -> Iterator[None]:
    """Drop the schema's foreign keys for the bulk load and add them back after it.

    PostgreSQL then checks each constraint in one pass over the loaded rows instead of row by row
    (what pg_restore does); that halves the load. Adding them back validates every row, so a
    successful seed is as consistent as one loaded with the keys in place.
    """
    keys = conn.execute(
        """
        SELECT c.relname, con.conname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE con.contype = 'f' AND n.nspname = current_schema()
        ORDER BY c.relname, con.conname
        """
    ).fetchall()
    with conn.transaction():
        for table, name, _ in keys:
            conn.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(table), sql.Identifier(name)
                )
            )
    try:
        yield
    finally:
        with conn.transaction():
            for table, name, definition in keys:
                conn.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                        sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
                    )
                )


def reset_sequences(conn: psycopg.Connection[Any]) -> None:
    """Ids were assigned in Python: move every sequence past them so the app's inserts do not collide."""
    with conn.transaction():
        for table in SERIAL_TABLES:
            conn.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({name}, 'id'), COALESCE(max(id), 1), max(id) IS NOT NULL) "
                    "FROM {table}"
                ).format(name=sql.Literal(table), table=sql.Identifier(table))
            )


def row_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in COLUMNS:
        found = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
        counts[table] = int(found[0]) if found else 0
    return counts
