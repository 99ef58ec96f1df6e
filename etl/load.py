"""`ejournal etl run`: extract from PostgreSQL as Arrow (ADBC), load DuckDB, build marts, publish.

A full load builds a new warehouse file from everything, runs every data test and publishes it;
then it copies the file into its twin. An incremental load brings the twin (the file published the
time before, which no reader uses any more) up to date, inside one DuckDB transaction:

1. facts are read since the twin's own watermark (with a look-back that covers transactions still
   open when it was read) and merged by key; reference tables are re-read whole and compared;
2. the colleges whose rows differ are the touched ones; when they are most of the colleges, or the
   load's date or the settings the marts read have changed (so every college's marts change: the
   first load of a day), a full load is made instead;
3. every model is built again for the touched colleges only (etl.runner.run_models_scoped: the
   same SQL over their rows), the data tests run on what was rebuilt, and each mart's rows of
   those colleges are swapped for the new ones;
4. the transaction commits and the twin is published; the file published before becomes the
   next load's twin.

Publishing is the pointer swap of etl.warehouse, so a reader never sees a half-built warehouse,
and a killed load leaves the last good one: a killed full load its unpublished file, a killed
incremental load an uncommitted transaction in a file nobody reads. When the twin is missing or
still held open by a reader, the current file is copied and updated instead. A load that finds
nothing new publishes nothing and only records that the data is still current.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import adbc_driver_postgresql.dbapi as adbc
import duckdb
import pyarrow as pa

from app.db import etl_database_url
from app.settings import Settings, get_settings
from etl import sources
from etl.runner import data_tests, drop_scoped, models_version, quote, run_models, run_models_scoped
from etl.warehouse import Published, exclusive_lock, publish, read_pointer, remove_stale_builds

# Longer than any journal transaction: rows it committed late are still caught by the next load.
LOOKBACK = timedelta(minutes=10)
# How long a load waits for readers to let go of the twin before it copies the current file.
TWIN_WAIT = timedelta(seconds=3)

Progress = Callable[[float, str], None]


class EtlBusy(RuntimeError):
    pass


class DataTestsFailed(RuntimeError):
    pass


@dataclass
class LoadReport:
    mode: str  # "full", "incremental" or "unchanged"
    seconds: float
    rows_read: dict[str, int] = field(default_factory=dict)
    changed_rows: int = 0
    tests_run: int = 0
    load_seconds: float = 0.0  # extract from PostgreSQL and load into DuckDB, without the marts
    colleges: int = 0  # colleges whose marts were built
    colleges_total: int = 0
    twin_seconds: float = 0.0  # copying a file to update (the twin after a full load, or a fallback)
    published: Published | None = None

    def summary(self) -> str:
        verb = {
            "full": "Полная загрузка",
            "incremental": "Инкрементальная загрузка",
            "unchanged": "Изменений нет",
        }[self.mode]
        read = sum(self.rows_read.values())
        at = self.published.loaded_at.strftime("%d.%m.%Y %H:%M:%S") if self.published else "—"
        rebuilt = (
            f", колледжей перестроено {self.colleges} из {self.colleges_total}"
            if self.mode != "unchanged"
            else ""
        )
        return (
            f"{verb}: прочитано строк {read}, изменено {self.changed_rows}{rebuilt}, проверок данных "
            f"{self.tests_run}, {self.seconds:.2f} с. Данные на {at}."
        )


class Source:
    """A consistent snapshot of the journal database, read as Arrow."""

    def __init__(self, url: str, timezone: str) -> None:
        self.conn = adbc.connect(url, autocommit=True)
        self.cur = self.conn.cursor()
        # One snapshot for every table: the warehouse never mixes two moments of the journal.
        self.cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        self.cur.execute("SELECT now(), (now() AT TIME ZONE $1::text)::date", parameters=(timezone,))
        row = self.cur.fetchone()
        assert row is not None
        self.snapshot_at: datetime = row[0]
        self.today = row[1]

    def read(self, sql: str, *params: object) -> pa.Table:
        self.cur.execute(sql, parameters=params or None)
        return self.cur.fetch_arrow_table()

    def close(self) -> None:
        try:
            self.cur.execute("COMMIT")
        finally:
            self.cur.close()
            self.conn.close()


def run_etl(
    *,
    full: bool = False,
    settings: Settings | None = None,
    url: str | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    settings = settings or get_settings()
    directory = settings.warehouse_dir
    step = progress or (lambda _f, _m: None)
    started = time.perf_counter()
    with exclusive_lock(directory) as locked:
        if not locked:
            raise EtlBusy("Загрузка хранилища уже выполняется другим процессом.")
        remove_stale_builds(directory)
        previous = read_pointer(directory)
        if previous is not None and not (directory / previous.file).exists():
            previous = None
        source = Source(url or etl_database_url(settings), settings.timezone)
        try:
            report = None
            if not full and previous is not None and previous.models_version == models_version():
                report = _incremental(directory, previous, source, settings, step)
            if report is None:
                report = _full(directory, source, settings, step)
        finally:
            source.close()
    report.seconds = time.perf_counter() - started
    step(1.0, report.summary())
    return report


# --------------------------------------------------------------------------- full


def _full(directory: Path, source: Source, settings: Settings, step: Progress) -> LoadReport:
    stamp = source.snapshot_at.strftime("%Y%m%dT%H%M%S%f")
    build = directory / f"wh-{stamp}.duckdb.building"
    report = LoadReport("full", 0.0)
    try:
        duck = duckdb.connect(str(build))
        try:
            _run(duck, f"SET TimeZone = '{settings.tz.key}'")  # a validated zone name, not user input
            loading = time.perf_counter()
            _load_full(duck, source, report, step)
            report.load_seconds = time.perf_counter() - loading
            _write_params(duck, settings, source)
            step(0.7, "Построение витрин")
            run_models(duck)
            step(0.9, "Проверка данных")
            _check(duck, report)
            report.colleges = report.colleges_total = _count(duck, "raw_college")
            published = _finish(duck, source, directory / build.with_suffix("").name)
        finally:
            duck.close()
        final = build.with_suffix("")  # wh-<stamp>.duckdb
        build.chmod(0o600)  # the journal's people and marks: for the app's own user only
        build.rename(final)
    except BaseException:
        build.unlink(missing_ok=True)
        raise
    twin = directory / f"wh-{stamp}-twin.duckdb"
    copying = time.perf_counter()
    _copy(final, twin)
    report.twin_seconds = time.perf_counter() - copying
    report.published = published
    publish(directory, published, keep={twin.name})
    return report


def _load_full(duck: duckdb.DuckDBPyConnection, source: Source, report: LoadReport, step: Progress) -> None:
    total = len(sources.ALL)
    for i, src in enumerate(sources.ALL):
        step(0.6 * i / total, f"Чтение: {src.name}")
        table = source.read(src.select)
        duck.register("arrow_in", table)
        _run(duck, f"CREATE OR REPLACE TABLE {src.raw} AS SELECT * FROM arrow_in")
        duck.unregister("arrow_in")
        report.rows_read[src.name] = table.num_rows
        report.changed_rows += table.num_rows


# --------------------------------------------------------------------------- incremental


def _incremental(
    directory: Path, previous: Published, source: Source, settings: Settings, step: Progress
) -> LoadReport | None:
    """The load made by updating the twin; None when most colleges changed (a new day, new
    settings, a change everywhere): a new file is then cheaper to build than rewriting most of
    this one, which would also leave it larger and slower to read."""
    report = LoadReport("incremental", 0.0)
    with _twin_of(directory, previous, report) as (twin, duck):
        state = _state(duck)
        since = (state["loaded_at"] - LOOKBACK).isoformat()
        _run(duck, f"SET TimeZone = '{settings.tz.key}'")
        _run(duck, "BEGIN TRANSACTION")
        loading = time.perf_counter()
        touched = _load_incremental(duck, source, since, report, step)
        report.load_seconds = time.perf_counter() - loading
        params_changed = _write_params(duck, settings, source)
        report.colleges_total = _count(duck, "raw_college")
        if not report.changed_rows and not params_changed:
            _run(duck, "ROLLBACK")
            return _unchanged(directory, previous, source, report)
        if params_changed or not touched or 2 * len(touched) > report.colleges_total:
            _run(duck, "ROLLBACK")
            return None
        report.colleges = len(touched)
        step(0.7, f"Построение витрин: колледжей {len(touched)}")
        _rebuild(duck, touched, report)
        published = _finish(duck, source, twin)
        _run(duck, "COMMIT")
    report.published = published
    publish(directory, published, keep={previous.file})
    return report


@contextmanager
def _twin_of(
    directory: Path, previous: Published, report: LoadReport
) -> Iterator[tuple[Path, duckdb.DuckDBPyConnection]]:
    """The file this load updates, open for writing: the twin (a warehouse file other than the
    published one, built by this version of the SQL), or, when there is none or readers still
    hold it after TWIN_WAIT, a new copy of the published file."""
    candidates = sorted(
        (p for p in directory.glob("wh-*.duckdb") if p.name != previous.file),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    duck = None
    twin = None
    for path in candidates[:1]:
        deadline = time.monotonic() + TWIN_WAIT.total_seconds()
        while duck is None:
            try:
                duck = duckdb.connect(str(path))
                twin = path
            except (duckdb.IOException, duckdb.ConnectionException):
                if time.monotonic() > deadline:
                    break  # a reader in another process still has it open: copy instead
                time.sleep(0.1)
        if duck is not None and _state(duck).get("models_version") != models_version():
            duck.close()
            duck = None
    if duck is None or twin is None:
        twin = directory / f"wh-{time.strftime('%Y%m%dT%H%M%S')}-{time.monotonic_ns()}.duckdb"
        copying = time.perf_counter()
        _copy(directory / previous.file, twin)
        report.twin_seconds = time.perf_counter() - copying
        duck = duckdb.connect(str(twin))
    try:
        yield twin, duck
    finally:
        duck.close()  # a transaction still open is rolled back: the file is as it was


def _unchanged(directory: Path, previous: Published, source: Source, report: LoadReport) -> LoadReport:
    report.mode = "unchanged"
    report.published = Published(
        previous.file,
        source.snapshot_at,
        previous.source_changed_at,
        previous.as_of_date,
        previous.rows,
        previous.models_version,
    )
    publish(directory, report.published, keep=set(_others(directory, previous.file)))
    return report


def _others(directory: Path, current: str) -> list[str]:
    return [p.name for p in directory.glob("wh-*.duckdb") if p.name != current]


def _delta_sql(src: sources.Source) -> str:
    if src.name == "attendance":
        # A lesson whose attendance was re-taken may have lost rows: re-read all of its rows. Two
        # index scans (a UNION, not an OR, which PostgreSQL would answer with a scan of the table).
        return (
            f"{src.select} WHERE updated_at > $1::timestamptz UNION "
            f"{src.select} WHERE lesson_id IN (SELECT id FROM lesson WHERE updated_at > $1::timestamptz)"
        )
    return f"{src.select} WHERE {src.changed_at} > $1::timestamptz"


def _same_shape(duck: duckdb.DuckDBPyConnection, source: Source, src: sources.Source) -> bool:
    """Whether the raw table has the columns the source gives now (an upgrade may reshape it)."""
    duck.register("shape_in", source.read(f"SELECT * FROM ({src.select}) s LIMIT 0"))
    try:
        return _columns(duck, "shape_in") == _columns(duck, src.raw)
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
    changed = _column(
        duck,
        f"SELECT id FROM (SELECT id, is_current FROM versions_in EXCEPT {known}) "
        f"UNION SELECT id FROM ({known} EXCEPT SELECT id, is_current FROM versions_in)",
    )
    duck.unregister("versions_in")
    ids = "{" + ",".join(str(int(v)) for v in changed) + "}"
    _run(
        duck,
        f"CREATE OR REPLACE TEMP TABLE scope_old AS SELECT * FROM {src.raw} "
        f"WHERE {quote(src.version)} IN (SELECT unnest(?::INTEGER[]))",
        [sorted(int(v) for v in changed)],
    )
    return source.read(f"{src.select} AND p.{src.version} = ANY($1::integer[])", ids)


def _load_incremental(
    duck: duckdb.DuckDBPyConnection, source: Source, since: str, report: LoadReport, step: Progress
) -> set[int]:
    """Merge what changed into the raw tables; returns the colleges whose rows differ."""
    touched: set[int] = set()
    total = len(sources.ALL)
    for i, src in enumerate(sources.ALL):
        step(0.6 * i / total, f"Чтение изменений: {src.name}")
        raw = src.raw
        if src.version is not None and _same_shape(duck, source, src):
            table = _version_delta(duck, source, src)
            duck.register("arrow_in", table)
            changed = _merge(duck, src, "arrow_in", "scope_old", touched, replace=False)
        elif src.changed_at is None or src.version is not None:
            table = source.read(src.select)
            duck.register("arrow_in", table)
            if _columns(duck, "arrow_in") == _columns(duck, raw):
                _run(duck, "CREATE OR REPLACE TEMP TABLE scope_old AS SELECT * FROM " + quote(raw))
                changed = _merge(duck, src, "arrow_in", "scope_old", touched, replace=True)
            else:  # a source new or reshaped since the last load (the app was upgraded): replace it
                _run(duck, f"CREATE OR REPLACE TABLE {raw} AS SELECT * FROM arrow_in")
                changed = max(table.num_rows, 1)
                touched.update(_column(duck, "SELECT id FROM raw_college"))
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
            _run(duck, f"CREATE OR REPLACE TEMP TABLE scope_old AS {scope}")
            changed = _merge(duck, src, "arrow_in", "scope_old", touched, replace=False)
            if src.name == "lesson":
                _run(duck, "CREATE OR REPLACE TEMP TABLE lesson_delta AS SELECT id FROM arrow_in")
        duck.unregister("arrow_in")
        report.rows_read[src.name] = table.num_rows
        report.changed_rows += changed
    return touched


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
    the rows that differ (either side) join `touched`. Returns how many rows differ."""
    _run(
        duck,
        f"CREATE OR REPLACE TEMP TABLE differing AS (SELECT * FROM {new} EXCEPT ALL SELECT * FROM {old}) "
        f"UNION ALL (SELECT * FROM {old} EXCEPT ALL SELECT * FROM {new})",
    )
    changed = _count(duck, "differing")
    if not changed:
        return 0
    if src.parent is None:
        colleges = f"SELECT DISTINCT {quote(src.college)} FROM differing"
    else:
        parent, column = src.parent
        colleges = f"SELECT DISTINCT college_id FROM raw_{parent} WHERE id IN (SELECT {quote(column)} FROM differing)"
    touched.update(c for c in _column(duck, colleges) if c is not None)
    if replace:
        _run(duck, f"DELETE FROM {src.raw}")
    else:
        _run(duck, f"DELETE FROM {src.raw} WHERE id IN (SELECT id FROM {old})")
    _run(duck, f"INSERT INTO {src.raw} SELECT * FROM {new}")
    return changed


