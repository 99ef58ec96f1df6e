"""An incremental load rebuilds the colleges that changed and nothing else, and leaves exactly the
marts a full load builds from the same journal (issue 14)."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import polars as pl
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.calendar import is_school_day
from app.domain import AttendanceStatus, WorkKind
from app.models import Lesson, Student, SubjectSubgroup
from app.services import timetable
from app.services.journal import LessonEntry, MarkInput, materialize_lessons, save_lesson
from app.settings import Settings
from etl.load import run_etl
from etl.runner import models
from etl.warehouse import read_pointer
from tests.etl.helpers import filled_on, settle
from tests.etl.test_ktp_marts import new_version
from tests.factories import make_world

MARTS = [m.name for m in models() if m.materialized == "table"]
# marts these tests' colleges leave empty (no semester marks, sessions, control works, debts)
SPARSE = {
    "semester_mark_current",
    "mart_academic_debt",
    "mart_session_results",
    "mart_control_work",
    "mart_at_risk",
}


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path / "incremental", database_url=database_url)


def marts_of(settings: Settings) -> dict[str, pl.DataFrame]:
    pointer = read_pointer(settings.warehouse_dir)
    assert pointer is not None
    with duckdb.connect(str(settings.warehouse_dir / pointer.file), read_only=True) as duck:
        return {
            mart: pl.from_arrow(duck.sql(f"SELECT * FROM {mart} ORDER BY ALL").to_arrow_table())  # type: ignore[misc]
            for mart in MARTS
        }


def assert_same_as_a_full_load(
    settings: Settings, tmp_path, name: str, colleges: list[int], sparse: frozenset[str] = SPARSE
) -> None:
    """The marts of `colleges` (the test's own: a server of the suite, app_url, may be changing other
    colleges of this database meanwhile) equal a full load's."""
    fresh = Settings(data_dir=tmp_path / name, database_url=settings.database_url)
    run_etl(full=True, settings=fresh)
    mine = pl.col("college_id").is_in(colleges)
    ours = {m: f.filter(mine) for m, f in marts_of(settings).items()}
    theirs = {m: f.filter(mine) for m, f in marts_of(fresh).items()}
    for mart in MARTS:
        assert not ours[mart].is_empty() or mart in sparse, f"{mart}: nothing to compare"
        if not ours[mart].equals(theirs[mart]):
            extra = ours[mart].join(theirs[mart], on=ours[mart].columns, how="anti", nulls_equal=True)
            missing = theirs[mart].join(ours[mart], on=ours[mart].columns, how="anti", nulls_equal=True)
            raise AssertionError(
                f"{mart} differs from a full load: extra rows\n{extra}\nmissing rows\n{missing}"
            )


