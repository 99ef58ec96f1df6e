"""Промежуточная аттестация: who fills a sheet and when, what it takes, retakes, closing a half.

On 18bf9b7 nothing wrote semester_mark at all (issue 12)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app import calendar
from app.errors import DomainError
from app.models import AuditEvent, CurriculumItem, SemesterMark
from app.services import attestation


def item_id(world, subject: str = "exam") -> int:
    subject_id = world.subject_id if subject == "exam" else world.credit_subject_id
    with Session(world.engine) as s:
        item = s.exec(
            select(CurriculumItem).where(
                CurriculumItem.study_group_id == world.group_id,
                CurriculumItem.subject_id == subject_id,
                CurriculumItem.semester == world.semester,
            )
        ).one()
        assert item.id is not None
        return item.id


def half(world) -> calendar.Half:
    return calendar.Half.containing(world.today)


def open_session(world, *, starts: int = -3, ends: int = 10) -> None:
    """The deputy sets this half's session around today (clipped to the half)."""
    h = half(world)
    start = max(h.start, world.today + timedelta(days=starts))
    end = min(h.end, max(start, world.today + timedelta(days=ends)))
    with Session(world.engine) as s:
        calendar.set_session_window(world.actor("deputy"), h, start, end, session=s)


def enter(world, who: str, values: dict[int, str], subject: str = "exam") -> int:
    with Session(world.engine) as s:
        return attestation.enter(world.actor(who), item_id(world, subject), values, session=s)


def current(world, subject: str = "exam") -> dict[int, str | None]:
    with Session(world.engine) as s:
        sheet = attestation.sheet(world.actor("deputy"), item_id(world, subject), session=s)
    return {r.student_id: r.value for r in sheet.rows}


def test_the_sheet_lists_the_group_with_the_form_and_the_window(world):
    with Session(world.engine) as s:
        sheet = attestation.sheet(world.actor("teacher"), item_id(world), session=s)
    assert [r.student_id for r in sheet.rows] == world.student_ids
    assert sheet.form_label == "Экзамен" and sheet.allowed == ("5", "4", "3", "2", "н/а", "не допущен")
    assert sheet.window == calendar.default_session(half(world))
    assert not sheet.closed and sheet.filled == 0


def test_before_the_session_nothing_is_entered(world):
    h = half(world)
    if world.today + timedelta(days=1) > h.end:
        pytest.skip("the half ends today: no later session to set")
    with Session(world.engine) as s:
        calendar.set_session_window(
            world.actor("deputy"), h, world.today + timedelta(days=1), h.end, session=s
        )
    with pytest.raises(DomainError, match="заполняется в период аттестации"):
        enter(world, "teacher", {world.student_ids[0]: "5"})
    assert current(world)[world.student_ids[0]] is None


def test_the_teacher_fills_the_sheet_during_the_session(world):
    open_session(world)
    a, b, c, d = world.student_ids[:4]
    assert enter(world, "teacher", {a: "5", b: "2", c: "н/а", d: "не допущен"}) == 4
    assert current(world) == {a: "5", b: "2", c: "н/а", d: "не допущен", world.student_ids[4]: None}
    with Session(world.engine) as s:
        rows = s.exec(select(SemesterMark).where(SemesterMark.curriculum_item_id == item_id(world))).all()
        entry = s.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "attestation.enter", AuditEvent.entity_id == item_id(world))
            .order_by(AuditEvent.id)  # type: ignore[arg-type]
        ).all()[-1]
    assert {r.kind for r in rows} == {"original"} and {r.taken_on for r in rows} == {world.today}
    assert entry.outcome == "accepted" and entry.details["added"] == 4


def test_a_sheet_takes_only_its_forms_marks_and_is_all_or_nothing(world):
    open_session(world)
    a, b = world.student_ids[:2]
    with pytest.raises(DomainError, match="не подходит для формы «Экзамен»"):
        enter(world, "teacher", {a: "5", b: "зач"})
    assert current(world)[a] is None  # nothing of the refused save
    with pytest.raises(DomainError, match="не подходит для формы «Зачёт»"):
        enter(world, "teacher", {a: "4"}, subject="credit")
    assert enter(world, "teacher", {a: "зач", b: "незач"}, subject="credit") == 2


def test_a_mark_on_the_sheet_is_never_changed(world):
    open_session(world)
    a = world.student_ids[0]
    enter(world, "teacher", {a: "3"})
    with pytest.raises(DomainError, match="уже в ведомости и не изменяется"):
        enter(world, "teacher", {a: "5"})
    assert current(world)[a] == "3"