def _rebuild(duck: duckdb.DuckDBPyConnection, touched: set[int], report: LoadReport) -> None:
    """The touched colleges' marts, built again and tested, swapped in (the caller's transaction)."""
    database = _column(duck, "SELECT current_database()")[0]
    _run(
        duck,
        "CREATE OR REPLACE TEMP TABLE etl_scope AS SELECT unnest(?::INTEGER[]) AS college_id",
        [sorted(touched)],
    )
    scoped = {src.raw: _keeps(src, database) for src in sources.ALL}
    marts = run_models_scoped(duck, database, scoped)
    _check(duck, report)  # the data tests, on the rebuilt colleges (the temporary marts)
    for mart in marts:
        target = f"{quote(database)}.main.{quote(mart)}"
        _run(duck, f"DELETE FROM {target} WHERE college_id IN (SELECT college_id FROM etl_scope)")
        _run(duck, f"INSERT INTO {target} SELECT * FROM temp.main.{quote(mart)}")
    drop_scoped(duck, scoped)


def _keeps(src: sources.Source, database: str) -> str:
    """The rows of `src` that belong to the colleges in etl_scope, as a WHERE condition."""
    scope = "(SELECT college_id FROM etl_scope)"
    if src.parent is None:
        return f"{quote(src.college)} IN {scope}"
    parent, column = src.parent
    return (
        f"{quote(column)} IN (SELECT id FROM {quote(database)}.main.raw_{parent} WHERE college_id IN {scope})"
    )


