"""Correction requests through the real router: filed on the lesson screen, decided on «Исправления отметок»."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.domain import WorkKind
from app.models import CorrectionRequest, Mark
from app.services import corrections
from app.services.journal import LessonEntry, MarkInput, save_lesson
from tests.pages.conftest import menu, texts

JOURNAL = "pages/journal.py"
PAGE = "pages/corrections.py"
REASON = "ошибся строкой при вводе"


def lesson_with_mark(world, value: str = "3") -> tuple[int, int]:
    lid = world.lesson(0)
    with Session(world.engine) as s:
        save_lesson(
            world.actor("teacher"),
            lid,
            LessonEntry(work_kind=WorkKind.oral, marks=[MarkInput(world.student_ids[1], value)]),
            session=s,
        )
        mark_id = s.exec(select(Mark.id).where(Mark.lesson_id == lid)).one()
    assert mark_id is not None
    return lid, mark_id


def requests_of(world, mark_id: int) -> list[CorrectionRequest]:
    with Session(world.engine) as s:
        return list(s.exec(select(CorrectionRequest).where(CorrectionRequest.mark_id == mark_id)))


def file_request(world, mark_id: int, value: str = "4") -> int:
    with Session(world.engine) as s:
        return corrections.request_correction(world.actor("teacher"), mark_id, value, REASON, session=s)


def test_the_teacher_files_a_request_then_the_deputy_approves_and_the_journal_shows_it(run_as, world):
    lid, mark_id = lesson_with_mark(world, "3")
    at = run_as(world.users["teacher"], JOURNAL)
    assert not at.exception, at.exception
    assert [e.label for e in at.expander] == ["Заявка на исправление отметки"]
    choice = at.selectbox(key=f"correction_mark_{lid}_0")
    assert choice.options == ["Белова Анна Игоревна: 3 — Устный опрос"]
    choice.select(mark_id)
    at.selectbox(key=f"correction_value_{lid}_0").select("4")
    at.text_area(key=f"correction_reason_{lid}_0").input(REASON)
    next(b for b in at.button if b.label == "Подать заявку").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("подана" in s.value for s in at.success)
    [request] = requests_of(world, mark_id)
    assert (request.status, request.new_value, request.reason) == ("pending", "4", REASON)
    assert at.dataframe[-1].value["Состояние"].tolist() == ["на рассмотрении"]
    assert "По всем отметкам занятия уже поданы заявки" in texts(at)

    deputy = run_as(world.users["deputy"], PAGE)
    assert not deputy.exception, deputy.exception
    page = texts(deputy)
    assert f"Заявка №{request.id}" in page and "**3 → 4**" in page and REASON in page
    assert "Соколова Елена Викторовна" in page and "Белова Анна Игоревна" in page
    deputy.text_input(key=f"decision_comment_{request.id}").input("согласовано")
    deputy.button(key=f"approve_{request.id}").click().run()
    assert not deputy.error, [e.value for e in deputy.error]
    assert any("одобрена" in s.value for s in deputy.success)
    assert "Заявок на рассмотрении нет." in texts(deputy)

    journal = run_as(world.users["teacher"], JOURNAL)
    assert f"4 (исправлено: было 3, причина: {REASON}) — Устный опрос" in texts(journal)
    assert journal.dataframe[-1].value["Состояние"].tolist() == ["одобрена"]
    with Session(world.engine) as s:
        rows = s.exec(select(Mark).where(Mark.lesson_id == lid).order_by(Mark.id)).all()  # type: ignore[arg-type]
    assert [(m.value, m.corrects_mark_id) for m in rows] == [("3", None), ("4", mark_id)]


def test_a_refused_request_is_shown_and_nothing_is_written(run_as, world):
    lid, mark_id = lesson_with_mark(world, "3")
    at = run_as(world.users["teacher"], JOURNAL)
    at.selectbox(key=f"correction_mark_{lid}_0").select(mark_id)
    at.selectbox(key=f"correction_value_{lid}_0").select("5")
    at.text_area(key=f"correction_reason_{lid}_0").input("ошибка")
    next(b for b in at.button if b.label == "Подать заявку").click().run()
    assert any("не короче 10" in e.value for e in at.error)
    assert at.text_area(key=f"correction_reason_{lid}_0").value == "ошибка"  # kept for fixing
    assert requests_of(world, mark_id) == []


def test_no_panel_without_marks(run_as, world):
    world.lesson(0)
    at = run_as(world.users["teacher"], JOURNAL)
    assert not at.exception, at.exception
    assert [e.label for e in at.expander] == []


def test_the_deputy_rejects_with_a_comment(run_as, world):
    _, mark_id = lesson_with_mark(world, "3")
    request_id = file_request(world, mark_id)
    at = run_as(world.users["deputy"], PAGE)
    at.button(key=f"reject_{request_id}").click().run()
    assert any("причину отклонения" in e.value for e in at.error)
    assert requests_of(world, mark_id)[0].status == "pending"
    at.text_input(key=f"decision_comment_{request_id}").input("Отметка верна по ведомости")
    at.button(key=f"reject_{request_id}").click().run()
    assert any("отклонена" in s.value for s in at.success), [e.value for e in at.error]
    assert requests_of(world, mark_id)[0].status == "rejected"
    with Session(world.engine) as s:
        assert len(s.exec(select(Mark).where(Mark.corrects_mark_id == mark_id)).all()) == 0


def test_history_lists_decided_requests_with_an_excel_download(run_as, world):
    _, mark_id = lesson_with_mark(world, "3")
    request_id = file_request(world, mark_id)
    with Session(world.engine) as s:
        corrections.approve(world.actor("deputy"), request_id, "согласовано", session=s)
    at = run_as(world.users["deputy"], PAGE)
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    assert frame["№"].tolist() == [request_id]
    assert frame["Было"].tolist() == ["3"] and frame["Стало"].tolist() == ["4"]
    assert frame["Состояние"].tolist() == ["одобрена"]
    assert any(b.label == "Скачать в Excel" for b in at.get("download_button"))
    at.multiselect[0].set_value(["rejected"]).run()
    assert "За выбранный период заявок нет." in texts(at)


@pytest.mark.parametrize("who", ["teacher", "officer", "director", "student", "guardian"])
def test_only_the_deputy_routes_to_corrections(run_as, world, who):
    at = run_as(world.users[who])
    assert "Исправления отметок" not in menu(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)
