from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import Settings


def test_defaults(monkeypatch):
    for name in (
        "EJOURNAL_DATABASE_URL",
        "EJOURNAL_DATA_DIR",
        "EJOURNAL_TIMEZONE",
        "EJOURNAL_CHECKING_DEADLINE_DAYS",
    ):
        monkeypatch.delenv(name, raising=False)
    s = Settings()
    assert s.database_url is None and s.data_dir == Path("./var")
    assert s.timezone == "Europe/Moscow" and s.checking_deadline_days == 7
    assert s.pgdata == Path("./var").resolve() / "pgdata"


def test_read_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EJOURNAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EJOURNAL_TIMEZONE", "Asia/Yekaterinburg")
    monkeypatch.setenv("EJOURNAL_CHECKING_DEADLINE_DAYS", "10")
    monkeypatch.setenv("EJOURNAL_DATABASE_URL", "postgresql://u:p@db:5432/j")
    s = Settings()
    assert s.data_dir == tmp_path and s.timezone == "Asia/Yekaterinburg" and s.checking_deadline_days == 10
    assert s.database_url == "postgresql://u:p@db:5432/j"


@pytest.mark.parametrize(
    "name, value, fragment",
    [
        ("EJOURNAL_TIMEZONE", "Moscow/Nowhere", "часовой пояс"),
        ("EJOURNAL_DATABASE_URL", "sqlite:///x.db", "PostgreSQL"),
        ("EJOURNAL_CHECKING_DEADLINE_DAYS", "-1", "greater than or equal"),
    ],
)
def test_invalid_settings_are_refused_at_start(monkeypatch, name, value, fragment):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=fragment):
        Settings()


def test_the_public_address_is_a_web_address(monkeypatch):
    monkeypatch.setenv("EJOURNAL_PUBLIC_URL", " https://journal.rtt.ru/ ")
    assert Settings().public_url == "https://journal.rtt.ru"
    for bad in ("journal.rtt.ru", "ftp://journal.rtt.ru", "https://journal rtt.ru"):
        monkeypatch.setenv("EJOURNAL_PUBLIC_URL", bad)
        with pytest.raises(ValidationError, match="http:// или https://"):
            Settings()
