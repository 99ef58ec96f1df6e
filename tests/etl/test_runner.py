"""The warehouse's model runner: the data tests catch what they promise to, and every mart names
its grain (what an incremental load matches rows by)."""

from __future__ import annotations

import duckdb
import pytest

from etl.runner import data_tests, data_tests_of, grain, in_parallel, model_jobs, models, reads

SPEC = """
[models.m]
unique = [["id"]]
not_null = ["name"]
accepted_values = { kind = ["a", "b"] }
relationships = { parent_id = "p.id" }
expect = ["amount >= 0"]

[models.p]
unique = [["id"]]
"""


def _checked(tmp_path, p_rows: str, m_rows: str) -> duckdb.DuckDBPyConnection:
    """SPEC's checks under tmp_path, and a warehouse of p and m with these rows."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "checks.toml").write_text(SPEC, encoding="utf-8")
    conn = duckdb.connect()
    conn.execute(f"CREATE TABLE p AS SELECT * FROM (VALUES {p_rows}) v(id)")
    conn.execute(f"CREATE TABLE m AS SELECT * FROM (VALUES {m_rows}) v(id, name, kind, parent_id, amount)")
    return conn


def test_every_kind_of_check_counts_its_failing_rows(tmp_path):
    conn = _checked(
        tmp_path,
        "(1), (2)",
        "(1, 'x', 'a', 1, 5), (1, NULL, 'c', 3, -1), (2, 'y', NULL, NULL, NULL), (3, 'z', 'b', 2, 0)",
    )
    run, failures = data_tests(conn, tmp_path)
    assert run == 6
    # one of each: the duplicated id, the NULL name, kind «c», parent 3, amount −1 (a NULL amount
    # is no failure of "amount >= 0", as in SQL's WHERE)
    assert {(f.model, f.test, f.failing_rows) for f in failures} == {
        ("m", "unique(id)", 1),
        ("m", "not_null(name)", 1),
        ("m", "accepted_values(kind)", 1),
        ("m", "relationships(parent_id -> p.id)", 1),
        ("m", "expect(amount >= 0)", 1),
    }
    conn.execute("DELETE FROM m WHERE name IS NULL")
    assert data_tests(conn, tmp_path) == (6, [])


def test_every_mart_names_its_grain():
    marts = [m.name for m in models() if m.materialized == "table"]
    assert marts and all(grain(mart) for mart in marts)
    assert grain("mart_attendance_daily") == ["student_id", "subject_id", "lesson_date"]
    assert grain("no_such_model") is None


def test_the_checks_as_jobs_on_several_cursors_find_what_they_find_alone(tmp_path):
    conn = _checked(tmp_path, "(1), (1)", "(1, NULL, 'c', 9, -1)")
    alone = data_tests(conn, tmp_path)
    tests = data_tests_of(tmp_path)
    # each waits for the models it reads: m's relationship to p waits for p too
    assert sorted(sorted(waits) for _, waits, _ in tests.jobs()) == [["m"], ["m", "p"], ["p"]]
    built = [("m", set[str](), "SELECT 1"), ("p", set[str](), "SELECT 1")]
    results = in_parallel([conn.cursor(), conn.cursor()], built + tests.jobs())
    assert (tests.count, tests.failures(results)) == alone
    assert len(alone[1]) == 5  # every check of m but unique, and p's unique


def _model_files(root, sql_by_name: dict[str, str]) -> None:
    for layer in ("macros", "staging", "marts"):
        (root / layer).mkdir(parents=True, exist_ok=True)
    for name, sql in sql_by_name.items():
        (root / "marts" / f"{name}.sql").write_text(sql, encoding="utf-8")


def test_a_model_is_built_after_the_models_it_reads_and_never_waits_for_a_later_one(tmp_path):
    _model_files(
        tmp_path,
        {
            "05_lonely": "SELECT 1 AS college_id",  # first in the build order, read by nothing
            "10_base": "SELECT range AS college_id FROM range(3)",
            "20_other": "SELECT 7 AS college_id",
            # names the later model «last» in a comment: a later model cannot be what it reads
            "30_sum": "-- read by last\nSELECT (SELECT sum(college_id) FROM base) + (SELECT max(college_id) FROM other) AS college_id",
            "40_last": "SELECT college_id FROM sum UNION ALL SELECT college_id FROM base",
        },
    )
    assert reads(tmp_path) == {
        "lonely": set(),
        "base": set(),
        "other": set(),
        "sum": {"base", "other"},
        "last": {"sum", "base"},
    }
    conn = duckdb.connect()
    cursors = [conn.cursor(), conn.cursor()]
    jobs = model_jobs(tmp_path)
    # the models more others wait for first, the build order among equals
    assert [name for name, _, _ in jobs] == ["base", "other", "sum", "lonely", "last"]
    assert in_parallel(cursors, jobs).keys() == {"lonely", "base", "other", "sum", "last"}
    assert sorted(conn.execute("SELECT college_id FROM last").fetchall()) == [(0,), (1,), (2,), (10,)]


def test_jobs_that_wait_for_what_never_runs_or_fail_stop_the_run():
    conn = duckdb.connect()
    cursors = [conn.cursor(), conn.cursor()]
    with pytest.raises(ValueError, match="never run"):
        in_parallel(cursors, [("a", {"b"}, "SELECT 1")])
    with pytest.raises(duckdb.CatalogException):
        in_parallel(cursors, [("a", set(), "SELECT * FROM missing"), ("b", {"a"}, "SELECT 1")])
    assert in_parallel(cursors, [("a", set(), "SELECT 1, 2"), ("b", {"a"}, "SELECT 3")]) == {
        "a": [1, 2],
        "b": [3],
    }