# --------------------------------------------------------------------------- shared


def _check(duck: duckdb.DuckDBPyConnection, report: LoadReport) -> None:
    report.tests_run, failures = data_tests(duck)
    if failures:
        raise DataTestsFailed(
            "Проверки хранилища не прошли: "
            + "; ".join(f"{f.model}: {f.test} — строк {f.failing_rows}" for f in failures)
        )


MART_PARAMS = "as_of_date, checking_deadline_days, systematic_absence_share, min_marks_per_month, timezone"


def _write_params(duck: duckdb.DuckDBPyConnection, settings: Settings, source: Source) -> bool:
    """The load's date and the settings the marts read, and when it read; True when the marts'
    part differs from what the file held (the first load of a day, or changed settings)."""
    before = (
        duck.execute(f"SELECT {MART_PARAMS} FROM etl_params").fetchall()
        if _columns(duck, "etl_params")
        else None
    )
    _run(
        duck,
        "CREATE OR REPLACE TABLE etl_params AS SELECT ?::DATE AS as_of_date, ?::TIMESTAMPTZ AS loaded_at, "
        "?::INTEGER AS checking_deadline_days, ?::DOUBLE AS systematic_absence_share, "
        "?::INTEGER AS min_marks_per_month, ?::VARCHAR AS timezone",
        [
            source.today,
            source.snapshot_at,
            settings.checking_deadline_days,
            settings.systematic_absence_share,
            settings.min_marks_per_month,
            settings.timezone,
        ],
    )
    return before != duck.execute(f"SELECT {MART_PARAMS} FROM etl_params").fetchall()


