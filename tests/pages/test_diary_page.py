"""The Дневник page through the real router: who sees which diary, switching, no leaks between users."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app.models import AuditEvent
from app.services.diary import REFUSED
from tests.diary_factories import make_curator, mark, other_family, second_child
from tests.pages.conftest import app_as, menu, texts

DIARY = "pages/diary.py"


def diary_as(user_id: int, **state):
    """The diary page for a user, with session values or query params set before the first run."""
    params = state.pop("query_params", {})
    at = app_as(user_id)
    for key, value in state.items():
        at.session_state[key] = value
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(DIARY).run()


def audit_of(world, user: str) -> list[AuditEvent]:
    with Session(world.engine) as s:
        return list(
            s.exec(
                select(AuditEvent)
                .where(AuditEvent.actor_user_id == world.users[user], AuditEvent.action == "diary.view")
                .order_by(col(AuditEvent.id))
            )
        )


@pytest.fixture
def family(world):
    """Today's lesson with a mark for the first child, and a second child in ИСП-21."""
    lid = world.lesson(0, topic="Файловые системы", homework="Конспект §4", work_kind="oral")
    mark(world, lid, world.student_ids[0], "5", "oral", "ответ у доски")
    return second_child(world)


def test_guardian_with_two_children_switches_between_them(run_as, world, family):
    at = run_as(world.users["guardian"], DIARY)
    assert not at.exception
    shown = texts(at)
    assert "Абрамов Илья Сергеевич" in shown and "данные на " in shown
    if world.today.weekday() < 6:  # Sunday is not a diary day
        assert "Файловые системы" in shown and "ответ у доски" in shown and "Конспект §4" in shown
    switcher = at.selectbox(key="diary_child")
    assert switcher.label == "Ребёнок" and len(switcher.options) == 2
    switcher.select(family).run()
    shown = texts(at)
    assert "Абрамова Вера Сергеевна" in shown and "ИСП-21" in shown
    assert "Файловые системы" not in shown and "Абрамов Илья" not in shown
    assert at.query_params["student"] in (str(family), [str(family)])


def test_the_period_tab_shows_marks_average_and_missed_hours(world, family):
    at = diary_as(world.users["guardian"], diary_tab="Итоги за период")
    shown = texts(at)
    assert "Операционные системы" in shown and "Средний балл: **5,00**" in shown
    assert "Пропущено: 0 ч" in shown


def test_guardian_cannot_open_another_familys_child_by_the_url(world, family):
    other_family(world)
    stranger = world.student_ids[1]  # Белова Анна
    at = diary_as(world.users["guardian"], query_params={"student": str(stranger)})
    assert REFUSED in [e.value for e in at.error]
    assert "Белова" not in texts(at)
    assert [(e.entity_id, e.outcome) for e in audit_of(world, "guardian")] == [(stranger, "refused")]
    [back] = [b for b in at.button if b.label == "Открыть мой выбор заново"]
    back.click().run()
    assert not at.error and "Абрамов Илья Сергеевич" in texts(at) and "Белова" not in texts(at)


def test_guardian_cannot_open_another_familys_child_through_session_state(world, family):
    other_family(world)
    stranger = world.student_ids[1]
    at = diary_as(
        world.users["guardian"], diary_child=stranger, diary_pupil=stranger, diary_group=world.group_id
    )
    assert "Белова" not in texts(at)
    assert {e.entity_id for e in audit_of(world, "guardian")} <= {world.student_ids[0], family}


def test_student_sees_only_themself_without_a_switcher_and_no_journal(run_as, world):
    assert menu(run_as(world.users["student"])) == [
        "Главная",
        "Дневник",
        "Уведомления",
        "Справка",
        "Смена пароля",
        "Доступ для приложений",
        "Выход",
    ]
    at = run_as(world.users["student"], DIARY)
    assert "Абрамов Илья Сергеевич" in texts(at)
    assert [s.label for s in at.selectbox] == []
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run_as(world.users["student"]).switch_page("pages/journal.py")
    other = diary_as(world.users["student"], query_params={"student": str(world.student_ids[2])})
    assert REFUSED in [e.value for e in other.error] and "Волков" not in texts(other)


