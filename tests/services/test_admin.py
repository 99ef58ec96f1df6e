"""Administration of accounts: who may do what, the curator as a group's fact, and the audit trail."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.actor import load_actor
from app.domain import Role
from app.errors import AccessDenied, DomainError
from app.models import AuditEvent, Student, StudyGroup, UserAccount
from app.services import admin
from app.services.accounts import LOGIN_FAILED, authenticate, change_password
from app.settings import get_settings
from tests.factories import PASSWORD, make_world


def roles(world, who: str) -> frozenset[Role]:
    with Session(world.engine) as s:
        return load_actor(world.users[who], session=s).roles


def last_audit(world, action: str) -> AuditEvent:
    with Session(world.engine) as s:
        event = s.exec(
            select(AuditEvent)
            .where(AuditEvent.college_id == world.college_id, AuditEvent.action == action)
            .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
        ).first()
    assert event is not None
    return event


def test_the_officer_grants_and_revokes_a_role_with_a_reason_in_the_audit(world):
    with Session(world.engine) as s:
        admin.grant_role(
            world.actor("officer"), world.users["teacher"], Role.deputy, reason="приказ №12", session=s
        )
    assert Role.deputy in roles(world, "teacher")
    event = last_audit(world, "user.role.grant")
    assert event.outcome == "accepted" and event.actor_user_id == world.users["officer"]
    assert event.details["reason"] == "приказ №12" and event.details["role"] == "deputy"
    with Session(world.engine) as s:
        admin.revoke_role(
            world.actor("officer"), world.users["teacher"], Role.deputy, reason="ошибка", session=s
        )
    assert Role.deputy not in roles(world, "teacher")


@pytest.mark.parametrize("who", ["director", "deputy", "teacher", "student", "guardian"])
def test_only_the_officer_changes_accounts(world, who):
    with Session(world.engine) as s:
        for change in (
            lambda: admin.grant_role(
                world.actor(who), world.users["teacher"], Role.deputy, reason="x", session=s
            ),
            lambda: admin.set_active(world.actor(who), world.users["teacher"], False, reason="x", session=s),
            lambda: admin.reset_password(world.actor(who), world.users["teacher"], reason="x", session=s),
            lambda: admin.unlock(world.actor(who), world.users["teacher"], reason="x", session=s),
        ):
            with pytest.raises(AccessDenied):
                change()
    refused = last_audit(world, "user.initial_password")
    assert refused.outcome == "refused" and refused.actor_user_id == world.users[who]


def test_the_director_reads_accounts_and_a_teacher_does_not(world):
    with Session(world.engine) as s:
        listed = admin.find_accounts(world.actor("director"), text="", session=s)
        assert world.logins["teacher"] in {a.login for a in listed}
        with pytest.raises(AccessDenied):
            admin.find_accounts(world.actor("teacher"), session=s)


def test_curator_of_a_group_is_the_groups_fact(world):
    assert Role.curator not in roles(world, "teacher")
    with Session(world.engine) as s:
        admin.grant_role(
            world.actor("officer"),
            world.users["teacher"],
            Role.curator,
            group_id=world.group_id,
            reason="приказ",
            session=s,
        )
        group = s.get(StudyGroup, world.group_id)
        assert group is not None and group.curator_teacher_id == world.teacher_id
        shown = admin.account(world.actor("officer"), world.users["teacher"], session=s)
    assert Role.curator in roles(world, "teacher")
    assert "куратор группы ИСП-11" in shown.roles and shown.curated == ((world.group_id, "ИСП-11"),)
    # a group has one curator: naming another replaces the first, whose role goes with it
    with Session(world.engine) as s:
        admin.grant_role(
            world.actor("officer"),
            world.users["other_teacher"],
            Role.curator,
            group_id=world.group_id,
            reason="смена куратора",
            session=s,
        )
    assert Role.curator in roles(world, "other_teacher") and Role.curator not in roles(world, "teacher")
    with Session(world.engine) as s:
        admin.revoke_role(
            world.actor("officer"),
            world.users["other_teacher"],
            Role.curator,
            group_id=world.group_id,
            reason="x",
            session=s,
        )
        group = s.get(StudyGroup, world.group_id)
        assert group is not None and group.curator_teacher_id is None
    assert Role.curator not in roles(world, "other_teacher")


def test_curator_needs_a_group_and_a_teacher(world):
    officer = world.actor("officer")
    with Session(world.engine) as s:
        with pytest.raises(DomainError, match="Укажите группу"):
            admin.grant_role(officer, world.users["teacher"], Role.curator, reason="x", session=s)
        with pytest.raises(DomainError, match="нет в списке преподавателей"):
            admin.grant_role(
                officer, world.users["deputy"], Role.curator, group_id=world.group_id, reason="x", session=s
            )
        with pytest.raises(DomainError, match="не куратор группы"):
            admin.revoke_role(
                officer, world.users["teacher"], Role.curator, group_id=world.group_id, reason="x", session=s
            )


def test_diary_accounts_get_no_staff_roles(world):
    officer = world.actor("officer")
    with Session(world.engine) as s:
        for who in ("student", "guardian"):
            with pytest.raises(DomainError, match="студента или родителя"):
                admin.grant_role(officer, world.users[who], Role.teacher, reason="x", session=s)
        with pytest.raises(DomainError, match="выдаются вместе с доступом к дневнику"):
            admin.grant_role(officer, world.users["teacher"], Role.student, reason="x", session=s)
        with pytest.raises(DomainError, match="студента или родителя"):
            admin.reset_password(officer, world.users["student"], reason="x", session=s)


def test_a_reason_is_required_and_bounded(world):
    with Session(world.engine) as s:
        for reason in ("", "   "):
            with pytest.raises(DomainError, match="Укажите причину"):
                admin.grant_role(
                    world.actor("officer"), world.users["teacher"], Role.deputy, reason=reason, session=s
                )
        with pytest.raises(DomainError, match="длиннее"):
            admin.grant_role(
                world.actor("officer"), world.users["teacher"], Role.deputy, reason="я" * 501, session=s
            )
    assert Role.deputy not in roles(world, "teacher")


def test_disabling_ends_logins_and_the_last_officer_stays(world):
    officer = world.actor("officer")
    with Session(world.engine) as s:
        admin.set_active(officer, world.users["teacher"], False, reason="увольнение", session=s)
        with pytest.raises(DomainError, match=LOGIN_FAILED):
            authenticate(world.logins["teacher"], PASSWORD, session=s)
        with pytest.raises(DomainError, match="уже отключена"):
            admin.set_active(officer, world.users["teacher"], False, reason="ещё раз", session=s)
        admin.set_active(officer, world.users["teacher"], True, reason="восстановлен", session=s)
        assert authenticate(world.logins["teacher"], PASSWORD, session=s).user_id == world.users["teacher"]
        with pytest.raises(DomainError, match="собственную"):
            admin.set_active(officer, world.users["officer"], False, reason="x", session=s)
        with pytest.raises(DomainError, match="последний ответственный"):
            admin.revoke_role(officer, world.users["officer"], Role.officer, reason="x", session=s)
    # with a second officer the first may step down
    with Session(world.engine) as s:
        admin.grant_role(
            officer, world.users["deputy"], Role.officer, reason="второй ответственный", session=s
        )
        admin.revoke_role(officer, world.users["officer"], Role.officer, reason="передал дела", session=s)
    assert Role.officer not in roles(world, "officer")


def test_unlock_lifts_a_lockout(world):
    login = world.logins["teacher"]
    with Session(world.engine) as s:
        with pytest.raises(DomainError, match="не заблокирована"):
            admin.unlock(world.actor("officer"), world.users["teacher"], reason="x", session=s)
        for _ in range(get_settings().login_max_failures):
            with pytest.raises(DomainError):
                authenticate(login, "не тот пароль", session=s)
        with pytest.raises(DomainError):
            authenticate(login, PASSWORD, session=s)  # locked, even with the right password
        assert admin.account(world.actor("officer"), world.users["teacher"], session=s).locked
        admin.unlock(
            world.actor("officer"), world.users["teacher"], reason="позвонила, подтвердила", session=s
        )
        assert authenticate(login, PASSWORD, session=s).user_id == world.users["teacher"]


def test_reset_gives_a_one_time_password_that_must_be_changed(world):
    with Session(world.engine) as s:
        password = admin.reset_password(
            world.actor("officer"), world.users["teacher"], reason="забыла", session=s
        )
        actor = authenticate(world.logins["teacher"], password, session=s)
        account = admin.account(world.actor("officer"), world.users["teacher"], session=s)
        assert account.must_change_password and account.status == "ожидает первого входа"
        change_password(actor, password, "новый-надёжный-пароль", session=s)
        with pytest.raises(DomainError):
            authenticate(world.logins["teacher"], password, session=s)
    event = last_audit(world, "user.initial_password")
    assert event.details["reason"] == "забыла" and password not in str(event.details)


def test_another_colleges_accounts_are_out_of_reach(world, engine):
    elsewhere = make_world(engine)
    with Session(world.engine) as s:
        assert elsewhere.logins["teacher"] not in {
            a.login for a in admin.find_accounts(world.actor("officer"), session=s)
        }
        for change in (
            lambda: admin.account(world.actor("officer"), elsewhere.users["teacher"], session=s),
            lambda: admin.set_active(
                world.actor("officer"), elsewhere.users["teacher"], False, reason="x", session=s
            ),
            lambda: admin.grant_role(
                world.actor("officer"),
                world.users["teacher"],
                Role.curator,
                group_id=elsewhere.group_id,
                reason="x",
                session=s,
            ),
        ):
            with pytest.raises(DomainError) as info:
                change()
            assert info.value.code == "not_found"


def test_find_by_text_and_role_takes_wildcards_literally(world):
    officer = world.actor("officer")
    world.make_curator("teacher")
    with Session(world.engine) as s:
        teacher = s.get(UserAccount, world.users["teacher"])
        assert teacher is not None
        by_name = admin.find_accounts(officer, text=teacher.full_name.split()[0].lower(), session=s)
        assert [a.login for a in by_name] == [teacher.login]
        assert admin.find_accounts(officer, text="%", session=s) == []
        curators = admin.find_accounts(officer, role=Role.curator, session=s)
        assert [a.login for a in curators] == [teacher.login]
        students = admin.find_accounts(officer, role=Role.student, session=s)
        linked = s.exec(select(Student.user_id).where(Student.college_id == world.college_id)).all()
        assert {a.user_id for a in students} <= {u for u in linked if u is not None} | {
            world.users["student"]
        }
