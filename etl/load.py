"""`ejournal etl run`: extract from PostgreSQL as Arrow (ADBC), load DuckDB, build marts, publish.

A full load builds a new warehouse file from everything, runs every data test and publishes it;
then it copies the file into its twin. An incremental load brings the twin (the file published the
time before, which no reader uses any more) up to date, inside one DuckDB transaction:

1. facts are read since the twin's own watermark (the start of the oldest transaction still open
   when it was read: Source.horizon) and merged by key, and the lessons deleted (of today or later:
   a cancelled pair) go; reference tables are re-read whole when their fingerprint changed, and
   compared; a journal database made anew makes a full load;
2. the colleges whose rows differ are the touched ones; when the rows that changed are many (a
   twentieth of the file's, FULL_SHARE), or the load's date or the settings the marts read have
   changed (so every college's marts change: the first load of a day), a full load is made instead;
3. every model is built again for the touched colleges only, in an in-memory database beside the
   file (_build_scratch: the same SQL over their rows, two models at once), the data tests run on
   what was rebuilt, and each mart's rows of those colleges that differ from the new ones are
   swapped for them;
4. the transaction commits and the twin is published; the file published before becomes the
   next load's twin.

Publishing is the pointer swap of etl.warehouse, so a reader never sees a half-built warehouse,
and a killed load leaves the last good one: a killed full load its unpublished file, a killed
incremental load an uncommitted transaction in a file nobody reads. When the twin is missing or
still held open by a reader, the current file is copied and updated instead. A load that finds
nothing new publishes nothing and only records that the data is still current.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

from app.analytics.common import freshness_label
from app.db import etl_database_url
from app.settings import Settings, get_settings
from etl import sources
from etl.duck import column, columns, count, run, scalar
from etl.extract import (
    FINGERPRINTS,
    Held,
    Progress,
    Read,
    Source,
    fingerprints,
    read_changes,
    read_full,
    store_fingerprints,
)
from etl.runner import (
    Failure,
    Job,
    data_tests,
    data_tests_of,
    grain,
    in_parallel,
    model_jobs,
    models,
    models_version,
    quote,
    run_macros,
    run_models,
)
from etl.warehouse import Published, exclusive_lock, publish, read_pointer, remove_stale_builds

# Longer than any journal transaction: rows it committed late are still caught by the next load.
# A load reads from the start of the oldest transaction open at the previous load's snapshot
# (Source.horizon) when PostgreSQL tells it, and never from further back than this.
LOOKBACK = timedelta(minutes=10)
# How long a load waits for readers to let go of the twin before it copies the current file.
TWIN_WAIT = timedelta(seconds=3)
# An incremental load becomes a full one when more rows changed than this share of the rows the file
# holds, and more than FULL_MIN_ROWS: merging them would cost more than reading everything again. How
# many colleges changed does not decide it. On bench/etl.py's region (100 colleges, 5.6 M rows; a full
# load 37–48 s) an incremental load took, with every college changed: 13,000 rows 27–30 s, 156,000
# rows (2.8 %) 32 s, 519,000 rows (9 %) 40 s; with 60 colleges changed, 15–17 s.
FULL_SHARE = 0.05
FULL_MIN_ROWS = 10_000


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
    colleges_copied: int = 0  # colleges whose marts were copied from the file published last
    colleges_total: int = 0
    twin_seconds: float = 0.0  # copying a file to update (the twin after a full load, or a fallback)
    why_full: str = ""  # why a load that could have been incremental was a full one
    published: Published | None = None

    def summary(self) -> str:
        verb = {
            "full": "Полная загрузка",
            "incremental": "Инкрементальная загрузка",
            "unchanged": "Изменений нет",
        }[self.mode]
        read = sum(self.rows_read.values())
        at = freshness_label(self.published) if self.published else "данные на —"
        rebuilt = (
            f", колледжей перестроено {self.colleges} из {self.colleges_total}"
            if self.mode != "unchanged"
            else ""
        )
        if self.colleges_copied:
            rebuilt += f", скопировано из прежней загрузки {self.colleges_copied}"
        why = f" ({self.why_full})" if self.why_full else ""
        return (
            f"{verb}{why}: прочитано строк {read}, изменено {self.changed_rows}{rebuilt}, проверок данных "
            f"{self.tests_run}, {self.seconds:.2f} с. {at[:1].upper()}{at[1:]}."
        )


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
        source.read_ahead(FINGERPRINTS)  # every load reads them first; meanwhile the file opens
        try:
            made: LoadReport | str = "полная по запросу" if full else "хранилища ещё нет"
            if not full and previous is not None:
                made = "витрины другой версии программы"
                if previous.models_version == models_version():
                    made = _incremental(directory, previous, source, settings, step)
            if isinstance(made, str):
                report = _full(directory, source, settings, step)
                report.why_full = made
            else:
                report = made
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
            run(duck, f"SET TimeZone = '{settings.tz.key}'")  # a validated zone name, not user input
            loading = time.perf_counter()
            read = Read()
            prints = fingerprints(source)  # read ahead (run_etl)
            read_full(duck, source, read, step)
            store_fingerprints(duck, prints)
            report.rows_read, report.changed_rows = read.rows, read.changed
            report.load_seconds = time.perf_counter() - loading
            _write_params(duck, settings, source)
            step(0.7, "Построение витрин")
            run_models(duck)
            step(0.9, "Проверка данных")
            _check(duck, report)
            report.colleges = report.colleges_total = count(duck, "raw_college")
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


# --------------------------------------------------------------------------- incremental


def _incremental(
    directory: Path, previous: Published, source: Source, settings: Settings, step: Progress
) -> LoadReport | str:
    """The load made by updating the twin; or, when much changed (a new day, new settings, many
    rows), why a full load is made instead: a new file is then cheaper to build than rewriting much
    of this one, which would also leave it larger and slower to read."""
    report = LoadReport("incremental", 0.0)
    with _twin_of(directory, previous, report) as (twin, duck):
        state = _state(duck)
        since = max(state["read_from"], state["loaded_at"] - LOOKBACK).isoformat()
        run(duck, f"SET TimeZone = '{settings.tz.key}'")
        # No vacuum at the checkpoint: compacting the row groups a round deleted from cost one close
        # in two 0.3–0.4 s, and the day's first load writes a new, compact file anyway.
        run(duck, "SET max_vacuum_tasks = 0")
        held = _attach_published(duck, directory / previous.file) if twin.name != previous.file else None
        run(duck, "BEGIN TRANSACTION")
        loading = time.perf_counter()
        read = Read()
        touched, fresh = read_changes(duck, source, since, read, step, held)
        if read.other_database:
            run(duck, "ROLLBACK")
            return "база данных журнала другая или создана заново"
        report.rows_read, report.changed_rows = read.rows, read.changed
        report.load_seconds = time.perf_counter() - loading
        params_changed = _write_params(duck, settings, source)
        report.colleges_total = count(duck, "raw_college")
        if not report.changed_rows and not params_changed:
            run(duck, "ROLLBACK")
            return _unchanged(directory, previous, source, report)
        if params_changed:
            run(duck, "ROLLBACK")
            return "новый день или другие настройки"
        if not touched:
            run(duck, "ROLLBACK")
            return "изменились данные всех колледжей"
        held_rows = _raw_rows(duck)
        if report.changed_rows > max(FULL_MIN_ROWS, FULL_SHARE * held_rows):
            run(duck, "ROLLBACK")
            return f"изменилось строк: {report.changed_rows} из {held_rows}"
        report.colleges, report.colleges_copied = len(fresh), len(touched - fresh)
        step(0.7, f"Построение витрин: колледжей {len(fresh)}")
        _update_marts(duck, fresh, touched - fresh, read.modified, report)
        published = _finish(duck, source, twin)
        run(duck, "COMMIT")
    report.published = published
    publish(directory, published, keep={previous.file})
    return report


def _raw_rows(duck: duckdb.DuckDBPyConnection) -> int:
    """About how many source rows the file holds (DuckDB's own count of its raw tables' rows)."""
    return int(
        scalar(
            duck,
            "SELECT coalesce(sum(estimated_size), 0) FROM duckdb_tables() "
            "WHERE database_name = current_database() AND starts_with(table_name, 'raw_')",
        )
    )


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


def _update_marts(
    duck: duckdb.DuckDBPyConnection, fresh: set[int], copied: set[int], modified: set[str], report: LoadReport
) -> None:
    """Make each mart's rows of the `fresh` colleges those built again (and tested), and of the
    `copied` ones those of the file published last, writing only the rows that differ.

    The work is done in SCRATCH, an in-memory database attached for this load, by WORKERS
    connections side by side (one college's models are too small for DuckDB to spread one over
    the cores): the fresh colleges' raw rows, as this load's transaction sees them, are handed
    over as Arrow where this load changed them (the other raw tables are read from the file by the
    scratch's connections, side by side); then building each model, testing it and finding each
    mart's rows that differ are jobs run as soon as what they read is ready
    (etl.runner.in_parallel). The file's marts are not yet changed by this transaction, so the
    other connections read them as it does. Only this connection writes the warehouse file, after
    every test passed, and only in its one transaction: a killed load leaves nothing behind."""
    database = column(duck, "SELECT current_database()")[0]
    _scope(duck, "temp", "etl_build", fresh)  # the rows to hand over (_keeps)
    # Attached now, not before the transaction: a catalog query of the load (etl.duck.columns)
    # would have begun its view of the scratch, empty, and the other connections' tables would
    # stay unseen. This connection reads the scratch only once they are done.
    run(duck, f"ATTACH ':memory:' AS {SCRATCH}")
    marts = [m.name for m in models() if m.materialized == "table"]
    tests = data_tests_of()
    cursors = [duck.cursor() for _ in range(WORKERS)]
    try:
        for cursor in cursors:
            run(cursor, f"USE {SCRATCH}")
        first = cursors[0]
        _scope(first, SCRATCH, "etl_copy", copied)
        _scope(first, SCRATCH, "etl_scope", fresh | copied)
        jobs: list[Job] = []
        if fresh:
            _scope(first, SCRATCH, "etl_build", fresh)
            in_parallel(cursors, _raw_jobs(duck, cursors, database, modified))
            run_macros(first)
            jobs += model_jobs() + tests.jobs()
        jobs += [
            (
                f"differ {mart}",
                {mart} if fresh else set(),
                f"CREATE TABLE {quote('differ_' + mart)} AS {_differ(database, mart, fresh, copied)}",
            )
            for mart in marts
            if grain(mart)
        ]
        # One thread to a query: DuckDB's own threads beside the connections' oversubscribed the
        # cores (two models side by side took 0.31–0.38 s so, 0.22–0.28 s this way).
        run(duck, "SET threads = 1")
        try:
            results = in_parallel(cursors, jobs)
        finally:
            run(duck, "RESET threads")
    finally:
        for cursor in cursors:
            cursor.close()
    if fresh:  # the data tests, on the rebuilt colleges
        report.tests_run = tests.count
        _refuse(tests.failures(results))
    for mart in marts:
        _swap(duck, database, mart, fresh, copied)


SCRATCH = "etl_scratch"  # the in-memory database an incremental load works in (_update_marts)
WORKERS = max(1, min(4, os.cpu_count() or 1))  # its connections working side by side
_SCOPE = f"college_id IN (SELECT college_id FROM {SCRATCH}.main.etl_scope)"


def _raw_jobs(
    duck: duckdb.DuckDBPyConnection,
    cursors: list[duckdb.DuckDBPyConnection],
    database: str,
    modified: set[str],
) -> list[Job]:
    """The fresh colleges' raw rows into the scratch: a table this load changed (or whose rows'
    college is named by one it changed: _keeps), and etl_params, as this load's transaction sees
    it, handed over as Arrow; the others as the file holds them (the same rows: this transaction
    did not touch them), read by the scratch's connections."""
    jobs: list[Job] = []
    for table, src in [*((s.raw, s) for s in sources.ALL), ("etl_params", None)]:
        handed = src is None or src.name in modified or (src.parent is not None and src.parent[0] in modified)
        if handed:
            keep = _keeps(src, database, "temp.main.etl_build") if src is not None else "TRUE"
            rows = duck.sql(
                f"SELECT * FROM {quote(database)}.main.{quote(table)} WHERE {keep}"
            ).to_arrow_table()
            for cursor in cursors:  # whichever connection runs the job finds it
                cursor.register(f"handed_{table}", rows)
            select = f"SELECT * FROM handed_{table}"
        else:
            assert src is not None
            keep = _keeps(src, database, f"{SCRATCH}.main.etl_build")
            select = f"SELECT * FROM {quote(database)}.main.{quote(table)} WHERE {keep}"
        jobs.append((table, set(), f"CREATE OR REPLACE TABLE {quote(table)} AS {select}"))
    return jobs


