"""Small helpers for the ETL's DuckDB statements (DuckDB 2.0 wants every result finished)."""

from __future__ import annotations

from typing import Any

import duckdb


def run(duck: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> None:
    """Execute a statement whose result nobody reads (DuckDB 2.0 wants every result finished)."""
    duck.execute(sql, params or []).complete()


def scalar(duck: duckdb.DuckDBPyConnection, sql: str) -> Any:
    # fetchall, not fetchone: DuckDB 2.0 keeps a half-read result open and blocks the connection
    return duck.execute(sql).fetchall()[0][0]


def column(duck: duckdb.DuckDBPyConnection, sql: str) -> list[Any]:
    return [r[0] for r in duck.execute(sql).fetchall()]


def columns(duck: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]] | None:
    """The table's columns and their types; None when there is no such table. Asked of the catalog
    first: a DESCRIBE that fails would abort the load's open transaction."""
    if not duck.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = ?", [table]).fetchall()[0][
        0
    ]:
        return None
    return [(str(r[0]), str(r[1])) for r in duck.execute(f"DESCRIBE {table}").fetchall()]


def count(duck: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(scalar(duck, f"SELECT count(*) FROM {table}"))
