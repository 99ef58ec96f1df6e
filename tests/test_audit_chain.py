"""The audit log is hash-chained: entries are sealed into the chain after commit (migration 0027),
any altered, deleted or inserted sealed entry is named by verify, and an entry left unsealed too
long fails it."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlmodel import Session

from app import audit, db
from app.audit_chain import GENESIS, seal, seal_all, verify_chain
from app.settings import get_settings


@pytest.fixture
def chain_db(new_database):
    """A database of its own: these tests tamper with the chain on purpose."""
    url = new_database("ejournal_audit")
    engine = db.make_engine(url)
    with Session(engine) as s:
        for i in range(5):
            audit.record(
                s, None, f"test.{i}", entity="lesson", entity_id=i, details={"n": i, "текст": "тема"}
            )
            s.commit()
        assert seal_all(session=s) == 5
    yield url, engine
    engine.dispose()


def tamper(url: str, sql: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("ALTER TABLE audit_event DISABLE TRIGGER USER")
        conn.execute(sql)
        conn.execute("ALTER TABLE audit_event ENABLE TRIGGER USER")


def verify(engine):
    with Session(engine) as s:
        return verify_chain(session=s)


def test_an_intact_chain_verifies(chain_db):
    _url, engine = chain_db
    report = verify(engine)
    assert report.ok and report.entries == 5 and report.head and len(report.head) == 64
    with Session(engine) as s:
        first = s.execute(
            text("SELECT prev_hash, chain_seq FROM audit_event ORDER BY chain_seq LIMIT 1")
        ).one()
    assert tuple(first) == (GENESIS, 1)


def test_an_altered_entry_is_named(chain_db):
    url, engine = chain_db
    tamper(url, "UPDATE audit_event SET message = 'подделано' WHERE chain_seq = 3")
    report = verify(engine)
    assert report.broken_at == 3 and "изменено" in report.reason


def test_altered_details_are_caught_too(chain_db):
    url, engine = chain_db
    tamper(url, "UPDATE audit_event SET details = '{\"n\": 99}' WHERE chain_seq = 2")
    assert verify(engine).broken_at == 2


def test_a_deleted_entry_is_named(chain_db):
    url, engine = chain_db
    tamper(url, "DELETE FROM audit_event WHERE chain_seq = 4")
    report = verify(engine)
    assert report.broken_at == 4 and "отсутствует" in report.reason


def test_an_inserted_entry_is_named(chain_db):
    url, engine = chain_db
    # make room in the middle of the chain (two steps: the sequence is unique)
    tamper(url, "UPDATE audit_event SET chain_seq = -chain_seq WHERE chain_seq >= 3")
    tamper(url, "UPDATE audit_event SET chain_seq = 1 - chain_seq WHERE chain_seq < 0")
    tamper(
        url,
        "INSERT INTO audit_event (action, entity, outcome, message, details, chain_seq, prev_hash, hash) "
        "VALUES ('forged', '', 'accepted', '', '{}', 3, 'x', 'y')",
    )
    assert verify(engine).broken_at == 3


def test_the_chain_refuses_rewrites_without_tampering_rights(chain_db):
    url, _engine = chain_db
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("UPDATE audit_event SET message = 'x'")


def test_writers_do_not_wait_for_each_other(chain_db):
    """Before 0027 the second writer queued on the chain's lock until the first committed."""
    _url, engine = chain_db
    with Session(engine) as first, Session(engine) as second:
        audit.record(first, None, "test.first")
        first.flush()  # inserted, not committed: the old trigger held the chain's lock from here
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        audit.record(second, None, "test.second")
        second.commit()
        first.commit()
    with Session(engine) as s:
        assert seal(session=s) == 2
        order = s.execute(
            text("SELECT action FROM audit_event WHERE chain_seq > 5 ORDER BY chain_seq")
        ).scalars()
        assert list(order) == ["test.first", "test.second"]  # by id: the order they were written
    assert verify(engine).entries == 7


def test_an_unsealed_entry_waits_then_fails_verify_when_left_too_long(chain_db):
    url, engine = chain_db
    with Session(engine) as s:
        audit.record(s, None, "test.late")
        s.commit()
    report = verify(engine)
    assert report.ok and report.unsealed == 1 and "ждут включения в цепочку: 1" in report.summary()
    limit = get_settings().audit_seal_seconds
    tamper(
        url,
        f"UPDATE audit_event SET occurred_at = now() - interval '{limit + 1} seconds' WHERE chain_seq IS NULL",
    )
    stale = verify(engine)
    assert not stale.ok and stale.broken_at is None and stale.stale_id is not None
    assert "не включена в цепочку" in stale.summary()
    with Session(engine) as s:
        assert seal(session=s) == 1
    assert verify(engine).ok


def test_a_seal_is_the_one_change_an_entry_takes(chain_db):
    url, engine = chain_db
    with Session(engine) as s:
        audit.record(s, None, "test.unsealed")
        s.commit()
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.RaiseException):
        # the owner, triggers on: an unsealed entry's content is as fixed as a sealed one's
        conn.execute(
            "UPDATE audit_event SET message = 'x', chain_seq = 99, hash = 'h' WHERE chain_seq IS NULL"
        )
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("UPDATE audit_event SET chain_seq = chain_seq + 100 WHERE chain_seq = 5")
