"""Reading the journal for the warehouse: a consistent snapshot of PostgreSQL as Arrow (ADBC), loaded
whole into the raw tables (a full load) or merged into them by what changed (an incremental one),
which also tells the colleges whose rows differ (etl.load rebuilds their marts).
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime

import adbc_driver_postgresql.dbapi as adbc
import duckdb
import pyarrow as pa

from etl import sources
from etl.duck import column, columns, count, run
from etl.runner import quote

Progress = Callable[[float, str], None]


@dataclass
class Read:
    """What a load read: rows per source, how many of them differed from the warehouse's, and the
    sources whose raw table the load changed."""

    rows: dict[str, int] = field(default_factory=dict)
    changed: int = 0
    modified: set[str] = field(default_factory=set)
    other_database: bool = False  # the journal database is not the one the warehouse was read from


# The connection a load let go of, per database URL, for the next load of this process (the watch
# loads every few seconds; opening an ADBC connection took 70–120 ms of a one-college load).
_idle: dict[str, adbc.Connection] = {}
_idle_lock = threading.Lock()


class Source:
    """A consistent snapshot of the journal database, read as Arrow."""

    def __init__(self, url: str, timezone: str) -> None:
        self.url = url
        with _idle_lock:
            kept = _idle.pop(url, None)
        try:
            self._open(kept or adbc.connect(url, autocommit=True), timezone)
        except adbc.Error:
            if kept is None:
                raise
            with contextlib.suppress(adbc.Error, RuntimeError):  # the server has gone: close what is left
                if getattr(self, "cur", None) is not None:
                    self.cur.close()
                kept.close()
            self._open(adbc.connect(url, autocommit=True), timezone)  # it was closed by the server

    def _open(self, conn: adbc.Connection, timezone: str) -> None:
        self.conn = conn
        self.cur = self.conn.cursor()
        # Read before the snapshot is taken: every transaction the snapshot cannot see started at
        # or after this moment (migration 0029), and its rows carry their transaction's start.
        self.horizon: datetime | None = None
        try:
            self.cur.execute("SELECT etl_read_horizon()")
            horizon = self.cur.fetchone()
            self.horizon = horizon[0] if horizon else None
        except adbc.ProgrammingError:  # a role not granted it (migration 0029): the ten-minute look-back
            pass
        # One snapshot for every table: the warehouse never mixes two moments of the journal.
        self.cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        self.cur.execute("SELECT now(), (now() AT TIME ZONE $1::text)::date", parameters=(timezone,))
        row = self.cur.fetchone()
        assert row is not None
        self.snapshot_at: datetime = row[0]
        self.today = row[1]
        self._ahead: tuple[str, Future[pa.Table]] | None = None

    def read(self, sql: str, *params: object) -> pa.Table:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:  # the connection is free again once the read ahead is done
            early, table = ahead[0], ahead[1].result()
            if early == sql and not params:
                return table
        self.cur.execute(sql, parameters=params or None)
        return self.cur.fetch_arrow_table()

    def read_ahead(self, sql: str) -> None:
        """Start reading `sql` (in the snapshot) in the background; the next read of it takes the
        result. PostgreSQL works while the caller opens the warehouse (the fingerprints of an
        incremental load: a quarter of its reading)."""
        future: Future[pa.Table] = Future()

        def work() -> None:
            try:
                self.cur.execute(sql)
                future.set_result(self.cur.fetch_arrow_table())
            except BaseException as exc:  # handed to whoever reads next
                future.set_exception(exc)

        self._ahead = (sql, future)
        threading.Thread(target=work, name="etl-read-ahead", daemon=True).start()

    def close(self) -> None:
        try:
            if self._ahead is not None:  # never read: let it finish before the connection is reused
                with contextlib.suppress(Exception):
                    self._ahead[1].result()
                self._ahead = None
            self.cur.execute("COMMIT")
        except adbc.Error:
            self.cur.close()
            self.conn.close()
            raise
        self.cur.close()
        with _idle_lock:
            spare = _idle.pop(self.url, None)
            _idle[self.url] = self.conn
        if spare is not None:  # two loads at once in one process: keep one
            spare.close()


def read_full(duck: duckdb.DuckDBPyConnection, source: Source, read: Read, step: Progress) -> None:
    total = len(sources.ALL)
    for i, src in enumerate(sources.ALL):
        step(0.6 * i / total, f"Чтение: {src.name}")
        table = source.read(src.select)
        duck.register("arrow_in", table)
        run(duck, f"CREATE OR REPLACE TABLE {src.raw} AS SELECT * FROM arrow_in")
        duck.unregister("arrow_in")
        read.rows[src.name] = table.num_rows
        read.changed += table.num_rows


def _delta_sql(src: sources.Source) -> str:
    if src.name == "attendance":
        # A lesson whose attendance was re-taken may have lost rows: re-read all of its rows. Two
        # index scans (not an OR, which PostgreSQL would answer with a scan of the table) that
        # cannot meet, so no UNION has to sort out rows read twice.
        lessons = "SELECT id FROM lesson WHERE updated_at > $1::timestamptz"
        return (
            f"{src.select} WHERE lesson_id IN ({lessons}) UNION ALL "
            f"{src.select} WHERE updated_at > $1::timestamptz AND lesson_id NOT IN ({lessons})"
        )
    return f"{src.select} WHERE {src.changed_at} > $1::timestamptz"


def _same_shape(duck: duckdb.DuckDBPyConnection, source: Source, src: sources.Source) -> bool:
    """Whether the raw table has the columns the source gives now (an upgrade may reshape it)."""
    duck.register("shape_in", source.read(f"SELECT * FROM ({src.select}) s LIMIT 0"))
    try:
        return columns(duck, "shape_in") == columns(duck, src.raw)
    finally:
        duck.unregister("shape_in")


def _version_delta(duck: duckdb.DuckDBPyConnection, source: Source, src: sources.Source) -> pa.Table:
    """The rows of the versions whose standing differs from the warehouse's (new in force,
    superseded, gone), read again; temp table scope_old gets the warehouse's rows of them."""
    assert src.version is not None
    versions = source.read(
        "SELECT id, status = 'approved' AS is_current FROM ktp_version WHERE status IN ('approved', 'superseded')"
    )
    duck.register("versions_in", versions)
    known = f"SELECT DISTINCT {quote(src.version)} AS id, is_current FROM {src.raw}"
    changed = column(
        duck,
        f"SELECT id FROM (SELECT id, is_current FROM versions_in EXCEPT {known}) "
        f"UNION SELECT id FROM ({known} EXCEPT SELECT id, is_current FROM versions_in)",
    )
    duck.unregister("versions_in")
    ids = "{" + ",".join(str(int(v)) for v in changed) + "}"
    run(
        duck,
        f"CREATE OR REPLACE TEMP TABLE scope_old AS SELECT * FROM {src.raw} "
        f"WHERE {quote(src.version)} IN (SELECT unnest(?::INTEGER[]))",
        [sorted(int(v) for v in changed)],
    )
    return source.read(f"{src.select} AND p.{src.version} = ANY($1::integer[])", ids)


