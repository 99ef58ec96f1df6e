"""app.analytics.progress on a built warehouse: headers, the glossary's metrics, filters and restrictions."""

from __future__ import annotations

from datetime import date

import pytest

from app.analytics import progress
from app.analytics.common import Scope
from app.settings import Settings
from etl.load import run_etl
from etl.warehouse import WarehouseReader
from tests.etl.test_attendance_marts import attend
from tests.etl.test_progress_marts import add_mark, curriculum_item_id, semester_mark
from tests.pages.test_attendance_page import other_group

METRICS = ["Средний балл", "Абсолютная успеваемость, %", "Качество знаний, %", "СОУ, %"]


@pytest.fixture
def built(world, tmp_path, database_url):
    """Today. ИСП-11, «Операционные системы» (Соколова): 5, 4, 2 for students 0–2;
    «Физическая культура» (Кузнецов): student 0 a 3, student 3 «зач». A control work in ИСП-11
    (student 4 absent, 5 and 4 for students 0 and 1). ИСП-21 (Кузнецов): its student a 4.
    """
    s0, s1, s2, s3, s4 = world.student_ids
    lesson = world.lesson(0)
    for student, value in ((s0, "5"), (s1, "4"), (s2, "2")):
        add_mark(world, lesson, student, value)
    credit = world.lesson(0, subject_id=world.credit_subject_id, teacher_id=world.other_teacher_id)
    add_mark(world, credit, s0, "3")
    add_mark(world, credit, s3, "зач", kind="credit")
    control = world.lesson(0, work_kind="control", topic="Контрольная работа №1", work_done="КР №1")
    attend(world, control, s4, "absent")
    add_mark(world, control, s0, "5", kind="control")
    add_mark(world, control, s1, "4", kind="control")
    group2, student2, lesson2 = other_group(world)
    add_mark(world, lesson2, student2, "4")
    semester_mark(world, curriculum_item_id(world, world.subject_id), s2, "н/а")
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    run_etl(full=True, settings=settings)
    reader = WarehouseReader(settings.warehouse_dir)
    scope = Scope(world.college_id, *progress.period_bounds("semester", world.today))
    return world, reader, scope, group2


def test_summary_over_students(built):
    _world, reader, scope, _ = built
    s = progress.summary(reader, scope, "semester")
    # students by their worst result: s0 (5 and 3) → n3, s1 4 → n4, s2 н/а (semester mark) → nн/а,
    # s3 «зач» only → n5, ИСП-21's student 4 → n4. N = 5.
    assert (s["basis"], s["n_assessed"], s["n5"], s["n4"], s["n3"], s["n2"], s["n_na"]) == (
        "students",
        5,
        1,
        2,
        1,
        0,
        1,
    )
    assert s["abs_progress_pct"] == 80.0 and s["quality_pct"] == 60.0
    assert s["sou_pct"] == round((100 + 2 * 64 + 36 + 7) / 5, 1)  # 54.2
    # ongoing numeric marks: 5, 4, 2, 3, 5, 4 (control), 4 → 27 / 7
    assert s["avg_mark"] == 3.86


def test_summary_over_results_with_a_subject_filter(built):
    world, reader, scope, _ = built
    subject = Scope(scope.college_id, scope.start, scope.end, subject_id=world.subject_id)
    s = progress.summary(reader, subject, "semester")
    # «Операционные системы»: s0 5 (5, 5 → 5), s1 4 (4, 4), s2 н/а; ИСП-21's student 4 → N = 4
    assert (s["basis"], s["n_assessed"], s["n5"], s["n4"], s["n_na"]) == ("results", 4, 1, 2, 1)
    assert (s["abs_progress_pct"], s["quality_pct"], s["sou_pct"]) == (75.0, 75.0, 58.8)  # 235 / 4


