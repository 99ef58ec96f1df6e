"""«Администрирование» through the real router: the officer changes accounts, the director reads."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.actor import load_actor
from app.domain import Role
from tests.pages.conftest import menu, texts

PAGE = "pages/admin.py"


def open_account(run_as, world, who: str, target: str):
    at = run_as(world.users[who], PAGE)
    assert not at.exception, at.exception
    at.selectbox(key="admin_account").select(world.users[target]).run()
    assert not at.exception, at.exception
    return at


def roles_of(world, who: str) -> frozenset[Role]:
    with Session(world.engine) as s:
        return load_actor(world.users[who], session=s).roles


def test_the_officer_names_a_curator_and_sees_it_at_once(run_as, world):
    at = open_account(run_as, world, "officer", "teacher")
    assert at.dataframe and world.logins["teacher"] in list(at.dataframe[0].value["Логин"])
    # a form's widgets are sent with its submit button, as a browser does
    at.selectbox(key="admin_grant_role").select(Role.curator)
    at.selectbox(key="admin_grant_group").select(world.group_id)
    at.text_input(key="admin_grant_reason").input("приказ № 3 от 01.09.2026")
    at.button(key="admin_grant_submit").click().run()
    assert not at.exception, at.exception
    assert "выдана роль «Куратор группы» группы ИСП-11" in texts(at)
    assert "куратор группы ИСП-11" in texts(at)
    assert Role.curator in roles_of(world, "teacher")


def test_a_missing_reason_is_refused_in_russian_and_changes_nothing(run_as, world):
    at = open_account(run_as, world, "officer", "teacher")
    at.selectbox(key="admin_grant_role").select(Role.deputy)
    at.button(key="admin_grant_submit").click().run()
    assert "Укажите причину" in " ".join(e.value for e in at.error)
    assert Role.deputy not in roles_of(world, "teacher")


def test_a_new_one_time_password_is_shown_once_with_a_slip(run_as, world):
    at = open_account(run_as, world, "officer", "teacher")
    at.text_input(key="admin_state_reason").input("забыла пароль")
    at.button(key="admin_reset_submit").click().run()
    assert not at.exception, at.exception
    assert "Новый временный пароль" in " ".join(w.value for w in at.warning)
    assert any(b.label == "Бланк с реквизитами (PDF)" for b in at.get("download_button"))
    at.selectbox(key="admin_account").select(world.users["deputy"]).run()  # another account: gone
    assert not any("Новый временный пароль" in w.value for w in at.warning)


def test_the_director_reads_and_cannot_change(run_as, world):
    at = open_account(run_as, world, "director", "teacher")
    assert "Директор видит записи" in texts(at)
    assert not [b for b in at.button if b.key == "admin_grant_submit"]


@pytest.mark.parametrize("who", ["teacher", "deputy", "student", "guardian"])
def test_others_cannot_route_to_it(run_as, world, who):
    assert "Учётные записи" not in menu(run_as(world.users[who]))
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run_as(world.users[who], PAGE)


def test_the_officer_sees_a_persons_sessions_and_ends_them(run_as, world):
    from tests.pages.conftest import app_as, login

    teacher_browser = login(world.users["teacher"])
    at = open_account(run_as, world, "officer", "teacher")
    assert "Открытых сеансов: 1" in texts(at)
    sessions = at.dataframe[1].value
    assert list(sessions["Адрес"]) == ["127.0.0.1"] and list(sessions["Браузер"]) == ["AppTest"]
    at.text_input(key="admin_sessions_reason").input("вход с чужого компьютера")
    at.button(key="admin_sessions_submit").click().run()
    assert not at.exception, at.exception
    assert "завершены: 1" in texts(at) and "Открытых сеансов: 0" in texts(at)
    # The teacher's browser finds its session over at the next click.
    teacher = app_as()
    teacher.user = teacher_browser
    teacher.run()
    assert menu(teacher) == ["Вход"] and "ответственным за электронный журнал" in texts(teacher)