def test_only_the_items_teacher_or_the_deputy_fill_it(world):
    open_session(world)
    a, b = world.student_ids[:2]
    for who in ("director", "student", "officer"):
        with pytest.raises(
            DomainError, match="заполняет преподаватель дисциплины, член назначенной комиссии или заместитель"
        ):
            enter(world, who, {a: "5"})
    assert enter(world, "deputy", {b: "4"}) == 1
    with Session(world.engine) as s:
        refused = s.exec(
            select(AuditEvent).where(
                AuditEvent.action == "attestation.enter",
                AuditEvent.outcome == "refused",
                AuditEvent.entity_id == item_id(world),
            )
        ).all()
    assert len(refused) >= 3


def test_a_retake_replaces_a_debt_with_its_date_commission_and_reason(world):
    open_session(world)
    a, b = world.student_ids[:2]
    enter(world, "teacher", {a: "2", b: "4"})
    iid = item_id(world)
    with Session(world.engine) as s:
        teacher = world.actor("teacher")
        with pytest.raises(DomainError, match="не задолженность"):
            attestation.retake(
                teacher, iid, b, "5", reason="приказ № 1", commission="Иванова И. И.", session=s
            )
        with pytest.raises(DomainError, match="Укажите причину"):
            attestation.retake(teacher, iid, a, "3", reason=" ", commission="Иванова И. И.", session=s)
        attestation.retake(
            teacher, iid, a, "3", reason="приказ № 12", commission="Соколова Е. В., Петров А. А.", session=s
        )
        sheet = attestation.sheet(teacher, iid, session=s)
    row = next(r for r in sheet.rows if r.student_id == a)
    assert (row.value, row.history, row.is_debt) == ("3", ("2", "3"), False)
    with Session(world.engine) as s:
        retake = s.exec(
            select(SemesterMark).where(SemesterMark.kind == "retake", SemesterMark.curriculum_item_id == iid)
        ).one()
    assert retake.commission == "Соколова Е. В., Петров А. А." and retake.correction_reason == "приказ № 12"


def test_a_closed_half_takes_no_more_first_marks_but_its_debts_are_retaken(world):
    open_session(world, starts=-3, ends=0)
    a, b = world.student_ids[:2]
    enter(world, "teacher", {a: "2"})
    with Session(world.engine) as s, pytest.raises(DomainError, match="закрывает заместитель"):
        attestation.close_half(world.actor("teacher"), half(world), session=s)
    with Session(world.engine) as s:
        attestation.close_half(world.actor("deputy"), half(world), session=s)
    with pytest.raises(DomainError, match="Семестр закрыт"):
        enter(world, "teacher", {b: "5"})
    with Session(world.engine) as s:
        attestation.retake(
            world.actor("teacher"), item_id(world), a, "3", reason="приказ № 5", commission="y", session=s
        )
    assert current(world)[a] == "3"


def test_the_session_lies_inside_its_half(world):
    h = half(world)
    with Session(world.engine) as s, pytest.raises(DomainError, match="внутри полугодия"):
        calendar.set_session_window(world.actor("deputy"), h, h.start, h.end + timedelta(days=1), session=s)
    with Session(world.engine) as s, pytest.raises(DomainError, match="заместитель директора"):
        calendar.set_session_window(world.actor("teacher"), h, h.start, h.end, session=s)


def test_a_semester_mark_is_stamped_with_the_servers_time(world, app_engine):
    """As the app role, a backdated created_at is replaced by now() (migration 0014)."""
    with app_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO semester_mark (college_id, curriculum_item_id, student_id, value, "
                "created_by_user_id, created_at) VALUES (:c, :i, :s, '5', :u, :t)"
            ),
            {
                "c": world.college_id,
                "i": item_id(world),
                "s": world.student_ids[0],
                "u": world.users["teacher"],
                "t": datetime(2020, 1, 1),
            },
        )
    with Session(world.engine) as s:
        row = s.exec(select(SemesterMark).where(SemesterMark.curriculum_item_id == item_id(world))).one()
    assert row.created_at is not None and row.created_at.year >= 2026


