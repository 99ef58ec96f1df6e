"""The router: login, the menu by role, and pages that are not routable for a role."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.pages.conftest import menu, next_request, texts


def test_logged_out_sees_only_the_login_page(run_as):
    at = run_as()
    assert menu(at) == ["Вход"]
    assert at.text_input[0].label == "Логин" and at.text_input[1].label == "Пароль"


def test_wrong_password_is_refused_in_russian(run_as, world):
    at = run_as()
    at.text_input[0].input(world.logins["teacher"])
    at.text_input[1].input("не тот пароль")
    at.button[0].click().run()
    assert "Неверный логин или пароль." in [e.value for e in at.error]
    assert "user_id" not in at.session_state


def test_teacher_logs_in_and_gets_the_journal_menu(run_as, world):
    at = run_as()
    at.text_input[0].input(world.logins["teacher"])
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert at.session_state["user_id"] == world.users["teacher"]
    at = next_request(at)
    assert menu(at) == [
        "Главная",
        "Журнал",
        "Мои замечания",
        "Журнал группы",
        "КТП",
        "Успеваемость",
        "Справка",
        "Смена пароля",
        "Выход",
    ]
    assert "Здравствуйте, Соколова Елена Викторовна" in texts(at)


@pytest.mark.parametrize(
    "who, expected",
    [
        (
            "deputy",
            [
                "Главная",
                "Журнал группы",
                "КТП",
                "Дневник",
                "Моя группа",
                "Замены",
                "Исправления отметок",
                "Заполнение журналов",
                "Посещаемость",
                "Успеваемость",
                "Отчёты",
                "Справка",
                "Смена пароля",
                "Выход",
            ],
        ),
        (
            "officer",
            [
                "Главная",
                "Моя группа",
                "Замены",
                "Заполнение журналов",
                "Учётные записи",
                "Импорт данных",
                "Справка",
                "Смена пароля",
                "Выход",
            ],
        ),
        (
            "director",
            [
                "Главная",
                "Журнал группы",
                "Дневник",
                "Заполнение журналов",
                "Посещаемость",
                "Успеваемость",
                "Отчёты",
                "Учётные записи",
                "Справка",
                "Смена пароля",
                "Выход",
            ],
        ),
        ("student", ["Главная", "Дневник", "Справка", "Смена пароля", "Выход"]),
        ("guardian", ["Главная", "Дневник", "Справка", "Смена пароля", "Выход"]),
    ],
)
def test_menu_follows_roles(run_as, world, who, expected):
    assert menu(run_as(world.users[who])) == expected


@pytest.mark.parametrize("who", ["student", "guardian"])
def test_students_and_guardians_cannot_reach_the_journal(run_as, world, who):
    at = run_as(world.users[who])
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/journal.py")


def test_a_disabled_account_is_logged_out_at_its_next_request(run_as, world):
    from sqlmodel import Session

    from app.models import UserAccount

    at = run_as(world.users["officer"])
    assert "Заполнение журналов" in menu(at)
    with Session(world.engine) as s:
        user = s.get(UserAccount, world.users["officer"])
        assert user is not None
        user.is_active = False
        s.add(user)
        s.commit()
    at = next_request(at)
    assert menu(at) == ["Вход"] and "user_id" not in at.session_state
    assert "отключена" in texts(at)


def test_idle_session_ends(run_as, world):
    from app.ui import session

    at = next_request(run_as(world.users["teacher"]), **{session.LAST_SEEN: 0.0})
    assert menu(at) == ["Вход"]
    assert "долго не было активности" in texts(at)


def test_one_time_password_only_opens_the_password_page(run_as, world):
    from sqlmodel import Session

    from app.models import UserAccount

    with Session(world.engine) as s:
        user = s.get(UserAccount, world.users["director"])
        assert user is not None
        user.must_change_password = True
        s.add(user)
        s.commit()
    at = run_as(world.users["director"])
    assert menu(at) == ["Смена пароля", "Выход"]
    assert "временному паролю" in texts(at)
