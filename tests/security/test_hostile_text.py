"""SQL injection attempts through every free-text input of the services: stored verbatim and harmless.

tests/services/test_journal_properties.py pushes the HOSTILE payloads through the lesson entry; here
they go through the curator's group (names, contacts, the relation, the reason a student leaves, the
note on a valid reason), mark corrections (the reason, the deputy's comment), substitutions (the
reason) and accounts (the login typed at sign-in, a new account's login and full name). Every service
call runs as the app's own database role, as the app does; the factories write the setup as the owner.

For each payload: either it is stored exactly as the field's documented normalisation makes it, or
it is refused with a Russian DomainError (never a database error) and nothing is stored. Afterwards
the tables are all there, no mark appeared or vanished beyond what the action itself records, and
the audit log's hash chain still verifies (`ejournal audit verify`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from app.audit_chain import seal_all, verify_chain
from app.domain import Role, WorkKind
from app.errors import DomainError
from app.models import (
    Attendance,
    AuditEvent,
    CorrectionRequest,
    Guardian,
    Mark,
    Student,
    StudentGuardian,
    UserAccount,
)
from app.services import corrections, curator, substitutions
from app.services.accounts import LOGIN_FAILED, authenticate, create_user
from app.services.journal import LessonEntry, MarkInput, save_lesson
from tests.diary_factories import attend, make_curator
from tests.factories import PASSWORD, World
from tests.services.test_journal_properties import HOSTILE

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
TABLES = ("mark", "lesson", "student", "audit_event")  # in the order of Counts' fields


def squeezed(value: str) -> str:
    """The names' and notes' normalisation: runs of whitespace become one space, ends trimmed."""
    return " ".join(value.split())


@dataclass
class Counts:
    mark: int
    lesson: int
    student: int
    audit_event: int


def counts(engine: Engine) -> Counts:
    with Session(engine) as s:
        return Counts(*(s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES))


@pytest.fixture
def harmless(world: World) -> Callable[..., None]:
    """Call with the number of marks the test's actions rightly add (a correction adds one)."""
    before = counts(world.engine)

    def check(marks_added: int = 0, *, audited: bool = True) -> None:
        with Session(world.engine) as s:
            present = s.execute(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(:t)"),
                {"t": list(TABLES)},
            ).scalar_one()
            assert present == len(TABLES), "a table is gone"
            seal_all(session=s)  # what `ejournal serve` does every second
            chain = verify_chain(session=s)
            assert chain.ok, chain.summary()
        after = counts(world.engine)
        assert after.mark == before.mark + marks_added
        assert after.lesson >= before.lesson and after.student >= before.student
        if audited:  # the actions (and the refusals) were audited
            assert after.audit_event > before.audit_event
        else:
            assert after.audit_event == before.audit_event

    return check


def refusal(action: Callable[[], object]) -> DomainError | None:
    """None when the action was accepted; the DomainError when refused — in Russian, and not a
    database error dressed as a conflict. Any other exception (a database error) fails the test."""
    try:
        action()
    except DomainError as exc:
        assert exc.code != "conflict", exc.message
        assert CYRILLIC.search(exc.message), exc.message
        return exc
    return None


def app_call(
    app_engine: Engine, world: World, who: str, fn: Callable[..., Any], *args: Any, **kw: Any
) -> Any:
    actor = world.actor(who)
    with Session(app_engine) as s:
        return fn(actor, *args, session=s, **kw)


def latest_audit(world: World, action: str, entity_id: int) -> AuditEvent:
    with Session(world.engine) as s:
        row = s.exec(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.entity_id == entity_id)
            .order_by(col(AuditEvent.id).desc())
        ).first()
        assert row is not None
        return row


# --------------------------------------------------------------------------- the curator's group


def students_of(world: World) -> list[Student]:
    with Session(world.engine) as s:
        return list(s.exec(select(Student).where(Student.study_group_id == world.group_id)))


def links_of(world: World, student_id: int) -> list[StudentGuardian]:
    with Session(world.engine) as s:
        return list(s.exec(select(StudentGuardian).where(StudentGuardian.student_id == student_id)))


@pytest.mark.parametrize("payload", HOSTILE)
def test_student_names(world, app_engine, harmless, payload):
    make_curator(world)
    fields = {"last_name": "Иванов", "first_name": "Пётр", "middle_name": "Ильич"}
    for field, title in (("last_name", "фамилию"), ("first_name", "имя"), ("middle_name", "отчество")):
        data = curator.StudentData(**{**fields, field: payload})
        group_size = len(students_of(world))
        added: list[int] = []
        refused = refusal(
            lambda data=data, added=added: added.append(
                app_call(app_engine, world, "teacher", curator.add_student, world.group_id, data)
            )
        )
        rows = students_of(world)
        if refused is None:
            stored = next(r for r in rows if r.id == added[0])
            assert getattr(stored, field) == squeezed(payload)
        else:
            assert title in refused.message, refused.message
            assert len(rows) == group_size, "a refused student was stored"
    harmless()


