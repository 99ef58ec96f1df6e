"""«Журнал группы» through the real router: a teacher sees the grid, a student is refused."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app.services.journal_grid import month_label
from tests.conftest import ROOT
from tests.diary_factories import attend, mark
from tests.pages.conftest import login, texts

PAGE = "pages/group_journal.py"


def frames(at):
    return [d.value for d in at.dataframe]


def test_a_teacher_sees_the_grid_and_the_lessons_of_the_month(run_as, world):
    lid = world.lesson(0, topic="Файловые системы", homework="Конспект §4", work_kind="control")
    me, anna, denis = world.student_ids[:3]
    mark(world, lid, me, "5", "control")
    mark(world, lid, me, "4", "oral", "ответ у доски")
    attend(world, lid, anna, "absent")
    attend(world, lid, denis, "late")
    at = run_as(world.users["teacher"], PAGE)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    shown = texts(at)
    assert "Журнал группы" in shown and "ИСП-11 · ОП.01 Операционные системы" in shown
    assert at.selectbox(key="grid_month").value == world.today.replace(day=1)
    assert month_label(world.today) in at.selectbox(key="grid_month").format_func(world.today.replace(day=1))
    grid, lessons, *_ = frames(at)
    column = f"{world.today:%d.%m}"
    rows = {r["ФИО"]: r for r in grid.to_dict("records")}
    assert rows["Абрамов Илья Сергеевич"][column] == "5/4"
    assert rows["Абрамов Илья Сергеевич"]["Средний балл"] == "4,50"
    assert rows["Белова Анна Игоревна"][column] == "н"
    assert rows["Белова Анна Игоревна"]["Пропущено, ч"] == 2
    assert rows["Волков Денис Андреевич"][column] == "оп"
    assert "_student_id" not in grid.columns
    [lesson] = lessons.to_dict("records")
    assert lesson["Дата"] == world.today.strftime("%d.%m.%Y") and lesson["Тема занятия"] == "Файловые системы"
    assert lesson["Домашнее задание"] == "Конспект §4" and lesson["Преподаватель"] == "Соколова Е. В."
    [download] = at.get("download_button")
    assert download.proto.label == "Скачать в Excel"
    # the other subject of the group has no lessons this month
    at.selectbox(key=f"grid_subject_{world.group_id}").select(world.credit_subject_id).run()
    assert "За выбранный месяц занятий нет." in [i.value for i in at.info]


def test_a_teacher_who_teaches_nothing_gets_an_empty_state(run_as, world):
    at = run_as(world.users["other_teacher"], PAGE)
    assert not at.exception and not at.error and not at.warning
    assert "За вами пока не закреплены группы и дисциплины" in texts(at)
    assert not at.dataframe


@pytest.mark.parametrize("who", ["student", "guardian", "officer"])
def test_the_page_is_not_in_their_menu(run_as, world, who):
    at = run_as(world.users[who])
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_a_student_opening_the_page_itself_is_refused(world):
    world.lesson(0)
    # the page file run on its own, past the router: its own role check refuses
    page = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    page.user = login(world.users["student"])
    page.run()
    assert "Эта страница вам недоступна." in [e.value for e in page.error]
    assert not page.dataframe and "Абрамов" not in texts(page)
