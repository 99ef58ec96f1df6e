from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session, select

from app.domain import Role
from app.errors import DomainError
from app.models import AuditEvent, UserAccount
from app.passwords import hash_password, verify_password
from app.services.accounts import (
    LOGIN_FAILED,
    authenticate,
    change_password,
    common_passwords,
    create_user,
    generate_initial_password,
    login_digest,
    must_change_password,
    validate_password,
)
from app.services.admin import reset_password, set_active
from app.settings import get_settings
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
        key, value = ("login", login) if login_key else ("login_hash", login_digest(login, session=s))
        refused = s.exec(
            select(AuditEvent).where(
                AuditEvent.action == "login",
                AuditEvent.outcome == "refused",
                AuditEvent.details[key].astext == value,
            )
        ).all()
    assert len(refused) == 1


def test_a_password_typed_as_the_login_is_not_kept_as_typed(world):
    """Finding 7: the audit log held whatever was typed into the login field."""
    typed = "Moi-Parol-2024!"
    with Session(world.engine) as s, pytest.raises(DomainError):
        authenticate(typed, PASSWORD, session=s)
    with Session(world.engine) as s:
        bodies = s.exec(select(AuditEvent.details).where(AuditEvent.action == "login")).all()
        digest = login_digest(typed.lower(), session=s)
    assert not any(typed.lower() in str(body).lower() for body in bodies)
    assert any(body.get("login_hash") == digest for body in bodies)


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
        uid, initial = create_user(
            session=s,
            college_id=world.college_id,
            login="new-" + world.logins["teacher"],
            password="достаточно-длинный",
            full_name="Новиков Н. Н.",
            roles={Role.teacher, Role.deputy},
            must_change_password=True,
        )
        actor = authenticate("new-" + world.logins["teacher"], "достаточно-длинный", session=s)
    assert actor.user_id == uid and actor.roles == {Role.teacher, Role.deputy} and initial is None
    with pytest.raises(DomainError, match="Куратора назначают группе"):
        create_user(
            session=s,
            college_id=world.college_id,
            login="cur-" + world.logins["teacher"],
            full_name="Куратор Без Группы",
            roles={Role.teacher, Role.curator},
        )


def test_change_password(world):
    actor = world.actor("director")
    with Session(world.engine) as s:
        with pytest.raises(DomainError, match="Текущий пароль"):
            change_password(actor, "не тот", "новый-пароль-123", session=s)
        change_password(actor, PASSWORD, "новый-пароль-123", session=s)
        authenticate(world.logins["director"], "новый-пароль-123", session=s)
        with pytest.raises(DomainError):
            authenticate(world.logins["director"], PASSWORD, session=s)


@pytest.mark.parametrize("password", ["password", "qwerty123", "Qwertyuiop", "пароль123", "12345678"])
def test_common_passwords_are_refused(password):
    with pytest.raises(DomainError, match=r"распространён|короткий"):
        validate_password(password)


@given(st.text(min_size=8, max_size=128).filter(lambda p: p.lower() not in common_passwords() and p.strip()))
@settings(max_examples=50, deadline=None)
def test_any_long_enough_uncommon_password_is_accepted_whole(password):
    validate_password(password)  # no composition rules
    assert verify_password(hash_password(password), password)
    assert not verify_password(hash_password(password), password[:-1])  # no truncation


def test_lockout_after_repeated_failures(world):
    limit = get_settings().login_max_failures
    login = world.logins["deputy"]
    with Session(world.engine) as s:
        for _ in range(limit):
            with pytest.raises(DomainError, match=LOGIN_FAILED):
                authenticate(login, "wrong-password!", session=s)
        # locked: even the right password gets the same message now
        with pytest.raises(DomainError, match=LOGIN_FAILED):
            authenticate(login, PASSWORD, session=s)
        s.execute(
            text("UPDATE user_account SET locked_until = now() - interval '1 second' WHERE login = :l"),
            {"l": login},
        )
        s.commit()
        assert authenticate(login, PASSWORD, session=s).user_id == world.users["deputy"]
        actions = s.exec(
            select(AuditEvent.action).where(
                AuditEvent.entity_id == world.users["deputy"], AuditEvent.entity == "user_account"
            )
        ).all()
    assert "login.lockout" in actions


def test_initial_password_is_random_single_use_and_expires(world):
    with Session(world.engine) as s:
        uid, initial = create_user(
            session=s,
            college_id=world.college_id,
            login="g-" + world.logins["teacher"],
            full_name="Новый Родитель",
            roles={Role.guardian},
        )
        assert initial and len(initial) == 14
        assert must_change_password(uid, session=s)
        actor = authenticate("g-" + world.logins["teacher"], initial, session=s)
        change_password(actor, initial, "свой-надёжный-пароль", session=s)
        assert not must_change_password(uid, session=s)
        with pytest.raises(DomainError):
            authenticate("g-" + world.logins["teacher"], initial, session=s)  # single use
        again = reset_password(world.actor("officer"), uid, session=s, reason="забыл пароль")
        assert again != initial
        s.execute(
            text("UPDATE user_account SET password_expires_at = now() - interval '1 minute' WHERE id = :i"),
            {"i": uid},
        )
        s.commit()
        with pytest.raises(DomainError, match="истёк"):
            authenticate("g-" + world.logins["teacher"], again, session=s)


def test_two_initial_passwords_differ():
    assert len({generate_initial_password() for _ in range(200)}) == 200


def test_disabling_an_account_is_for_the_officer(world):
    with Session(world.engine) as s:
        with pytest.raises(DomainError, match="ответственный"):
            set_active(world.actor("teacher"), world.users["director"], False, session=s, reason="увольнение")
        set_active(world.actor("officer"), world.users["director"], False, session=s, reason="увольнение")
        with pytest.raises(DomainError, match=LOGIN_FAILED):
            authenticate(world.logins["director"], PASSWORD, session=s)
