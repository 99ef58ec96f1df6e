"""«Посещаемость» through the router, per role, on a warehouse built from this test's college."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.domain import Role
from app.models import Lesson, Student, StudyGroup, UserRole
from tests.etl.test_attendance_marts import attend
from tests.pages.conftest import app_as, menu, texts

PAGE = "pages/attendance.py"


def grant(world, who: str, role: Role) -> None:
    if role is Role.curator:  # the role follows from curating a group
        world.make_curator(who)
        return
    with Session(world.engine) as s:
        s.add(UserRole(user_id=world.users[who], role=role.value))
        s.commit()


def other_group(world) -> tuple[int, int, int]:
    """A second group «ИСП-21» taught by the other teacher (who curates nothing, so stays a plain
    teacher), with one student and a lesson today.

    Returns (group id, student id, lesson id).
    """
    with Session(world.engine) as s:
        group = StudyGroup(
            college_id=world.college_id,
            speciality_id=world.speciality_id,
            name="ИСП-21",
            admission_year=world.today.year - 1 if world.today.month >= 9 else world.today.year - 2,
        )
        s.add(group)
        s.flush()
        assert group.id is not None
        student = Student(
            college_id=world.college_id,
            study_group_id=group.id,
            last_name="Яковлев",
            first_name="Пётр",
            enrolled_on=world.today - timedelta(days=400),
        )
        s.add(student)
        s.flush()
        lesson = Lesson(
            college_id=world.college_id,
            study_group_id=group.id,
            subject_id=world.subject_id,
            semester=world.semester + 2,
            teacher_id=world.other_teacher_id,
            lesson_date=world.today,
            pair_number=1,
        )
        s.add(lesson)
        s.commit()
        assert student.id is not None and lesson.id is not None
        return group.id, student.id, lesson.id


@pytest.fixture
def college(world):
    """ИСП-11: student 0 «н», student 1 «ув» on today's lesson; ИСП-21: its student «н»."""
    lid = world.lesson(0)
    attend(world, lid, world.student_ids[0], "absent")
    attend(world, lid, world.student_ids[1], "excused", "справка")
    _group, student, other_lesson = other_group(world)
    attend(world, other_lesson, student, "absent")
    grant(world, "teacher", Role.curator)  # the teacher is the curator of ИСП-11
    return world


def frames(at):
    return [d.value for d in at.dataframe]


def by_label(widgets, label):
    found = [w for w in widgets if w.label == label]
    assert found, f"no widget labelled {label!r}"
    return found[0]


def test_deputy_sees_the_whole_college(run_as, college, warehouse):
    warehouse()
    at = run_as(college.users["deputy"], PAGE)
    assert not at.exception, at.exception
    assert "Посещаемость" in texts(at) and "данные на " in texts(at)
    metrics = {m.label: m.value for m in at.metric}
    # 3 absences × 2 hours: 2 excused hours, 4 unexcused
    assert metrics["Пропущено часов"] == "6"
    assert metrics["По уважительной причине"] == "2"
    assert metrics["Без уважительной причины"] == "4"
    assert metrics["Доля пропусков"] == "50,0 %"  # 6 of 12 student-hours
    assert metrics["Систематически пропускающих"] == "3"  # each missed all of the month so far
    by_group = frames(at)[0]
    assert sorted(by_group["Группа"]) == ["ИСП-11", "ИСП-21"]
    assert [t.label for t in at.tabs] == [
        "По группам",
        "По студентам",
        "По дисциплинам",
        "Календарь",
        "Систематические пропуски",
        "Динамика",
    ]
    assert any(b.label == "Скачать в Excel" for b in at.get("download_button"))
    assert at.get("plotly_chart")  # the chart by group (and the calendar)
    students = by_label(at.selectbox, "Студент").options
    assert any("Яковлев" in o for o in students)