def test_nothing_in_the_diary_can_be_changed(run_as, world, family):
    at = run_as(world.users["guardian"], DIARY)
    assert not at.text_input and not at.text_area and not at.number_input and not at.data_editor
    assert not at.checkbox and not at.multiselect
    assert {b.label for b in at.button} <= {"◀ Пред.", "След. ▶", "Сегодня"}


def test_week_buttons_move_by_a_week(run_as, world):
    at = run_as(world.users["student"], DIARY)
    day = at.date_input(key="diary_day")
    assert day.value == world.today
    [back] = [b for b in at.button if b.label == "◀ Пред."]
    back.click().run()
    assert at.date_input(key="diary_day").value == world.today - timedelta(days=7)
    monday = world.today - timedelta(days=7 + world.today.weekday())
    assert f"Неделя {monday:%d.%m.%Y}" in texts(at)
    assert "Сегодня" not in "".join(m.value for m in at.markdown)  # today is not in that week
    [forward] = [b for b in at.button if b.label == "След. ▶"]
    forward.click().run()
    assert at.date_input(key="diary_day").value == world.today


def test_two_users_one_after_another_in_one_process_do_not_leak(world, family):
    other_family(world)
    first = diary_as(world.users["guardian"])
    assert "Абрамов Илья" in texts(first)
    second = diary_as(world.users["other_guardian"])
    shown = texts(second)
    assert "Белова Анна Игоревна" in shown
    # the lesson is the group's (Белова is in ИСП-11 too); the other family's names and marks are not
    for name in ("Абрамов", "Абрамова Вера", "ответ у доски", ":green[**5**]"):
        assert name not in shown
    assert not second.selectbox  # one child: no switcher, and nothing of the first family's


def test_curator_opens_a_student_of_their_group(world, family):
    make_curator(world)
    at = diary_as(world.users["teacher"])
    assert [s.label for s in at.selectbox] == ["Группа", "Студент"]
    assert at.selectbox(key="diary_group").options == ["ИСП-11"]
    assert "Выберите группу и студента" in texts(at)
    at.selectbox(key="diary_pupil").select(world.student_ids[3]).run()
    assert "Григорьева Мария Олеговна" in texts(at)
    # a student of a group they do not curate, asked for by the URL, is refused
    refused = diary_as(world.users["teacher"], query_params={"student": str(family)})
    assert REFUSED in [e.value for e in refused.error]


@pytest.mark.parametrize("who", ["deputy", "director"])
def test_the_administration_opens_any_diary_of_its_college(world, who):
    at = diary_as(world.users[who])
    assert not at.exception, at.exception
    assert "Выберите группу и студента" in texts(at)
    at.selectbox(key="diary_pupil").select(world.student_ids[3]).run()
    assert "Григорьева Мария Олеговна" in texts(at)
    assert not at.error


@pytest.mark.parametrize("who", ["officer", "teacher"])
def test_staff_who_curate_nothing_have_no_diary_page(run_as, world, who):
    at = run_as(world.users[who])
    assert "Дневник" not in menu(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(DIARY)


def test_the_curators_announcements_are_in_the_diary(run_as, world):
    from sqlmodel import Session

    from app.services import notices
    from tests.diary_factories import make_curator

    make_curator(world)
    with Session(world.engine) as s:
        notices.post_announcement(
            world.actor("teacher"), world.group_id, "Собрание", "В пятницу в 18:00.", session=s
        )
    at = run_as(world.users["guardian"], "pages/diary.py")
    assert not at.exception
    (note,) = [e for e in at.expander if e.label.startswith("Объявления куратора")]
    assert "Собрание" in note.label
