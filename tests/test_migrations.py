"""Data migrations move existing rows, both ways, on a database of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, text

from app import db
from app.migrate import alembic_config, upgrade
from tests.conftest import unique_db_name
from tests.factories import make_world


@pytest.fixture
def before_0008(database_url: str) -> Iterator[tuple[str, Engine]]:
    server = db.with_database(database_url, "postgres")
    name = unique_db_name("ejournal_migration")
    db.drop_database(server, name)
    db.ensure_database(server, name)
    url = db.with_database(server, name)
    upgrade(url, "0006")
    upgrade(url, "0007")
    engine = db.make_engine(url)
    yield url, engine
    engine.dispose()
    db.drop_database(server, name)


def test_0008_moves_the_document_date_out_of_the_reason_and_back(before_0008):
    url, engine = before_0008
    world = make_world(engine)
    lesson = world.lesson(3)
    day = world.today - timedelta(days=2)
    reasons = {
        world.student_ids[0]: ("excused", f"Справка от {day:%d.%m.%Y}: ОРВИ, № 15"),
        world.student_ids[1]: ("excused", f"Приказ от {day:%d.%m.%Y}"),
        world.student_ids[2]: ("excused", "справка"),  # no date: stays as it is
        world.student_ids[3]: ("absent", ""),
    }
    with engine.begin() as conn:
        for student, (status, reason) in reasons.items():
            conn.execute(
                text(
                    "INSERT INTO attendance (college_id, lesson_id, student_id, status, reason, "
                    "created_by_user_id) VALUES (:c, :l, :s, :st, :r, :u)"
                ),
                {
                    "c": world.college_id,
                    "l": lesson,
                    "s": student,
                    "st": status,
                    "r": reason,
                    "u": world.users["teacher"],
                },
            )

    def rows(columns: str) -> dict[int, tuple]:
        with engine.connect() as conn:
            result = conn.execute(
                text(f"SELECT student_id, {columns} FROM attendance WHERE lesson_id = :l"), {"l": lesson}
            )
            return {r[0]: tuple(r[1:]) for r in result}

    upgrade(url)
    assert rows("reason, reason_document_date") == {
        world.student_ids[0]: ("Справка: ОРВИ, № 15", day),
        world.student_ids[1]: ("Приказ", day),
        world.student_ids[2]: ("справка", None),
        world.student_ids[3]: ("", None),
    }
    with engine.connect() as conn, pytest.raises(Exception, match="attendance_document_only_when_excused"):
        conn.execute(text("UPDATE attendance SET reason_document_date = now()::date WHERE status = 'absent'"))

    command.downgrade(alembic_config(url), "0007")
    assert rows("status, reason") == {s: r for s, r in reasons.items()}


def test_0022_stores_every_phone_in_one_spelling(database_url):
    server = db.with_database(database_url, "postgres")
    name = unique_db_name("ejournal_migration")
    db.drop_database(server, name)
    db.ensure_database(server, name)
    url = db.with_database(server, name)
    upgrade(url, "0021")
    engine = db.make_engine(url)
    try:
        world = make_world(engine)
        typed = {
            "+79123456789": "+7 912 345-67-89",
            "8 (912) 345-67-89": "+7 912 345-67-89",
            "9123456789": "+7 912 345-67-89",
            "+7 912 345-67-89": "+7 912 345-67-89",
            "+375291234567": "+375291234567",
            "": "",
            "доб. 12": "доб. 12",  # no rule matches: left for the curator
        }
        with engine.begin() as conn:
            for n, phone in enumerate(typed):
                conn.execute(
                    text(
                        "INSERT INTO guardian (college_id, last_name, first_name, middle_name, phone, email) "
                        "VALUES (:c, :l, 'Ольга', '', :p, :e)"
                    ),
                    {"c": world.college_id, "l": f"Тестова{n}", "p": phone, "e": f" Olga{n}@Mail.RU "},
                )
        upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT last_name, phone, email FROM guardian WHERE last_name LIKE 'Тестова%' ORDER BY last_name"
                )
            ).all()
        assert [r.phone for r in sorted(rows, key=lambda r: int(r.last_name[7:]))] == list(typed.values())
        assert all(r.email == r.email.strip().lower() for r in rows)
    finally:
        engine.dispose()
        db.drop_database(server, name)
