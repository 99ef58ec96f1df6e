from __future__ import annotations

from datetime import timedelta

import pytest

from app.analytics import completeness
from app.analytics.common import Scope, freshness_label
from app.settings import Settings
from etl.load import run_etl
from etl.warehouse import WarehouseReader
from tests.etl.helpers import filled_on


@pytest.fixture
def built(world, tmp_path, database_url):
    # a complete lesson, a lesson with nothing filled, and one filled a day late
    world.lesson(3, **filled_on(world, 3))
    empty = world.lesson(4)
    world.lesson(5, **filled_on(world, 5, late_days=1))
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    run_etl(full=True, settings=settings)
    reader = WarehouseReader(settings.warehouse_dir)
    scope = Scope(world.college_id, world.today - timedelta(days=30), world.today)
    return world, reader, scope, empty


def test_summary(built):
    _world, reader, scope, _ = built
    s = completeness.summary(reader, scope)
    assert s["held"] == 3 and s["pct_on_day"] == 33.3 and s["late"] == 1
    assert s["remarks_fixed"] == 4 and s["remarks_open"] == 4 and s["remarks_overdue"] == 0


def test_breakdown_by_teacher_has_russian_headers_and_counts(built):
    _world, reader, scope, _ = built
    frame = completeness.breakdown(reader, scope, "teacher")
    assert frame.columns[:3] == ["Преподаватель", "Занятий", "Заполнено в день занятия, %"]
    row = frame.row(0, named=True)
    assert row["Преподаватель"] == "Соколова Елена Викторовна" and row["Занятий"] == 3
    assert row["Без темы"] == 1 and row["Заполнено с опозданием"] == 1 and row["Неустранённых замечаний"] == 4


def test_group_scope_restricts_rows(built):
    world, reader, scope, _ = built
    other = Scope(scope.college_id, scope.start, scope.end, group_ids=(world.group_id + 100000,))
    assert completeness.summary(reader, other)["held"] == 0
    assert completeness.remarks(reader, other).height == 0
    none = Scope(scope.college_id, scope.start, scope.end, group_ids=())
    assert completeness.lessons(reader, none).height == 0


def test_remarks_list_and_drill_down(built):
    _world, reader, scope, empty = built
    open_only = completeness.remarks(reader, scope, ("open",))
    assert set(open_only["Состояние"]) == {"открыто"} and set(open_only["_lesson_id"]) == {empty}
    assert "Не указана тема занятия" in open_only["Замечание"].to_list()
    defects = completeness.lessons(reader, scope)
    assert defects.height == 2 and defects.filter(defects["_lesson_id"] == empty)["Тема"].item() == "—"


def test_weekly_analysis_and_freshness(built):
    world, reader, _scope, _ = built
    week = world.today - timedelta(days=4)
    week -= timedelta(days=week.weekday())
    frame = completeness.weekly_analysis(reader, world.college_id, week)
    assert frame.height == 1 and frame["Преподаватель"].item() == "Соколова Елена Викторовна"
    assert freshness_label(reader.published()).startswith("данные на ")