def test_tables_have_russian_headers(built):
    world, reader, scope, group2 = built
    groups = progress.by_group(reader, scope, "semester")
    assert groups.columns[:8] == ["Группа", "Оценено студентов (N)", "5", "4", "3", "2", "н/а", *METRICS[:1]]
    assert groups.columns[8:11] == METRICS[1:]
    assert set(groups["Группа"]) == {"ИСП-11", "ИСП-21"}
    sets = progress.by_group_subject(reader, scope, "semester")
    assert {"Группа", "Дисциплина", "Преподаватель", "зач", "незач", "Зачтено, %", *METRICS} <= set(
        sets.columns
    )
    credit = sets.filter(sets["Дисциплина"] == "Физическая культура").row(0, named=True)
    # s0's 3 is on the five-point scale; s3's «зач» counts apart
    assert (credit["Оценено студентов (N)"], credit["зач"], credit["Зачтено, %"]) == (1, 1, 100.0)
    assert credit["Преподаватель"] == "Кузнецов Олег Петрович"
    teachers = progress.by_teacher(reader, scope, "semester")
    assert set(teachers["Преподаватель"]) == {"Соколова Елена Викторовна", "Кузнецов Олег Петрович"}
    # the college's view reads the teacher mart; naming every group sums the sets: the same table
    every_group = Scope(scope.college_id, scope.start, scope.end, group_ids=(world.group_id, group2))
    summed = progress.by_teacher(reader, every_group, "semester")
    assert summed.equals(teachers), (summed, teachers)
    subjects = progress.by_subject(reader, scope, "semester")
    assert subjects.columns[:3] == ["Дисциплина", "Групп", "Оценено студентов (N)"]
    assert set(progress.METRIC_DEFINITIONS) >= {*METRICS, progress.N_LABEL}


def test_teacher_filter_keeps_the_sets_they_taught(built):
    world, reader, scope, group2 = built
    his = Scope(scope.college_id, scope.start, scope.end, teacher_id=world.other_teacher_id)
    sets = progress.by_group_subject(reader, his, "semester")
    assert sorted(zip(sets["Группа"], sets["Дисциплина"], strict=True)) == [
        ("ИСП-11", "Физическая культура"),
        ("ИСП-21", "Операционные системы"),
    ]
    mine = Scope(
        scope.college_id, scope.start, scope.end, group_ids=(group2,), teacher_id=world.other_teacher_id
    )
    assert progress.summary(reader, mine, "semester")["n_assessed"] == 1


def test_group_ids_restrict_every_query(built):
    world, reader, scope, _ = built
    mine = Scope(scope.college_id, scope.start, scope.end, group_ids=(world.group_id,))
    assert progress.summary(reader, mine, "semester")["n_assessed"] == 4
    assert set(progress.by_group(reader, mine, "semester")["Группа"]) == {"ИСП-11"}
    assert "Яковлев Пётр" not in progress.students(reader, mine, "semester")["Студент"].to_list()
    none = Scope(scope.college_id, scope.start, scope.end, group_ids=())
    assert progress.summary(reader, none, "semester")["n_assessed"] == 0
    for query in (
        progress.by_group,
        progress.by_group_subject,
        progress.by_subject,
        progress.by_teacher,
        progress.students,
    ):
        assert query(reader, none, "semester").height == 0
    assert progress.control_works(reader, none).height == 0
    assert progress.control_by_group(reader, none).height == 0
    assert progress.at_risk(reader, world.college_id, ()).height == 0
    assert progress.debts(reader, world.college_id, ()).height == 0
    assert progress.mark_distribution(reader, none, "semester")["Текущих отметок"].sum() == 0