def test_after_the_deputys_deadline_a_debt_is_not_retaken(world, app_engine):
    open_session(world, starts=-3, ends=0)
    a = world.student_ids[0]
    enter(world, "teacher", {a: "2"})
    with Session(world.engine) as s:
        attestation.close_half(world.actor("deputy"), half(world), retakes_until=world.today, session=s)
    with Session(world.engine) as s:  # the deadline is today: still accepted
        attestation.retake(
            world.actor("teacher"), item_id(world), a, "3", reason="приказ № 7", commission="к", session=s
        )
    assert current(world)[a] == "3"
    # once the deadline has passed (moved back here, as time would move on) a debt is not retaken
    b = world.student_ids[1]
    with app_engine.begin() as conn:
        conn.execute(
            text("UPDATE attestation_close SET retakes_until = :d WHERE college_id = :c"),
            {"d": world.today - timedelta(days=1), "c": world.college_id},
        )
    with Session(world.engine) as s:
        s.add(
            SemesterMark(
                college_id=world.college_id,
                curriculum_item_id=item_id(world),
                student_id=b,
                value="н/а",
                created_by_user_id=world.users["teacher"],
            )
        )
        s.commit()
    with Session(world.engine) as s, pytest.raises(DomainError, match="Срок пересдач по семестру истёк"):
        attestation.retake(
            world.actor("teacher"), item_id(world), b, "3", reason="приказ", commission="к", session=s
        )
    with Session(world.engine) as s, pytest.raises(DomainError, match="не может быть в прошлом"):
        attestation.close_half(
            world.actor("deputy"),
            calendar.Half(half(world).year - 1, 1),
            retakes_until=world.today - timedelta(days=1),
            session=s,
        )


def test_the_commission_the_deputy_names_fills_the_sheet(world, app_engine):
    from app.errors import AccessDenied
    from app.reports.attestation_sheet import sheet_pdf
    from tests.reports.conftest import pdf_text

    open_session(world)
    iid = item_id(world)
    member = world.actor("other_teacher")  # Кузнецов: not the subject's teacher
    a = world.student_ids[0]
    with Session(app_engine) as s:
        with pytest.raises(AccessDenied):
            attestation.enter(member, iid, {a: "4"}, session=s)
        assert iid not in [x.item_id for x in attestation.sheets(member, half(world), session=s)]
        with pytest.raises(AccessDenied):
            attestation.name_commission(world.actor("teacher"), iid, [world.other_teacher_id], session=s)
        attestation.name_commission(
            world.actor("deputy"), iid, [world.other_teacher_id, world.teacher_id], session=s
        )
        assert iid in [x.item_id for x in attestation.sheets(member, half(world), session=s)]
        assert attestation.enter(member, iid, {a: "4"}, session=s) == 1
        sheet = attestation.sheet(member, iid, session=s)
        pdf = sheet_pdf(sheet, session=s, college_id=world.college_id)
    assert sheet.may_enter(member)
    assert [name for _, name in sheet.commission] == ["Кузнецов Олег Петрович", "Соколова Елена Викторовна"]
    assert "Член комиссии" in pdf_text(pdf) and "Кузнецов Олег Петрович" in pdf_text(pdf)
    with Session(app_engine) as s:
        attestation.name_commission(world.actor("deputy"), iid, [], session=s)
        with pytest.raises(AccessDenied):
            attestation.enter(member, iid, {world.student_ids[1]: "4"}, session=s)
        entries = s.exec(
            select(AuditEvent).where(
                AuditEvent.action == "attestation.commission", AuditEvent.entity_id == iid
            )
        ).all()
    assert sorted(e.outcome for e in entries) == ["accepted", "accepted", "refused"]


def test_the_whole_session_prints_as_one_document_a_sheet_a_page(world):
    from app.reports.attestation_sheet import sheets_pdf
    from tests.reports.conftest import pages_text

    open_session(world)
    enter(world, "teacher", {world.student_ids[0]: "5"})
    with Session(world.engine) as s:
        deputy = world.actor("deputy")
        keys = [x.key for x in attestation.sheets(deputy, half(world), session=s)]
        chosen = [attestation.sheet(deputy, i, kind=k, session=s) for i, k in keys]
        pdf = sheets_pdf(chosen, session=s, college_id=world.college_id, title="ИСП-11")
    pages = [" ".join(p.split()) for p in pages_text(pdf)]
    assert len(keys) == 2 and len(pages) >= 2
    assert any("Экзаменационная ведомость: ИСП-11 · Операционные системы" in p for p in pages)
    assert any("Зачётная ведомость: ИСП-11 · Физическая культура" in p for p in pages)
    assert not any("Операционные системы" in p and "Физическая культура" in p for p in pages)
