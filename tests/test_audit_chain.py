"""The audit log is hash-chained: any altered, deleted or inserted entry is named by verify."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlmodel import Session

from app import audit, db
from app.audit_chain import GENESIS, verify_chain


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
