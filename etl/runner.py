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


def run_models_scoped(
    conn: duckdb.DuckDBPyConnection, database: str, scoped_raw: dict[str, str], root: Path = WAREHOUSE
) -> list[str]:
    """Build every model again for some colleges only, as temporary tables that shadow the
    warehouse's own (DuckDB resolves a name in `temp` first): each raw table of `scoped_raw` as
    its rows that `scoped_raw[table]` keeps, the staging models over those, then the marts. The
    same SQL as a full build, over fewer rows (the staging models are tables here, not views: a
    few rows, read by every mart and data test), unsorted: the caller swaps in only the rows that
    differ (etl.load). Returns the marts built."""
    for table, keep in scoped_raw.items():
        conn.execute(
            f"CREATE OR REPLACE TEMP TABLE {quote(table)} AS "
            f"SELECT * FROM {quote(database)}.main.{quote(table)} WHERE {keep}"
        ).complete()
    marts = []
    for model in models(root):
        conn.execute(
            f"CREATE OR REPLACE TEMP TABLE {quote(model.name)} AS {_body(model, ordered=False)}"
        ).complete()
        if model.materialized == "table":
            marts.append(model.name)
    return marts


def drop_scoped(conn: duckdb.DuckDBPyConnection, scoped_raw: dict[str, str], root: Path = WAREHOUSE) -> None:
    for name in [*(m.name for m in reversed(models(root))), *scoped_raw]:
        conn.execute(f"DROP TABLE IF EXISTS temp.main.{quote(name)}").complete()


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


def data_tests(conn: duckdb.DuckDBPyConnection, root: Path = WAREHOUSE) -> tuple[int, list[Failure]]:
    """Run warehouse/tests/*.toml against the built warehouse (or, after run_models_scoped, against
    the colleges it rebuilt: the names resolve to its temporary objects); returns (tests run,
    failures). A model's row checks (not null, accepted values, expectations) are counted in one
    scan of it, its other checks in one more query."""
    failures: list[Failure] = []
    count = 0
    for model, checks in _specs(root).items():
        named = _checks(model, checks)
        rows = [(name, sql) for name, kind, sql in named if kind == "row"]
        queries = [(name, sql) for name, kind, sql in named if kind == "query"]
        for batch, select in (
            (rows, ", ".join(f"count(*) FILTER (WHERE {sql})" for _, sql in rows) + f" FROM {quote(model)}"),
            (queries, ", ".join(f"({sql})" for _, sql in queries)),
        ):
            if not batch:
                continue
            counts = conn.execute("SELECT " + select).fetchall()[0]
            count += len(batch)
            failures.extend(
                Failure(model, name, int(bad)) for (name, _), bad in zip(batch, counts, strict=True) if bad
            )
    return count, failures
