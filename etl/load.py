"""`ejournal etl run`: extract from PostgreSQL as Arrow (ADBC), load DuckDB, build marts, publish.

Incremental by default: reference tables are re-read whole (they are small), facts only since the
last load (with a look-back that covers transactions still open when it ran), merged by key. A
load that finds nothing new publishes nothing and only records that the data is still current.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import adbc_driver_postgresql.dbapi as adbc
import duckdb
import pyarrow as pa

from app.db import etl_database_url
from app.settings import Settings, get_settings
from etl import sources
from etl.runner import data_tests, models_version, run_models
from etl.warehouse import Published, exclusive_lock, publish, read_pointer, remove_stale_builds

# Longer than any journal transaction: rows it committed late are still caught by the next load.
LOOKBACK = timedelta(minutes=10)

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
    published: Published | None = None

    def summary(self) -> str:
        verb = {
            "full": "Полная загрузка",
            "incremental": "Инкрементальная загрузка",
            "unchanged": "Изменений нет",
        }[self.mode]
        read = sum(self.rows_read.values())
        at = self.published.loaded_at.strftime("%d.%m.%Y %H:%M:%S") if self.published else "—"
        return (
            f"{verb}: прочитано строк {read}, изменено {self.changed_rows}, проверок данных "
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


def _delta_sql(src: sources.Source) -> str:
    if src.name == "attendance":
        # A lesson whose attendance was re-taken may have lost rows: re-read all of its rows.
        return (
            f"{src.select} WHERE updated_at > $1::timestamptz OR lesson_id IN "
            "(SELECT id FROM lesson WHERE updated_at > $1::timestamptz)"
        )
    return f"{src.select} WHERE {src.changed_at} > $1::timestamptz"


def _differs(duck: duckdb.DuckDBPyConnection, new: str, old: str) -> int:
    return int(
        _scalar(
            duck,
            f"SELECT (SELECT count(*) FROM (SELECT * FROM {new} EXCEPT ALL SELECT * FROM {old})) + "
            f"(SELECT count(*) FROM (SELECT * FROM {old} EXCEPT ALL SELECT * FROM {new}))",
        )
    )


def _write_params(duck: duckdb.DuckDBPyConnection, settings: Settings, source: Source) -> None:
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
        mode = "full" if full or previous is None else "incremental"
        source = Source(url or etl_database_url(settings), settings.timezone)
        stamp = source.snapshot_at.strftime("%Y%m%dT%H%M%S%f")
        build = directory / f"wh-{stamp}.duckdb.building"
        try:
            if mode == "incremental":
                assert previous is not None
                shutil.copyfile(directory / previous.file, build)
            duck = duckdb.connect(str(build))
            try:
                _run(duck, f"SET TimeZone = '{settings.tz.key}'")  # a validated zone name, not user input
                report = LoadReport(mode, 0.0)
                loading = time.perf_counter()
                if mode == "full":
                    _load_full(duck, source, report, step)
                else:
                    assert previous is not None
                    _load_incremental(duck, source, previous, report, step)
                    if (
                        report.changed_rows == 0
                        and str(source.today) == previous.as_of_date
                        and previous.models_version == models_version()
                    ):
                        duck.close()
                        build.unlink(missing_ok=True)
                        report.mode = "unchanged"
                        report.published = Published(
                            previous.file,
                            source.snapshot_at,
                            previous.source_changed_at,
                            previous.as_of_date,
                            previous.rows,
                            previous.models_version,
                        )
                        publish(directory, report.published)
                        report.seconds = time.perf_counter() - started
                        step(1.0, report.summary())
                        return report
                report.load_seconds = time.perf_counter() - loading
                _write_params(duck, settings, source)
                step(0.7, "Построение витрин")
                run_models(duck)
                step(0.9, "Проверка данных")
                report.tests_run, failures = data_tests(duck)
                if failures:
                    raise DataTestsFailed(
                        "Проверки хранилища не прошли: "
                        + "; ".join(f"{f.model}: {f.test} — строк {f.failing_rows}" for f in failures)
                    )
                rows = {s.name: _count(duck, f"raw_{s.name}") for s in sources.ALL}
                changed_at = _scalar(
                    duck,
                    "SELECT greatest((SELECT max(updated_at) FROM raw_lesson), "
                    "(SELECT max(updated_at) FROM raw_attendance), (SELECT max(created_at) FROM raw_mark))",
                )
                _run(duck, "CHECKPOINT")
            finally:
                duck.close()
            final = build.with_suffix("")  # wh-<stamp>.duckdb
            build.chmod(0o600)  # the journal's people and marks: for the app's own user only
            build.rename(final)
            report.published = Published(
                final.name, source.snapshot_at, changed_at, str(source.today), rows, models_version()
            )
            publish(directory, report.published)
        except BaseException:
            build.unlink(missing_ok=True)
            raise
        finally:
            source.close()
    report.seconds = time.perf_counter() - started
    step(1.0, report.summary())
    return report


def _run(duck: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> None:
    """Execute a statement whose result nobody reads (DuckDB 2.0 wants every result finished)."""
    duck.execute(sql, params or []).complete()


def _scalar(duck: duckdb.DuckDBPyConnection, sql: str) -> Any:
    # fetchall, not fetchone: DuckDB 2.0 keeps a half-read result open and blocks the connection
    return duck.execute(sql).fetchall()[0][0]


def _columns(duck: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]] | None:
    """The table's columns and their types; None when there is no such table."""
    try:
        return [(str(r[0]), str(r[1])) for r in duck.execute(f"DESCRIBE {table}").fetchall()]
    except duckdb.CatalogException:
        return None


