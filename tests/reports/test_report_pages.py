"""AppTest: the «Документы» tab of «Заполнение журналов» and the «Отчёты» page offer the right downloads
to the right roles, and the college archive ZIP is built behind a progress bar."""

from __future__ import annotations

import pytest

from tests.etl.helpers import filled_on
from tests.pages.conftest import app_as, menu, texts

COMPLETENESS = "pages/completeness.py"
REPORTS = "pages/reports.py"


def run(user_id: int, page: str | None = None):
    at = app_as(user_id).run()
    if page:
        at.switch_page(page).run()
    return at


def downloads(at) -> list[str]:
    return [str(b.label) for b in at.get("download_button")]


def make_curator(world) -> None:
    """The world's teacher becomes the curator of ИСП-11."""
    world.make_curator("teacher")


@pytest.fixture
def built(world, warehouse):
    world.lesson(3, **filled_on(world, 3))
    world.lesson(2)
    return warehouse()


@pytest.mark.parametrize("who", ["deputy", "officer", "director"])
def test_documents_tab_offers_pdfs_and_the_archive(world, built, who):
    at = run(world.users[who], COMPLETENESS)
    assert not at.exception, at.exception
    assert "Документы" in [t.label for t in at.tabs]
    labels = downloads(at)
    assert any(label.startswith("Анализ недели") and label.endswith("(PDF)") for label in labels)
    assert any(label.startswith("Отчёт за ") for label in labels)
    assert "Журнал группы по дисциплине (PDF)" in labels
    assert any(str(b.label).startswith("Сформировать архив всех журналов колледжа") for b in at.button)


def test_college_zip_is_built_with_a_progress_bar(world, built):
    at = run(world.users["deputy"], COMPLETENESS)
    assert "Скачать архив журналов (ZIP)" not in downloads(at)
    at.button(key="archive_zip_build").click().run()
    assert not at.exception, at.exception
    assert "Скачать архив журналов (ZIP)" in downloads(at)
    bars = at.get("progress")
    assert bars and "Готово: журналов в архиве — 1" in str(bars[-1].proto.text)


def test_reports_page_for_the_deputy(world, built):
    at = run(world.users["deputy"], REPORTS)
    assert not at.exception, at.exception
    assert "Отчёты" in texts(at)
    assert [t.label for t in at.tabs] == ["Группа", "Колледж"]
    labels = downloads(at)
    assert any("Отчёт по группе ИСП-11" in label for label in labels)
    assert "Отчёт куратора группы ИСП-11 за семестр (PDF)" in labels
    assert "Отчёт по колледжу (PDF)" in labels
    assert not any(label.startswith("Информационное письмо") for label in labels)


def test_reports_page_for_a_curator_with_the_guardian_letter(world, built):
    make_curator(world)
    at = run(world.users["teacher"], REPORTS)
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == ["Группа", "Письмо родителям"]
    labels = downloads(at)
    assert "Отчёт по колледжу (PDF)" not in labels
    assert any("Отчёт по группе ИСП-11" in label for label in labels)
    assert any(label.startswith("Информационное письмо: Абрамов Илья Сергеевич") for label in labels)
    assert at.selectbox(key="letter_student").options[:2] == [
        "Абрамов Илья Сергеевич",
        "Белова Анна Игоревна",
    ]


def test_menu_shows_reports_only_to_their_roles(world, built):
    assert "Отчёты" in menu(run(world.users["deputy"]))
    assert "Отчёты" in menu(run(world.users["director"]))
    assert "Отчёты" not in menu(run(world.users["teacher"]))
    assert "Отчёты" not in menu(run(world.users["officer"]))


@pytest.mark.parametrize("who", ["teacher", "student", "guardian"])
def test_others_cannot_open_the_reports_page(world, who):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run(world.users[who], REPORTS)


@pytest.mark.parametrize("who", ["teacher", "student"])
def test_others_cannot_open_the_documents(world, who):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run(world.users[who], COMPLETENESS)