@pytest.mark.parametrize("payload", HOSTILE)
def test_guardian_names_contacts_and_relation(world, app_engine, harmless, payload):
    make_curator(world)
    sid = world.student_ids[2]
    good = {"last_name": "Волкова", "first_name": "Нина", "middle_name": "Петровна"}
    inputs: list[tuple[dict[str, str], str, Callable[[Guardian, StudentGuardian], str], str]] = [
        ({"last_name": payload}, "родитель", lambda g, link: g.last_name, squeezed(payload)),
        ({"first_name": payload}, "родитель", lambda g, link: g.first_name, squeezed(payload)),
        ({"middle_name": payload}, "родитель", lambda g, link: g.middle_name, squeezed(payload)),
        ({"phone": payload}, "родитель", lambda g, link: g.phone, payload.strip()),
        ({"email": payload}, "родитель", lambda g, link: g.email, payload.strip().lower()),
        ({}, payload, lambda g, link: link.relation, squeezed(payload).lower()),
    ]
    for override, relation, read, expected in inputs:
        data = curator.GuardianData(**{**good, **override})
        linked = len(links_of(world, sid))
        added: list[int] = []
        refused = refusal(
            lambda data=data, relation=relation, added=added: added.append(
                app_call(app_engine, world, "teacher", curator.add_guardian, sid, data, relation)
            )
        )
        links = links_of(world, sid)
        if refused is None:
            with Session(world.engine) as s:
                guardian = s.get(Guardian, added[0])
            link = next(x for x in links if x.guardian_id == added[0])
            assert guardian is not None
            assert read(guardian, link) == expected
        else:
            assert len(links) == linked, f"a refused guardian was linked: {refused.message}"
    harmless()


@pytest.mark.parametrize("payload", HOSTILE)
def test_a_hostile_name_searched_finds_no_guardian(world, app_engine, harmless, payload):
    make_curator(world)
    assert app_call(app_engine, world, "teacher", curator.find_guardians, payload, payload) == []
    assert app_call(app_engine, world, "teacher", curator.find_guardians, "Абрамова", payload) == []
    found = app_call(app_engine, world, "teacher", curator.find_guardians, "Абрамова", "Ольга")
    assert [g.last_name for g in found] == ["Абрамова"]  # the search itself still works
    harmless(audited=False)  # a search is a read: nothing to audit


def test_like_wildcards_in_a_guardian_search_are_literal(world, app_engine):
    make_curator(world)
    # the world's only guardian is Абрамова Ольга; a curator searching «%» «%» asked for a guardian so named
    for last, first in (("%", "%"), ("_%", "%"), ("Абрамов_", "Ольга"), ("\\%", "%")):
        assert app_call(app_engine, world, "teacher", curator.find_guardians, last, first) == []
    [found] = app_call(app_engine, world, "teacher", curator.find_guardians, " абрамова ", "ОЛЬГА")
    assert found.name.startswith("Абрамова Ольга")


@pytest.mark.parametrize("payload", HOSTILE)
def test_the_reason_a_student_leaves(world, app_engine, harmless, payload):
    make_curator(world)
    sid = world.student_ids[3]
    assert (
        refusal(lambda: app_call(app_engine, world, "teacher", curator.move_out, sid, world.today, payload))
        is None
    )
    with Session(world.engine) as s:
        student = s.get(Student, sid)
        assert student is not None and student.left_on == world.today
    event = latest_audit(world, "student.move_out", sid)
    # the reason is kept in the audit log only: stripped, at most MAX_REASON characters
    assert event.outcome == "accepted"
    assert event.details["reason"] == payload.strip()[: curator.MAX_REASON]
    harmless()


@pytest.mark.parametrize("payload", HOSTILE)
def test_the_note_on_a_valid_reason(world, app_engine, harmless, payload):
    make_curator(world)
    sid = world.student_ids[0]
    absence = attend(world, world.lesson(2), sid, "absent")
    count = app_call(
        app_engine,
        world,
        "teacher",
        curator.excuse_absences,
        sid,
        [absence],
        "Справка",
        world.today - timedelta(days=1),
        payload,
    )
    assert count == 1
    with Session(world.engine) as s:
        row = s.get(Attendance, absence)
        assert row is not None
        assert (row.status, row.reason) == ("excused", f"Справка: {squeezed(payload)}")
    harmless()


@pytest.mark.parametrize("payload", HOSTILE)
def test_a_login_chosen_for_a_student(world, app_engine, harmless, payload):
    make_curator(world)
    sid = world.student_ids[4]
    refused = refusal(
        lambda: app_call(app_engine, world, "teacher", curator.issue_student_credentials, sid, login=payload)
    )
    with Session(world.engine) as s:
        student = s.get(Student, sid)
        assert student is not None
        if refused is None:
            account = s.get(UserAccount, student.user_id)
            assert account is not None and account.login == payload.strip().lower()
        else:
            assert "Логин" in refused.message and student.user_id is None
    harmless()