def test_a_change_rebuilds_its_college_only_and_equals_a_full_load(world, engine, settings, tmp_path):
    other = make_world(engine).without_timetable()  # a second college that nothing below touches
    world.without_timetable()
    colleges = [world.college_id, other.college_id]
    for w in (world, other):
        w.lesson(3, **filled_on(w, 3))
        w.lesson(2, topic="Без домашнего задания")
    lid = world.lesson(0)
    first = run_etl(full=True, settings=settings)
    assert first.mode == "full" and first.colleges == first.colleges_total >= 2
    before = marts_of(settings)

    # the day's journal: a lesson filled, an absence, marks; a student moved to another subgroup
    # for the subject, one who left; a КТП approved (a reference table without a college column)
    with Session(world.engine) as s:
        save_lesson(
            world.actor("teacher"),
            lid,
            LessonEntry(
                topic="Процессы",
                work_kind=WorkKind.test,
                work_done="Тест по процессам",
                homework="§4",
                attendance={world.student_ids[0]: AttendanceStatus.absent},
                marks=[MarkInput(world.student_ids[1], "5"), MarkInput(world.student_ids[2], "2")],
            ),
            session=s,
        )
    with Session(engine) as s:
        s.add(
            SubjectSubgroup(
                college_id=world.college_id,
                student_id=world.student_ids[3],
                subject_id=world.subject_id,
                subgroup=2,
            )
        )
        left = s.get(Student, world.student_ids[4])
        assert left is not None
        left.left_on = world.today - timedelta(days=1)
        s.add(left)
        s.commit()
    new_version(world, [2] * 36)

    inc = run_etl(settings=settings)
    assert inc.mode == "incremental" and inc.colleges == 1 and inc.tests_run > 100
    after = marts_of(settings)
    college = pl.col("college_id") == other.college_id
    for mart in MARTS:  # the other college's rows were not rebuilt: they are the very same
        assert after[mart].filter(college).equals(before[mart].filter(college)), mart
    assert not after["mart_lesson_completeness"].equals(before["mart_lesson_completeness"])
    assert_same_as_a_full_load(settings, tmp_path, "full-1", colleges)

    # the next load updates the other file (the twin), which missed the change above
    with Session(world.engine) as s:
        save_lesson(world.actor("teacher"), lid, LessonEntry(attendance={}), session=s)
    settle(engine)  # the file this load publishes then holds that change for sure (its horizon)
    again = run_etl(settings=settings)
    assert again.mode == "incremental" and again.colleges == 1
    assert_same_as_a_full_load(settings, tmp_path, "full-2", colleges)

    # a round that changes only the other college: the twin missed the change above, which the file
    # published last already holds, so that college is copied from it, not built again
    other_lesson = other.lesson(0)
    with Session(other.engine) as s:
        save_lesson(other.actor("teacher"), other_lesson, LessonEntry(topic="Другой колледж"), session=s)
    third_round = run_etl(settings=settings)
    assert (third_round.mode, third_round.colleges, third_round.colleges_copied) == ("incremental", 1, 1), (
        third_round.summary()
    )
    assert_same_as_a_full_load(settings, tmp_path, "full-3", colleges)

    # the same for a table read whole: a student renamed, then a change elsewhere
    with Session(engine) as s:
        renamed = s.get(Student, world.student_ids[0])
        assert renamed is not None
        renamed.last_name = "Переименованный"
        s.add(renamed)
        s.commit()
    assert run_etl(settings=settings).colleges == 1
    with Session(other.engine) as s:
        save_lesson(other.actor("teacher"), other_lesson, LessonEntry(topic="Снова другой"), session=s)
    fifth = run_etl(settings=settings)
    assert (fifth.colleges, fifth.colleges_copied) == (1, 1)
    assert_same_as_a_full_load(settings, tmp_path, "full-5", colleges)


def test_a_new_day_or_other_settings_make_a_full_load(world, settings, tmp_path):
    world.lesson(1, **filled_on(world, 1))
    run_etl(full=True, settings=settings)
    stricter = settings.model_copy(update={"systematic_absence_share": 0.1})
    report = run_etl(settings=stricter)  # every college's marts change: a new file, every test
    assert report.mode == "full" and report.colleges == report.colleges_total
    with duckdb.connect(
        str(stricter.warehouse_dir / read_pointer(stricter.warehouse_dir).file),  # type: ignore[union-attr]
        read_only=True,
    ) as duck:
        assert duck.sql(
            "SELECT DISTINCT systematic_absence_share FROM mart_attendance_student_month"
        ).fetchall() == [(0.1,)]


def test_every_college_changed_a_little_is_an_incremental_load(world, engine, settings, tmp_path):
    other = make_world(engine).without_timetable()
    world.without_timetable()
    for w in (world, other):  # lessons filled late and without homework: remarks to compare
        w.lesson(3, **filled_on(w, 3))
        w.lesson(2, topic="Без домашнего задания")
    lessons = [(w, w.lesson(0)) for w in (world, other)]
    run_etl(full=True, settings=settings)
    for w, lid in lessons:
        with Session(w.engine) as s:
            entry = LessonEntry(
                topic="Везде понемногу", work_kind=WorkKind.oral, marks=[MarkInput(w.student_ids[0], "5")]
            )
            save_lesson(w.actor("teacher"), lid, entry, session=s)
    report = run_etl(settings=settings)
    assert (report.mode, report.colleges) == ("incremental", 2), report.why_full
    assert_same_as_a_full_load(settings, tmp_path, "full", [world.college_id, other.college_id])


def test_many_rows_changed_make_a_full_load(world, settings, tmp_path, monkeypatch):
    world.without_timetable()
    lid = world.lesson(0)
    run_etl(full=True, settings=settings)
    with Session(world.engine) as s:
        save_lesson(world.actor("teacher"), lid, LessonEntry(topic="Много"), session=s)
    # The suite's colleges are small: what counts as many is scaled down to any change at all.
    monkeypatch.setattr("etl.load.FULL_MIN_ROWS", 0)
    monkeypatch.setattr("etl.load.FULL_SHARE", 0.0)
    report = run_etl(settings=settings)
    assert report.mode == "full" and report.why_full.startswith("изменилось строк: "), report.summary()
    assert report.colleges == report.colleges_total and report.tests_run > 100


