"""The app's connection pool (app.db.make_engine): a few transactions of a process at once, the
rest served in the order they asked, a disposed engine usable again, and a server that refuses
saying so at once."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from psycopg_pool import PoolTimeout
from sqlalchemy import text

from app import db
from app.settings import get_settings


@pytest.fixture
def pool_of_two(monkeypatch, database_url):
    monkeypatch.setenv("EJOURNAL_DB_POOL_SIZE", "2")
    get_settings.cache_clear()
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_request_finding_every_connection_busy_waits_its_turn_in_order(pool_of_two):
    engine = pool_of_two
    held = [engine.connect(), engine.connect()]
    for conn in held:
        conn.execute(text("SELECT 1"))
    served: list[str] = []

    def ask(name: str) -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            served.append(name)
            time.sleep(0.05)  # while it works, the one behind it still waits

    first = threading.Thread(target=ask, args=("first",))
    first.start()
    time.sleep(0.5)  # the second asks after the first (a generous gap: a busy machine is slow to start it)
    second = threading.Thread(target=ask, args=("second",))
    second.start()
    time.sleep(0.2)
    assert served == []  # both wait: two connections are the most this process holds
    held[0].close()
    first.join(timeout=10)
    second.join(timeout=10)
    assert served == ["first", "second"]
    held[1].close()


def test_a_disposed_engine_serves_again_and_a_connection_keeps_one_notice_handler(pool_of_two):
    engine = pool_of_two
    pids = set()
    for _ in range(6):
        with engine.connect() as conn:
            pids.add(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
            # lent again and again, a connection carries SQLAlchemy's notice logger once
            raw = conn.connection.dbapi_connection
            assert raw is not None and len(raw._notice_handlers) == 1
    assert len(pids) <= 2  # the pool's connections, lent again
    engine.dispose()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() not in pids


def test_a_server_that_refuses_says_why_at_once(database_url):
    info = psycopg.conninfo.conninfo_to_dict(database_url)
    info["passfile"] = "/nonexistent"
    engine = db.make_engine(psycopg.conninfo.make_conninfo("", **info))
    try:
        with pytest.raises(Exception) as refused:
            engine.connect()
        assert not isinstance(refused.value.__cause__ or refused.value, PoolTimeout)
        assert "password" in str(refused.value)
    finally:
        engine.dispose()
