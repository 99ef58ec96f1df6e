"""The router: login, the menu by role, and pages that are not routable for a role."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.services import login_sessions
from tests.pages.conftest import app_as, menu, next_request, texts


def test_logged_out_sees_only_the_way_to_the_login_page(run_as):
    at = run_as()
    assert menu(at) == ["Вход"]
    assert [b.url for b in at.get("link_button")] == ["/login"]
    assert not at.text_input  # the password is typed into the web server's /login, not here


def test_a_teacher_gets_the_journal_menu(run_as, world):
    at = run_as(world.users["teacher"])
    assert menu(at) == [
        "Главная",
        "Журнал",
        "Мои замечания",
        "Журнал группы",
        "КТП",
        "Аттестация",
        "Учебный календарь",
        "Успеваемость",
        "Справка",
        "Смена пароля",
        "Доступ для приложений",
        "Выход",
    ]
    assert "Здравствуйте, Соколова Елена Викторовна" in texts(at)


def test_session_state_alone_logs_nobody_in(run_as, world):
    """What 18bf9b7 trusted: a user id in the Streamlit session's state."""
    at = app_as()
    at.session_state["user_id"] = world.users["officer"]
    at.run()
    assert menu(at) == ["Вход"]


def test_a_session_ended_elsewhere_sends_the_browser_to_the_login_page(run_as, world):
    at = run_as(world.users["teacher"])
    with Session(world.engine) as s:
        login_sessions.logout(at.user["sid"], session=s)
    at = next_request(at)
    assert menu(at) == ["Вход"]
    assert "Вы вышли из системы." in texts(at)
    assert at.user == {}  # st.logout: the browser goes to /login, which says the same


@pytest.mark.parametrize(
    "who, expected",
    [
        (
            "deputy",
            [
                "Главная",
                "Журнал группы",
                "КТП",
                "Аттестация",
                "Учебный календарь",
                "Дневник",
                "Моя группа",
                "Замены",
                "Изменения расписания",
                "Исправления отметок",
                "Заполнение журналов",
                "Посещаемость",
                "Успеваемость",
                "Отчёты",
                "Справка",
                "Смена пароля",
                "Доступ для приложений",
                "Выход",
            ],
        ),
        (
            "officer",
            [
                "Главная",
                "Учебный календарь",
                "Моя группа",
                "Замены",
                "Изменения расписания",
                "Заполнение журналов",
                "Учётные записи",
                "Импорт данных",
                "Справка",
                "Смена пароля",
                "Доступ для приложений",
                "Выход",
            ],
        ),
        (
            "director",
            [
                "Главная",
                "Журнал группы",
                "Аттестация",
                "Учебный календарь",
                "Дневник",
                "Заполнение журналов",
                "Посещаемость",
                "Успеваемость",
                "Отчёты",
                "Учётные записи",
                "Справка",
                "Смена пароля",
                "Доступ для приложений",
                "Выход",
            ],
        ),
        (
            "student",
            [
                "Главная",
                "Дневник",
                "Уведомления",
                "Справка",
                "Смена пароля",
                "Доступ для приложений",
                "Выход",
            ],
        ),
        (
            "guardian",
            [
                "Главная",
                "Дневник",
                "Уведомления",
                "Справка",
                "Смена пароля",
                "Доступ для приложений",
                "Выход",
            ],
        ),
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
    assert menu(at) == ["Вход"]
    assert "отключена" in texts(at)


def test_idle_session_ends(run_as, world):
    at = run_as(world.users["teacher"])
    with Session(world.engine) as s:
        s.execute(
            text("UPDATE login_session SET last_seen_at = now() - interval '2 hours' WHERE id = :id"),
            {"id": at.user["sid"]},
        )
        s.commit()
    at = next_request(at)
    assert menu(at) == ["Вход"]
    assert "долго не было активности" in texts(at)


def test_one_time_password_only_opens_the_password_page(run_as, world):
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
