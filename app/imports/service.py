"""Importing a file: validate every row, then upsert by natural keys — all or nothing.

One import is one transaction under a per-college advisory lock. Any error anywhere rolls the whole
file back and returns every error found (row, column, what to fix); the refusal is audited with the
error count. A clean file is written and audited as `import.<kind>` with its counts. Re-importing the
same file finds every row unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app import audit
from app.actor import Actor
from app.errors import AccessDenied, DomainError
from app.imports.people import (
    _groups,
    _guardians,
    _students,
    _teachers,
)
from app.imports.readers import Issue, read_table
from app.imports.run import (
    ImportResult,
    Run,
)
from app.imports.schemas import (
    SCHEMAS,
    Record,
    Schema,
    match_headers,
    parse_rows,
)
from app.imports.studies import (
    _calendar,
    _curriculum,
    _ktp,
    _subjects,
    _timetable,
)

# pg_advisory_xact_lock(IMPORT_LOCK, college_id): one import per college at a time, so two concurrent
# imports of one file cannot both add the same rows (subjects and teachers have no unique index).
IMPORT_LOCK = 0x1A4F


class _Rejected(Exception):
    """The file has errors: roll everything back."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def lock_college(session: Session, college_id: int) -> None:
    session.execute(
        sql("SELECT pg_advisory_xact_lock(:lock, :college)"), {"lock": IMPORT_LOCK, "college": college_id}
    )


def refuse(
    session: Session,
    actor: Actor | None,
    action: str,
    college_id: int,
    message: str,
    details: dict[str, Any],
) -> None:
    """Roll the import back and audit the refusal on its own."""
    session.rollback()
    audit.record(
        session, actor, action, outcome="refused", message=message, details=details, college_id=college_id
    )
    session.commit()


def import_file(
    kind: str,
    data: bytes,
    filename: str,
    *,
    session: Session,
    college_id: int,
    actor: Actor | None = None,
) -> ImportResult:
    """Import one file of `kind` into the college. `actor` None: the command line (the administrator)."""

    schema = SCHEMAS[kind]

    def authorize() -> None:
        if actor is not None and (not actor.has(*schema.roles) or actor.college_id != college_id):
            raise AccessDenied(schema.refusal)

    return execute(
        schema,
        data,
        filename,
        session=session,
        college_id=college_id,
        actor=actor,
        apply=APPLY[kind],
        authorize=authorize,
    )


def execute(
    schema: Schema,
    data: bytes,
    filename: str,
    *,
    session: Session,
    college_id: int,
    actor: Actor | None,
    apply: Callable[[Run, list[Record]], None],
    authorize: Callable[[], None] | None = None,
    check_keys: bool = True,
) -> ImportResult:
    """Read, check and apply a file in one transaction; audit `import.<kind>` accepted or refused."""
    action = f"import.{schema.kind}"
    result = ImportResult(schema.kind, schema.title)
    details: dict[str, Any] = {"file": filename[-200:], "sha256": sha256(data), "bytes": len(data)}
    try:
        if authorize is not None:
            authorize()
        table = read_table(data, filename)
        result.description = table.description
        result.rows = len(table.rows)
        lock_college(session, college_id)
        run = Run(session, college_id, actor, result)
        columns, issues = match_headers(schema, table)
        result.errors.extend(issues)
        if not issues:
            records, issues = parse_rows(schema, table, columns, run.refs.resolve, check_keys=check_keys)
            result.errors.extend(issues)
            with session.no_autoflush:
                apply(run, records)
            session.flush()
        if result.errors:
            raise _Rejected
        details.update(
            rows=result.rows, added=result.added, changed=result.changed, unchanged=result.unchanged
        )
        details.update(result.counts)
        if result.credentials:
            details["accounts"] = len(result.credentials)
        audit.record(session, actor, action, entity=schema.kind, details=details, college_id=college_id)
        session.commit()
    except _Rejected:
        result.errors.sort(key=lambda i: (i.row or 0, _column_order(schema, i.column)))
        _clear(result)
        refuse(
            session, actor, action, college_id, result.summary(), {**details, "errors": len(result.errors)}
        )
    except DomainError as exc:  # the file as a whole (FileRefused), or access
        result.errors = [Issue(None, "", exc.message)]
        _clear(result)
        refuse(session, actor, action, college_id, exc.message, {**details, "errors": 1})
        if isinstance(exc, AccessDenied):
            raise
    except IntegrityError:
        message = "Данные изменились во время импорта: повторите импорт."
        result.errors = [Issue(None, "", message)]
        _clear(result)
        refuse(session, actor, action, college_id, message, {**details, "errors": 1})
    except BaseException:
        session.rollback()
        raise
    return result


def _clear(result: ImportResult) -> None:
    """A refused import wrote nothing: no counts, and no passwords of accounts that do not exist."""
    result.added = result.changed = result.unchanged = 0
    result.counts.clear()
    result.credentials.clear()
    result.notes.clear()


def _column_order(schema: Schema, header: str) -> int:
    for i, c in enumerate(schema.columns):
        if c.header == header:
            return i
    return -1


APPLY: dict[str, Callable[[Run, list[Record]], None]] = {
    "teachers": _teachers,
    "groups": _groups,
    "students": _students,
    "guardians": _guardians,
    "subjects": _subjects,
    "curriculum": _curriculum,
    "ktp": _ktp,
    "timetable": _timetable,
    "calendar": _calendar,
}
