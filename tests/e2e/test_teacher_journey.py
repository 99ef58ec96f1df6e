"""A teacher logs in, fills today's lesson in a real browser, and it is saved."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import Attendance, Lesson, Mark
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def login(page, app_url: str, login: str) -> None:
    page.goto(app_url)
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_text("Здравствуйте").wait_for()


def choose(page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox found by its (possibly hidden) label."""
    page.get_by_label(label, exact=True).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_teacher_fills_a_lesson(page, app_url, world):
    lid = world.lesson(0)
    absent, marked = world.student_ids[0], world.student_ids[1]
    login(page, app_url, world.logins["teacher"])
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Журнал", exact=True).click()
    page.get_by_text("ИСП-11 · Операционные системы").first.wait_for()

    choose(page, "Тема по КТП", "3. Управление памятью")
    choose(page, "Тип заданий", "Устный опрос")
    page.get_by_label("Выполненные задания").fill("Фронтальный опрос")
    page.get_by_label("Домашнее задание").fill("Конспект §3")
    rows = page.locator("[data-testid='stHorizontalBlock']").filter(has_text="Абрамов Илья")
    rows.get_by_label("Посещаемость").click()
    page.get_by_role("option", name="н", exact=True).click()
    rows = page.locator("[data-testid='stHorizontalBlock']").filter(has_text="Белова Анна")
    rows.get_by_label("Отметка").click()
    page.get_by_role("option", name="5", exact=True).click()
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_text("Сохранено:").wait_for()

    with Session(world.engine) as s:
        lesson = s.get(Lesson, lid)
        assert lesson and lesson.topic == "Управление памятью" and lesson.homework == "Конспект §3"
        assert [
            (a.student_id, a.status) for a in s.exec(select(Attendance).where(Attendance.lesson_id == lid))
        ] == [(absent, "absent")]
        assert [(m.student_id, m.value) for m in s.exec(select(Mark).where(Mark.lesson_id == lid))] == [
            (marked, "5")
        ]
    # the saved mark is shown and can no longer be chosen again for the same work
    page.get_by_text("5 — Устный опрос").wait_for()
