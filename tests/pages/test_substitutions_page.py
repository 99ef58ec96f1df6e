"""«Замены» through the real router: the deputy gives a lesson to a colleague, who then sees it."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import AuditEvent, Lesson
from tests.pages.conftest import menu, texts

PAGE = "pages/substitutions.py"
JOURNAL = "pages/journal.py"


def substitute_of(world, lesson_id: int) -> int | None:
    with Session(world.engine) as s:
        lesson = s.get(Lesson, lesson_id)
        assert lesson is not None
        return lesson.substitute_teacher_id


def open_absent(run_as, world, who: str = "deputy"):
    at = run_as(world.users[who], PAGE)
    assert not at.exception, at.exception
    at.selectbox(key=f"substitutions_absent_{world.today}").select(world.teacher_id).run()
    assert not at.exception, at.exception
    return at


def test_deputy_assigns_a_substitute_and_the_substitute_sees_the_lesson(run_as, world):
    lid = world.lesson(0)
    at = open_absent(run_as, world)
    assert "Операционные системы" in texts(at)
    who = at.selectbox(key=f"substitute_who_{lid}")
    assert who.options == ["Кузнецов О. П."]  # the absent teacher herself is not offered
    who.select(world.other_teacher_id)
    at.text_input(key=f"substitute_reason_{lid}").input("больничный лист")
    at.button(key=f"substitute_submit_{lid}").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("Замена назначена" in s.value for s in at.success)
    assert substitute_of(world, lid) == world.other_teacher_id
    assert "Соколова Е. В. → **Кузнецов О. П.**" in texts(at)

    journal = run_as(world.users["other_teacher"], JOURNAL)
    assert not journal.exception, journal.exception
    lesson_choice = next(s for s in journal.selectbox if s.label == "Занятие")
    assert any(option.endswith("· замена") for option in lesson_choice.options)
    assert journal.dataframe[0].value["Замена"].tolist() == ["да"]
    assert "замещает Кузнецов Олег Петрович" in texts(journal)


def test_only_free_teachers_are_offered(run_as, world):
    lid = world.lesson(0, pair_number=3, subgroup=1)
    world.lesson(0, pair_number=3, subgroup=2, teacher_id=world.other_teacher_id)
    at = open_absent(run_as, world)
    assert "На эту пару свободных преподавателей нет." in texts(at)
    assert not [s for s in at.selectbox if s.key == f"substitute_who_{lid}"]


def test_a_refusal_is_shown_and_nothing_changes(run_as, world):
    lid = world.lesson(0)
    at = open_absent(run_as, world)
    at.selectbox(key=f"substitute_who_{lid}").select(world.other_teacher_id)
    at.button(key=f"substitute_submit_{lid}").click().run()
    assert any("причину замены" in e.value for e in at.error)
    assert substitute_of(world, lid) is None


def test_the_officer_cancels_a_substitution(run_as, world):
    lid = world.lesson(0, substitute_teacher_id=world.other_teacher_id)
    at = run_as(world.users["officer"], PAGE)
    assert not at.exception, at.exception
    at.button(key=f"substitute_cancel_{lid}").click().run()
    assert any("Замена отменена" in s.value for s in at.success), [e.value for e in at.error]
    assert substitute_of(world, lid) is None
    assert "На выбранный день замен нет." in texts(at)
    with Session(world.engine) as s:
        row = s.exec(
            select(AuditEvent).where(
                AuditEvent.action == "lesson.substitute_cancel", AuditEvent.entity_id == lid
            )
        ).one()
    assert row.actor_user_id == world.users["officer"] and row.outcome == "accepted"


def test_a_past_day_is_shown_but_not_changed(run_as, world):
    from datetime import timedelta

    lid = world.lesson(1, substitute_teacher_id=world.other_teacher_id)
    at = run_as(world.users["deputy"], PAGE)
    at.date_input(key="substitutions_day").set_value(world.today - timedelta(days=1)).run()
    assert "Прошедший день" in texts(at)
    assert at.button(key=f"substitute_cancel_{lid}").disabled


def test_menu_and_routing(run_as, world):
    assert {"Замены", "Исправления отметок"} <= set(menu(run_as(world.users["deputy"])))
    officer = menu(run_as(world.users["officer"]))
    assert "Замены" in officer and "Исправления отметок" not in officer


@pytest.mark.parametrize("who", ["teacher", "director", "student", "guardian"])
def test_others_cannot_route_to_substitutions(run_as, world, who):
    at = run_as(world.users[who])
    assert "Замены" not in menu(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_the_deputy_gives_an_unfilled_past_lesson_to_a_substitute(run_as, world):
    from datetime import timedelta

    lid = world.lesson(1)
    day = world.today - timedelta(days=1)
    at = run_as(world.users["deputy"], PAGE)
    at.date_input(key="substitutions_day").set_value(day).run()
    assert "назначает заместитель директора" in texts(at)
    at.selectbox(key=f"substitutions_absent_{day}").select(world.teacher_id).run()
    at.selectbox(key=f"substitute_who_{lid}").select(world.other_teacher_id)
    at.text_input(key=f"substitute_reason_{lid}").input("больничный лист, не оформили вовремя")
    at.button(key=f"substitute_submit_{lid}").click().run()
    assert not at.error, [e.value for e in at.error]
    assert not at.exception, at.exception
    assert substitute_of(world, lid) == world.other_teacher_id, texts(at)
    # the officer sees the past day as history only
    officer = run_as(world.users["officer"], PAGE)
    officer.date_input(key="substitutions_day").set_value(day).run()
    assert "показаны для истории" in texts(officer)
