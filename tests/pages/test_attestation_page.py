"""«Аттестация» through the real router: the teacher fills the sheet, the director reads it."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import CurriculumItem, SemesterMark
from app.services.attestation import SheetKind
from tests.pages.conftest import texts
from tests.services.test_attestation import item_id, open_session

PAGE = "pages/attestation.py"


def test_the_teacher_fills_the_sheet_on_the_page(run_as, world):
    open_session(world)
    at = run_as(world.users["teacher"], PAGE)
    assert not at.exception, at.exception
    iid = item_id(world)
    at.selectbox(key="attestation_item").select((iid, SheetKind.semester)).run()
    a, b = world.student_ids[:2]
    at.selectbox(key=f"att_{iid}_semester_{a}").select("5")
    at.selectbox(key=f"att_{iid}_semester_{b}").select("н/а")
    at.button(key="attestation_save").click().run()
    assert not at.exception, at.exception
    assert "внесено отметок — 2" in texts(at)
    with Session(world.engine) as s:
        values = dict(
            s.exec(
                select(SemesterMark.student_id, SemesterMark.value).where(
                    SemesterMark.curriculum_item_id == iid
                )
            ).all()
        )
    assert values == {a: "5", b: "н/а"}
    labels = [b.label for b in at.get("download_button")]
    assert "Ведомость для печати (PDF)" in labels and "Все ведомости (2) для печати (PDF)" in labels
    assert "Пересдача (1)" in [e.label for e in at.expander]


def test_before_the_session_the_page_says_when(run_as, world):
    from datetime import timedelta

    from app import calendar

    h = calendar.Half.containing(world.today)
    if world.today + timedelta(days=1) > h.end:
        return
    with Session(world.engine) as s:
        calendar.set_session_window(
            world.actor("deputy"), h, world.today + timedelta(days=1), h.end, session=s
        )
    at = run_as(world.users["teacher"], PAGE)
    iid = item_id(world)
    at.selectbox(key="attestation_item").select((iid, SheetKind.semester)).run()
    at.selectbox(key=f"att_{iid}_semester_{world.student_ids[0]}").select("4")
    at.button(key="attestation_save").click().run()
    assert any("заполняется в период аттестации" in e.value for e in at.error)


def test_the_director_reads_the_sheet_and_cannot_fill_it(run_as, world):
    at = run_as(world.users["director"], PAGE)
    assert not at.exception, at.exception
    at.selectbox(key="attestation_item").select((item_id(world), SheetKind.semester)).run()
    assert not [b for b in at.button if b.key == "attestation_save"]
    assert "Абрамов Илья Сергеевич" in list(at.dataframe[-1].value["Студент"])


def test_a_teacher_sees_only_their_own_subjects_sheets(run_as, world):
    with Session(world.engine) as s:
        for item in s.exec(select(CurriculumItem).where(CurriculumItem.study_group_id == world.group_id)):
            item.teacher_id = world.other_teacher_id
            s.add(item)
        s.commit()
    at = run_as(world.users["teacher"], PAGE)
    assert "Ведомостей за это полугодие нет" in texts(at)


def test_the_year_sheet_is_filled_on_the_page_beside_the_semesters(run_as, world):
    from sqlalchemy import text

    from app.models import YearMark

    open_session(world)
    iid = item_id(world)
    with Session(world.engine) as s:
        s.execute(text("UPDATE curriculum_item SET year_mark = true WHERE id = :id"), {"id": iid})
        s.commit()
    at = run_as(world.users["teacher"], PAGE)
    assert not at.exception, at.exception
    assert "Годовая отметка" in list(at.dataframe[0].value["Форма"])
    at.selectbox(key="attestation_item").select((iid, SheetKind.year)).run()
    a = world.student_ids[0]
    assert "не допущен" not in at.selectbox(key=f"att_{iid}_year_{a}").options
    at.selectbox(key=f"att_{iid}_year_{a}").select("4")
    at.button(key="attestation_save").click().run()
    assert not at.exception, at.exception
    with Session(world.engine) as s:
        assert [m.value for m in s.exec(select(YearMark).where(YearMark.curriculum_item_id == iid))] == ["4"]
        assert s.exec(select(SemesterMark).where(SemesterMark.curriculum_item_id == iid)).all() == []
