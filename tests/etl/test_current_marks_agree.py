"""The warehouse's current marks are the database's (issue 15): the marts' `mark_current` and
`semester_mark_current` follow corrections by depth as `mark_current_of` and
`semester_mark_chain_of` do, so a dashboard and a diary show the same value after a chain of
corrections or retakes."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from app.models import SemesterMark
from app.settings import Settings
from etl.load import run_etl
from etl.warehouse import WarehouseReader
from tests.test_mark_current import add, add_sheet, items_of


def test_the_warehouse_and_the_database_agree_on_every_current_mark(world, tmp_path, database_url):
    a, b = world.student_ids[:2]
    lesson = world.lesson(1)
    first = add(world, lesson, a, "2")
    add(world, lesson, a, "4", corrects=add(world, lesson, a, "3", corrects=first))
    add(world, lesson, b, "5")
    item = items_of(world)[0]
    debt = add_sheet(world, SemesterMark, item, a, "2")
    add_sheet(
        world,
        SemesterMark,
        item,
        a,
        "4",
        corrects=add_sheet(world, SemesterMark, item, a, "3", corrects=debt),
    )
    add_sheet(world, SemesterMark, item, b, "5")

    settings = Settings(data_dir=tmp_path, database_url=database_url)
    run_etl(full=True, settings=settings)
    wh = WarehouseReader(settings.warehouse_dir)
    with Session(world.engine) as s:
        lessons_db = sorted(
            tuple(r) for r in s.execute(text("SELECT original_id, current_id, value FROM mark_current_of()"))
        )
        sheets_db = sorted(
            tuple(r)
            for r in s.execute(text("SELECT original_id, current_id, value FROM semester_mark_chain_of()"))
        )
    lessons_wh = sorted(
        wh.query("SELECT original_mark_id, current_mark_id, mark_value FROM mark_current").rows()
    )
    sheets_wh = sorted(
        wh.query(
            "SELECT original_semester_mark_id, current_semester_mark_id, mark_value FROM semester_mark_current"
        ).rows()
    )
    assert lessons_db and sheets_db
    assert lessons_wh == lessons_db
    assert sheets_wh == sheets_db