WHOLE = tuple(s for s in sources.ALL if s.changed_at is None and s.version is None)


# The journal database itself, by its OID, beside the tables' fingerprints: a database made anew
# (the demo seeded again, a backup restored by hand) has lost rows the warehouse holds, and no row
# of it says so, so a load that finds another one is a full load (etl.load).
DATABASE = "database"
FINGERPRINTS = " UNION ALL ".join(
    [
        f"SELECT '{s.name}' AS source, count(*)::text || ':' || coalesce(sum(hash_record_extended(t, 0)), 0)::text "
        f"FROM ({s.select}) t"
        for s in WHOLE
    ]
    + [f"SELECT '{DATABASE}', oid::text FROM pg_database WHERE datname = current_database()"]
)


def fingerprints(source: Source) -> dict[str, str]:
    """Each table read whole, as PostgreSQL sees it in the snapshot: its rows' count and the sum of
    their 64-bit hashes (of the row itself, not its text: half the time). One query scans them in
    the server; a table whose fingerprint the warehouse already holds is not read at all (the
    first load of a day reads everything anyway)."""
    table = source.read(FINGERPRINTS)
    return dict(zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True))


def store_fingerprints(duck: duckdb.DuckDBPyConnection, prints: dict[str, str]) -> None:
    run(duck, "CREATE OR REPLACE TABLE etl_fingerprint (source VARCHAR PRIMARY KEY, fingerprint VARCHAR)")
    run(
        duck,
        "INSERT INTO etl_fingerprint SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
        [list(prints), list(prints.values())],
    )


