"""The teacher's Журнал page, run through the real router with AppTest."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import Attendance, Lesson, Mark
from app.ui.journal import TYPED_TOPIC
from tests.pages.conftest import texts

JOURNAL = "pages/journal.py"


def by_label(widgets, label):
    found = [w for w in widgets if w.label == label]
    assert found, f"no widget labelled {label!r}"
    return found[0]


def save_button(at):
    return by_label(at.button, "Сохранить")


def test_todays_lesson_is_listed_and_filled(run_as, world):
    lid = world.lesson(0)
    at = run_as(world.users["teacher"], JOURNAL)
    assert not at.exception
    assert "ИСП-11 · Операционные системы" in texts(at)
    absent, marked = world.student_ids[0], world.student_ids[1]
    by_label(at.selectbox, "Тема по КТП").select(TYPED_TOPIC)
    by_label(at.text_input, "Тема (если её нет в КТП)").input("Файловые системы")
    by_label(at.selectbox, "Тип заданий").select("Практическая работа")
    by_label(at.text_input, "Выполненные задания").input("Практическая работа №3")
    by_label(at.text_area, "Домашнее задание").input("Подготовить отчёт")
    at.selectbox(key=f"att_{lid}_{absent}_0").select("н")
    at.selectbox(key=f"mark_{lid}_{marked}_0").select("5")
    at.text_input(key=f"for_{lid}_{marked}_0").input("практическая №3")
    save_button(at).click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("Сохранено" in s.value for s in at.success)
    with Session(world.engine) as s:
        lesson = s.get(Lesson, lid)
        assert lesson and lesson.topic == "Файловые системы" and lesson.homework == "Подготовить отчёт"
        assert lesson.work_kind == "practical" and lesson.attendance_filled_at is not None
        assert [
            (a.student_id, a.status) for a in s.exec(select(Attendance).where(Attendance.lesson_id == lid))
        ] == [(absent, "absent")]
        marks = s.exec(select(Mark).where(Mark.lesson_id == lid)).all()
    assert [(m.student_id, m.value, m.work_kind, m.comment) for m in marks] == [
        (marked, "5", "practical", "практическая №3")
    ]


def test_a_ktp_topic_can_be_chosen(run_as, world):
    lid = world.lesson(0)
    at = run_as(world.users["teacher"], JOURNAL)
    by_label(at.selectbox, "Тема по КТП").select("2. Процессы и потоки")
    save_button(at).click().run()
    with Session(world.engine) as s:
        lesson = s.get(Lesson, lid)
    assert lesson and lesson.topic == "Процессы и потоки" and lesson.plan_topic_id == world.plan_topic_ids[1]


def test_a_refusal_is_shown_and_nothing_is_written(run_as, world):
    lid = world.lesson(0)
    student = world.student_ids[0]
    at = run_as(world.users["teacher"], JOURNAL)
    by_label(at.selectbox, "Тип заданий").select("Устный опрос")
    at.selectbox(key=f"att_{lid}_{student}_0").select("н")
    at.selectbox(key=f"mark_{lid}_{student}_0").select("4")
    save_button(at).click().run()
    assert any("отсутствующему" in e.value for e in at.error)
    assert at.selectbox(key=f"mark_{lid}_{student}_0").value == "4"  # the form keeps what was typed
    with Session(world.engine) as s:
        assert s.exec(select(Mark).where(Mark.lesson_id == lid)).all() == []
        assert s.exec(select(Attendance).where(Attendance.lesson_id == lid)).all() == []


def test_past_lesson_filled_fields_are_read_only_and_empty_ones_fillable(run_as, world, monkeypatch):
    from datetime import timedelta

    day = world.today - timedelta(days=1)
    lid = world.lesson(1, topic="Старая тема", topic_filled_at=None)
    at = run_as(world.users["teacher"], JOURNAL)
    at.date_input(key="journal_day").set_value(day).run()
    assert by_label(at.selectbox, "Тема по КТП").disabled
    assert by_label(at.text_input, "Тема (если её нет в КТП)").disabled
    assert not by_label(at.text_area, "Домашнее задание").disabled
    assert at.selectbox(key=f"mark_{lid}_{world.student_ids[0]}_0").disabled  # oral marks are not backdated
    assert "заполненные с опозданием" in texts(at)
    by_label(at.text_area, "Домашнее задание").input("Повторить")
    save_button(at).click().run()
    assert any("с опозданием" in s.value for s in at.success), [e.value for e in at.error]


def test_no_lessons_empty_state(run_as, world):
    at = run_as(world.users["other_teacher"], JOURNAL)
    assert "На выбранный день занятий нет." in texts(at)
