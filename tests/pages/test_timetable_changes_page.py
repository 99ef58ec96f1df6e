"""«Изменения расписания» through the real router: the deputy cancels a pair and adds a lesson."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import TimetableChange
from tests.pages.conftest import texts
from tests.services.test_timetable import coming_monday, lessons_on, slot_id

PAGE = "pages/timetable_changes.py"


def test_the_deputy_cancels_a_pair_on_the_page(run_as, world):
    monday = coming_monday(world)
    at = run_as(world.users["deputy"], PAGE)
    assert not at.exception, at.exception
    at.date_input(key="timetable_day").set_value(monday).run()
    assert "Операционные системы" in list(at.dataframe[0].value["Дисциплина"])
    at.selectbox(key="timetable_slot").select(slot_id(world))
    at.radio(key="timetable_kind").set_value("cancel")
    at.text_input(key="timetable_reason").input("приказ № 14")
    at.button(key="timetable_submit").click().run()
    assert not at.exception, at.exception
    assert "Операционные системы · Соколова Е. В.: отменено." in texts(at)
    assert list(at.dataframe[0].value["Изменение"]) == ["отменено — приказ № 14"]
    with Session(world.engine) as s:
        change = s.exec(
            select(TimetableChange).where(TimetableChange.timetable_slot_id == slot_id(world))
        ).one()
    assert (change.kind, change.lesson_date) == ("cancel", monday)
    assert lessons_on(world, monday) == []


def test_a_refusal_is_shown_in_russian(run_as, world):
    at = run_as(world.users["officer"], PAGE)
    at.date_input(key="timetable_day").set_value(coming_monday(world)).run()
    at.selectbox(key="timetable_slot").select(slot_id(world))
    at.radio(key="timetable_kind").set_value("room")
    at.text_input(key="timetable_reason").input("ремонт")
    at.button(key="timetable_submit").click().run()
    assert "Укажите аудиторию." in [e.value for e in at.error]


def test_the_officer_adds_and_ends_a_permanent_pair_on_the_page(run_as, world):
    from app.models import TimetableSlot

    at = run_as(world.users["officer"], PAGE)
    assert not at.exception, at.exception
    at.selectbox(key="slots_group").select(world.group_id).run()
    permanent = next(d.value for d in at.dataframe if "Неделя" in d.value.columns)
    assert list(permanent["Дисциплина"]) == ["Операционные системы"]
    at.selectbox(key="slot_subject").select(world.credit_subject_id)
    at.selectbox(key="slot_teacher").select(world.other_teacher_id)
    at.selectbox(key="slot_weekday").select(4)
    at.selectbox(key="slot_pair").select(3)
    at.selectbox(key="slot_parity").select(2)
    at.button(key="slot_add_submit").click().run()
    assert not at.exception, at.exception
    assert "пара добавлена (четверг, 3 пара)" in texts(at)
    with Session(world.engine) as s:
        added = s.exec(
            select(TimetableSlot).where(
                TimetableSlot.study_group_id == world.group_id, TimetableSlot.weekday == 4
            )
        ).one()
    assert (added.pair_number, added.week_parity, added.teacher_id) == (3, 2, world.other_teacher_id)
    at.selectbox(key="slot_end_pick").select(added.id)
    at.button(key="slot_end_submit").click().run()
    assert any("Укажите причину" in e.value for e in at.error)
    at.text_input(key="slot_end_reason").input("новое расписание")
    at.button(key="slot_end_submit").click().run()
    assert "Пара завершена" in texts(at)
