"""Year marks (годовая) and the state final attestation (ГИА), by the attestation sheet's pattern.

On 18bf9b7 neither existed (issue 12): no year mark could be entered and ГИА had no home."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.domain import AttestationForm, SubjectKind
from app.errors import AccessDenied, DomainError
from app.models import CurriculumItem, SemesterMark, Subject, YearMark
from app.reports.attestation_sheet import sheet_pdf
from app.services import attestation, diary
from app.services.attestation import SheetKind
from tests.reports.conftest import pdf_text
from tests.services.test_attestation import half, item_id, open_session


def ask_for_year_mark(world) -> int:
    iid = item_id(world)
    with Session(world.engine) as s:
        s.execute(text("UPDATE curriculum_item SET year_mark = true WHERE id = :id"), {"id": iid})
        s.commit()
    return iid


def gia_item(world) -> int:
    """ГИА of the world's group in its current semester; the other teacher is the commission's secretary."""
    with Session(world.engine) as s:
        subject = Subject(
            college_id=world.college_id, code="ГИА", name="Защита выпускной квалификационной работы",
            kind=SubjectKind.gia,
        )  # fmt: skip
        s.add(subject)
        s.flush()
        assert subject.id is not None
        item = CurriculumItem(
            college_id=world.college_id,
            study_group_id=world.group_id,
            subject_id=subject.id,
            semester=world.semester,
            planned_hours=0,
            attestation_form=AttestationForm.gia,
            teacher_id=world.other_teacher_id,
        )
        s.add(item)
        s.commit()
        assert item.id is not None
        return item.id


def test_a_year_sheet_exists_only_where_the_curriculum_asks_for_one(world):
    with Session(world.engine) as s, pytest.raises(DomainError, match="не предусматривает годовой"):
        attestation.sheet(world.actor("deputy"), item_id(world), kind=SheetKind.year, session=s)
    iid = ask_for_year_mark(world)
    with Session(world.engine) as s:
        listed = [
            (x.item_id, x.kind) for x in attestation.sheets(world.actor("deputy"), half(world), session=s)
        ]
        sheet = attestation.sheet(world.actor("teacher"), iid, kind=SheetKind.year, session=s)
    assert (iid, SheetKind.semester) in listed and (iid, SheetKind.year) in listed
    assert sheet.form_label == "Годовая отметка" and sheet.allowed == ("5", "4", "3", "2", "н/а")
    assert "учебный год" in sheet.title


def test_year_marks_are_entered_once_and_apart_from_the_semester_sheet(world, app_engine):
    iid = ask_for_year_mark(world)
    open_session(world)
    a, b = world.student_ids[:2]
    with Session(app_engine) as s:
        added = attestation.enter(
            world.actor("teacher"), iid, {a: "4", b: "2"}, kind=SheetKind.year, session=s
        )
    assert added == 2
    with Session(app_engine) as s:
        with pytest.raises(DomainError, match="уже в ведомости"):
            attestation.enter(world.actor("teacher"), iid, {a: "5"}, kind=SheetKind.year, session=s)
        with pytest.raises(DomainError, match="не подходит"):
            attestation.enter(world.actor("teacher"), iid, {world.student_ids[2]: "не допущен"},
                              kind=SheetKind.year, session=s)  # fmt: skip
        with pytest.raises(AccessDenied):
            attestation.enter(world.actor("other_teacher"), iid, {world.student_ids[2]: "3"},
                              kind=SheetKind.year, session=s)  # fmt: skip
        year = attestation.sheet(world.actor("deputy"), iid, kind=SheetKind.year, session=s)
        semester = attestation.sheet(world.actor("deputy"), iid, session=s)
        stored = s.exec(select(YearMark).where(YearMark.curriculum_item_id == iid)).all()
        assert s.exec(select(SemesterMark).where(SemesterMark.curriculum_item_id == iid)).all() == []
    values = {r.student_id: r for r in year.rows}
    assert values[a].value == "4" and values[b].value == "2"
    assert not values[b].is_debt  # a year mark is not retaken: the semester's debts are
    assert all(r.value is None for r in semester.rows)
    assert sorted(m.value for m in stored) == ["2", "4"] and all(m.taken_on for m in stored)


def test_the_app_cannot_change_or_remove_a_year_mark(world, app_engine, database_url):
    iid = ask_for_year_mark(world)
    open_session(world)
    with Session(app_engine) as s:
        attestation.enter(
            world.actor("teacher"), iid, {world.student_ids[0]: "4"}, kind=SheetKind.year, session=s
        )
    from app.db import APP_ROLE, with_user

    with psycopg.connect(with_user(database_url, APP_ROLE)) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="не изменяются"):
            conn.execute("UPDATE year_mark SET value = '5' WHERE curriculum_item_id = %s", (iid,))
        conn.rollback()
        with pytest.raises(psycopg.errors.RaiseException, match="не изменяются"):
            conn.execute("DELETE FROM year_mark WHERE curriculum_item_id = %s", (iid,))


def test_the_diary_shows_the_year_mark(world, app_engine):
    iid = ask_for_year_mark(world)
    open_session(world)
    me = world.student_ids[0]
    with Session(app_engine) as s:
        attestation.enter(world.actor("teacher"), iid, {me: "5"}, kind=SheetKind.year, session=s)
        period = diary.period(world.actor("student"), me, session=s)
    summary = next(x for x in period.subjects if x.subject_id == world.subject_id)
    assert summary.year_marks == [(world.semester, "5")]
    assert summary.semester_marks == []


def test_gia_is_filled_by_the_commissions_secretary_and_printed(world, app_engine):
    iid = gia_item(world)
    open_session(world)
    a, b = world.student_ids[:2]
    with Session(app_engine) as s:
        with pytest.raises(AccessDenied):
            attestation.enter(world.actor("teacher"), iid, {a: "5"}, session=s)
        assert attestation.enter(world.actor("other_teacher"), iid, {a: "5", b: "не допущен"}, session=s) == 2
        sheet = attestation.sheet(world.actor("deputy"), iid, session=s)
        pdf = sheet_pdf(sheet, session=s, college_id=world.college_id, deputy="Морозова И. П.")
        period = diary.period(world.actor("student"), a, session=s)
    assert sheet.form_label == "Государственная итоговая аттестация"
    assert {r.student_id: r.value for r in sheet.rows}[b] == "не допущен"
    words = " ".join(pdf_text(pdf).split())
    assert "Сводная ведомость государственной итоговой аттестации" in words
    assert "Защита выпускной квалификационной работы" in words
    gia = next(x for x in period.subjects if x.subject == "Защита выпускной квалификационной работы")
    assert gia.semester_marks == [(world.semester, "Государственная итоговая аттестация", "5")]
