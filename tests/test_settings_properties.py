"""Property tests of the settings' validators and of the command line's date options."""

from __future__ import annotations

import contextlib
import io
import os
from datetime import date
from pathlib import Path
from unittest import mock
from zoneinfo import available_timezones

import pytest
import tzdata
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from app.cli import build_parser
from app.settings import Settings

ZONES = sorted(available_timezones())
_TZ_ROOT = Path(tzdata.__file__).parent / "zoneinfo"
# Directories of the tz database: names that look like zones but are not ones.
ZONE_DIRS = sorted(str(p.relative_to(_TZ_ROOT)) for p in _TZ_ROOT.rglob("*") if p.is_dir())

timezone_names = st.one_of(
    st.sampled_from(ZONES),
    st.sampled_from(ZONE_DIRS),
    st.text(max_size=20),
    st.text(alphabet="Europe/Moscow._-", max_size=40),
    st.text(alphabet="a", min_size=250, max_size=400),  # longer than a file name may be
)


@given(timezone_names)
def test_a_timezone_is_a_zone_or_a_russian_refusal(name):
    try:
        settings = Settings(timezone=name)
    except ValidationError as exc:
        assert "часовой пояс" in str(exc) and name not in ZONES
        return
    assert settings.tz.key == name  # accepted means usable as the college's clock


@given(st.sampled_from(ZONES))
def test_every_zone_of_the_tz_database_is_accepted(name):
    assert Settings(timezone=name).timezone == name


PREFIXES = ("postgresql://", "postgresql+psycopg://", "postgres://")


@given(
    st.one_of(
        st.text(max_size=30),
        st.builds(lambda p, rest: p + rest, st.sampled_from(PREFIXES), st.text(max_size=30)),
        st.sampled_from(["sqlite:///x.db", "mysql://u@h/db", " postgresql://h/db", "POSTGRESQL://h/db"]),
    ),
    st.sampled_from(["database_url", "app_database_url", "etl_database_url"]),
)
def test_only_postgres_urls_are_accepted_verbatim(value, field):
    try:
        settings = Settings(**{field: value})
    except ValidationError as exc:
        assert "PostgreSQL" in str(exc) and value and not value.startswith(PREFIXES)
        return
    assert getattr(settings, field) == (value or None)
    assert value == "" or value.startswith(PREFIXES)


# The documented bounds (README «Settings»): a value outside them stops the program at start.
BOUNDS = {
    "EJOURNAL_CHECKING_DEADLINE_DAYS": (0, 60),
    "EJOURNAL_MIN_MARKS_PER_MONTH": (0, 30),
    "EJOURNAL_LOGIN_MAX_FAILURES": (3, 100),
    "EJOURNAL_LOGIN_FAILURE_WINDOW_MINUTES": (1, None),
    "EJOURNAL_LOCKOUT_MINUTES": (1, None),
    "EJOURNAL_INITIAL_PASSWORD_DAYS": (1, 90),
    "EJOURNAL_SESSION_IDLE_MINUTES": (1, None),
    "EJOURNAL_SESSION_ABSOLUTE_HOURS": (1, None),
    "EJOURNAL_ETL_INTERVAL_SECONDS": (5, 3600),
    "EJOURNAL_DB_POOL_SIZE": (1, 200),
}


@given(st.sampled_from(sorted(BOUNDS)), st.integers(-10, 5000))
def test_integer_settings_from_the_environment_honour_their_bounds(name, value):
    low, high = BOUNDS[name]
    inside = value >= low and (high is None or value <= high)
    with mock.patch.dict(os.environ, {name: str(value)}):
        if inside:
            assert getattr(Settings(), name.removeprefix("EJOURNAL_").lower()) == value
        else:
            with pytest.raises(ValidationError):
                Settings()


@given(st.floats(-2, 2, allow_nan=False))
def test_systematic_absence_share_is_a_share(share):
    with mock.patch.dict(os.environ, {"EJOURNAL_SYSTEMATIC_ABSENCE_SHARE": repr(share)}):
        if 0 < share < 1:
            assert Settings().systematic_absence_share == share
        else:
            with pytest.raises(ValidationError):
                Settings()


def _parse(argv: list[str]):
    with contextlib.redirect_stderr(io.StringIO()):
        return build_parser().parse_args(argv)


DATE_OPTIONS = [["demo", "seed", "--today"], ["lessons", "materialize", "--date"]]


@given(st.integers(1900, 2100), st.integers(0, 13), st.integers(0, 32), st.sampled_from(DATE_OPTIONS))
def test_cli_dates_are_real_calendar_days(year, month, day, option):
    """ГГГГ-ММ-ДД is taken iff that day exists (no 30 February rolled over into March)."""
    try:
        expected: date | None = date(year, month, day)
    except ValueError:
        expected = None
    argv = [*option, f"{year:04d}-{month:02d}-{day:02d}"]
    if expected is None:
        with pytest.raises(SystemExit) as info:
            _parse(argv)
        assert info.value.code == 2
    else:
        args = _parse(argv)
        assert (args.today if option[0] == "demo" else args.date) == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(DATE_OPTIONS))
def test_cli_refuses_the_russian_day_first_form(day, option):
    """«02.12.2026» is refused rather than read as some other day."""
    with pytest.raises(SystemExit):
        _parse([*option, day.strftime("%d.%m.%Y")])
