"""Runs the warehouse's SQL models in order and checks the built warehouse (dbt-style, in miniature).

A model is a `.sql` file holding one SELECT (a chain of named CTEs ending in `final`). Staging
models become views (they only rename and type); marts become tables. Files run in path order:
`warehouse/macros/*.sql` (the shared formulas), `warehouse/staging/*.sql`, then `warehouse/marts/*.sql`; a `NN_` prefix orders marts that build on
each other and is not part of the model's name.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from app.paths import WAREHOUSE

_NAME = re.compile(r"^(?:\d+_)?([a-z][a-z0-9_]*)$")


@dataclass(frozen=True)
class Model:
    name: str
    path: Path
    materialized: str  # "view" or "table"


def models(root: Path = WAREHOUSE) -> list[Model]:
    found: list[Model] = []
    for layer, kind in (("staging", "view"), ("marts", "table")):
        for path in sorted((root / layer).glob("*.sql")):
            match = _NAME.match(path.stem)
            if not match:
                raise ValueError(f"bad model file name: {path}")
            found.append(Model(match.group(1), path, kind))
    if not found:  # a package built without its SQL would otherwise "load" an empty warehouse
        raise FileNotFoundError(f"no warehouse models under {root}")
    return found


@functools.cache
def models_version(root: Path = WAREHOUSE) -> str:
    """A digest of the warehouse's SQL (macros and models): a warehouse built from other SQL (an
    older version of the app) is not read, since its marts and formulas may differ."""
    digest = hashlib.sha256()
    for layer in ("macros", "staging", "marts"):
        for path in sorted((root / layer).glob("*.sql")):
            digest.update(f"{layer}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def run_macros(conn: duckdb.DuckDBPyConnection, root: Path = WAREHOUSE) -> list[str]:
    """`warehouse/macros/*.sql`: the formulas the models and the app share (the metrics)."""
    ran = []
    for path in sorted((root / "macros").glob("*.sql")):
        conn.execute(path.read_text(encoding="utf-8")).complete()
        ran.append(path.stem)
    return ran


def _body(model: Model, *, ordered: bool = True) -> str:
    body = model.path.read_text(encoding="utf-8").strip().rstrip(";")
    if model.materialized == "table" and ordered:
        # Stored college by college: a page reads only its college's row groups, and an
        # incremental load's swap of one college's rows rewrites only those (etl.load).
        return f"SELECT * FROM ({body}) ORDER BY college_id"
    return body


def run_models(conn: duckdb.DuckDBPyConnection, root: Path = WAREHOUSE) -> list[str]:
    run_macros(conn, root)
    built = []
    for model in models(root):
        conn.execute(
            f"CREATE OR REPLACE {model.materialized.upper()} {quote(model.name)} AS {_body(model)}"
        ).complete()
        built.append(model.name)
    return built


def reads(root: Path = WAREHOUSE) -> dict[str, set[str]]:
    """Each model's models it reads: the names of models before it in the build order found in its
    SQL (a name only mentioned in a comment costs some parallelism, never the order)."""
    found: dict[str, set[str]] = {}
    before: set[str] = set()
    for model in models(root):
        words = set(re.findall(r"[a-z_][a-z0-9_]*", model.path.read_text(encoding="utf-8").lower()))
        found[model.name] = words & before
        before.add(model.name)
    return found


def run_models_parallel(cursors: list[duckdb.DuckDBPyConnection], root: Path = WAREHOUSE) -> list[str]:
    """Build every model as a table in the cursors' current database (the same SQL as a full
    build, unsorted), as many at once as there are cursors, each as soon as the models it reads
    are built: one college's models are too small for DuckDB to spread one over the cores, so two
    of them side by side nearly halve the build. Returns the marts built."""
    run_macros(cursors[0], root)
    needs = reads(root)
    ordered = models(root)
    # The models more others wait for first (the chain under mart_progress_student is the longest)
    waiting = {m.name: 0 for m in ordered}
    for m in reversed(ordered):
        for need in _all_needs(m.name, needs):
            waiting[need] += 1
    first = sorted(ordered, key=lambda m: -waiting[m.name])  # stable: the build order among equals
    jobs = [
        (m.name, needs[m.name], f"CREATE OR REPLACE TABLE {quote(m.name)} AS {_body(m, ordered=False)}")
        for m in first
    ]
    in_parallel(cursors, jobs)
    return [m.name for m in ordered if m.materialized == "table"]


def _all_needs(name: str, needs: dict[str, set[str]]) -> set[str]:
    found: set[str] = set()
    todo = list(needs[name])
    while todo:
        need = todo.pop()
        if need not in found:
            found.add(need)
            todo.extend(needs[need])
    return found


def in_parallel(
    cursors: list[duckdb.DuckDBPyConnection], jobs: list[tuple[str, set[str], str]]
) -> dict[str, list[object]]:
    """Run each job's SQL (name, the names it waits for, SQL) on a free cursor, in the jobs' order
    as far as what they wait for allows; returns each job's one result row. DuckDB lets go of
    Python while it works, so the cursors' queries run side by side."""
    from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

    def execute(cursor: duckdb.DuckDBPyConnection, sql: str) -> list[object]:
        rows = cursor.execute(sql).fetchall()
        return list(rows[0]) if rows else []

    results: dict[str, list[object]] = {}
    pending = list(jobs)
    free = list(cursors)
    running: dict[Future[list[object]], tuple[str, duckdb.DuckDBPyConnection]] = {}
    with ThreadPoolExecutor(len(cursors)) as pool:
        while pending or running:
            for job in list(pending):
                if not free:
                    break
                name, waits, sql = job
                if waits <= results.keys():
                    pending.remove(job)
                    cursor = free.pop()
                    running[pool.submit(execute, cursor, sql)] = (name, cursor)
            if not running:
                raise ValueError(f"jobs wait for what is never run: {[j[0] for j in pending]}")
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                name, cursor = running.pop(future)
                results[name] = future.result()  # a failed job stops the others being started
                free.append(cursor)
    return results