def _stored_fingerprints(duck: duckdb.DuckDBPyConnection) -> dict[str, str]:
    if columns(duck, "etl_fingerprint") is None:
        return {}
    return {
        str(a): str(b) for a, b in duck.execute("SELECT source, fingerprint FROM etl_fingerprint").fetchall()
    }


@dataclass
class Held:
    """What the file published last already holds (its own etl_state and fingerprints), read by an
    incremental load that updates the other file: a college whose rows have not changed since it
    was read is copied from it rather than built again (etl.load)."""

    read_from: datetime
    prints: dict[str, str]


def read_changes(
    duck: duckdb.DuckDBPyConnection,
    source: Source,
    since: str,
    read: Read,
    step: Progress,
    held: Held | None = None,
) -> tuple[set[int], set[int]]:
    """Merge what changed into the raw tables; returns the colleges whose rows differ, and of them
    those whose rows changed after the file published last read them (`held`; without it, all of
    them): a change dated before that load's horizon was committed before its snapshot, so the file
    has it; a table read whole changed after it when its fingerprint differs from the file's; a
    change of the КТП's versions counts as new."""
    touched: set[int] = set()
    fresh: set[int] = set()
    total = len(sources.ALL)
    prints = fingerprints(source)
    stored = _stored_fingerprints(duck)
    if stored.get(DATABASE) != prints[DATABASE]:  # (a file from before 078736a says none: one full load)
        read.other_database = True
        return touched, fresh
    unchanged = {name for name, known in stored.items() if prints.get(name) == known}
    for i, src in enumerate(sources.ALL):
        step(0.6 * i / total, f"Чтение изменений: {src.name}")
        raw = src.raw
        if src.name in unchanged:
            read.rows[src.name] = 0
            continue
        mine: set[int] = set()
        if src.version is not None and _same_shape(duck, source, src):
            table = _version_delta(duck, source, src)
            duck.register("arrow_in", table)
            changed = _merge(duck, src, "arrow_in", "scope_old", mine, replace=False)
            fresh |= mine
        elif src.changed_at is None or src.version is not None:
            table = source.read(src.select)
            duck.register("arrow_in", table)
            if columns(duck, "arrow_in") == columns(duck, raw):
                run(duck, "CREATE OR REPLACE TEMP TABLE scope_old AS SELECT * FROM " + quote(raw))
                changed = _merge(duck, src, "arrow_in", "scope_old", mine, replace=True)
            else:  # a source new or reshaped since the last load (the app was upgraded): replace it
                run(duck, f"CREATE OR REPLACE TABLE {raw} AS SELECT * FROM arrow_in")
                changed = max(table.num_rows, 1)
                mine.update(column(duck, "SELECT id FROM raw_college"))
            if held is None or held.prints.get(src.name) != prints.get(src.name):
                fresh |= mine
        else:
            table = source.read(_delta_sql(src), since)
            duck.register("arrow_in", table)
            if src.name == "attendance":
                scope = (
                    f"SELECT * FROM {raw} WHERE id IN (SELECT id FROM arrow_in) OR lesson_id IN "
                    "(SELECT id FROM lesson_delta)"
                )
            else:
                scope = f"SELECT * FROM {raw} WHERE id IN (SELECT id FROM arrow_in)"
            run(duck, f"CREATE OR REPLACE TEMP TABLE scope_old AS {scope}")
            changed = _merge(duck, src, "arrow_in", "scope_old", mine, replace=False)
            if held is None:
                fresh |= mine
            elif changed:
                # (attendance rows removed by a re-taken lesson are dated by the lesson, read first)
                dated = duck.execute(
                    f"SELECT DISTINCT {quote(src.college)} FROM arrow_in WHERE {quote(src.changed_at)} >= ?",
                    [held.read_from],
                ).fetchall()
                fresh |= mine & {int(r[0]) for r in dated}
            if src.name == "lesson":
                run(duck, "CREATE OR REPLACE TEMP TABLE lesson_delta AS SELECT id FROM arrow_in")
                gone = _vanished_lessons(duck, source)
                mine |= gone.keys()
                fresh |= gone.keys()
                changed += sum(gone.values())
        duck.unregister("arrow_in")
        touched |= mine
        read.rows[src.name] = table.num_rows
        read.changed += changed
        if changed:
            read.modified.add(src.name)
    store_fingerprints(duck, prints)
    return touched, fresh


