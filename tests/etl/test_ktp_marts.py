"""The warehouse measures the КТП lag against the approved version only; drafts never reach it."""

from __future__ import annotations

import duckdb
import pytest
from sqlmodel import Session, select

from app.db import get_engine
from app.models import CurriculumItem
from app.services import ktp
from app.settings import Settings
from etl.load import run_etl
from etl.warehouse import WarehouseReader, read_pointer
from tests.etl.helpers import filled_on

PROGRESS = (
    "SELECT ktp_version, ktp_topics, ktp_hours, furthest_topic, lessons_taught, ktp_lag_lessons "
    "FROM mart_ktp_progress WHERE group_id = ? AND subject_id = ?"
)


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url)


def item_of(world) -> int:
    with Session(world.engine) as s:
        found = s.exec(
            select(CurriculumItem.id).where(
                CurriculumItem.study_group_id == world.group_id, CurriculumItem.subject_id == world.subject_id
            )
        ).one()
        assert found is not None
        return found


def new_version(world, hours: list[int], *, approve: bool = True) -> int:
    topics = [ktp.TopicInput(f"Тема {n}", h) for n, h in enumerate(hours, start=1)]
    with Session(get_engine()) as s:
        version_id = ktp.save_draft(world.actor("teacher"), item_of(world), topics, session=s)
        if approve:
            ktp.approve(world.actor("deputy"), version_id, session=s)
    return version_id


def test_the_lag_is_measured_against_the_approved_version(world, settings):
    world.without_timetable()
    # four lessons; the last one recorded topic № 3 of version 1
    for d in (8, 6, 4):
        world.lesson(d, **filled_on(world, d))
    world.lesson(2, plan_topic_id=world.plan_topic_ids[2], **filled_on(world, 2))
    pending = new_version(world, [2] * 36, approve=False)

    run_etl(full=True, settings=settings)
    reader = WarehouseReader(settings.warehouse_dir)
    key = [world.group_id, world.subject_id]
    assert reader.query(PROGRESS, key).row(0) == (1, 3, 6, 3, 4, 1)  # the draft counts for nothing
    assert (
        reader.query(
            "SELECT count(*) FROM stg_plan_topic WHERE curriculum_item_id = ?", [item_of(world)]
        ).item()
        == 3
    )
    reader.close()

    with Session(get_engine()) as s:
        ktp.approve(world.actor("deputy"), pending, session=s)
    run_etl(full=True, settings=settings)
    reader = WarehouseReader(settings.warehouse_dir)
    assert reader.query(PROGRESS, key).row(0) == (2, 36, 72, 3, 4, 1)
    current = reader.query(
        "SELECT ktp_version, is_current, count(*) FROM stg_plan_topic WHERE curriculum_item_id = ? "
        "GROUP BY ALL ORDER BY ktp_version",
        [item_of(world)],
    ).rows()
    assert current == [(1, False, 3), (2, True, 36)]
    reader.close()

    new_version(world, [36, 36])  # fewer topics than the lesson reached: at most the last one
    run_etl(full=True, settings=settings)
    reader = WarehouseReader(settings.warehouse_dir)
    assert reader.query(PROGRESS, key).row(0) == (3, 2, 72, 2, 4, 2)
    reader.close()


def test_an_incremental_load_replaces_a_reference_table_whose_columns_changed(world, settings):
    world.lesson(1, plan_topic_id=world.plan_topic_ids[0], **filled_on(world, 1))
    run_etl(full=True, settings=settings)
    assert read_pointer(settings.warehouse_dir) is not None
    # the warehouse (the published file and its twin) as a version of the app before КТП versions left it
    for file in settings.warehouse_dir.glob("wh-*.duckdb"):
        with duckdb.connect(str(file)) as duck:
            duck.execute("ALTER TABLE raw_plan_topic DROP COLUMN is_current")
            duck.execute("ALTER TABLE raw_plan_topic DROP COLUMN ktp_version")
    world.lesson(0)
    report = run_etl(settings=settings)
    assert report.mode != "unchanged"  # a reshaped table changes every college: a full load, as it happens
    reader = WarehouseReader(settings.warehouse_dir)
    row = reader.query(PROGRESS, [world.group_id, world.subject_id]).row(0)
    assert row[:4] == (1, 3, 6, 1)
    assert reader.query("SELECT count(*) FROM raw_plan_topic WHERE is_current").item() >= 3
    reader.close()