def _scope(duck: duckdb.DuckDBPyConnection, database: str, name: str, colleges: set[int]) -> None:
    kind = "TEMP TABLE" if database == "temp" else "TABLE"
    run(
        duck,
        f"CREATE OR REPLACE {kind} {database}.main.{name} AS SELECT unnest(?::INTEGER[]) AS college_id",
        [sorted(colleges)],
    )


def _rebuilt(mart: str, fresh: set[int], copied: set[int]) -> str:
    """The mart's new rows of the colleges in etl_scope, as a subquery."""
    parts = [f"SELECT * FROM {SCRATCH}.main.{quote(mart)}"] if fresh else []
    if copied:
        # Their rows have not changed since that file was built (etl.extract.read_changes), so it
        # holds what a build would make, tested when it was built.
        parts.append(
            f"SELECT * FROM {PUBLISHED}.main.{quote(mart)} "
            f"WHERE college_id IN (SELECT college_id FROM {SCRATCH}.main.etl_copy)"
        )
    return "(" + " UNION ALL ".join(parts) + ")"


def _differ(database: str, mart: str, fresh: set[int], copied: set[int]) -> str:
    """The grain of the mart's rows of the colleges in etl_scope that differ between the file and
    the new rows (either side may lack the row): matched by the grain, compared by a hash of the
    whole row."""
    key = grain(mart)
    assert key is not None
    cols = ", ".join(quote(c) for c in key)
    same = " AND ".join(f"a.{quote(c)} IS NOT DISTINCT FROM b.{quote(c)}" for c in key)
    return (
        "SELECT "
        + ", ".join(f"coalesce(b.{quote(c)}, a.{quote(c)}) AS {quote(c)}" for c in key)
        + f" FROM (SELECT {cols}, hash(t) AS h FROM {quote(database)}.main.{quote(mart)} t WHERE {_SCOPE}) a"
        f" FULL JOIN (SELECT {cols}, hash(t) AS h FROM {_rebuilt(mart, fresh, copied)} t) b ON {same}"
        " WHERE a.h IS DISTINCT FROM b.h"
    )


