"""«Импорт данных» through the router: the officer uploads files; nobody else can route to it."""

from __future__ import annotations

import pytest

from app.models import Student
from tests.imports.helpers import count, csv_bytes, xlsx
from tests.pages.conftest import menu, texts

PAGE = "pages/import_data.py"
HEADER = ["Группа", "Фамилия", "Имя", "Отчество", "Дата рождения"]


def _upload(at, name: str, data: bytes, mime: str):
    at.file_uploader[0].set_value((name, data, mime))
    return at.run()


def _choose_students(at):
    at.selectbox[0].select("students").run()
    return at


def test_officer_uploads_a_bad_file_and_sees_every_error(run_as, world, engine):
    assert "Импорт данных" in menu(run_as(world.users["officer"]))
    at = run_as(world.users["officer"], PAGE)
    assert not at.exception, at.exception
    assert "Импорт данных" in texts(at)
    assert any(b.label == "Скачать шаблон" for b in at.get("download_button"))
    at = _choose_students(at)
    rows = [
        HEADER,
        ["ЭКО-99", "Кротов", "Ян", "", "01.05.2008"],
        ["ИСП-11", "Лунев", "Пётр", "", "31.02.2008"],
    ]
    at = _upload(at, "students.csv", csv_bytes(rows, encoding="cp1251", delimiter=","), "text/csv")
    assert not at.exception, at.exception
    assert "Windows-1251" in texts(at)
    assert len(at.dataframe[-1].value) == 2  # the preview (AppTest gives pandas frames)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any("Файл не импортирован: ошибок 2" in e.value for e in at.error)
    errors = at.dataframe[-1].value
    assert list(errors.columns) == ["Строка", "Столбец", "Что исправить"]
    assert errors["Строка"].tolist() == [2, 3]
    assert "Группа «ЭКО-99» не найдена" in errors["Что исправить"][0]
    assert any(b.label == "Скачать список ошибок (Excel)" for b in at.get("download_button"))
    assert count(engine, Student, college_id=world.college_id) == 5


def test_officer_imports_a_good_file_and_sees_the_counts(run_as, world, engine):
    at = _choose_students(run_as(world.users["officer"], PAGE))
    rows = [HEADER, ["ИСП-11", "Кротов", "Ян", "", "01.05.2008"]]
    at = _upload(at, "students.xlsx", xlsx(rows), "application/octet-stream")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any("добавлено 1, изменено 0, без изменений 0" in s.value for s in at.success)
    assert {m.label: m.value for m in at.metric}["Добавлено"] == "1"
    assert count(engine, Student, college_id=world.college_id) == 6


def test_an_unreadable_file_is_refused_before_import(run_as, world):
    at = _choose_students(run_as(world.users["officer"], PAGE))
    at = _upload(at, "empty.csv", csv_bytes([HEADER]), "text/csv")
    assert any("только строка заголовка" in e.value for e in at.error)
    assert not at.button  # nothing to import


@pytest.mark.parametrize("who", ["teacher", "deputy", "director", "student", "guardian"])
def test_others_cannot_route_to_it(run_as, world, who):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run_as(world.users[who], PAGE)