def test_a_curator_sees_only_their_groups(run_as, college, warehouse):
    warehouse()
    at = run_as(college.users["teacher"], PAGE)
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Пропущено часов"] == "4"  # ИСП-21's absence is not theirs
    assert by_label(at.selectbox, "Группа").options == ["Все группы", "ИСП-11"]
    students = by_label(at.selectbox, "Студент").options
    assert not any("Яковлев" in o for o in students)
    for frame in frames(at):
        if "Группа" in frame.columns:
            assert set(frame["Группа"]) <= {"ИСП-11"}
        if "Студент" in frame.columns:
            assert not any("Яковлев" in str(v) for v in frame["Студент"])


def test_a_curator_filters_one_student(run_as, college, warehouse):
    warehouse()
    at = run_as(college.users["teacher"], PAGE)
    choice = next(o for o in by_label(at.selectbox, "Студент").options if o.startswith("Белова"))
    by_label(at.selectbox, "Студент").select(choice).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Пропущено часов"] == "2" and metrics["По уважительной причине"] == "2"


def test_empty_period_shows_empty_states(run_as, world, warehouse):
    warehouse()
    at = run_as(world.users["deputy"], PAGE)
    assert not at.exception, at.exception
    infos = [i.value for i in at.info]
    assert "Нет данных за выбранный период." in infos
    assert "Нет проведённых занятий за выбранный период." in infos  # the calendar
    assert not at.get("download_button")


def test_the_calendar_says_when_a_student_missed_nothing(run_as, college, warehouse):
    warehouse()
    at = run_as(college.users["teacher"], PAGE)
    assert "Пропусков за период нет." not in [s.value for s in at.success]
    choice = next(o for o in by_label(at.selectbox, "Студент").options if o.startswith("Волков"))
    by_label(at.selectbox, "Студент").select(choice).run()
    assert not at.exception, at.exception
    assert "Пропусков за период нет." in [s.value for s in at.success]


@pytest.mark.parametrize("who", ["teacher", "officer", "student", "guardian"])
def test_others_cannot_route_to_it(run_as, world, who):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run_as(world.users[who], PAGE)


@pytest.mark.parametrize(
    "who, curator, attendance_listed, progress_listed",
    [
        ("deputy", False, True, True),
        ("director", False, True, True),
        ("teacher", True, True, True),  # a curator
        ("teacher", False, False, True),
        ("officer", False, False, False),
        ("student", False, False, False),
        ("guardian", False, False, False),
    ],
)
def test_menu_lists_the_pages_by_role(run_as, world, who, curator, attendance_listed, progress_listed):
    if curator:
        grant(world, who, Role.curator)
    titles = menu(run_as(world.users[who]))
    assert ("Посещаемость" in titles) is attendance_listed
    assert ("Успеваемость" in titles) is progress_listed


def attendance_with_url(user_id: int, **params: str):
    """The page opened by a link carrying query params (the links on «Моя группа»)."""
    at = app_as(user_id).run().switch_page(PAGE)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_a_group_link_opens_the_page_filtered_on_that_group(college, warehouse):
    warehouse()
    other = group_named(college, "ИСП-21")
    at = attendance_with_url(college.users["deputy"], group=str(other))
    assert not at.exception, at.exception
    assert by_label(at.selectbox, "Группа").value == other
    assert {m.label: m.value for m in at.metric}["Пропущено часов"] == "2"  # ИСП-21's one absence


def test_a_group_link_never_widens_what_a_curator_sees(college, warehouse):
    warehouse()
    foreign = group_named(college, "ИСП-21")
    at = attendance_with_url(college.users["teacher"], group=str(foreign))
    assert not at.exception, at.exception
    assert by_label(at.selectbox, "Группа").value is None  # «Все группы» of their own
    assert {m.label: m.value for m in at.metric}["Пропущено часов"] == "4"
    own = attendance_with_url(college.users["teacher"], group=str(college.group_id))
    assert by_label(own.selectbox, "Группа").value == college.group_id


def group_named(world, name: str) -> int:
    with Session(world.engine) as s:
        group = s.exec(
            select(StudyGroup).where(StudyGroup.college_id == world.college_id, StudyGroup.name == name)
        ).one()
        assert group.id is not None
        return group.id
