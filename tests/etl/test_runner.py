"""The warehouse's model runner: the data tests catch what they promise to, and every mart names
its grain (what an incremental load matches rows by)."""

from __future__ import annotations

import duckdb

from etl.runner import data_tests, grain, models

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


def test_every_kind_of_check_counts_its_failing_rows(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "checks.toml").write_text(SPEC, encoding="utf-8")
    conn = duckdb.connect()
    conn.execute("CREATE TABLE p AS SELECT * FROM (VALUES (1), (2)) v(id)")
    conn.execute(
        "CREATE TABLE m AS SELECT * FROM (VALUES (1, 'x', 'a', 1, 5), (1, NULL, 'c', 3, -1), "
        "(2, 'y', NULL, NULL, NULL), (3, 'z', 'b', 2, 0)) v(id, name, kind, parent_id, amount)"
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