def test_distribution_control_works_debts_and_risk(built):
    world, reader, scope, _ = built
    dist = progress.mark_distribution(reader, scope, "semester")
    assert dist["Отметка"].to_list() == ["5", "4", "3", "2", "н/а", "зач", "незач"]
    assert dict(zip(dist["Отметка"], dist["Текущих отметок"], strict=True)) == {
        "5": 2, "4": 3, "3": 1, "2": 1, "н/а": 0, "зач": 1, "незач": 0,
    }  # fmt: skip
    works = progress.control_works(reader, scope)
    row = works.row(0, named=True)
    assert (row["Писали"], row["Отсутствовали"], row["Оценено"], row["Не проверено"]) == (4, 1, 2, 2)
    assert (row["Средний балл"], row["Успеваемость, %"], row["Качество, %"]) == (4.5, 100.0, 100.0)
    assert row["Доля «2», %"] == 0.0  # of the two marked, none a 2
    by_group = progress.control_by_group(reader, scope)  # the college report's table: the same macros
    assert by_group.select("Группа", "Работ", "Писали", "Оценено", "Не проверено").rows() == [
        (row["Группа"], works.height, 4, 2, 2)
    ]
    assert by_group.select("Средний балл", "Успеваемость, %", "Качество, %").row(0) == (4.5, 100.0, 100.0)
    debts = progress.debts(reader, world.college_id, None)
    assert debts.select("Студент", "Задолженность").rows() == [
        ("Волков Денис Андреевич", "Не аттестован (н/а)")
    ]
    risk = progress.at_risk(reader, world.college_id, None)
    reasons = dict(zip(risk["Студент"], risk["Причины"], strict=True))
    # the debt (the н/а, not the ongoing 2, once attested); then the absentee from the control work: 2 of this month's 6 hours (33 % > 30 %)
    assert risk["Студент"].to_list() == ["Волков Денис Андреевич", "Дмитриев Павел Викторович"]
    assert reasons["Волков Денис Андреевич"] == "академических задолженностей: 1"
    assert reasons["Дмитриев Павел Викторович"] == "систематические пропуски: 33 % часов месяца"


def test_period_bounds():
    assert progress.period_bounds("year", date(2026, 3, 5)) == (date(2025, 9, 1), date(2026, 8, 31))
    assert progress.period_bounds("year", date(2026, 9, 1)) == (date(2026, 9, 1), date(2027, 8, 31))
    assert progress.period_bounds("semester", date(2026, 2, 1)) == (date(2026, 2, 1), date(2026, 8, 31))
    assert progress.period_bounds("month", date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))


def test_session_results_count_students_at_the_session_and_after_retakes(world, tmp_path, database_url):
    """ИСП-11's sheets of this half: the exam and the credit. A: 5 and «зач» (quality); B: 3 and
    «зач» (passed); C: 2 retaken to 4, and «зач» (passed and quality only after the retake); D: «н/а»
    on the exam (a debt); E: no marks yet (the session is open: neither passed nor a debt)."""
    from sqlmodel import Session

    from app.calendar import Half
    from app.services import attestation
    from tests.services.test_attestation import item_id, open_session

    a, b, c, d, _e = world.student_ids
    open_session(world)
    teacher, other = world.actor("teacher"), world.actor("deputy")
    with Session(world.engine) as s:
        attestation.enter(teacher, item_id(world), {a: "5", b: "3", c: "2", d: "н/а"}, session=s)
        attestation.enter(other, item_id(world, "credit"), {a: "зач", b: "зач", c: "зач"}, session=s)
        attestation.retake(teacher, item_id(world), c, "4", reason="приказ № 3", commission="Соколова Е. В.",
                           session=s)  # fmt: skip
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    run_etl(full=True, settings=settings)
    reader = WarehouseReader(settings.warehouse_dir)
    half = Half.containing(world.today)
    assert (half.year, half.half) in progress.session_halves(reader, world.college_id)
    row = progress.session_results(reader, world.college_id, (world.group_id,), half.year, half.half).row(
        0, named=True
    )
    assert row["Студентов (N)"] == 5
    assert row["Абс. успеваемость на сессии, %"] == 40.0  # A, B
    assert row["Качество на сессии, %"] == 20.0  # A
    assert row["Абс. успеваемость сейчас, %"] == 60.0  # A, B, C
    assert row["Качество сейчас, %"] == 40.0  # A, C
    assert (row["Должников сейчас"], row["Задолженностей сейчас"]) == (1, 1)  # D
    other_groups = progress.session_results(
        reader, world.college_id, (world.group_id + 10**6,), half.year, half.half
    )
    assert other_groups.height == 0


def test_a_half_whose_session_is_to_come_has_no_results_to_choose(world, tmp_path, database_url):
    from app.calendar import Half

    settings = Settings(data_dir=tmp_path, database_url=database_url)
    run_etl(full=True, settings=settings)
    reader = WarehouseReader(settings.warehouse_dir)
    half = Half.containing(world.today)
    assert (half.year, half.half) not in progress.session_halves(reader, world.college_id)
