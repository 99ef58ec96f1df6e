"""Who is written to about a student: their guardians and themself, where there is an address,
with each person's choice (`notice_preference`; no row: everything on)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, select

from app.models import AppSecret

TOKEN_KEY = "notice_unsubscribe_key"


@dataclass(frozen=True)
class Recipient:
    kind: str  # guardian | student
    id: int
    name: str
    address: str
    digest: bool
    alerts: bool

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


_SQL = """
    SELECT s.id AS student_id, 'guardian' AS kind, g.id, g.last_name, g.first_name, g.middle_name, g.email,
           coalesce(p.digest, true) AS digest, coalesce(p.alerts, true) AS alerts
    FROM student s
    JOIN student_guardian sg ON sg.student_id = s.id
    JOIN guardian g ON g.id = sg.guardian_id
    LEFT JOIN notice_preference p ON p.recipient_kind = 'guardian' AND p.recipient_id = g.id
    WHERE s.id = ANY(:ids) AND g.email <> ''
    UNION ALL
    SELECT s.id, 'student', s.id, s.last_name, s.first_name, s.middle_name, s.email,
           coalesce(p.digest, true), coalesce(p.alerts, true)
    FROM student s
    LEFT JOIN notice_preference p ON p.recipient_kind = 'student' AND p.recipient_id = s.id
    WHERE s.id = ANY(:ids) AND s.email <> ''
    ORDER BY 1, 2, 3
"""


def of_students(session: Session, student_ids: list[int]) -> dict[int, list[Recipient]]:
    """student id → the people written to about them (guardians first, then the student)."""
    out: dict[int, list[Recipient]] = {}
    if not student_ids:
        return out
    for r in session.execute(text(_SQL), {"ids": sorted(set(student_ids))}).mappings():
        name = " ".join(p for p in (r["last_name"], r["first_name"], r["middle_name"]) if p)
        out.setdefault(r["student_id"], []).append(
            Recipient(r["kind"], r["id"], name, r["email"], r["digest"], r["alerts"])
        )
    return out


def _key(session: Session) -> bytes:
    """The key the unsubscribe links are signed with (app_secret, made by migration 0025), read
    once per session: a round of notices signs hundreds of links."""
    if TOKEN_KEY not in session.info:
        value = session.exec(select(AppSecret.value).where(AppSecret.name == TOKEN_KEY)).one()
        session.info[TOKEN_KEY] = bytes.fromhex(value)
    key: bytes = session.info[TOKEN_KEY]
    return key


def unsubscribe_token(session: Session, kind: str, recipient_id: int) -> str:
    """A link's token: whom it unsubscribes, signed, so nobody can unsubscribe someone else by
    changing the number."""
    who = f"{kind[0]}{recipient_id}"
    digest = hmac.new(_key(session), who.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{who}.{digest}"


def read_token(session: Session, token: str) -> tuple[str, int] | None:
    """(kind, id) the token was made for, or None for a forged or garbled one."""
    who, _, digest = token.strip().partition(".")
    kinds = {"g": "guardian", "s": "student"}
    if len(who) < 2 or who[0] not in kinds or not who[1:].isdigit() or len(who) > 12:
        return None
    expected = hmac.new(_key(session), who.encode(), hashlib.sha256).hexdigest()[:32]
    if not hmac.compare_digest(expected, digest):
        return None
    return kinds[who[0]], int(who[1:])