def _swap(
    duck: duckdb.DuckDBPyConnection, database: str, mart: str, fresh: set[int], copied: set[int]
) -> None:
    """Make the mart's rows of the colleges in etl_scope the new ones, writing only those that
    differ (found by _differ): a save changes a few rows of a college's marts, and what a load
    writes is what its commit pays for (rewriting a college's 95,000 attendance rows cost more
    than building them)."""
    target = f"{quote(database)}.main.{quote(mart)}"
    rebuilt = _rebuilt(mart, fresh, copied)
    key = grain(mart)
    if key is None:  # no grain to match rows by: all of the colleges' rows
        run(duck, f"DELETE FROM {target} WHERE {_SCOPE}")
        run(duck, f"INSERT INTO {target} SELECT * FROM {rebuilt}")
        return
    differ = f"{SCRATCH}.main.{quote('differ_' + mart)}"
    if count(duck, differ):
        same = " AND ".join(f"a.{quote(c)} IS NOT DISTINCT FROM b.{quote(c)}" for c in key)
        run(duck, f"DELETE FROM {target} a USING {differ} b WHERE a.{_SCOPE} AND {same}")
        run(duck, f"INSERT INTO {target} SELECT a.* FROM {rebuilt} a SEMI JOIN {differ} b ON {same}")


