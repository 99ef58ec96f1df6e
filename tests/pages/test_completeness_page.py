"""«Заполнение журналов» through the router, on a warehouse built from this test's college."""

from __future__ import annotations

import pytest

from app.analytics.common import get_reader
from app.settings import get_settings
from tests.etl.helpers import filled_on
from tests.pages.conftest import texts

PAGE = "pages/completeness.py"


def test_deputy_sees_completeness_remarks_and_downloads(run_as, world, warehouse):
    world.lesson(1, **filled_on(world, 1))
    world.lesson(2)  # nothing filled: four remarks
    warehouse()
    at = run_as(world.users["deputy"], PAGE)
    assert not at.exception, at.exception
    page = texts(at)
    assert "данные на " in page and "Заполнение журналов" in page
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Занятий проведено"] in {"1", "2"}  # the week may split the two days
    assert [t.label for t in at.tabs][:4] == [
        "По преподавателям",
        "По группам",
        "По дисциплинам",
        "Замечания",
    ]
    assert any(b.label == "Скачать в Excel" for b in at.get("download_button"))


def test_empty_warehouse_says_how_to_build_it(run_as, world, tmp_path, monkeypatch):
    monkeypatch.setenv("EJOURNAL_DATA_DIR", str(tmp_path / "nothing"))
    get_settings.cache_clear()
    get_reader.cache_clear()
    try:
        at = run_as(world.users["officer"], PAGE)
        assert "ejournal etl run" in texts(at)
    finally:
        get_settings.cache_clear()
        get_reader.cache_clear()


@pytest.mark.parametrize("who", ["teacher", "student", "guardian"])
def test_others_cannot_route_to_it(run_as, world, who):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run_as(world.users[who], PAGE)