@dataclass(frozen=True)
class Failure:
    model: str
    test: str
    failing_rows: int


def _checks(model: str, spec: dict[str, object]) -> list[tuple[str, str, str]]:
    """The model's checks as (name, kind, SQL): kind "row" is a condition a failing row meets (the
    model's row checks share one scan), kind "query" a query counting the failures."""
    table = quote(model)
    out: list[tuple[str, str, str]] = []
    for cols in spec.get("unique", []):  # type: ignore[attr-defined]
        key = ", ".join(quote(c) for c in cols)
        out.append(
            (
                f"unique({', '.join(cols)})",
                "query",
                f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY ALL HAVING count(*) > 1)",
            )
        )
    for col in spec.get("not_null", []):  # type: ignore[attr-defined]
        out.append((f"not_null({col})", "row", f"{quote(col)} IS NULL"))
    accepted: dict[str, list[object]] = spec.get("accepted_values", {})  # type: ignore[assignment]
    for col, values in accepted.items():
        listed = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
        out.append(
            (f"accepted_values({col})", "row", f"{quote(col)} IS NOT NULL AND {quote(col)} NOT IN ({listed})")
        )
    related: dict[str, str] = spec.get("relationships", {})  # type: ignore[assignment]
    for col, target in related.items():
        other, other_col = target.split(".")
        out.append(
            (
                f"relationships({col} -> {target})",
                "query",
                f"SELECT count(*) FROM {table} t WHERE t.{quote(col)} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {quote(other)} o WHERE o.{quote(other_col)} = t.{quote(col)})",
            )
        )
    for expr in spec.get("expect", []):  # type: ignore[attr-defined]
        out.append((f"expect({expr})", "row", f"NOT ({expr})"))
    return out


@functools.cache
def _specs(root: Path = WAREHOUSE) -> dict[str, dict[str, object]]:
    """warehouse/tests/*.toml: each model's checks."""
    specs: dict[str, dict[str, object]] = {}
    for path in sorted((root / "tests").glob("*.toml")):
        specs.update(tomllib.loads(path.read_text(encoding="utf-8")).get("models", {}))
    return specs


def grain(model: str, root: Path = WAREHOUSE) -> list[str] | None:
    """The columns naming one row of `model`: its first `unique` check (the grain its file states),
    or None when it has none."""
    unique: list[list[str]] = _specs(root).get(model, {}).get("unique", [])  # type: ignore[assignment]
    return list(unique[0]) if unique else None


def data_tests(
    conn: duckdb.DuckDBPyConnection,
    root: Path = WAREHOUSE,
    *,
    cursors: list[duckdb.DuckDBPyConnection] | None = None,
) -> tuple[int, list[Failure]]:
    """Run warehouse/tests/*.toml against the built warehouse (or the colleges an incremental load
    rebuilt, in its scratch database: etl.load); returns (tests run, failures). A model's row checks (not null, accepted values, expectations) are counted in one
    scan of it, its other checks in one more query; given `cursors` (on the same database as
    `conn`), those queries run side by side."""
    batches: list[tuple[str, list[tuple[str, str]], str]] = []
    for model, checks in _specs(root).items():
        named = _checks(model, checks)
        rows = [(name, sql) for name, kind, sql in named if kind == "row"]
        queries = [(name, sql) for name, kind, sql in named if kind == "query"]
        if rows:
            select = ", ".join(f"count(*) FILTER (WHERE {sql})" for _, sql in rows) + f" FROM {quote(model)}"
            batches.append((model, rows, "SELECT " + select))
        if queries:
            batches.append((model, queries, "SELECT " + ", ".join(f"({sql})" for _, sql in queries)))
    jobs = [(f"{i}", set[str](), sql) for i, (_, _, sql) in enumerate(batches)]
    counts = in_parallel(cursors or [conn], jobs)
    failures: list[Failure] = []
    for i, (model, batch, _) in enumerate(batches):
        failures.extend(
            Failure(model, name, int(bad))  # type: ignore[call-overload]
            for (name, _), bad in zip(batch, counts[f"{i}"], strict=True)
            if bad
        )
    return sum(len(batch) for _, batch, _ in batches), failures