# --------------------------------------------------------------------------- corrections


def give_mark(world: World, value: str = "3") -> int:
    lid = world.lesson(0)
    with Session(world.engine) as s:
        save_lesson(
            world.actor("teacher"),
            lid,
            LessonEntry(work_kind=WorkKind.oral, marks=[MarkInput(world.student_ids[0], value)]),
            session=s,
        )
        mark_id = s.exec(select(Mark.id).where(Mark.lesson_id == lid)).one()
        assert mark_id is not None
        return mark_id


@pytest.mark.parametrize("payload", HOSTILE)
def test_correction_reason_and_the_deputys_comments(world, app_engine, harmless, payload):
    # the reason: accepted when long enough (stripped), else refused and nothing filed
    approved_mark = give_mark(world)
    request: list[int] = []
    refused = refusal(
        lambda: request.append(
            app_call(
                app_engine, world, "teacher", corrections.request_correction, approved_mark, "4", payload
            )
        )
    )
    reason = payload.strip()
    with Session(world.engine) as s:
        filed = s.exec(select(CorrectionRequest).where(CorrectionRequest.mark_id == approved_mark)).all()
    if refused is None:
        assert [r.reason for r in filed] == [reason]
    else:
        assert "причин" in refused.message.lower() and filed == []
        reason = f"ошибка ввода: {reason}"
        request.append(
            app_call(app_engine, world, "teacher", corrections.request_correction, approved_mark, "4", reason)
        )
    # approval with the payload as the comment: the reason travels to the correcting mark
    new_mark = app_call(app_engine, world, "deputy", corrections.approve, request[0], payload)
    # rejection of another request with the payload as the comment
    rejected_mark = give_mark(world)
    other = app_call(
        app_engine, world, "teacher", corrections.request_correction, rejected_mark, "5", "ошибся строкой"
    )
    assert refusal(lambda: app_call(app_engine, world, "deputy", corrections.reject, other, payload)) is None
    with Session(world.engine) as s:
        done = s.get(CorrectionRequest, request[0])
        undone = s.get(CorrectionRequest, other)
        correcting = s.get(Mark, new_mark)
        assert done is not None and undone is not None and correcting is not None
        assert (done.status, done.decision_comment) == ("approved", payload.strip())
        assert (correcting.value, correcting.correction_reason) == ("4", reason)
        assert (undone.status, undone.decision_comment) == ("rejected", payload.strip())
    harmless(3)  # the two marks given and the one correcting mark


# --------------------------------------------------------------------------- substitutions


@pytest.mark.parametrize("payload", HOSTILE)
def test_substitution_reasons(world, app_engine, harmless, payload):
    lid = world.lesson(-2)
    app_call(
        app_engine, world, "deputy", substitutions.assign_substitute, lid, world.other_teacher_id, payload
    )
    assigned = latest_audit(world, "lesson.substitute", lid)
    assert (assigned.outcome, assigned.details["reason"]) == ("accepted", payload.strip())
    app_call(app_engine, world, "officer", substitutions.cancel_substitute, lid, payload)
    cancelled = latest_audit(world, "lesson.substitute_cancel", lid)
    assert cancelled.outcome == "accepted"
    assert cancelled.details["reason"] == payload.strip()[: substitutions.MAX_REASON]
    harmless()


# --------------------------------------------------------------------------- accounts


@pytest.mark.parametrize("payload", HOSTILE)
def test_a_hostile_login_at_sign_in_is_the_one_refusal(world, app_engine, harmless, payload):
    for login, password in ((payload, PASSWORD), (payload, payload), (world.logins["teacher"], payload)):
        with Session(app_engine) as s, pytest.raises(DomainError) as refused:
            authenticate(login, password, session=s)
        assert (refused.value.message, refused.value.code) == (LOGIN_FAILED, "login_failed")
    harmless()


@pytest.mark.parametrize("payload", HOSTILE)
def test_a_new_accounts_login_and_full_name(world, app_engine, harmless, payload):
    with Session(app_engine) as s:
        user_id, _ = create_user(
            session=s,
            college_id=world.college_id,
            login=payload,
            full_name=payload,
            roles={Role.teacher},
            password=PASSWORD,
            actor=world.actor("officer"),
        )
    with Session(world.engine) as s:
        account = s.get(UserAccount, user_id)
        assert account is not None
        # the login is stripped and lower-cased; the full name is kept as given
        assert (account.login, account.full_name) == (payload.strip().lower(), payload)
    # the hostile login names exactly that account, and only with its password
    with Session(app_engine) as s:
        assert authenticate(payload, PASSWORD, session=s).user_id == user_id
    with Session(app_engine) as s, pytest.raises(DomainError, match=re.escape(LOGIN_FAILED)):
        authenticate(payload, PASSWORD + "x", session=s)
    harmless()