def _vanished_lessons(duck: duckdb.DuckDBPyConnection, source: Source) -> dict[int, int]:
    """Remove the lessons the journal no longer has; returns how many per college.

    A deleted row leaves nothing to read by time. Only a lesson of today or later may go (a pair
    cancelled or moved before its journal is filled: app.services.timetable), so the ids of those
    lessons are read (a day's lessons, 4 ms for the region) and the raw ones missing go."""
    ids = source.read("SELECT id FROM lesson WHERE lesson_date >= $1::date", source.today.isoformat())
    duck.register("lesson_ids_in", ids)
    rows = duck.execute(
        "DELETE FROM raw_lesson WHERE lesson_date >= ? AND id NOT IN (SELECT id FROM lesson_ids_in) "
        "RETURNING college_id",
        [source.today],
    ).fetchall()
    duck.unregister("lesson_ids_in")
    return Counter(int(college) for (college,) in rows)


def _merge(
    duck: duckdb.DuckDBPyConnection,
    src: sources.Source,
    new: str,
    old: str,
    touched: set[int],
    *,
    replace: bool,
) -> int:
    """Swap the `old` rows of the raw table for the `new` ones where they differ; the colleges of
    the rows that differ (either side) join `touched`. Returns how many rows differ. Rows are
    matched by the source's key and compared whole (a row's fields as one struct, NULL equal to
    NULL): four times faster than EXCEPT ALL both ways, which hashed every column of both sides."""
    same = " AND ".join(f"n.{quote(c)} IS NOT DISTINCT FROM o.{quote(c)}" for c in src.key)
    run(
        duck,
        f"CREATE OR REPLACE TEMP TABLE differing AS "
        f"(SELECT n.* FROM {new} n ANTI JOIN {old} o ON {same} AND n IS NOT DISTINCT FROM o) UNION ALL "
        f"(SELECT o.* FROM {old} o ANTI JOIN {new} n ON {same} AND n IS NOT DISTINCT FROM o)",
    )
    changed = count(duck, "differing")
    if not changed:
        return 0
    if src.parent is None:
        colleges = f"SELECT DISTINCT {quote(src.college)} FROM differing"
    else:
        parent, reference = src.parent
        colleges = f"SELECT DISTINCT college_id FROM raw_{parent} WHERE id IN (SELECT {quote(reference)} FROM differing)"
    touched.update(c for c in column(duck, colleges) if c is not None)
    if replace:
        run(duck, f"DELETE FROM {src.raw}")
    else:
        run(duck, f"DELETE FROM {src.raw} WHERE id IN (SELECT id FROM {old})")
    run(duck, f"INSERT INTO {src.raw} SELECT * FROM {new}")
    return changed
