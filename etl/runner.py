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


Job = tuple[str, set[str], str]  # a name, the names of the jobs it waits for, its SQL (in_parallel)


def model_jobs(root: Path = WAREHOUSE) -> list[Job]:
    """Building every model as a table (the same SQL as a full build, unsorted), each waiting for
    the models it reads; those more others wait for first (the chain under mart_progress_student
    is the longest). run_macros comes before them."""
    needs = reads(root)
    ordered = models(root)
    waiting = {m.name: 0 for m in ordered}
    for m in ordered:
        for need in _all_needs(m.name, needs):
            waiting[need] += 1
    first = sorted(ordered, key=lambda m: -waiting[m.name])  # stable: the build order among equals
    return [
        (m.name, needs[m.name], f"CREATE OR REPLACE TABLE {quote(m.name)} AS {_body(m, ordered=False)}")
        for m in first
    ]


def _all_needs(name: str, needs: dict[str, set[str]]) -> set[str]:
    found: set[str] = set()
    todo = list(needs[name])
    while todo:
        need = todo.pop()
        if need not in found:
            found.add(need)
            todo.extend(needs[need])
    return found


def in_parallel(cursors: list[duckdb.DuckDBPyConnection], jobs: list[Job]) -> dict[str, list[object]]:
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


@dataclass(frozen=True)
class DataTests:
    """warehouse/tests/*.toml as queries: a model's row checks (not null, accepted values,
    expectations) counted in one scan of it, its other checks in one more query. `jobs` run them
    (in_parallel), each waiting for the models it reads; `failures` reads their results."""

    batches: list[tuple[str, list[str], str, set[str]]]  # model, check names, SQL, models read

    @property
    def count(self) -> int:
        return sum(len(names) for _, names, _, _ in self.batches)

    def jobs(self) -> list[Job]:
        return [(f"test {i}", reads, sql) for i, (_, _, sql, reads) in enumerate(self.batches)]

    def failures(self, results: dict[str, list[object]]) -> list[Failure]:
        return [
            Failure(model, name, int(bad))  # type: ignore[call-overload]
            for i, (model, names, _, _) in enumerate(self.batches)
            for name, bad in zip(names, results[f"test {i}"], strict=True)
            if bad
        ]


def data_tests_of(root: Path = WAREHOUSE) -> DataTests:
    batches: list[tuple[str, list[str], str, set[str]]] = []
    for model, checks in _specs(root).items():
        named = _checks(model, checks)
        rows = [(name, sql) for name, kind, sql in named if kind == "row"]
        if rows:
            select = ", ".join(f"count(*) FILTER (WHERE {sql})" for _, sql in rows) + f" FROM {quote(model)}"
            batches.append((model, [name for name, _ in rows], "SELECT " + select, {model}))
        queries = [(name, sql) for name, kind, sql in named if kind == "query"]
        if queries:
            related: dict[str, str] = checks.get("relationships", {})  # type: ignore[assignment]
            others = {target.split(".")[0] for target in related.values()}
            batches.append(
                (
                    model,
                    [name for name, _ in queries],
                    "SELECT " + ", ".join(f"({sql})" for _, sql in queries),
                    {model} | others,
                )
            )
    return DataTests(batches)


def data_tests(conn: duckdb.DuckDBPyConnection, root: Path = WAREHOUSE) -> tuple[int, list[Failure]]:
    """Run warehouse/tests/*.toml against the built warehouse; returns (tests run, failures)."""
    tests = data_tests_of(root)
    results = in_parallel([conn], [(name, set(), sql) for name, _, sql in tests.jobs()])  # all built
    return tests.count, tests.failures(results)