PUBLISHED = "etl_published"  # the file published last, attached read-only by an incremental load


def _attach_published(duck: duckdb.DuckDBPyConnection, path: Path) -> Held | None:
    """The file published last, attached read-only, and what it holds: the colleges the twin lacks
    only because the last load changed them are then copied from it, not built again. None when it
    cannot be opened (it is then built again, as any other)."""
    try:
        quoted = str(path).replace("'", "''")
        run(duck, f"ATTACH '{quoted}' AS {PUBLISHED} (READ_ONLY)")
        read_from = scalar(duck, f"SELECT read_from FROM {PUBLISHED}.main.etl_state")
        prints = duck.execute(f"SELECT source, fingerprint FROM {PUBLISHED}.main.etl_fingerprint").fetchall()
    except duckdb.Error:
        return None
    return Held(read_from, {str(a): str(b) for a, b in prints})


def _keeps(src: sources.Source, database: str, build: str) -> str:
    """The rows of `src` that belong to the colleges in the table `build`, as a WHERE condition."""
    scope = f"(SELECT college_id FROM {build})"
    if src.parent is None:
        return f"{quote(src.college)} IN {scope}"
    parent, reference = src.parent
    return f"{quote(reference)} IN (SELECT id FROM {quote(database)}.main.raw_{parent} WHERE college_id IN {scope})"


