"""«Журнал группы»: the grid holds what the journal holds, over the period asked, for those allowed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from app.errors import AccessDenied
from app.models import AuditEvent, CurriculumItem, Lesson, Mark, SemesterMark, Student
from app.services import journal_grid as jg
from app.services.journal import correct_mark
from tests.diary_factories import add_student, attend, make_curator, mark, second_group
from tests.factories import make_world


def grid_of(world, who, start=None, end=None, *, group_id=None, subject_id=None):
    with Session(world.engine) as s:
        return jg.build_grid(
            world.actor(who),
            group_id or world.group_id,
            subject_id or world.subject_id,
            start or world.today - timedelta(days=10),
            end or world.today,
            session=s,
        )


def semester_item(world, subject_id=None) -> int:
    with Session(world.engine) as s:
        item = s.exec(
            select(CurriculumItem.id).where(
                CurriculumItem.study_group_id == world.group_id,
                CurriculumItem.subject_id == (subject_id or world.subject_id),
                CurriculumItem.semester == world.semester,
            )
        ).one()
        assert item is not None
        return item


def semester_mark(world, student_id, value, *, corrects=None, reason=None) -> int:
    with Session(world.engine) as s:
        row = SemesterMark(
            college_id=world.college_id,
            curriculum_item_id=semester_item(world),
            student_id=student_id,
            value=value,
            created_by_user_id=world.users["teacher"],
            corrects_id=corrects,
            correction_reason=reason,
        )
        s.add(row)
        s.commit()
        assert row.id is not None
        return row.id


# --------------------------------------------------------------------------- values


@pytest.fixture
def journal(world):
    """Four lessons of Операционные системы over the last days, two of them on one day."""
    me, anna, denis = world.student_ids[0], world.student_ids[1], world.student_ids[2]
    l1 = world.lesson(5, work_kind="oral", topic="Введение в ОС", homework="§1", hours=2)
    l2 = world.lesson(4, work_kind="control", topic="Контрольная №1", pair_number=1)
    l3 = world.lesson(4, pair_number=3, topic="Процессы и потоки")
    l4 = world.lesson(2, topic="Управление памятью", substitute_teacher_id=world.other_teacher_id)
    mark(world, l1, me, "5", "oral", "ответ у доски")
    mark(world, l2, me, "4", "control")
    mark(world, l2, me, "3", "oral")
    wrong = mark(world, l2, anna, "2", "control")
    with Session(world.engine) as s:
        correct_mark(world.actor("deputy"), wrong, "4", "ошибка при переносе из тетради", session=s)
    attend(world, l1, anna, "absent")
    attend(world, l3, anna, "excused")
    attend(world, l4, me, "late")
    mark(world, l4, me, "5", "oral")
    attend(world, l4, denis, "absent")
    first = semester_mark(world, me, "3")
    semester_mark(world, me, "4", corrects=first, reason="исправлена ошибка ведомости")
    semester_mark(world, anna, "5")
    return {"lessons": [l1, l2, l3, l4], "me": me, "anna": anna, "denis": denis}


def test_cells_show_current_marks_and_attendance(world, journal):
    l1, l2, l3, l4 = journal["lessons"]
    me, anna, denis = journal["me"], journal["anna"], journal["denis"]
    grid = grid_of(world, "teacher")
    assert [lesson.id for lesson in grid.lessons] == [l1, l2, l3, l4]
    assert grid.cell(me, l1) == "5"
    assert grid.cell(me, l2) == "4/3"  # two marks in one lesson, in the order given
    assert grid.cell(anna, l2) == "4"  # the correction's value, not the original 2
    assert grid.cell(anna, l1) == "н" and grid.cell(anna, l3) == "ув"
    assert grid.cell(me, l4) == "оп 5" and grid.cell(denis, l4) == "н"
    assert grid.cell(me, l3) == ""  # present, no mark
    [corrected] = [m for m in grid.marks if m.corrected]
    assert (corrected.value, corrected.original_value) == ("4", "2")
    assert corrected.correction_reason == "ошибка при переносе из тетради"
    assert {m.kind_label for m in grid.marks if m.lesson_id == l2} == {"Контрольная работа", "Устный опрос"}


def test_cells_equal_the_mark_current_view(world, journal):
    grid = grid_of(world, "deputy")
    with Session(world.engine) as s:
        rows = s.execute(
            text(
                "SELECT lesson_id, student_id, value FROM mark_current "
                "WHERE lesson_id = ANY(:ids) ORDER BY original_id"
            ),
            {"ids": journal["lessons"]},
        ).all()
    expected: dict[tuple[int, int], list[str]] = {}
    for lesson_id, student_id, value in rows:
        expected.setdefault((lesson_id, student_id), []).append(value)
    shown = {
        (lesson.id, student.id): list(student.marks[i])
        for student in grid.students
        for i, lesson in enumerate(grid.lessons)
        if student.marks[i]
    }
    assert shown == expected


def test_averages_hours_missed_and_semester_marks(world, journal):
    me, anna, denis = journal["me"], journal["anna"], journal["denis"]
    grid = grid_of(world, "teacher")
    mine = grid.student(me)
    assert mine.average == 4.25 and mine.average_text == "4,25"  # 5, 4, 3, 5
    assert mine.hours_missed == 0 and mine.lates == 1
    assert mine.semester_mark == "4"  # the corrected semester mark's current value
    annas = grid.student(anna)
    assert annas.average == 4.0 and annas.average_text == "4,00"
    assert annas.hours_missed == 4 and annas.hours_excused == 2
    assert annas.semester_mark == "5"
    deniss = grid.student(denis)
    assert deniss.average is None and deniss.average_text == "—"
    assert deniss.hours_missed == 2 and deniss.semester_mark is None
    assert grid.attestation == "Экзамен" and grid.semester == world.semester


def test_students_in_group_list_order_and_columns_of_the_paper_journal(world, journal):
    grid = grid_of(world, "teacher")
    assert [s.name for s in grid.students] == [
        "Абрамов Илья Сергеевич",
        "Белова Анна Игоревна",
        "Волков Денис Андреевич",
        "Григорьева Мария Олеговна",
        "Дмитриев Павел Викторович",
    ]
    day = (world.today - timedelta(days=4)).strftime("%d.%m")
    assert [lesson.column for lesson in grid.lessons] == [
        (world.today - timedelta(days=5)).strftime("%d.%m"),
        f"{day} п.1",
        f"{day} п.3",
        (world.today - timedelta(days=2)).strftime("%d.%m"),
    ]
    frame = jg.grid_frame(grid)
    assert frame.columns[:2] == ["№", "ФИО"]
    assert frame.columns[-5:] == [
        "Средний балл",
        "Пропущено, ч",
        "в т. ч. по уважительной причине, ч",
        "Отметка за семестр",
        "_student_id",
    ]
    first = frame.row(0, named=True)
    assert first["ФИО"] == "Абрамов Илья Сергеевич" and first[f"{day} п.1"] == "4/3"
    assert first["Средний балл"] == "4,25" and first["Отметка за семестр"] == "4"
    lessons = jg.lessons_frame(grid)
    assert lessons["Дата"].to_list()[0] == (world.today - timedelta(days=5)).strftime("%d.%m.%Y")
    assert lessons["Тема занятия"].to_list() == [
        "Введение в ОС",
        "Контрольная №1",
        "Процессы и потоки",
        "Управление памятью",
    ]
    assert lessons["Домашнее задание"].to_list()[0] == "§1"
    assert lessons["Преподаватель"].to_list() == ["Соколова Е. В."] * 3 + ["Кузнецов О. П. (замена)"]
    assert lessons["Часы"].sum() == 8 and grid.hours == 8
    legend = jg.marks_frame(grid)
    assert legend.filter(legend["Исправление"] != "")["Исправление"].to_list() == [
        "исправлено: было 2, причина: ошибка при переносе из тетради"
    ]
    assert "Устный опрос" in jg.lessons_frame(grid)["Выполненные задания"].to_list()[0]
    assert "Контрольная работа" in grid.lessons[1].help


def test_a_subgroup_lesson_leaves_the_other_subgroup_off_its_list(world):
    lid = world.lesson(1, subgroup=1, topic="Лабораторная, подгруппа 1")
    grid = grid_of(world, "teacher")
    cells = {s.name.split()[0]: s.cells[0] for s in grid.students}
    assert cells["Абрамов"] == "" and cells["Волков"] is None  # Волков is in subgroup 2
    assert jg.grid_frame(grid).row(2, named=True)[grid.lessons[0].column] == "—"
    assert grid.lessons[0].id == lid


def test_a_student_who_left_and_one_who_came_later(world):
    old = world.lesson(8)
    new = world.lesson(1)
    late_comer = add_student(
        world, world.group_id, "Яковлев", "Егор", enrolled_on=world.today - timedelta(days=3)
    )
    with Session(world.engine) as s:
        leaver = s.get(Student, world.student_ids[4])
        assert leaver is not None
        leaver.left_on = world.today - timedelta(days=5)
        s.add(leaver)
        s.commit()
    grid = grid_of(world, "teacher")
    assert grid.cell(late_comer, old) is None and grid.cell(late_comer, new) == ""
    assert grid.cell(world.student_ids[4], old) == "" and grid.cell(world.student_ids[4], new) is None
    assert grid.student(world.student_ids[4]).note.startswith("выбыл(а) ")
    assert grid.student(late_comer).note.startswith("зачислен(а) ")


def test_credit_marks_show_but_do_not_count_in_the_average(world):
    lid = world.lesson(1, subject_id=world.credit_subject_id)
    me = world.student_ids[0]
    mark(world, lid, me, "зач", "credit")
    mark(world, lid, me, "5", "oral")
    grid = grid_of(world, "teacher", subject_id=world.credit_subject_id)
    assert grid.cell(me, lid) == "зач/5" and grid.student(me).average == 5.0
    assert grid.attestation == "Зачёт"


# --------------------------------------------------------------------------- the period


def test_only_lessons_of_the_period_held_so_far(world):
    before = world.lesson(40, topic="Прошлый месяц")
    inside = world.lesson(3, topic="В периоде")
    future = world.lesson(-2, topic="Ещё не наступило")
    other_subject = world.lesson(2, subject_id=world.credit_subject_id)
    mark(world, before, world.student_ids[0], "2")
    grid = grid_of(world, "teacher", world.today - timedelta(days=10), world.today + timedelta(days=5))
    assert [lesson.id for lesson in grid.lessons] == [inside]
    assert grid.student(world.student_ids[0]).average is None  # the 2 is outside the period
    assert future not in {m.lesson_id for m in grid.marks} and other_subject not in [
        lesson.id for lesson in grid.lessons
    ]
    wide = grid_of(world, "teacher", world.today - timedelta(days=60), world.today)
    assert [lesson.id for lesson in wide.lessons] == [before, inside]
    assert wide.student(world.student_ids[0]).average == 2.0
    # dates given the wrong way round are the same period
    assert grid_of(world, "teacher", world.today, world.today - timedelta(days=60)).lessons == wide.lessons


def test_an_empty_month(world):
    world.lesson(1)
    grid = grid_of(world, "teacher", world.today - timedelta(days=400), world.today - timedelta(days=370))
    assert grid.lessons == () and grid.marks == ()
    assert jg.grid_frame(grid).columns[:2] == ["№", "ФИО"]
    assert jg.lessons_frame(grid).height == 0


def test_month_helpers():
    from datetime import date

    assert jg.month_bounds(date(2026, 12, 3)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert jg.month_bounds(date(2027, 2, 14)) == (date(2027, 2, 1), date(2027, 2, 28))
    assert jg.month_label(date(2026, 12, 3)) == "Декабрь 2026"
    months = jg.recent_months(date(2026, 12, 3))
    assert months[0] == date(2026, 12, 1) and months[-1] == date(2025, 9, 1) and len(months) == 16


def test_reading_writes_nothing(world, journal):
    with Session(world.engine) as s:
        before = (
            s.exec(select(func.count()).select_from(AuditEvent)).one(),
            s.exec(select(func.count()).select_from(Mark)).one(),
        )
    grid_of(world, "deputy")
    with Session(world.engine) as s:
        after = (
            s.exec(select(func.count()).select_from(AuditEvent)).one(),
            s.exec(select(func.count()).select_from(Mark)).one(),
        )
    assert before == after


# --------------------------------------------------------------------------- who sees what


def group_ids(world, who) -> list[int]:
    with Session(world.engine) as s:
        return [g.id for g in jg.groups_for(world.actor(who), session=s)]


def subject_ids(world, who, group_id=None) -> list[int]:
    with Session(world.engine) as s:
        return [o.id for o in jg.subjects_for(world.actor(who), group_id or world.group_id, session=s)]


def test_a_teacher_sees_only_what_they_teach(world):
    # the world's teacher is the curriculum's teacher of both subjects of ИСП-11 and curates nothing;
    # the other teacher curates ИСП-21 and conducts one lesson of Физическая культура in ИСП-11
    other_group = second_group(world)
    world.lesson(1, subject_id=world.credit_subject_id, teacher_id=world.other_teacher_id)
    assert group_ids(world, "teacher") == [world.group_id]
    assert subject_ids(world, "teacher") == [world.subject_id, world.credit_subject_id]
    assert group_ids(world, "other_teacher") == [world.group_id, other_group]
    assert subject_ids(world, "other_teacher") == [world.credit_subject_id]
    grid_of(world, "other_teacher", subject_id=world.credit_subject_id)
    with pytest.raises(AccessDenied, match="вы её не ведёте"):
        grid_of(world, "other_teacher")
    with pytest.raises(AccessDenied):
        grid_of(world, "teacher", group_id=other_group)
    with Session(world.engine) as s, pytest.raises(AccessDenied):
        jg.subjects_for(world.actor("teacher"), other_group, session=s)


def test_a_substitute_sees_the_lessons_pair_and_a_teacher_with_nothing_sees_nothing(world):
    assert group_ids(world, "other_teacher") == []
    world.lesson(1, substitute_teacher_id=world.other_teacher_id)
    assert subject_ids(world, "other_teacher") == [world.subject_id]
    assert len(grid_of(world, "other_teacher").lessons) == 1


def test_a_curator_sees_every_subject_of_their_group_only(world):
    other_group = second_group(world)  # ИСП-21, curated by the other teacher, who teaches nothing
    add_student(world, other_group, "Жуков", "Артём")
    world.lesson(1)  # ИСП-11, conducted by the world's teacher
    with Session(world.engine) as s:  # a lesson of ИСП-21, conducted by the world's teacher too
        s.add(
            Lesson(
                college_id=world.college_id,
                study_group_id=other_group,
                subject_id=world.subject_id,
                semester=world.semester,
                teacher_id=world.teacher_id,
                lesson_date=world.today - timedelta(days=1),
                pair_number=2,
            )
        )
        s.commit()
    assert group_ids(world, "other_teacher") == [other_group]
    assert subject_ids(world, "other_teacher", other_group) == [world.subject_id]
    grid = grid_of(world, "other_teacher", group_id=other_group)
    assert [s.name for s in grid.students] == ["Жуков Артём"]
    with pytest.raises(AccessDenied):
        grid_of(world, "other_teacher")  # ИСП-11 is not theirs
    # named the curator of ИСП-11 as well, they open its journal too, any subject
    make_curator(world, "other_teacher")
    assert group_ids(world, "other_teacher") == [world.group_id, other_group]
    assert subject_ids(world, "other_teacher") == [world.subject_id, world.credit_subject_id]
    assert len(grid_of(world, "other_teacher").lessons) == 1


def test_deputy_and_director_see_any_group_of_their_college(world):
    other_group = second_group(world)
    for who in ("deputy", "director"):
        assert group_ids(world, who) == [world.group_id, other_group]
        assert subject_ids(world, who) == [world.subject_id, world.credit_subject_id]
        grid_of(world, who, subject_id=world.credit_subject_id)
        grid_of(world, who, group_id=other_group)


@pytest.mark.parametrize("who", ["guardian", "student", "officer"])
def test_guardian_student_and_officer_are_refused(world, who):
    world.lesson(1)
    with pytest.raises(AccessDenied, match="Журнал группы"):
        grid_of(world, who)
    with Session(world.engine) as s, pytest.raises(AccessDenied):
        jg.groups_for(world.actor(who), session=s)
    with Session(world.engine) as s, pytest.raises(AccessDenied):
        jg.subjects_for(world.actor(who), world.group_id, session=s)


def test_another_colleges_group_and_subject_are_refused(world):
    other = make_world(world.engine)
    other.lesson(1)
    for who in ("deputy", "director", "teacher"):
        with pytest.raises(AccessDenied, match="Журнал этой группы вам недоступен"):
            grid_of(world, who, group_id=other.group_id, subject_id=other.subject_id)
        with pytest.raises(AccessDenied):
            grid_of(world, who, subject_id=other.subject_id)  # own group, a foreign subject
        with Session(world.engine) as s, pytest.raises(AccessDenied):
            jg.subjects_for(world.actor(who), other.group_id, session=s)
        assert other.group_id not in group_ids(world, who)
    with pytest.raises(AccessDenied):
        grid_of(world, "deputy", group_id=10**9)  # no such group: refused the same way
