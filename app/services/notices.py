"""What people do with notices: a curator posts a group announcement or e-mails the guardian letter;
a student or guardian chooses which letters they get, or unsubscribes by the link in one.

Each action is one transaction with its audit entry; the letters themselves go through the queue
(app.notify.queue), so a mail server that is down delays them and loses none.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.domain import Role, fmt_date
from app.errors import AccessDenied, DomainError
from app.models import Announcement, Guardian, NoticePreference, Student
from app.notify import compose
from app.notify.queue import enqueue
from app.notify.recipients import Recipient, of_students, read_token
from app.services.curator.common import _group, _student
from app.settings import get_settings

MAX_TITLE, MAX_BODY = 120, 4000


def _recipients_of_group(session: Session, group_id: int) -> list[tuple[int, Recipient]]:
    ids = list(
        session.exec(
            select(Student.id).where(Student.study_group_id == group_id, col(Student.left_on).is_(None))
        )
    )
    people = of_students(session, [i for i in ids if i is not None])
    return [(sid, r) for sid, rs in people.items() for r in rs]


def post_announcement(actor: Actor, group_id: int, title: str, body: str, *, session: Session) -> int:
    """The curator's announcement to the group: kept for the diary and the week's digest, and
    e-mailed now to each student and guardian with an address who has not opted out. Returns how
    many letters were queued."""
    title, body = " ".join(title.split()), body.strip()
    details: dict[str, Any] = {"group_id": group_id, "title": title[:MAX_TITLE]}
    with audit.user_action(
        session, actor, "announcement.post", entity="study_group", entity_id=group_id, details=details
    ):
        group = _group(session, actor, group_id)
        if not title:
            raise DomainError("Укажите тему объявления.")
        if len(title) > MAX_TITLE:
            raise DomainError(f"Тема длиннее {MAX_TITLE} символов: сократите её.")
        if not body:
            raise DomainError("Напишите текст объявления.")
        if len(body) > MAX_BODY:
            raise DomainError(f"Текст длиннее {MAX_BODY} символов: сократите его.")
        note = Announcement(
            college_id=actor.college_id,
            study_group_id=group_id,
            author_user_id=actor.user_id,
            title=title,
            body=body,
        )
        session.add(note)
        session.flush()
        assert note.id is not None
        settings = get_settings()
        queued = 0
        seen: set[str] = set()
        for sid, rcp in _recipients_of_group(session, group_id):
            if not rcp.alerts or rcp.key in seen:  # a guardian of two students of the group: one letter
                continue
            seen.add(rcp.key)
            letter = compose.announcement(group.name, title, body, actor.full_name, rcp.name)
            queued += enqueue(
                session, college_id=actor.college_id, kind="announcement",
                dedupe_key=f"announcement:{note.id}:{rcp.key}", recipient=rcp, letter=letter,
                settings=settings, student_id=sid, created_by=actor.user_id,
            )  # fmt: skip
        details.update(announcement_id=note.id, letters=queued)
        audit.record(
            session, actor, "announcement.post", entity="announcement", entity_id=note.id, details=details
        )
    return queued


@dataclass(frozen=True)
class AnnouncementRow:
    day: date
    title: str
    body: str
    author: str


def announcements(
    session: Session, group_id: int, *, start: date | None = None, end: date | None = None, limit: int = 20
) -> list[AnnouncementRow]:
    """The group's announcements, newest first, made in [start, end) by the college's clock when
    given (the diary, «Моя группа», the week's digest; the caller has checked the group)."""
    rows = session.execute(
        text(
            """
            SELECT (a.created_at AT TIME ZONE :tz)::date AS day, a.title, a.body, u.full_name
            FROM announcement a JOIN user_account u ON u.id = a.author_user_id
            WHERE a.study_group_id = :g
              AND (CAST(:start AS date) IS NULL OR (a.created_at AT TIME ZONE :tz)::date >= :start)
              AND (CAST(:end AS date) IS NULL OR (a.created_at AT TIME ZONE :tz)::date < :end)
            ORDER BY a.created_at DESC LIMIT :n
            """
        ),
        {"g": group_id, "n": limit, "tz": get_settings().timezone, "start": start, "end": end},
    )
    return [AnnouncementRow(*r) for r in rows]


def email_letter(
    actor: Actor,
    student_id: int,
    start: date,
    end: date,
    pdf: bytes,
    *,
    guardian_id: int | None = None,
    session: Session,
) -> int:
    """Queue the guardian letter (the PDF the curator sees) to the student's guardians with an
    address (or to the one chosen). Returns how many letters were queued."""
    details: dict[str, Any] = {"from": start.isoformat(), "to": end.isoformat(), "guardian_id": guardian_id}
    with audit.user_action(
        session, actor, "letter.email", entity="student", entity_id=student_id, details=details
    ):
        student = _student(session, actor, student_id)
        guardians = [
            r for r in of_students(session, [student_id]).get(student_id, []) if r.kind == "guardian"
        ]
        if guardian_id is not None:
            guardians = [r for r in guardians if r.id == guardian_id]
        if not guardians:
            raise DomainError(
                "У родителей (законных представителей) этого студента не указана эл. почта: добавьте её "
                "в «Моя группа» → «Родители» или распечатайте письмо."
            )
        name = " ".join(p for p in (student.last_name, student.first_name, student.middle_name) if p)
        period = f"{fmt_date(start)} — {fmt_date(end)}"
        stamp = secrets.token_hex(4)  # each sending is its own letter: a curator may send it again
        for rcp in guardians:
            enqueue(
                session, college_id=actor.college_id, kind="letter",
                dedupe_key=f"letter:{student_id}:{start}:{end}:{stamp}:{rcp.key}", recipient=rcp,
                letter=compose.letter_pdf(name, period, rcp.name, actor.full_name), settings=get_settings(),
                student_id=student_id, attachment=pdf,
                attachment_name=f"Письмо {student.last_name} {end:%Y-%m-%d}.pdf", created_by=actor.user_id,
            )  # fmt: skip
        details["to"] = [r.address for r in guardians]
        audit.record(session, actor, "letter.email", entity="student", entity_id=student_id, details=details)
    return len(guardians)


# --------------------------------------------------------------------------- the person's own choice


@dataclass(frozen=True)
class Choice:
    kind: str  # guardian | student
    id: int
    address: str
    digest: bool
    alerts: bool


@dataclass(frozen=True)
class SentNotice:
    at: datetime | None
    subject: str
    status: str
    address: str


def _me(session: Session, actor: Actor) -> tuple[str, int, str, int]:
    """(kind, id, address, college) of the actor as a recipient: their guardian or student row."""
    if actor.has(Role.guardian):
        g = session.exec(select(Guardian).where(Guardian.user_id == actor.user_id)).first()
        if g is not None and g.id is not None:
            return "guardian", g.id, g.email, g.college_id
    if actor.has(Role.student):
        s = session.exec(select(Student).where(Student.user_id == actor.user_id)).first()
        if s is not None and s.id is not None:
            return "student", s.id, s.email, s.college_id
    raise AccessDenied("Уведомления настраивают студенты и родители (законные представители).")


def my_choice(actor: Actor, *, session: Session) -> Choice:
    kind, rid, address, _ = _me(session, actor)
    pref = session.get(NoticePreference, (kind, rid))
    return Choice(kind, rid, address, pref.digest if pref else True, pref.alerts if pref else True)


def _set(session: Session, kind: str, rid: int, college_id: int, digest: bool, alerts: bool) -> None:
    session.execute(
        text(
            """
            INSERT INTO notice_preference (recipient_kind, recipient_id, college_id, digest, alerts)
            VALUES (:k, :r, :c, :d, :a)
            ON CONFLICT (recipient_kind, recipient_id)
            DO UPDATE SET digest = EXCLUDED.digest, alerts = EXCLUDED.alerts, updated_at = now()
            """
        ),
        {"k": kind, "r": rid, "c": college_id, "d": digest, "a": alerts},
    )


def choose(actor: Actor, *, digest: bool, alerts: bool, session: Session) -> None:
    details = {"digest": digest, "alerts": alerts}
    with audit.user_action(session, actor, "notice.choose", details=details):
        kind, rid, _, college_id = _me(session, actor)
        _set(session, kind, rid, college_id, digest, alerts)
        audit.record(session, actor, "notice.choose", entity=kind, entity_id=rid, details=details)


def unsubscribe(token: str, *, session: Session) -> str:
    """The one-click link of a letter: every letter off for the person it was sent to. Returns the
    address, for the confirmation; DomainError for a link that is not ours."""
    with audit.user_action(session, None, "notice.unsubscribe"):
        who = read_token(session, token)
        if who is None:
            raise DomainError("Ссылка для отписки повреждена: скопируйте её из письма целиком.")
        kind, rid = who
        row: Guardian | Student | None = (
            session.get(Guardian, rid) if kind == "guardian" else session.get(Student, rid)
        )
        if row is None:
            raise DomainError("Получатель не найден: возможно, его данные удалены.")
        _set(session, kind, rid, row.college_id, False, False)
        audit.record(
            session, None, "notice.unsubscribe", entity=kind, entity_id=rid, college_id=row.college_id
        )
        return row.email


def my_notices(actor: Actor, *, session: Session, limit: int = 30) -> list[SentNotice]:
    """The letters sent (or waiting) to the actor, newest first."""
    kind, rid, _, _ = _me(session, actor)
    rows = session.execute(
        text(
            "SELECT coalesce(sent_at, created_at), subject, status, to_address FROM notice "
            "WHERE recipient_kind = :k AND recipient_id = :r ORDER BY id DESC LIMIT :n"
        ),
        {"k": kind, "r": rid, "n": limit},
    )
    tz = get_settings().tz
    return [SentNotice(r[0].astimezone(tz) if r[0] else None, r[1], r[2], r[3]) for r in rows]