# --------------------------------------------------------------------------- shared


def _check(duck: duckdb.DuckDBPyConnection, report: LoadReport) -> None:
    report.tests_run, failures = data_tests(duck)
    _refuse(failures)


def _refuse(failures: list[Failure]) -> None:
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
        if columns(duck, "etl_params")
        else None
    )
    run(
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
    rows = {s.name: count(duck, s.raw) for s in sources.ALL}
    changed_at = scalar(
        duck,
        "SELECT greatest((SELECT max(updated_at) FROM raw_lesson), "
        "(SELECT max(updated_at) FROM raw_attendance), (SELECT max(created_at) FROM raw_mark))",
    )
    run(
        duck,
        "CREATE OR REPLACE TABLE etl_state AS SELECT ?::TIMESTAMPTZ AS loaded_at, "
        "?::TIMESTAMPTZ AS read_from, ?::VARCHAR AS models_version",
        [source.snapshot_at, source.horizon or source.snapshot_at - LOOKBACK, models_version()],
    )
    return Published(file.name, source.snapshot_at, changed_at, str(source.today), rows, models_version())


def _state(duck: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    found = columns(duck, "etl_state")
    if found is None:
        return {}
    if "read_from" not in {name for name, _ in found}:  # written before migration 0029: not updated
        return {"models_version": None}
    loaded_at, since, version = duck.execute(
        "SELECT loaded_at, read_from, models_version FROM etl_state"
    ).fetchall()[0]
    return {"loaded_at": loaded_at, "read_from": since, "models_version": version}


def _copy(src: Path, dst: Path) -> None:
    building = dst.with_name(dst.name + ".building")
    shutil.copyfile(src, building)
    building.chmod(0o600)
    building.rename(dst)