def test_a_load_copies_the_current_file_when_the_twin_is_gone(world, engine, settings, tmp_path):
    lid = world.lesson(0)
    run_etl(full=True, settings=settings)
    published = read_pointer(settings.warehouse_dir)
    assert published is not None
    twins = [p for p in settings.warehouse_dir.glob("wh-*.duckdb") if p.name != published.file]
    assert len(twins) == 1
    twins[0].unlink()
    with Session(world.engine) as s:
        save_lesson(world.actor("teacher"), lid, LessonEntry(topic="Копия"), session=s)
    report = run_etl(settings=settings)
    assert report.mode == "incremental" and report.twin_seconds > 0, report.why_full
    with Session(world.engine) as s:
        assert s.execute(text("SELECT count(*) FROM lesson WHERE topic = 'Копия'")).scalar_one() == 1
    assert_same_as_a_full_load(settings, tmp_path, "full", [world.college_id], frozenset(MARTS))


def test_a_load_that_dies_after_swapping_the_marts_changes_nothing(
    world, engine, settings, tmp_path, monkeypatch
):
    """Killed between swapping a college's rows and committing: the twin is as it was, the
    published warehouse too, and the next load does the work again."""
    world.without_timetable()
    lid = world.lesson(0)
    run_etl(full=True, settings=settings)
    published = read_pointer(settings.warehouse_dir)
    before = marts_of(settings)
    with Session(world.engine) as s:
        save_lesson(
            world.actor("teacher"),
            lid,
            LessonEntry(topic="Обрыв", work_kind=WorkKind.oral, marks=[MarkInput(world.student_ids[0], "4")]),
            session=s,
        )

    def die(*_args: object) -> None:
        raise KeyboardInterrupt  # what a SIGINT does mid-load

    monkeypatch.setattr("etl.load._finish", die)  # the marts swapped, the transaction not committed
    with pytest.raises(KeyboardInterrupt):
        run_etl(settings=settings)
    assert read_pointer(settings.warehouse_dir) == published
    for mart, frame in marts_of(settings).items():
        assert frame.equals(before[mart]), mart
    monkeypatch.undo()
    again = run_etl(settings=settings)
    assert again.mode == "incremental" and again.colleges == 1
    assert_same_as_a_full_load(settings, tmp_path, "full", [world.college_id], frozenset(MARTS))


def test_a_lesson_cancelled_before_it_is_held_leaves_the_warehouse_at_the_next_load(
    world, app_engine, settings, tmp_path
):
    """A pair cancelled on the day (or later) deletes its lesson: no row of the journal dates that,
    and an incremental load kept the lesson, a lesson to fill in the marts, until the next full
    one (the next day's first load)."""
    world.without_timetable()
    day = world.today
    while not is_school_day(day):
        day += timedelta(days=1)
    slot = world.slot(day, 5)
    with Session(app_engine) as s:
        materialize_lessons(world.college_id, day, session=s)
        lesson_id = s.exec(select(Lesson.id).where(Lesson.timetable_slot_id == slot)).one()
    world.lesson(1, **filled_on(world, 1))
    run_etl(full=True, settings=settings)
    assert lesson_id in raw_lesson_ids(settings)
    with Session(app_engine) as s:
        timetable.change_slot(world.actor("officer"), slot, day, "cancel", reason="приказ № 7", session=s)
    report = run_etl(settings=settings)
    assert (report.mode, report.colleges) == ("incremental", 1), report.why_full
    assert lesson_id not in raw_lesson_ids(settings)
    assert_same_as_a_full_load(settings, tmp_path, "full", [world.college_id], frozenset(MARTS))


def test_a_journal_database_made_anew_makes_a_full_load(world, settings, new_database):
    """The demo seeded again, or a backup restored by hand: the rows the old database had and the
    new one lacks leave no trace to read by time, so the warehouse is built again whole."""
    world.lesson(0, topic="Старая база")
    run_etl(full=True, settings=settings)
    anew = settings.model_copy(update={"database_url": new_database("anew")})
    report = run_etl(settings=anew)
    assert report.mode == "full" and report.why_full == "база данных журнала другая или создана заново"
    assert world.college_id not in {
        college for (college,) in marts_of(anew)["mart_lesson_completeness"].select("college_id").rows()
    }


def raw_lesson_ids(settings: Settings) -> set[int]:
    pointer = read_pointer(settings.warehouse_dir)
    assert pointer is not None
    with duckdb.connect(str(settings.warehouse_dir / pointer.file), read_only=True) as duck:
        return {int(r[0]) for r in duck.sql("SELECT id FROM raw_lesson").fetchall()}
