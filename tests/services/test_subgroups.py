"""Subgroups per subject (issue 12): a student in subgroup 1 for one subject and 2 for another.

On 18bf9b7 a student had one subgroup for every subject: a lesson of subgroup 2 in English listed
the same students as one of subgroup 2 in informatics. The rule (the database's
student_subgroup) is read by the journal's lesson list, the grid, the diary and the warehouse."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.errors import AccessDenied, DomainError
from app.models import AuditEvent, Lesson, Subject, SubjectSubgroup
from app.services import diary, journal_grid, subgroups
from app.services.journal import lesson_roster
from app.settings import Settings
from etl.load import run_etl
from etl.warehouse import WarehouseReader


@pytest.fixture
def english(world) -> int:
    with Session(world.engine) as s:
        subject = Subject(college_id=world.college_id, code="ОГСЭ.03", name="Иностранный язык")
        s.add(subject)
        s.commit()
        assert subject.id is not None
        return subject.id


def roster(world, lesson_id: int) -> set[int]:
    with Session(world.engine) as s:
        lesson = s.get(Lesson, lesson_id)
        assert lesson is not None
        return {st.id for st in lesson_roster(s, lesson) if st.id is not None}


def test_a_student_moved_for_one_subject_is_listed_there_only(world, english, app_engine):
    anna, denis = world.student_ids[1], world.student_ids[2]  # subgroup 1 and 2 on the group list
    os_lesson = world.lesson(0, subgroup=2)
    en_lesson = world.lesson(0, subgroup=2, subject_id=english)
    with Session(app_engine) as s:
        changed = subgroups.set_subgroups(
            world.actor("deputy"), world.group_id, english, {anna: 2, denis: 1}, session=s
        )
    assert changed == 2
    assert anna in roster(world, en_lesson) and denis not in roster(world, en_lesson)
    # the other subject keeps the group list's subgroups
    assert anna not in roster(world, os_lesson) and denis in roster(world, os_lesson)
    with Session(app_engine) as s:
        rows = {
            r.student_id: r for r in subgroups.rows(world.actor("deputy"), world.group_id, english, session=s)
        }
    assert (rows[anna].own, rows[anna].subgroup) == (1, 2)

    # the grid of each subject marks the other subgroup's students as not on the list
    with Session(world.engine) as s:
        en = journal_grid.build_grid(
            world.actor("deputy"), world.group_id, english, world.today, world.today, session=s
        )
        os_ = journal_grid.build_grid(
            world.actor("deputy"), world.group_id, world.subject_id, world.today, world.today, session=s
        )
    assert en.cell(anna, en_lesson) == "" and en.cell(denis, en_lesson) is None
    assert os_.cell(anna, os_lesson) is None and os_.cell(denis, os_lesson) == ""


def test_the_diary_shows_the_students_own_subgroup_per_subject(world, english, app_engine):
    me = world.student_ids[0]  # Абрамов, subgroup 1, the diary's student
    en_lesson = world.lesson(0, subgroup=2, subject_id=english, topic="Present Simple")
    os_lesson = world.lesson(0, subgroup=2, topic="Процессы")

    def held() -> set[int]:
        with Session(app_engine) as s:
            w = diary.week(world.actor("student"), me, world.today, session=s)
        return {lesson.lesson_id for day in w.days for lesson in day.lessons}

    assert en_lesson not in held() and os_lesson not in held()
    with Session(app_engine) as s:
        subgroups.set_subgroups(world.actor("officer"), world.group_id, english, {me: 2}, session=s)
    assert en_lesson in held() and os_lesson not in held()


def test_the_warehouse_roster_reads_the_subjects_subgroup(world, english, tmp_path, database_url, app_engine):
    anna = world.student_ids[1]
    en_lesson = world.lesson(0, subgroup=2, subject_id=english)
    with Session(app_engine) as s:
        subgroups.set_subgroups(world.actor("deputy"), world.group_id, english, {anna: 2}, session=s)
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    run_etl(full=True, settings=settings)
    listed = WarehouseReader(settings.warehouse_dir).query(
        "SELECT student_id FROM lesson_roster WHERE lesson_id = ?", [en_lesson]
    )
    assert anna in listed["student_id"].to_list()
    assert set(listed["student_id"].to_list()) == roster(world, en_lesson)


def test_setting_back_the_own_subgroup_leaves_no_row(world, english, app_engine):
    anna = world.student_ids[1]
    with Session(app_engine) as s:
        subgroups.set_subgroups(world.actor("deputy"), world.group_id, english, {anna: 2}, session=s)
        assert (
            subgroups.set_subgroups(world.actor("deputy"), world.group_id, english, {anna: 1}, session=s) == 1
        )
        assert (
            subgroups.set_subgroups(world.actor("deputy"), world.group_id, english, {anna: 1}, session=s) == 0
        )
    with Session(world.engine) as s:
        assert s.exec(select(SubjectSubgroup).where(SubjectSubgroup.student_id == anna)).all() == []


def test_who_may_set_subgroups_and_what(world, english, app_engine):
    anna = world.student_ids[1]
    with Session(app_engine) as s:
        with pytest.raises(AccessDenied):
            subgroups.set_subgroups(world.actor("teacher"), world.group_id, english, {anna: 2}, session=s)
        with pytest.raises(DomainError, match="1 или 2"):
            subgroups.set_subgroups(world.actor("deputy"), world.group_id, english, {anna: 3}, session=s)
        with pytest.raises(DomainError, match="нет в списке"):
            subgroups.set_subgroups(world.actor("deputy"), world.group_id, english, {10**8: 2}, session=s)
    world.make_curator("teacher")
    with Session(app_engine) as s:
        assert (
            subgroups.set_subgroups(world.actor("teacher"), world.group_id, english, {anna: 2}, session=s)
            == 1
        )
        outcomes = [
            e.outcome
            for e in s.exec(
                select(AuditEvent).where(
                    AuditEvent.action == "subgroup.set", AuditEvent.entity_id == world.group_id
                )
            )
        ]
    assert sorted(outcomes) == ["accepted", "refused", "refused", "refused"]


def test_only_subjects_taught_in_subgroups_are_offered(world, english):
    world.lesson(0, subgroup=1, subject_id=english)
    with Session(world.engine) as s:
        split = subgroups.split_subjects(world.actor("deputy"), world.group_id, session=s)
    assert list(split) == [english]
