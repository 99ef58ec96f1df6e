"""A real PostgreSQL for the suite: the embedded server (or EJOURNAL_DATABASE_URL), one database per worker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

if TYPE_CHECKING:
    from tests.factories import World

ROOT = Path(__file__).resolve().parent.parent


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


# One id per pytest run (shared by its xdist workers), so concurrent runs on one server never
# drop each other's databases.
_RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"{os.getpid():x}")[:8]


def unique_db_name(prefix: str) -> str:
    """A database name private to this test run and worker."""
    return f"{prefix}_{_RUN_ID}_{_worker()}".lower()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A freshly migrated database for this test worker, exported as EJOURNAL_DATABASE_URL."""
    from app import db
    from app.migrate import upgrade
    from app.settings import Settings, get_settings

    external = os.environ.get("EJOURNAL_TEST_SERVER_URL") or os.environ.get("EJOURNAL_DATABASE_URL")
    if external:
        server_url = db.with_database(external, "postgres")
    else:
        server_url = db.start_embedded(Settings(data_dir=ROOT / "var" / "test").pgdata, keep_running=False)
    os.environ["EJOURNAL_TEST_SERVER_URL"] = server_url
    name = unique_db_name("ejournal_test")
    db.drop_database(server_url, name)
    db.ensure_database(server_url, name)
    url = db.with_database(server_url, name)
    upgrade(url)
    os.environ["EJOURNAL_DATABASE_URL"] = url
    get_settings.cache_clear()
    db.reset_engine()
    yield url
    db.reset_engine()
    db.drop_database(server_url, name)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Engine:
    """The owner's engine: factories write history (past lessons, marks) that the app role may not.
    The app itself (pages, AppTest, the browser) connects as the app role via app.db.get_engine."""
    from app.db import get_owner_engine

    return get_owner_engine()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


@pytest.fixture
def world(engine: Engine) -> World:
    """A fresh college with a group, students, teachers and a subject (see tests/factories.py)."""
    from tests.factories import make_world

    return make_world(engine)
