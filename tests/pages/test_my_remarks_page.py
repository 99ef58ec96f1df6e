"""«Мои замечания» through the router, the `?lesson=` links into «Журнал», and the count on «Главная»."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

import pytest

from app.analytics.common import get_reader
from app.settings import get_settings
from tests.etl.helpers import filled_on
from tests.pages.conftest import app_as, texts

PAGE = "pages/my_remarks.py"
JOURNAL = "pages/journal.py"


def journal_links(at) -> dict[int, str]:
    """lesson id -> label of every link into «Журнал» the page shows."""
    out = {}
    for link in at.get("page_link"):
        params = parse_qs(link.proto.query_string)
        if "lesson" in params:
            assert "journal" in link.proto.page, link.proto.page
            (lesson,) = params["lesson"]
            out[int(lesson)] = link.proto.label
    return out


def tables(at) -> list:
    return [frame.value for frame in at.dataframe]


def test_teacher_sees_own_remarks_links_and_the_board(run_as, world, warehouse):
    mine = world.lesson(2)  # nothing filled: four open remarks
    world.lesson(3, **filled_on(world, 3))
    theirs = world.lesson(1, teacher_id=world.other_teacher_id, subject_id=world.credit_subject_id)
    warehouse()
    at = run_as(world.users["teacher"], PAGE)
    assert not at.exception, at.exception
    page = texts(at)
    assert "Мои замечания" in page and "данные на " in page
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Открытых замечаний"] == "4" and metrics["Просроченных замечаний"] == "0"
    assert [t.label for t in at.tabs] == [
        "Замечания",
        "По неделям",
        "КТП",
        "Накопляемость",
        "Доска информации",
    ]
    remarks = tables(at)[0]
    assert set(remarks["Дисциплина"]) == {"Операционные системы"} and len(remarks) == 4
    assert set(remarks["Состояние"]) == {"открыто"}
    links = journal_links(at)
    assert list(links) == [mine] and theirs not in links
    assert "Операционные системы" in links[mine] and "Не указана тема занятия" in links[mine]
    assert any(b.label == "Скачать в Excel" for b in at.get("download_button"))
    # «Доска информации»: the college's weekly analysis, the other teacher's row included
    board = [t for t in tables(at) if "Преподаватель" in t.columns]
    assert board and "Кузнецов Олег Петрович" in set(board[-1]["Преподаватель"])
    assert "§4.2.2" in page


def test_the_other_teacher_sees_only_theirs(run_as, world, warehouse):
    world.lesson(2)
    theirs = world.lesson(1, teacher_id=world.other_teacher_id, subject_id=world.credit_subject_id)
    warehouse()
    at = run_as(world.users["other_teacher"], PAGE)
    assert not at.exception, at.exception
    assert set(tables(at)[0]["Дисциплина"]) == {"Физическая культура"}
    assert list(journal_links(at)) == [theirs]


def test_no_remarks_says_the_journal_is_kept(run_as, world, warehouse):
    world.lesson(2, **filled_on(world, 2))
    warehouse()
    at = run_as(world.users["teacher"], PAGE)
    assert not at.exception, at.exception
    assert "Замечаний нет — журнал заполнен вовремя." in [i.value for i in at.info]
    assert journal_links(at) == {}


def test_empty_warehouse_says_how_to_build_it(run_as, world, tmp_path, monkeypatch):
    monkeypatch.setenv("EJOURNAL_DATA_DIR", str(tmp_path / "nothing"))
    get_settings.cache_clear()
    get_reader.cache_clear()
    try:
        at = run_as(world.users["teacher"], PAGE)
        assert not at.exception, at.exception
        assert "ejournal etl run" in texts(at)
    finally:
        get_settings.cache_clear()
        get_reader.cache_clear()


@pytest.mark.parametrize("who", ["deputy", "officer", "director", "student", "guardian"])
def test_others_cannot_route_to_it(run_as, world, who):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run_as(world.users[who], PAGE)


def journal_with_link(user_id: int, lesson_id: int):
    """«Журнал» opened by a remark's link: the page with ?lesson=<id>."""
    at = app_as(user_id).run().switch_page(JOURNAL)
    at.query_params["lesson"] = str(lesson_id)
    return at.run()


def refused(at) -> list[str]:
    return [w.value for w in at.warning if "недоступен" in w.value]


def test_the_link_opens_the_lesson_for_its_teacher(world):
    day = world.today - timedelta(days=2)
    world.lesson(2, pair_number=1)
    linked = world.lesson(2, pair_number=2)  # not the first of the day: the link must choose it
    at = journal_with_link(world.users["teacher"], linked)
    assert not at.exception, at.exception
    assert not refused(at), refused(at)
    assert at.date_input(key="journal_day").value == day
    assert next(s for s in at.selectbox if s.label == "Занятие").value == linked
    assert "ИСП-11 · Операционные системы" in texts(at)
    # the remark is fixed there: an empty field of a past lesson is filled late
    [homework] = [t for t in at.text_area if t.label == "Домашнее задание"]
    homework.input("Повторить §3")
    [save] = [b for b in at.button if b.label == "Сохранить"]
    save.click().run()
    assert any("с опозданием" in s.value for s in at.success), [e.value for e in at.error]


def test_the_link_does_not_open_another_teachers_lesson(world):
    linked = world.lesson(2)
    at = journal_with_link(world.users["other_teacher"], linked)
    assert not at.exception, at.exception
    assert any("другой преподаватель" in w.value for w in at.warning)
    assert at.date_input(key="journal_day").value == world.today  # nothing of that lesson is opened
    assert "ИСП-11 · Операционные системы" not in texts(at)
    assert not [s for s in at.selectbox if s.label == "Занятие"]


def test_a_substitute_gets_the_remark_and_its_link(run_as, world, warehouse):
    swapped = world.lesson(2, substitute_teacher_id=world.other_teacher_id)
    warehouse()
    substitute = run_as(world.users["other_teacher"], PAGE)
    assert list(journal_links(substitute)) == [swapped]  # the remark goes to who conducted the lesson
    assert journal_links(run_as(world.users["teacher"], PAGE)) == {}
    at = journal_with_link(world.users["other_teacher"], swapped)
    assert not refused(at), refused(at)
    assert next(s for s in at.selectbox if s.label == "Занятие").value == swapped


def test_home_counts_open_and_overdue_remarks(run_as, world, warehouse):
    if world.today - timedelta(days=10) < world.today.replace(month=9, day=1) <= world.today:
        pytest.skip("the first days of an academic year hold no lessons ten days old")
    world.lesson(2)  # four open
    world.lesson(10)  # four overdue
    warehouse()
    at = run_as(world.users["teacher"])
    assert not at.exception, at.exception
    assert any("открытых — 4, просроченных — 4" in w.value for w in at.warning)
    assert "Мои замечания" in [link.label for link in at.get("page_link")]
    # a teacher with nothing to fix sees no count
    quiet = run_as(world.users["other_teacher"])
    assert "Мои замечания" not in [link.label for link in quiet.get("page_link")]