def _count(duck: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(_scalar(duck, f"SELECT count(*) FROM {table}"))


def _load_full(duck: duckdb.DuckDBPyConnection, source: Source, report: LoadReport, step: Progress) -> None:
    total = len(sources.ALL)
    for i, src in enumerate(sources.ALL):
        step(0.6 * i / total, f"Чтение: {src.name}")
        table = source.read(src.select)
        duck.register("arrow_in", table)
        _run(duck, f"CREATE OR REPLACE TABLE raw_{src.name} AS SELECT * FROM arrow_in")
        duck.unregister("arrow_in")
        report.rows_read[src.name] = table.num_rows
        report.changed_rows += table.num_rows


def _load_incremental(
    duck: duckdb.DuckDBPyConnection, source: Source, previous: Published, report: LoadReport, step: Progress
) -> None:
    since = (previous.loaded_at - LOOKBACK).isoformat()
    total = len(sources.ALL)
    for i, src in enumerate(sources.ALL):
        step(0.6 * i / total, f"Чтение изменений: {src.name}")
        raw = f"raw_{src.name}"
        if src.changed_at is None:
            table = source.read(src.select)
            duck.register("arrow_in", table)
            if _columns(duck, "arrow_in") == _columns(duck, raw):
                changed = _differs(duck, "arrow_in", raw)
            else:  # a source new or reshaped since the last load (the app was upgraded): replace it
                changed = max(table.num_rows, 1)
            if changed:
                _run(duck, f"CREATE OR REPLACE TABLE {raw} AS SELECT * FROM arrow_in")
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
            _run(duck, f"CREATE OR REPLACE TEMP VIEW scope_old AS {scope}")
            changed = _differs(duck, "arrow_in", "scope_old")
            if changed:
                _run(duck, "CREATE OR REPLACE TEMP TABLE scope_ids AS SELECT id FROM scope_old")
                _run(duck, f"DELETE FROM {raw} WHERE id IN (SELECT id FROM scope_ids)")
                _run(duck, f"INSERT INTO {raw} SELECT * FROM arrow_in")
            if src.name == "lesson":
                _run(duck, "CREATE OR REPLACE TEMP TABLE lesson_delta AS SELECT id FROM arrow_in")
        duck.unregister("arrow_in")
        report.rows_read[src.name] = table.num_rows
        report.changed_rows += changed
