"""A real SMTP server on 127.0.0.1 (aiosmtpd) and a world whose guardian and student have
addresses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from sqlmodel import Session

from app.models import Attendance, Mark
from app.services.diary import week_monday
from app.settings import Settings, get_settings
from tests.serving import free_port

GUARDIAN_EMAIL = "abramova@example.ru"
STUDENT_EMAIL = "abramov@example.ru"


@dataclass
class Inbox:
    """What the server accepted; `refuse` answers the next messages with that reply instead."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return self.refuse.pop(0)
        message = message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class Relay:
    """The server, which a test may stop and start again on the same port (an outage)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def relay():
    server = Relay()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(relay, tmp_path, database_url) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=relay.port,
        smtp_sender="Колледж <journal@college.example.ru>",
        public_url="https://journal.college.example.ru",
        notify_max_attempts=3,
    )


@pytest.fixture
def addressed(world):
    """The world's guardian (of the first student) and that student have addresses; the earlier
    tests' colleges in this worker's database have none and their queue is gone, so what is
    produced and sent here is this world's alone."""
    with Session(world.engine) as s:
        s.execute(text("DELETE FROM notice"))
        s.execute(text("UPDATE guardian SET email = '' WHERE college_id <> :c"), {"c": world.college_id})
        s.execute(text("UPDATE student SET email = '' WHERE college_id <> :c"), {"c": world.college_id})
        s.execute(
            text("UPDATE guardian SET email = :e WHERE college_id = :c"),
            {"e": GUARDIAN_EMAIL, "c": world.college_id},
        )
        s.execute(
            text("UPDATE student SET email = :e WHERE id = :id"),
            {"e": STUDENT_EMAIL, "id": world.student_ids[0]},
        )
        s.commit()
    return world


def add_mark(
    world, lesson_id: int, value: str, *, student: int | None = None, kind: str = "oral", comment: str = ""
):
    with Session(world.engine) as s:
        s.add(
            Mark(
                college_id=world.college_id,
                lesson_id=lesson_id,
                student_id=student or world.student_ids[0],
                value=value,
                work_kind=kind,
                comment=comment,
                created_by_user_id=world.users["teacher"],
            )
        )
        s.commit()


def absent(world, lesson_id: int, *, student: int | None = None, status: str = "absent") -> None:
    with Session(world.engine) as s:
        s.add(
            Attendance(
                college_id=world.college_id,
                lesson_id=lesson_id,
                student_id=student or world.student_ids[0],
                status=status,
                created_by_user_id=world.users["teacher"],
            )
        )
        s.commit()


def digest_time(today: date) -> datetime:
    """The week's digest hour (Saturday 12:00 by default), in the week of `today`."""
    saturday = week_monday(today) + timedelta(days=5)
    return datetime.combine(max(saturday, today), time(13, 0), tzinfo=get_settings().tz)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def html_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())
