"""Where the warehouse lives, how a build is published, and how readers find the current one.

A build is written to a new DuckDB file; publishing replaces a small pointer file atomically
(`os.replace`). Readers open the file the pointer names, read-only, and reopen when it changes.
So a reader never sees a half-built warehouse, never waits on the writer's lock, and a load that
dies leaves the last good warehouse in place.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from etl.runner import models_version

POINTER = "current.json"


@dataclass(frozen=True)
class Published:
    file: str
    loaded_at: datetime  # when the data was read from PostgreSQL (the source snapshot)
    source_changed_at: datetime | None  # the newest change in the source that the data includes
    as_of_date: str
    rows: dict[str, int]
    models_version: str = ""  # etl.runner.models_version of the SQL that built it

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Published:
        changed = data.get("source_changed_at")
        return cls(
            file=data["file"],
            loaded_at=datetime.fromisoformat(data["loaded_at"]),
            source_changed_at=datetime.fromisoformat(changed) if changed else None,
            as_of_date=data["as_of_date"],
            rows=dict(data.get("rows", {})),
            models_version=data.get("models_version", ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "loaded_at": self.loaded_at.isoformat(),
            "source_changed_at": self.source_changed_at.isoformat() if self.source_changed_at else None,
            "as_of_date": self.as_of_date,
            "rows": self.rows,
            "models_version": self.models_version,
        }


def read_pointer(directory: Path) -> Published | None:
    try:
        return Published.from_json(json.loads((directory / POINTER).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None


def publish(directory: Path, published: Published, *, keep: set[str] | frozenset[str] = frozenset()) -> None:
    """Atomically make `published` the current warehouse, then drop the files other than it and
    `keep` (the next load's twin, etl.load)."""
    tmp = directory / f".{POINTER}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(published.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, directory / POINTER)
    for old in directory.glob("wh-*.duckdb"):
        if old.name != published.file and old.name not in keep:
            # Readers still holding an older file keep their open handle; unlinking is safe.
            old.unlink(missing_ok=True)
            Path(str(old) + ".wal").unlink(missing_ok=True)


def remove_stale_builds(directory: Path) -> None:
    """Leftovers of a load that was killed: never published, never read."""
    for stale in directory.glob("*.building"):
        stale.unlink(missing_ok=True)
    for stale in directory.glob(".*.tmp"):
        stale.unlink(missing_ok=True)


@contextmanager
def exclusive_lock(directory: Path) -> Iterator[bool]:
    """One load at a time; yields False when another load holds the lock."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".etl.lock", "w") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


# A page's query is executed and its few rows taken as Arrow. DuckDB 2.0 warns that a DB-API
# result is copied once more on the way to Arrow and asks for a relation (con.sql) instead; but a
# relation binds the query twice, 1.5 ms of a page query's 3–5 ms (bench/etl.py), far more than
# copying a page's rows.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)


class NoWarehouse(RuntimeError):
    """No load has been published yet."""


class WarehouseReader:
    """Thread-safe read access to the current warehouse for the app (one per process)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._file: str | None = None
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._following = False

    def follow(self, interval: float = 1.0) -> None:
        """Move to each newly published file within `interval` seconds, even with no query to
        prompt it: the file let go of is the one the next load updates (etl.load's twin), and a
        reader still holding it would make that load copy the whole warehouse instead."""
        if self._following:
            return
        self._following = True

        def loop() -> None:
            while self._following:
                time.sleep(interval)
                with self._lock:
                    idle = self._conn is None
                if idle:
                    continue
                with contextlib.suppress(NoWarehouse, duckdb.Error, OSError):  # the next query says it
                    self._current()

        threading.Thread(target=loop, name="warehouse-follow", daemon=True).start()

    def _current(self) -> tuple[duckdb.DuckDBPyConnection, Published]:
        published = read_pointer(self.directory)
        if published is None:
            raise NoWarehouse("Хранилище аналитики ещё не построено: выполните «ejournal etl run».")
        if published.models_version != models_version():
            raise NoWarehouse(
                "Хранилище аналитики построено прежней версией программы: оно обновится при следующей загрузке "
                "(её делает «ejournal serve», или выполните «ejournal etl run»)."
            )
        with self._lock:
            if self._conn is None or self._file != published.file:
                old = self._conn
                # One thread to a query: a page's queries read one college's rows, too few to
                # share out, and waking DuckDB's other threads cost more than it saved (bench/etl.py's
                # page queries: median 5.3 → 4.2 ms, slowest 8.6–9.2 → 7.3–8.4 ms); the app's
                # users' queries run side by side on their own threads.
                self._conn = duckdb.connect(
                    str(self.directory / published.file), read_only=True, config={"threads": 1}
                )
                self._file = published.file
                if old is not None:
                    old.close()
            return self._conn, published

    def published(self) -> Published:
        return self._current()[1]

    def query(self, sql: str, params: dict[str, Any] | list[Any] | None = None) -> pl.DataFrame:
        conn, _ = self._current()
        cursor = conn.cursor()  # a cursor per call: DuckDB connections are not shared across threads
        try:
            frame = pl.from_arrow(cursor.execute(sql, params or []).to_arrow_table())
            assert isinstance(frame, pl.DataFrame)
            return frame
        finally:
            cursor.close()

    def close(self) -> None:
        self._following = False
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self._file = None
