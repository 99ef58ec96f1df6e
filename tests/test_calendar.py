"""The academic calendar (app/calendar.py) and its SQL twin (warehouse/staging/stg_calendar.sql)."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
from hypothesis import given
from hypothesis import strategies as st

from app import calendar
from app.paths import WAREHOUSE


def test_the_halves_of_a_year():
    assert calendar.semester_bounds(date(2025, 11, 3)) == (date(2025, 9, 1), date(2026, 1, 31))
    assert calendar.semester_bounds(date(2026, 1, 20)) == (date(2025, 9, 1), date(2026, 1, 31))
    assert calendar.semester_bounds(date(2026, 3, 3)) == (date(2026, 2, 1), date(2026, 8, 31))
    assert calendar.semester_bounds(date(2026, 8, 31)) == (date(2026, 2, 1), date(2026, 8, 31))
    assert calendar.year_bounds(date(2026, 8, 31)) == (date(2025, 9, 1), date(2026, 8, 31))
    assert calendar.year_bounds(date(2026, 9, 1)) == (date(2026, 9, 1), date(2027, 8, 31))


def test_a_groups_programme_semesters():
    assert calendar.program_semester(2025, date(2025, 9, 1)) == 1
    assert calendar.program_semester(2025, date(2026, 1, 31)) == 1
    assert calendar.program_semester(2025, date(2026, 2, 1)) == 2
    assert calendar.program_semester(2024, date(2026, 12, 3)) == 5
    half = calendar.Half.of_group(2024, 5)
    assert (half.start, half.end) == (date(2026, 9, 1), date(2027, 1, 31))


def test_school_days_skip_sundays_and_public_holidays():
    assert not calendar.is_school_day(date(2026, 11, 4))  # День народного единства
    assert not calendar.is_school_day(date(2026, 12, 6))  # a Sunday
    assert calendar.is_school_day(date(2026, 12, 5))  # a Saturday: колледжи учатся по субботам


@given(st.dates(min_value=date(1991, 1, 1), max_value=date(2099, 12, 31)))
def test_every_day_lies_in_exactly_one_half_which_holds_it(day):
    half = calendar.Half.containing(day)
    assert half.start <= day <= half.end
    assert calendar.Half.containing(half.end + timedelta(days=1)) != half
    assert calendar.Half.of_group(half.year, half.group_semester(half.year)) == half


def test_the_warehouse_dates_the_halves_as_the_calendar_does():
    con = duckdb.connect()
    con.execute("CREATE VIEW stg_calendar AS " + (WAREHOUSE / "staging" / "stg_calendar.sql").read_text())
    rows = con.execute(
        "SELECT academic_year, half, starts_on, ends_on, year_starts_on, year_ends_on FROM stg_calendar"
    ).fetchall()
    assert len(rows) == 2 * (2100 - 1990 + 1)
    for year, half, starts, ends, year_starts, year_ends in rows:
        h = calendar.Half(year, half)
        assert (starts, ends) == (h.start, h.end)
        assert (year_starts, year_ends) == calendar.year_bounds(h.start)


def test_the_warehouse_knows_the_default_session_as_the_calendar_does():
    con = duckdb.connect()
    for name in ("stg_calendar",):
        con.execute(f"CREATE VIEW {name} AS " + (WAREHOUSE / "staging" / f"{name}.sql").read_text())
    con.execute("CREATE TABLE stg_college (college_id INTEGER)")
    con.execute("INSERT INTO stg_college VALUES (1)")
    con.execute(
        "CREATE TABLE raw_calendar_period (id INTEGER, college_id INTEGER, academic_year INTEGER, half SMALLINT, "
        "kind VARCHAR, starts_on DATE, ends_on DATE)"
    )
    con.execute(
        "CREATE TABLE raw_attestation_close (college_id INTEGER, academic_year INTEGER, half SMALLINT, closed_at TIMESTAMPTZ)"
    )
    con.execute(
        "CREATE VIEW stg_session_calendar AS "
        + (WAREHOUSE / "staging" / "stg_session_calendar.sql").read_text()
    )
    rows = con.execute(
        "SELECT academic_year, half, session_starts_on, session_ends_on FROM stg_session_calendar"
    ).fetchall()
    assert rows
    for year, half, starts, ends in rows:
        assert (starts, ends) == calendar.default_session(calendar.Half(year, half))


def test_numerator_and_denominator_weeks_alternate_from_the_week_of_1_september():
    assert calendar.week_parity(date(2026, 9, 1)) == calendar.NUMERATOR  # a Tuesday
    assert calendar.week_parity(date(2026, 8, 31)) == calendar.NUMERATOR  # the Monday of that week
    assert calendar.week_parity(date(2026, 9, 7)) == calendar.DENOMINATOR
    assert calendar.week_parity(date(2026, 9, 14)) == calendar.NUMERATOR
    assert calendar.week_parity(date(2026, 12, 3)) == calendar.DENOMINATOR  # week 14 of the year


@given(st.dates(min_value=date(1991, 9, 1), max_value=date(2099, 6, 30)))
def test_a_week_has_one_parity_and_the_next_week_the_other(day):
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    if calendar.academic_year_start(days[0]) != calendar.academic_year_start(days[-1]):
        return  # the week of 1 September starts the count again
    assert len({calendar.week_parity(d) for d in days}) == 1
    following = monday + timedelta(days=7)
    if calendar.academic_year_start(following) == calendar.academic_year_start(monday):
        assert calendar.week_parity(following) != calendar.week_parity(monday)


def test_the_half_before():
    assert calendar.Half(2026, 1).previous() == calendar.Half(2025, 2)
    assert calendar.Half(2026, 2).previous() == calendar.Half(2026, 1)
