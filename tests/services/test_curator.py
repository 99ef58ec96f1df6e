"""The curator's group: access, the list kept true, credentials, valid reasons for absences, statistics."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from app.db import get_engine
from app.domain import Role
from app.errors import AccessDenied, DomainError
from app.models import Attendance, AuditEvent, Guardian, Mark, Student, StudentGuardian, UserAccount
from app.services import curator, diary
from app.services.accounts import authenticate, change_password, must_change_password
from tests.diary_factories import (
    attend,
    guardian_id_of,
    make_curator,
    mark,
    second_child,
    second_group,
)


@pytest.fixture
def cw(world):
    """The world with its teacher as the curator of ИСП-11."""
    make_curator(world)
    return world


def call(world, who: str, fn, *args, **kwargs):
    with Session(world.engine) as s:
        return fn(world.actor(who), *args, session=s, **kwargs)


def audit_rows(world, action: str) -> list[AuditEvent]:
    with Session(world.engine) as s:
        return list(
            s.exec(
                select(AuditEvent)
                .where(AuditEvent.college_id == world.college_id, AuditEvent.action == action)
                .order_by(col(AuditEvent.id))
            )
        )


def student(world, sid: int) -> Student:
    with Session(world.engine) as s:
        row = s.get(Student, sid)
        assert row is not None
        return row


# --------------------------------------------------------------------------- access


def test_curator_sees_their_group_with_guardians_and_contacts(cw):
    with Session(cw.engine) as s:
        g = s.get(Guardian, guardian_id_of(cw))
        assert g is not None
        g.phone = "+7 912 345-67-89"
        s.add(g)
        s.commit()
    groups = call(cw, "teacher", curator.groups)
    assert [(g.name, g.curator) for g in groups] == [("ИСП-11", "Соколова Е. В.")]
    rows = call(cw, "teacher", curator.group_list, cw.group_id)
    assert [r.name for r in rows][:2] == ["Абрамов Илья Сергеевич", "Белова Анна Игоревна"]
    first = rows[0]
    assert first.login == cw.logins["student"]
    assert [(g.name, g.phone, g.login) for g in first.guardians] == [
        ("Абрамова Ольга Ивановна", "+7 912 345-67-89", cw.logins["guardian"])
    ]


def test_curator_cannot_act_on_another_group_and_the_refusal_is_audited(cw):
    child = second_child(cw)
    other_group = student(cw, child).study_group_id
    with pytest.raises(AccessDenied):
        call(cw, "teacher", curator.group_list, other_group)
    with pytest.raises(AccessDenied):
        call(cw, "teacher", curator.add_student, other_group, curator.StudentData("Иванов", "Пётр"))
    with pytest.raises(AccessDenied):
        call(cw, "teacher", curator.move_out, child, cw.today, "приказ № 1")
    with pytest.raises(AccessDenied):
        call(cw, "teacher", curator.issue_student_credentials, child)
    assert [e.outcome for e in audit_rows(cw, "student.add")] == ["refused"]
    assert [e.outcome for e in audit_rows(cw, "student.move_out")] == ["refused"]
    assert student(cw, child).left_on is None


def test_a_teacher_without_the_curator_role_keeps_no_group(world):
    assert call(world, "teacher", curator.groups) == []
    with pytest.raises(AccessDenied):
        call(world, "teacher", curator.group_list, world.group_id)


@pytest.mark.parametrize("who", ["deputy", "officer"])
def test_deputy_and_officer_act_on_any_group(world, who):
    gid = second_group(world)
    assert {g.name for g in call(world, who, curator.groups)} == {"ИСП-11", "ИСП-21"}
    sid = call(world, who, curator.add_student, gid, curator.StudentData("Иванов", "Пётр", "Ильич"))
    assert student(world, sid).study_group_id == gid


def test_director_and_students_keep_no_group(world):
    for who in ("director", "student", "guardian"):
        assert call(world, who, curator.groups) == []
        with pytest.raises(AccessDenied):
            call(world, who, curator.group_list, world.group_id)


# --------------------------------------------------------------------------- students


def test_add_student_is_audited_with_its_values(cw):
    sid = call(
        cw,
        "teacher",
        curator.add_student,
        cw.group_id,
        curator.StudentData("  Жукова ", "Ксения", "Павловна", date(2008, 3, 14), 2),
    )
    row = student(cw, sid)
    assert (row.last_name, row.subgroup, row.enrolled_on, row.college_id) == (
        "Жукова",
        2,
        cw.today,
        cw.college_id,
    )
    [event] = audit_rows(cw, "student.add")
    assert event.outcome == "accepted" and event.entity_id == sid
    assert event.details["after"]["birth_date"] == "2008-03-14"


@pytest.mark.parametrize(
    "data, message",
    [
        (curator.StudentData("", "Ксения"), "Укажите фамилию"),
        (curator.StudentData("Жукова", "  "), "Укажите имя"),
        (curator.StudentData("Жукова2", "Ксения"), "только буквы"),
        (curator.StudentData("Жукова", "Ксения", birth_date=date(2999, 1, 1)), "в будущем"),
        (curator.StudentData("Жукова", "Ксения", subgroup=3), "Подгруппа"),
    ],
)
def test_add_student_validation_in_russian(cw, data, message):
    with pytest.raises(DomainError, match=message):
        call(cw, "teacher", curator.add_student, cw.group_id, data)
    assert audit_rows(cw, "student.add")[-1].outcome == "refused"


def test_a_duplicate_student_is_refused(cw):
    data = curator.StudentData("Жукова", "Ксения", "Павловна", date(2008, 3, 14))
    call(cw, "teacher", curator.add_student, cw.group_id, data)
    with pytest.raises(DomainError, match="уже есть в группе"):
        call(cw, "teacher", curator.add_student, cw.group_id, data)


def test_update_student_records_before_and_after(cw):
    sid = cw.student_ids[2]
    call(
        cw,
        "teacher",
        curator.update_student,
        sid,
        curator.StudentData("Волков", "Денис", "Андреевич", date(2007, 5, 1), 1),
    )
    row = student(cw, sid)
    assert (row.birth_date, row.subgroup) == (date(2007, 5, 1), 1)
    [event] = audit_rows(cw, "student.update")
    assert event.details["before"]["subgroup"] == 2 and event.details["after"]["subgroup"] == 1
    assert event.details["before"]["birth_date"] is None
    with pytest.raises(DomainError, match="Нечего сохранять"):
        call(
            cw,
            "teacher",
            curator.update_student,
            sid,
            curator.StudentData("Волков", "Денис", "Андреевич", date(2007, 5, 1), 1),
        )


def test_moving_a_student_out_keeps_their_history(cw):
    sid = cw.student_ids[1]
    lid = cw.lesson(3, work_kind="oral")
    mark(cw, lid, sid, "5")
    attend(cw, cw.lesson(2), sid, "absent")
    with pytest.raises(DomainError, match="есть записи в журнале"):
        call(cw, "teacher", curator.move_out, sid, cw.today - timedelta(days=3), "приказ № 7-к")
    with pytest.raises(DomainError, match="основание"):
        call(cw, "teacher", curator.move_out, sid, cw.today, "  ")
    call(cw, "teacher", curator.move_out, sid, cw.today, "приказ № 7-к от сегодня")

    assert student(cw, sid).left_on == cw.today
    with Session(cw.engine) as s:
        assert len(s.exec(select(Mark).where(Mark.student_id == sid)).all()) == 1
        assert len(s.exec(select(Attendance).where(Attendance.student_id == sid)).all()) == 1
    assert sid not in [r.id for r in call(cw, "teacher", curator.group_list, cw.group_id)]
    assert sid in [r.id for r in call(cw, "teacher", curator.group_list, cw.group_id, include_left=True)]
    # the history stays readable in the diary
    period = call(cw, "teacher", diary.period, sid, cw.today - timedelta(days=10), cw.today)
    assert [m.value for s in period.subjects for m in s.marks] == ["5"]
    event = audit_rows(cw, "student.move_out")[-1]
    assert (
        event.details["before"] == {"left_on": None}
        and event.details["after"]["left_on"] == cw.today.isoformat()
    )
    with pytest.raises(DomainError, match="уже выбыл"):
        call(cw, "teacher", curator.move_out, sid, cw.today + timedelta(days=1), "ещё раз")


# --------------------------------------------------------------------------- guardians


def test_add_guardian_normalises_the_phone_and_links_them(cw):
    sid = cw.student_ids[2]
    gid = call(
        cw,
        "teacher",
        curator.add_guardian,
        sid,
        curator.GuardianData("Волкова", "Светлана", "Игоревна", "8 (912) 345-67-89", " Volkova@Mail.ru "),
        "мать",
    )
    with Session(cw.engine) as s:
        g = s.get(Guardian, gid)
        assert g is not None and (g.phone, g.email) == ("+7 912 345-67-89", "volkova@mail.ru")
        assert s.get(StudentGuardian, (sid, gid)) is not None
    [event] = audit_rows(cw, "guardian.add")
    assert event.details["after"]["relation"] == "мать"


@pytest.mark.parametrize(
    "phone, email, message",
    [
        ("12345", "", "Телефон указан неверно"),
        ("+7 212 555-01", "", "Телефон указан неверно"),
        ("+7 912 abc-67-89", "", "Телефон указан неверно"),
        ("", "volkova@", "почты указан неверно"),
    ],
)
def test_guardian_contacts_are_validated(cw, phone, email, message):
    with pytest.raises(DomainError, match=message):
        call(
            cw,
            "teacher",
            curator.add_guardian,
            cw.student_ids[2],
            curator.GuardianData("Волкова", "Светлана", phone=phone, email=email),
        )


def test_update_guardian_records_before_and_after_and_renames_the_account(cw):
    gid = guardian_id_of(cw)
    call(
        cw,
        "teacher",
        curator.update_guardian,
        gid,
        curator.GuardianData("Абрамова", "Ольга", "Ивановна", "+7 900 111-22-33"),
    )
    [event] = audit_rows(cw, "guardian.update")
    assert event.details["before"]["phone"] == "" and event.details["after"]["phone"] == "+7 900 111-22-33"
    call(
        cw,
        "teacher",
        curator.update_guardian,
        gid,
        curator.GuardianData("Смирнова", "Ольга", "Ивановна", "+7 900 111-22-33"),
    )
    with Session(cw.engine) as s:
        account = s.get(UserAccount, cw.users["guardian"])
        assert account is not None and account.full_name == "Смирнова Ольга Ивановна"


def test_curator_cannot_edit_a_guardian_of_another_group(cw):
    second_child(cw)  # the world's guardian is also a guardian in ИСП-21 — still reachable via ИСП-11
    other_group = second_group(cw, "ИСП-31")
    stranger = curator.GuardianData("Петров", "Пётр")
    with Session(cw.engine) as s:
        sid = curator.add_student(
            cw.actor("deputy"), other_group, curator.StudentData("Петров", "Иван"), session=s
        )
        gid = curator.add_guardian(cw.actor("deputy"), sid, stranger, session=s)
    with pytest.raises(AccessDenied):
        call(cw, "teacher", curator.update_guardian, gid, curator.GuardianData("Петров", "Павел"))
    with pytest.raises(AccessDenied):
        call(cw, "teacher", curator.issue_guardian_credentials, gid)


def test_link_and_unlink_a_guardian(cw):
    gid = guardian_id_of(cw)
    sid = cw.student_ids[3]
    found = call(cw, "teacher", curator.find_guardians, "абрамова", "ольга")
    assert [g.id for g in found] == [gid]
    call(cw, "teacher", curator.link_guardian, sid, gid, "мать")
    with pytest.raises(DomainError, match="уже указан"):
        call(cw, "teacher", curator.link_guardian, sid, gid)
    assert read_ok(cw, "guardian", sid)
    call(cw, "teacher", curator.unlink_guardian, sid, gid)
    with pytest.raises(AccessDenied):
        read_ok(cw, "guardian", sid)
    assert [e.outcome for e in audit_rows(cw, "guardian.unlink")] == ["accepted"]
    with Session(cw.engine) as s:
        assert s.get(Guardian, gid) is not None  # the person's record stays


def read_ok(world, who: str, sid: int) -> bool:
    with Session(world.engine) as s:
        return diary.week(world.actor(who), sid, world.today, session=s).student.id == sid


# --------------------------------------------------------------------------- credentials


def test_issued_credentials_log_in_once_and_must_be_changed(cw):
    sid = cw.student_ids[2]
    gid = call(
        cw, "teacher", curator.add_guardian, sid, curator.GuardianData("Волкова", "Светлана", "Игоревна")
    )
    creds = call(cw, "teacher", curator.issue_guardian_credentials, gid)
    assert (
        creds.new_account
        and creds.login.startswith("volkova.si")
        and creds.full_name == "Волкова Светлана Игоревна"
    )
    with Session(cw.engine) as s:
        actor = authenticate(creds.login, creds.password, session=s)
        assert actor.roles == {Role.guardian}
        assert must_change_password(actor.user_id, session=s)
        change_password(actor, creds.password, "novyi-parol-volkovoi", session=s)
    with Session(cw.engine) as s, pytest.raises(DomainError, match="Неверный логин"):
        authenticate(creds.login, creds.password, session=s)
    # the new account reads the child's diary, and only it
    with Session(cw.engine) as s:
        actor = authenticate(creds.login, "novyi-parol-volkovoi", session=s)
        assert [c.id for c in diary.children_of(actor, session=s)] == [sid]
    event = audit_rows(cw, "credentials.issue")[-1]
    assert event.details["login"] == creds.login and "password" not in str(event.details)


def test_reissuing_credentials_resets_the_password_of_the_same_login(cw):
    first = call(cw, "teacher", curator.issue_student_credentials, cw.student_ids[0])
    assert not first.new_account and first.login == cw.logins["student"]
    with Session(cw.engine) as s:
        assert must_change_password(cw.users["student"], session=s)
        authenticate(first.login, first.password, session=s)


def test_new_logins_are_unique(cw):
    sid = cw.student_ids[3]
    data = curator.GuardianData("Григорьева", "Елена", "Олеговна")
    g1 = call(cw, "teacher", curator.add_guardian, sid, data)
    g2 = call(cw, "teacher", curator.add_guardian, sid, data)
    a = call(cw, "teacher", curator.issue_guardian_credentials, g1)
    b = call(cw, "teacher", curator.issue_guardian_credentials, g2)
    assert a.login != b.login and b.login == a.login + "2"


def test_a_duplicate_or_bad_login_is_refused(cw):
    sid = cw.student_ids[3]
    gid = call(cw, "teacher", curator.add_guardian, sid, curator.GuardianData("Григорьева", "Елена"))
    with pytest.raises(DomainError, match="уже занят"):
        call(cw, "teacher", curator.issue_guardian_credentials, gid, login=cw.logins["teacher"])
    with pytest.raises(DomainError, match="латинских"):
        call(cw, "teacher", curator.issue_guardian_credentials, gid, login="Григорьева")
    assert [e.outcome for e in audit_rows(cw, "credentials.issue")] == ["refused", "refused"]
    with Session(cw.engine) as s:
        assert s.get(Guardian, gid).user_id is None  # type: ignore[union-attr]


def staff_guardian(cw) -> tuple[int, str]:
    """The group's guardian made a colleague of ours (the other teacher's account): (id, name)."""
    gid = guardian_id_of(cw)
    with Session(cw.engine) as s:
        g = s.get(Guardian, gid)
        assert g is not None
        g.user_id = cw.users["other_teacher"]
        s.add(g)
        s.commit()
        return gid, f"{g.last_name} {g.first_name}"


def test_a_staff_account_is_not_reset_by_a_curator(cw):
    """A guardian who also works at the college: their password is the officer's, not the curator's."""
    gid, _ = staff_guardian(cw)
    with pytest.raises(AccessDenied, match="сотрудника"):
        call(cw, "teacher", curator.issue_guardian_credentials, gid)


def test_a_whole_group_gets_logins_in_one_action(cw):
    rows = call(cw, "teacher", curator.group_list, cw.group_id)
    without = {r.name for r in rows if r.login is None} | {
        g.name for r in rows for g in r.guardians if g.login is None
    }
    batch = call(cw, "teacher", curator.issue_group_credentials, cw.group_id)
    assert {c.full_name for c in batch.issued} == without and batch.skipped == []
    assert all(c.group == "ИСП-11" and c.expires_at is not None for c in batch.issued)
    child_of = {g.name: r.name for r in rows for g in r.guardians}
    for c in batch.issued:
        assert c.students == (c.full_name if c.role is Role.student else child_of[c.full_name])
        with Session(cw.engine) as s:
            assert must_change_password(authenticate(c.login, c.password, session=s).user_id, session=s)
    # the student who had a login keeps their password unless a reissue is asked for
    assert cw.logins["student"] not in {c.login for c in batch.issued}
    again = call(cw, "teacher", curator.issue_group_credentials, cw.group_id)
    assert again.issued == [] and again.skipped == []
    only_students = call(
        cw, "teacher", curator.issue_group_credentials, cw.group_id, guardians=False, reissue=True
    )
    assert {c.full_name for c in only_students.issued} == {r.name for r in rows}
    [batch_event] = audit_rows(cw, "credentials.issue_group")[-1:]
    assert batch_event.details["issued"] == len(rows) and batch_event.details["reissue"] is True
    assert "password" not in str(audit_rows(cw, "credentials.issue")[-1].details)


def test_a_group_batch_passes_over_staff_accounts_and_names_them(cw):
    _, name = staff_guardian(cw)
    batch = call(cw, "teacher", curator.issue_group_credentials, cw.group_id, reissue=True)
    assert len(batch.skipped) == 1 and batch.skipped[0].startswith(name) and "сотрудника" in batch.skipped[0]
    assert name not in " ".join(c.full_name for c in batch.issued)
    assert {c.role for c in batch.issued} == {Role.student}  # the students still get theirs


def test_a_group_batch_is_refused_for_a_foreign_group_and_changes_nothing(cw):
    other_group = second_group(cw)
    with pytest.raises(AccessDenied):
        call(cw, "teacher", curator.issue_group_credentials, other_group)
    with pytest.raises(DomainError, match="Выберите, кому"):
        call(cw, "teacher", curator.issue_group_credentials, cw.group_id, students=False, guardians=False)
    with Session(cw.engine) as s:
        assert all(
            st.user_id is None for st in s.exec(select(Student).where(Student.study_group_id == other_group))
        )
    assert [e.outcome for e in audit_rows(cw, "credentials.issue_group")] == ["refused", "refused"]


# --------------------------------------------------------------------------- absences


def test_excusing_an_absence_changes_only_attendance_and_is_audited(cw):
    sid = cw.student_ids[0]
    l1, l2, l3 = cw.lesson(3), cw.lesson(2), cw.lesson(1)
    a1 = attend(cw, l1, sid, "absent")
    a2 = attend(cw, l2, sid, "absent")
    attend(cw, l3, sid, "late")
    mark(cw, l3, sid, "4")
    found = call(cw, "teacher", curator.absences, sid, cw.today - timedelta(days=7), cw.today)
    assert [a.attendance_id for a in found] == [a1, a2]

    with Session(cw.engine) as s:
        marks_before = [(m.id, m.value) for m in s.exec(select(Mark).where(Mark.student_id == sid))]
    # as the app's own database role: the lesson-day trigger lets a curator record a valid reason later
    with Session(get_engine()) as s:
        count = curator.excuse_absences(
            cw.actor("teacher"), sid, [a1, a2], "Справка", cw.today - timedelta(days=1), "ОРВИ", session=s
        )
    assert count == 2
    with Session(cw.engine) as s:
        rows = {a.id: a for a in s.exec(select(Attendance).where(Attendance.student_id == sid))}
        assert [(m.id, m.value) for m in s.exec(select(Mark).where(Mark.student_id == sid))] == marks_before
    expected = "Справка: ОРВИ"
    for aid in (a1, a2):
        assert (rows[aid].status, rows[aid].reason) == ("excused", expected)
        assert rows[aid].reason_document_date == cw.today - timedelta(days=1)
    events = audit_rows(cw, "attendance.excuse")
    assert [(e.entity, e.entity_id) for e in events] == [("attendance", a1), ("attendance", a2)]
    assert events[0].details["before"] == {"status": "absent", "reason": ""}
    assert events[0].details["after"] == {"status": "excused", "reason": expected}
    assert call(cw, "teacher", curator.absences, sid, cw.today - timedelta(days=7), cw.today) == []
    shown = call(
        cw, "teacher", curator.absences, sid, cw.today - timedelta(days=7), cw.today, only_unexcused=False
    )
    day = (cw.today - timedelta(days=1)).strftime("%d.%m.%Y")
    assert {a.reason_text for a in shown} == {f"Справка от {day}: ОРВИ"}
    period = call(cw, "guardian", diary.period, sid, cw.today - timedelta(days=7), cw.today)
    assert (period.hours_excused, period.hours_unexcused) == (4, 0)


def test_excusing_refuses_wrong_input(cw):
    sid = cw.student_ids[0]
    a1 = attend(cw, cw.lesson(2), sid, "absent")
    other = attend(cw, cw.lesson(2, pair_number=6), cw.student_ids[1], "absent")
    late = attend(cw, cw.lesson(1), sid, "late")
    yesterday = cw.today - timedelta(days=1)
    cases = [
        (([], "Справка", yesterday), "Выберите пропуски"),
        (([a1], "Записка", yesterday), "Укажите основание"),
        (([a1], "Справка", cw.today + timedelta(days=1)), "в будущем"),
        (([a1, other], "Справка", yesterday), "другого студента"),
        (([late], "Справка", yesterday), "уже не «н»"),
    ]
    for (ids, kind, day), message in cases:
        with pytest.raises(DomainError, match=message):
            call(cw, "teacher", curator.excuse_absences, sid, ids, kind, day)
    with Session(cw.engine) as s:
        statuses = {
            a.status for a in s.exec(select(Attendance).where(Attendance.college_id == cw.college_id))
        }
        assert statuses == {"absent", "late"}
    assert {e.outcome for e in audit_rows(cw, "attendance.excuse")} == {"refused"}


def test_a_curator_of_another_group_cannot_excuse(cw):
    child = second_child(cw)
    with pytest.raises(AccessDenied):
        call(cw, "teacher", curator.excuse_absences, child, [1], "Справка", cw.today)
    with pytest.raises(AccessDenied):
        call(cw, "teacher", curator.absences, child, cw.today - timedelta(days=7), cw.today)


# --------------------------------------------------------------------------- statistics


def _other_groups_guardian(world):
    """ИСП-21 (curated by the other teacher) with a student whose mother has an account."""
    from tests.diary_factories import add_student

    group_id = second_group(world)
    student = add_student(world, group_id, "Лунев", "Ян")
    with Session(world.engine) as s:
        user = UserAccount(
            college_id=world.college_id,
            login=f"luneva-{world.college_id}",
            password_hash="x",
            full_name="Лунева Ирина",
        )
        s.add(user)
        s.flush()
        guardian = Guardian(
            college_id=world.college_id, last_name="Лунева", first_name="Ирина", user_id=user.id
        )
        s.add(guardian)
        s.flush()
        s.add(StudentGuardian(student_id=student, guardian_id=guardian.id, relation="мать"))
        s.commit()
        return guardian.id


def test_a_curator_neither_finds_nor_links_another_groups_parent(cw):
    foreign = _other_groups_guardian(cw)
    assert call(cw, "teacher", curator.find_guardians, "Лунева", "Ирина") == []
    assert [g.id for g in call(cw, "deputy", curator.find_guardians, "Лунева", "Ирина")] == [foreign]
    with pytest.raises(AccessDenied):
        call(cw, "teacher", curator.link_guardian, cw.student_ids[0], foreign)
    with pytest.raises(AccessDenied):
        call(cw, "teacher", curator.issue_guardian_credentials, foreign)
    with Session(cw.engine) as s:
        assert s.get(StudentGuardian, (cw.student_ids[0], foreign)) is None


def test_a_parent_with_a_child_in_another_group_gets_a_password_from_the_deputy(cw):
    second_child(cw)  # the world's guardian now also has a child in ИСП-21
    with pytest.raises(AccessDenied, match="заместитель директора"):
        call(cw, "teacher", curator.issue_guardian_credentials, guardian_id_of(cw))
    issued = call(cw, "deputy", curator.issue_guardian_credentials, guardian_id_of(cw))
    assert issued.password


def test_the_officer_hands_out_no_diary_passwords(cw):
    for fn, target in (
        (curator.issue_student_credentials, cw.student_ids[1]),
        (curator.issue_guardian_credentials, None),
    ):
        with pytest.raises(AccessDenied, match="куратор группы и заместитель директора"):
            call(cw, "officer", fn, target if target is not None else guardian_id_of(cw))
    batch = call(cw, "officer", curator.issue_group_credentials, cw.group_id, reissue=True)
    assert batch.issued == [] and batch.skipped
