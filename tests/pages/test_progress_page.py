"""«Успеваемость» through the router, per role and view, on a warehouse built from this test's college."""

from __future__ import annotations

import pytest

from app.domain import Role
from tests.etl.test_progress_marts import add_mark, marks_on_lessons
from tests.pages.conftest import app_as, texts
from tests.pages.test_attendance_page import by_label, frames, grant, group_named, other_group

PAGE = "pages/progress.py"


@pytest.fixture
def college(world):
    """ИСП-11 (Соколова): 5, 4, 2 for three students this semester; ИСП-21 (Кузнецов): its student a 3."""
    s0, s1, s2, *_ = world.student_ids
    lid = world.lesson(0)
    for student, value in ((s0, "5"), (s1, "4"), (s2, "2")):
        add_mark(world, lid, student, value)
    _group, student, other_lesson = other_group(world)
    add_mark(world, other_lesson, student, "3")
    return world


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_deputy_sees_the_college_metrics_with_definitions(run_as, college, warehouse):
    warehouse()
    at = run_as(college.users["deputy"], PAGE)
    assert not at.exception, at.exception
    # N = 4 students: 5, 4, 3, 2 → абсолютная 75, качество 50, СОУ (100 + 64 + 36 + 16) / 4 = 54
    assert metrics(at) == {
        "Оценено студентов (N)": "4",
        "Средний балл": "3,5",
        "Абсолютная успеваемость": "75,0 %",
        "Качество знаний": "50,0 %",
        "СОУ": "54,0 %",
    }
    page = texts(at)
    assert "(n5 + n4 + n3) / N × 100" in page and "(100·n5 + 64·n4 + 36·n3 + 16·n2 + 7·nн/а) / N" in page
    assert "Показатели по студентам" in page
    assert sorted(frames(at)[0]["Группа"]) == ["ИСП-11", "ИСП-21"]
    assert [t.label for t in at.tabs][:4] == [
        "По группам",
        "По дисциплинам",
        "По преподавателям",
        "Группа × дисциплина",
    ]
    assert any(b.label == "Скачать в Excel" for b in at.get("download_button"))
    assert not at.radio or by_label(at.radio, "Период")  # no «Показать» choice for a deputy
    assert all(r.label != "Показать" for r in at.radio)


def test_a_curator_sees_only_their_group(run_as, college, warehouse):
    grant(college, "teacher", Role.curator)
    warehouse()
    at = run_as(college.users["teacher"], PAGE)
    assert not at.exception, at.exception
    assert by_label(at.radio, "Показать").options == [
        "Мои группы (куратор)",
        "Мои дисциплины (преподаватель)",
    ]
    # ИСП-11 alone: 5, 4, 2 → 66,7 / 66,7 / (100 + 64 + 16) / 3 = 60
    assert metrics(at)["Абсолютная успеваемость"] == "66,7 %"
    assert metrics(at)["Качество знаний"] == "66,7 %"
    assert metrics(at)["СОУ"] == "60,0 %"
    assert by_label(at.selectbox, "Группа").options == ["Все группы", "ИСП-11"]
    for frame in frames(at):
        if "Группа" in frame.columns:
            assert set(frame["Группа"]) <= {"ИСП-11"}


def test_a_group_link_filters_the_page_on_that_group(college, warehouse):
    warehouse()
    at = app_as(college.users["deputy"]).run().switch_page(PAGE)
    at.query_params["group"] = str(group_named(college, "ИСП-21"))
    at.run()
    assert not at.exception, at.exception
    assert metrics(at)["Средний балл"] == "3,0"  # ИСП-21's one mark, not the college's 3,5
    assert metrics(at)["Оценено студентов (N)"] == "1"


def test_a_teacher_sees_only_the_groups_and_subjects_they_teach(run_as, college, warehouse):
    warehouse()
    at = run_as(college.users["other_teacher"], PAGE)  # Кузнецов teaches ИСП-21 only
    assert not at.exception, at.exception
    assert all(r.label != "Показать" for r in at.radio)
    assert by_label(at.text_input, "Преподаватель").value == "Кузнецов Олег Петрович"
    # one result, a 3: абсолютная 100, качество 0, СОУ 36
    assert metrics(at) == {
        "Оценено студентов (N)": "1",
        "Средний балл": "3,0",
        "Абсолютная успеваемость": "100,0 %",
        "Качество знаний": "0,0 %",
        "СОУ": "36,0 %",
    }
    assert "Показатели по результатам" in texts(at)
    for frame in frames(at):
        if "Группа" in frame.columns:
            assert set(frame["Группа"]) <= {"ИСП-21"}


def test_a_teacher_does_not_see_a_colleagues_subject_in_their_group(run_as, college, warehouse):
    # Кузнецов also teaches ИСП-11, but another subject: Соколова's 5, 4, 2 stay hidden from him
    s3 = college.student_ids[3]
    marks_on_lessons(
        college, s3, ["4"], subject_id=college.credit_subject_id, teacher_id=college.other_teacher_id
    )
    warehouse()
    at = run_as(college.users["other_teacher"], PAGE)
    assert not at.exception, at.exception
    assert metrics(at)["Оценено студентов (N)"] == "2"  # ИСП-21's 3 and ИСП-11's 4 in his subject
    subjects = frames(at)[3]  # Группа × дисциплина
    assert sorted(zip(subjects["Группа"], subjects["Дисциплина"], strict=True)) == [
        ("ИСП-11", "Физическая культура"),
        ("ИСП-21", "Операционные системы"),
    ]


def test_a_curator_switches_to_their_teaching_view(run_as, college, warehouse):
    grant(college, "teacher", Role.curator)
    warehouse()
    at = run_as(college.users["teacher"], PAGE)
    by_label(at.radio, "Показать").set_value("teacher").run()
    assert not at.exception, at.exception
    assert by_label(at.text_input, "Преподаватель").value == "Соколова Елена Викторовна"
    assert metrics(at)["Оценено студентов (N)"] == "3"


def test_empty_warehouse_period_shows_dashes(run_as, world, warehouse):
    warehouse()
    at = run_as(world.users["director"], PAGE)
    assert not at.exception, at.exception
    assert metrics(at)["Абсолютная успеваемость"] == "—"
    assert "Нет данных за выбранный период." in [i.value for i in at.info]


@pytest.mark.parametrize("who", ["officer", "student", "guardian"])
def test_others_cannot_route_to_it(run_as, world, who):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run_as(world.users[who], PAGE)


def test_the_deputy_sees_the_session_results_of_a_half(run_as, world, warehouse):
    from sqlmodel import Session

    from app.services import attestation
    from tests.services.test_attestation import item_id, open_session

    a, b, *_ = world.student_ids
    open_session(world)
    with Session(world.engine) as s:
        attestation.enter(world.actor("teacher"), item_id(world), {a: "5", b: "2"}, session=s)
        attestation.enter(world.actor("deputy"), item_id(world, "credit"), {a: "зач", b: "зач"}, session=s)
    warehouse()
    at = run_as(world.users["deputy"], PAGE)
    assert not at.exception, at.exception
    assert "Итоги сессии" in [t.label for t in at.tabs]
    results = next(f for f in frames(at) if "Абс. успеваемость на сессии, %" in f.columns)
    row = results[results["Группа"] == "ИСП-11"].iloc[0]
    assert row["Студентов (N)"] == 5 and row["Абс. успеваемость на сессии, %"] == 20.0
    assert row["Должников сейчас"] == 1
    assert "успевающий — только «5», «4», «3» или «зач»" in texts(at)
