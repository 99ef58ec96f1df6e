"""Migration 0010 on a database of its own: today's КТП becomes an approved version 1, and back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import Session

from app import db
from app.migrate import alembic_config, upgrade
from app.services import ktp
from app.services.journal import LessonEntry, lesson_sheet, save_lesson
from tests.conftest import unique_db_name
from tests.factories import make_world


@pytest.fixture
def before_0010(database_url: str) -> Iterator[tuple[str, Engine]]:
    server = db.with_database(database_url, "postgres")
    name = unique_db_name("ejournal_migration_ktp")
    db.drop_database(server, name)
    db.ensure_database(server, name)
    url = db.with_database(server, name)
    upgrade(url, "0009")
    engine = db.make_engine(url)
    yield url, engine
    engine.dispose()
    db.drop_database(server, name)


def rows(engine: Engine, sql: str, **params: object) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def test_0010_makes_todays_topics_an_approved_version_one_and_back(before_0010):
    url, engine = before_0010
    world = make_world(engine)  # three КТП topics of one curriculum item, written before versions
    other = make_world(engine)
    lesson = world.lesson(0, plan_topic_id=world.plan_topic_ids[1], topic="Процессы и потоки")
    before = rows(engine, "SELECT id, curriculum_item_id, position, title, hours FROM plan_topic ORDER BY id")

    upgrade(url)
    versions = rows(
        engine,
        "SELECT v.college_id, v.number, v.status, v.source, v.decided_at IS NOT NULL, count(p.id) "
        "FROM ktp_version v JOIN plan_topic p ON p.ktp_version_id = v.id "
        "GROUP BY v.id ORDER BY v.college_id",
    )
    assert versions == [
        (world.college_id, 1, "approved", "transfer", True, 3),
        (other.college_id, 1, "approved", "transfer", True, 3),
    ]
    after = rows(engine, "SELECT id, curriculum_item_id, position, title, hours FROM plan_topic ORDER BY id")
    assert after == before
    assert rows(
        engine,
        "SELECT count(*) FROM plan_topic p JOIN ktp_version v ON v.id = p.ktp_version_id "
        "WHERE v.curriculum_item_id <> p.curriculum_item_id",
    ) == [(0,)]
    assert rows(engine, "SELECT plan_topic_id FROM lesson WHERE id = :l", l=lesson) == [
        (world.plan_topic_ids[1],)
    ]

    # the journal, as the app role of this database, offers the migrated version's topics
    app_engine = db.make_engine(db.with_user(url, db.APP_ROLE))
    try:
        with Session(app_engine) as s:
            sheet = lesson_sheet(world.actor("teacher"), lesson, session=s)
            assert [p.id for p in sheet.plan_topics] == world.plan_topic_ids
            save_lesson(world.actor("teacher"), lesson, LessonEntry(homework="§2"), session=s)
        # the app role may not write a topic outside a version
        with app_engine.connect() as conn, pytest.raises(Exception, match="записывается в версию КТП"):
            conn.execute(
                text(
                    "INSERT INTO plan_topic (curriculum_item_id, position, title, hours, homework) "
                    "SELECT curriculum_item_id, 9, 'x', 2, '' FROM plan_topic WHERE id = :t"
                ),
                {"t": world.plan_topic_ids[0]},
            )
        # a version 2 approved since: the way back keeps it, and the lesson moves to its topic № 2
        item = before[0][1]
        with Session(app_engine) as s:
            topics = [ktp.TopicInput(f"Тема {n}", 2) for n in range(1, 37)]
            version_id = ktp.save_draft(world.actor("teacher"), item, topics, session=s)
            ktp.approve(world.actor("deputy"), version_id, session=s)
    finally:
        app_engine.dispose()

    command.downgrade(alembic_config(url), "0009")
    everything = "SELECT id, curriculum_item_id, position, title, hours FROM plan_topic ORDER BY id"
    kept = [(i, p, t) for i, c, p, t, _ in rows(engine, everything) if c == item]
    assert [(p, t) for _, p, t in kept] == [(n, f"Тема {n}") for n in range(1, 37)]
    assert rows(engine, "SELECT plan_topic_id FROM lesson WHERE id = :l", l=lesson) == [(kept[1][0],)]
    assert [r for r in rows(engine, everything) if r[1] != item] == [r for r in before if r[1] != item]
    assert rows(engine, "SELECT to_regclass('ktp_version') IS NULL") == [(True,)]
    with (
        engine.connect() as conn,
        pytest.raises(Exception, match="plan_topic_curriculum_item_id_position_key"),
    ):
        conn.execute(
            text(
                "INSERT INTO plan_topic (curriculum_item_id, position, title, hours, homework) "
                "SELECT curriculum_item_id, position, 'повтор', 2, '' FROM plan_topic WHERE id = :t"
            ),
            {"t": kept[0][0]},
        )
