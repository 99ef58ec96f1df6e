"""Server-side login sessions: what ends them, what the officer sees, the per-source throttle."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app import audit
from app.actor import load_actor
from app.errors import DomainError
from app.models import AuditEvent, LoginSession
from app.services import admin, login_sessions
from app.services.accounts import change_password
from app.settings import get_settings
from tests.factories import PASSWORD


def opened(world, who: str) -> login_sessions.Opened:
    with Session(world.engine) as s:
        return login_sessions.open_session(world.users[who], session=s)


def live(world, sid: str) -> bool:
    with Session(world.engine) as s:
        try:
            login_sessions.check(sid, session=s)
        except login_sessions.SessionEnded:
            return False
    return True


def notice(world, sid: str) -> str:
    with Session(world.engine) as s, pytest.raises(login_sessions.SessionEnded) as info:
        login_sessions.check(sid, session=s)
    return info.value.message


def test_a_session_is_found_by_its_cookie_and_by_its_id(world):
    o = opened(world, "teacher")
    with Session(world.engine) as s:
        assert login_sessions.resolve(o.token, session=s).id == o.session_id
        assert login_sessions.check(o.session_id, session=s).user_id == world.users["teacher"]
        with pytest.raises(login_sessions.SessionEnded):
            login_sessions.resolve(o.token + "x", session=s)
        with pytest.raises(login_sessions.SessionEnded):
            login_sessions.resolve(o.session_id, session=s)  # the id is not a cookie


def test_a_password_change_ends_the_users_other_sessions(world):
    """Finding 5: on 18bf9b7 a session opened elsewhere outlived the new password."""
    here, elsewhere, other_user = opened(world, "teacher"), opened(world, "teacher"), opened(world, "student")
    with Session(world.engine) as s:
        actor = load_actor(world.users["teacher"], session=s)
        change_password(actor, PASSWORD, "новый-пароль-42", session=s, keep_session=here.session_id)
    assert live(world, here.session_id) and live(world, other_user.session_id)
    assert "Пароль учётной записи изменён" in notice(world, elsewhere.session_id)


def test_disabling_an_account_or_a_new_one_time_password_ends_its_sessions(world):
    a, b = opened(world, "teacher"), opened(world, "director")
    with Session(world.engine) as s:
        officer = load_actor(world.users["officer"], session=s)
        admin.set_active(officer, world.users["teacher"], False, reason="увольнение", session=s)
    assert "отключена" in notice(world, a.session_id)
    with Session(world.engine) as s:
        admin.reset_password(officer, world.users["director"], reason="забыт пароль", session=s)
    assert "временный пароль" in notice(world, b.session_id)


def test_the_officer_sees_and_ends_a_persons_sessions(world):
    a, b = opened(world, "teacher"), opened(world, "teacher")
    with Session(world.engine) as s:
        officer = load_actor(world.users["officer"], session=s)
        director = load_actor(world.users["director"], session=s)
        shown = admin.open_sessions(director, world.users["teacher"], session=s)
        assert {x.session_id for x in shown} == {a.session_id, b.session_id}
        with pytest.raises(DomainError, match="только ответственный"):
            admin.end_sessions(director, world.users["teacher"], reason="проверка", session=s)
        assert (
            admin.end_sessions(
                officer, world.users["teacher"], session_id=a.session_id, reason="x", session=s
            )
            == 1
        )
    assert not live(world, a.session_id) and live(world, b.session_id)
    assert "ответственным за электронный журнал" in notice(world, a.session_id)
    with Session(world.engine) as s:
        assert admin.end_sessions(officer, world.users["teacher"], reason="потерян телефон", session=s) == 1
        with pytest.raises(DomainError, match="нет открытых сеансов"):
            admin.end_sessions(officer, world.users["teacher"], reason="ещё раз", session=s)
        entries = s.exec(
            select(AuditEvent)
            .where(
                AuditEvent.action == "user.sessions_end",
                AuditEvent.outcome == "accepted",
                AuditEvent.entity_id == world.users["teacher"],
            )
            .order_by(AuditEvent.id)  # type: ignore[arg-type]
        ).all()
    assert [e.details["reason"] for e in entries] == ["x", "потерян телефон"]


@pytest.mark.parametrize(
    "column, interval, says",
    [
        ("last_seen_at", "2 hours", "долго не было активности"),
        ("created_at", "2 days", "максимального времени"),
    ],
)
def test_timeouts_end_the_session_and_are_audited(world, column, interval, says):
    o = opened(world, "teacher")
    with Session(world.engine) as s:
        s.execute(
            text(f"UPDATE login_session SET {column} = now() - interval '{interval}' WHERE id = :id"),
            {"id": o.session_id},
        )
        s.commit()
    assert says in notice(world, o.session_id)
    with Session(world.engine) as s:
        row = s.get(LoginSession, o.session_id)
        assert row is not None and row.ended_at is not None
        ended = s.exec(
            select(AuditEvent).where(
                AuditEvent.action == "session.end", AuditEvent.session_id == o.session_id
            )
        ).one()
    assert ended.details["reason"] == ("idle" if column == "last_seen_at" else "absolute")


def test_a_logout_is_audited_and_final(world):
    o = opened(world, "student")
    with Session(world.engine) as s:
        login_sessions.logout(o.session_id, session=s)
    assert notice(world, o.session_id) == "Вы вышли из системы."
    with Session(world.engine) as s:
        with pytest.raises(login_sessions.SessionEnded):
            login_sessions.resolve(o.token, session=s)
        assert s.exec(
            select(AuditEvent).where(
                AuditEvent.action == "session.end", AuditEvent.session_id == o.session_id
            )
        ).one().details == {"reason": "logout"}


def test_the_source_throttle_counts_refused_logins_of_that_address_only(world):
    limit = get_settings().login_source_max_failures
    with audit.from_origin(audit.Origin(source_address="192.0.2.10")), Session(world.engine) as s:
        for _ in range(limit - 1):
            audit.record(s, None, "login", outcome="refused", message="x")
        s.commit()
        assert not login_sessions.source_throttled("192.0.2.10", session=s)
        audit.record(s, None, "login", outcome="refused", message="x")
        s.commit()
        assert login_sessions.source_throttled("192.0.2.10", session=s)
        assert not login_sessions.source_throttled("192.0.2.11", session=s)