def _finish(duck: duckdb.DuckDBPyConnection, source: Source, file: Path) -> Published:
    """Record the file's own state (the next load of it reads from here) and what to publish."""
    rows = {s.name: _count(duck, s.raw) for s in sources.ALL}
    changed_at = _scalar(
        duck,
        "SELECT greatest((SELECT max(updated_at) FROM raw_lesson), "
        "(SELECT max(updated_at) FROM raw_attendance), (SELECT max(created_at) FROM raw_mark))",
    )
    _run(
        duck,
        "CREATE OR REPLACE TABLE etl_state AS SELECT ?::TIMESTAMPTZ AS loaded_at, ?::VARCHAR AS models_version",
        [source.snapshot_at, models_version()],
    )
    return Published(file.name, source.snapshot_at, changed_at, str(source.today), rows, models_version())


def _state(duck: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    if _columns(duck, "etl_state") is None:
        return {}
    loaded_at, version = duck.execute("SELECT loaded_at, models_version FROM etl_state").fetchall()[0]
    return {"loaded_at": loaded_at, "models_version": version}


def _copy(src: Path, dst: Path) -> None:
    building = dst.with_name(dst.name + ".building")
    shutil.copyfile(src, building)
    building.chmod(0o600)
    building.rename(dst)


def _run(duck: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> None:
    """Execute a statement whose result nobody reads (DuckDB 2.0 wants every result finished)."""
    duck.execute(sql, params or []).complete()


def _scalar(duck: duckdb.DuckDBPyConnection, sql: str) -> Any:
    # fetchall, not fetchone: DuckDB 2.0 keeps a half-read result open and blocks the connection
    return duck.execute(sql).fetchall()[0][0]


def _column(duck: duckdb.DuckDBPyConnection, sql: str) -> list[Any]:
    return [r[0] for r in duck.execute(sql).fetchall()]


def _columns(duck: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]] | None:
    """The table's columns and their types; None when there is no such table."""
    try:
        return [(str(r[0]), str(r[1])) for r in duck.execute(f"DESCRIBE {table}").fetchall()]
    except duckdb.CatalogException:
        return None


def _count(duck: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(_scalar(duck, f"SELECT count(*) FROM {table}"))
