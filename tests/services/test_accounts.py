from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.domain import Role
from app.errors import DomainError
from app.models import AuditEvent, UserAccount
from app.passwords import hash_password, verify_password
from app.services.accounts import LOGIN_FAILED, authenticate, change_password, create_user
from tests.factories import PASSWORD


def test_argon2id_with_owasp_parameters():
    hashed = hash_password("длинный пароль")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(hashed, "длинный пароль")
    assert not verify_password(hashed, "длинный пароль ")
    assert not verify_password(None, "что угодно")
    assert not verify_password("не хеш", "что угодно")


def test_login_returns_the_actor_with_roles(world):
    with Session(world.engine) as s:
        actor = authenticate(world.logins["teacher"].upper(), PASSWORD, session=s)
    assert actor.user_id == world.users["teacher"] and actor.roles == {Role.teacher}
    assert actor.teacher_id == world.teacher_id


@pytest.mark.parametrize("login_key, password", [("teacher", "wrong-password"), (None, PASSWORD)])
def test_unknown_login_and_wrong_password_look_the_same_and_are_audited(world, login_key, password):
    login = world.logins[login_key] if login_key else "nobody-" + world.logins["teacher"]
    with Session(world.engine) as s, pytest.raises(DomainError) as info:
        authenticate(login, password, session=s)
    assert info.value.message == LOGIN_FAILED
    with Session(world.engine) as s:
        refused = s.exec(
            select(AuditEvent).where(
                AuditEvent.action == "login",
                AuditEvent.outcome == "refused",
                AuditEvent.details["login"].astext == login,
            )
        ).all()
    assert len(refused) == 1


def test_disabled_account_cannot_log_in(world):
    with Session(world.engine) as s:
        user = s.get(UserAccount, world.users["officer"])
        assert user is not None
        user.is_active = False
        s.add(user)
        s.commit()
        with pytest.raises(DomainError, match=LOGIN_FAILED):
            authenticate(world.logins["officer"], PASSWORD, session=s)


def test_create_user_validates_and_is_all_or_nothing(world):
    with Session(world.engine) as s:
        with pytest.raises(DomainError, match="короткий"):
            create_user(
                session=s,
                college_id=world.college_id,
                login="new-" + world.logins["teacher"],
                password="short",
                full_name="Новиков Н. Н.",
                roles={Role.teacher},
            )
        with pytest.raises(DomainError, match="занят"):
            create_user(
                session=s,
                college_id=world.college_id,
                login=world.logins["teacher"],
                password="достаточно-длинный",
                full_name="Дубль",
                roles={Role.teacher},
            )
        uid = create_user(
            session=s,
            college_id=world.college_id,
            login="new-" + world.logins["teacher"],
            password="достаточно-длинный",
            full_name="Новиков Н. Н.",
            roles={Role.teacher, Role.curator},
            must_change_password=True,
        )
        actor = authenticate("new-" + world.logins["teacher"], "достаточно-длинный", session=s)
    assert actor.user_id == uid and actor.roles == {Role.teacher, Role.curator}


def test_change_password(world):
    actor = world.actor("director")
    with Session(world.engine) as s:
        with pytest.raises(DomainError, match="Текущий пароль"):
            change_password(actor, "не тот", "новый-пароль-123", session=s)
        change_password(actor, PASSWORD, "новый-пароль-123", session=s)
        authenticate(world.logins["director"], "новый-пароль-123", session=s)
        with pytest.raises(DomainError):
            authenticate(world.logins["director"], PASSWORD, session=s)
