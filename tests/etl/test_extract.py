"""Reading the journal for the warehouse: one connection serves the loads of a process, and a
connection the server closed meanwhile is replaced, not fatal."""

from __future__ import annotations

import adbc_driver_postgresql.dbapi as adbc
import duckdb
import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.db import etl_database_url
from app.settings import Settings
from etl.extract import Source


def backend(source: Source) -> int:
    return int(source.read("SELECT pg_backend_pid()").column(0)[0].as_py())


def test_a_load_reuses_the_connection_the_previous_one_let_go_of(world, tmp_path, database_url):
    url = etl_database_url(Settings(data_dir=tmp_path, database_url=database_url))
    first = Source(url, "Europe/Moscow")
    pid = backend(first)
    first.close()
    second = Source(url, "Europe/Moscow")
    assert backend(second) == pid
    second.close()
    with Session(world.engine) as s:  # the server ends it, as a restart or an idle timeout would
        s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    third = Source(url, "Europe/Moscow")
    assert backend(third) != pid
    assert third.read("SELECT 1 AS one").column(0)[0].as_py() == 1
    third.close()


def test_a_role_that_may_not_ask_the_horizon_still_loads(world, tmp_path, database_url):
    url = etl_database_url(Settings(data_dir=tmp_path, database_url=database_url))
    with Session(world.engine) as s:
        s.execute(text("REVOKE EXECUTE ON FUNCTION etl_read_horizon() FROM ejournal_etl"))
        s.commit()
    try:
        source = Source(url, "Europe/Moscow")
        assert source.horizon is None  # the loader then reads ten minutes back, as before 0029
        assert source.read("SELECT 1 AS one").column(0)[0].as_py() == 1
        source.close()
    finally:
        with Session(world.engine) as s:
            s.execute(text("GRANT EXECUTE ON FUNCTION etl_read_horizon() TO ejournal_etl"))
            s.commit()
    with_horizon = Source(url, "Europe/Moscow")
    assert with_horizon.horizon is not None
    with_horizon.close()


def test_a_read_ahead_is_read_in_the_same_snapshot_and_frees_the_connection(world, tmp_path, database_url):
    """The fingerprints are read while the warehouse opens: the next read of the same query takes
    that result (of the load's snapshot, not of a later moment); another query, or closing the
    load, first waits for it; a read ahead that failed fails the read that takes it."""
    url = etl_database_url(Settings(data_dir=tmp_path, database_url=database_url))
    source = Source(url, "Europe/Moscow")
    source.read_ahead("SELECT count(*) AS n FROM lesson")
    before = source.read("SELECT count(*) AS n FROM lesson").column(0)[0].as_py()
    world.lesson(0)  # committed after the snapshot: not seen by this load
    source.read_ahead("SELECT count(*) AS n FROM lesson")
    assert source.read("SELECT count(*) AS n FROM lesson").column(0)[0].as_py() == before
    source.read_ahead("SELECT pg_sleep(0.2)")
    assert source.read("SELECT 2 AS two").column(0)[0].as_py() == 2  # after the other one, not beside it
    source.read_ahead("SELECT 1 FROM no_such_table")
    with pytest.raises(adbc.ProgrammingError):
        source.read("SELECT 1 FROM no_such_table")
    source.close()  # the failed read ended the snapshot's transaction: a new load starts afresh
    again = Source(url, "Europe/Moscow")
    again.read_ahead("SELECT count(*) AS n FROM lesson")
    again.close()  # never read: closing waits for it, and the connection is left clean
    last = Source(url, "Europe/Moscow")
    assert last.read("SELECT count(*) AS n FROM lesson").column(0)[0].as_py() == before + 1
    last.close()


def test_a_merge_finds_exactly_the_rows_that_differ_nulls_included():
    """Matched by key and compared whole: a NULL that stays NULL is no change, a value that becomes
    NULL (or the reverse) is one, and a row on one side only is one; the colleges of all of them
    are the touched ones, and the raw table ends up holding the new rows."""
    from etl.extract import _merge
    from etl.sources import ALL

    attendance = next(s for s in ALL if s.name == "attendance")
    duck = duckdb.connect()
    columns = "id, college_id, lesson_id, student_id, status, reason, updated_at"
    rows = [
        (1, 10, 5, 7, "'absent'", "NULL"),  # unchanged, with a NULL
        (2, 11, 5, 8, "'absent'", "'болезнь'"),  # reason becomes NULL
        (3, 12, 5, 9, "'late'", "NULL"),  # reason becomes a value
        (4, 13, 5, 9, "'absent'", "NULL"),  # only in the warehouse
    ]

    def values(changes: dict[int, str]) -> str:
        return ", ".join(
            f"({i}, {c}, {lesson}, {student}, {status}, {changes.get(i, reason)}, TIMESTAMPTZ '2026-12-01 10:00+03')"
            for i, c, lesson, student, status, reason in rows
            if changes.get(i) != "gone"
        )

    duck.execute(f"CREATE TABLE raw_attendance AS SELECT * FROM (VALUES {values({})}) v({columns})")
    new = values({2: "NULL", 3: "'пробки'", 4: "gone"})
    duck.execute(
        f"CREATE TABLE arrow_in AS SELECT * FROM (VALUES {new} "
        f"UNION ALL SELECT 5, 14, 6, 7, 'absent', NULL, TIMESTAMPTZ '2026-12-01 10:00+03') v({columns})"
    )
    duck.execute("CREATE TABLE scope_old AS SELECT * FROM raw_attendance")
    touched: set[int] = set()
    assert _merge(duck, attendance, "arrow_in", "scope_old", touched, replace=False) == 2 + 2 + 1 + 1
    assert touched == {11, 12, 13, 14}
    assert duck.execute("SELECT id, reason FROM raw_attendance ORDER BY id").fetchall() == [
        (1, None),
        (2, None),
        (3, "пробки"),
        (5, None),
    ]
