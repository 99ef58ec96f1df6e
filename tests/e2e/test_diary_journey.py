"""A teacher saves a mark in the Журнал; the guardian logs in from another browser and sees it in the
diary at once (the diary reads the live database), on a desktop and on a phone's width."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, CHROMIUM_ARGS, E2E_TIMEOUT_MS
from tests.e2e.test_teacher_journey import choose, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser(browser_path: str, app_url: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def new_page(browser, viewport: dict[str, int] | None = None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 1600}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(E2E_TIMEOUT_MS)
    return page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_diary(page, app_url: str, user_login: str) -> None:
    login(page, app_url, user_login)
    nav = page.get_by_test_id("stSidebarNavItems")
    phone = not nav.is_visible()
    if phone:  # the menu hides behind the sidebar button
        page.get_by_test_id("stExpandSidebarButton").click()
    nav.get_by_role("link", name="Дневник").click()
    page.get_by_role("heading", name="Дневник").wait_for()
    if phone and nav.is_visible():
        page.get_by_test_id("stSidebarCollapseButton").click()
        nav.wait_for(state="hidden")


def test_guardian_sees_the_mark_a_teacher_just_saved(browser, app_url, world, request):
    world.lesson(0, topic="Файловые системы", homework="Конспект §4")
    child = "Абрамов Илья"

    teacher = new_page(browser)
    try:
        login(teacher, app_url, world.logins["teacher"])
        teacher.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Журнал", exact=True).click()
        teacher.get_by_text("ИСП-11 · Операционные системы").first.wait_for()
        choose(teacher, "Тип заданий", "Устный опрос")
        row = teacher.locator("[data-testid='stHorizontalBlock']").filter(has_text=child)
        row.get_by_label("Отметка").click()
        teacher.get_by_role("option", name="4", exact=True).click()
        row.get_by_label("За что").fill("ответ у доски")
        teacher.get_by_role("button", name="Сохранить").click()
        teacher.get_by_text("Сохранено:").wait_for()
    finally:
        teacher.context.close()

    guardian = new_page(browser)
    try:
        open_diary(guardian, app_url, world.logins["guardian"])
        guardian.get_by_text("Абрамов Илья Сергеевич").first.wait_for()
        guardian.get_by_text("данные на").first.wait_for()
        guardian.get_by_text("ответ у доски").wait_for()  # a Sunday with lessons is shown too
        guardian.get_by_text("Файловые системы").wait_for()
        assert guardian.get_by_text("Устный опрос").count() >= 1
        assert guardian.get_by_text("Сегодня", exact=True).count() >= 1
        shot(guardian, request.node.name)
        guardian.get_by_role("tab", name="Итоги за период").click()
        guardian.get_by_text("Средний балл: 4,00").wait_for()
        shot(guardian, request.node.name + "-period")
    finally:
        guardian.context.close()

    phone = new_page(browser, PHONE)
    try:
        open_diary(phone, app_url, world.logins["guardian"])
        phone.get_by_text("ответ у доски").wait_for()
        # nothing runs off the side of a phone's screen
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
        # Streamlit scrolls inside its own container: a tall phone shows the whole week in one shot
        phone.set_viewport_size({"width": PHONE["width"], "height": 2400})
        phone.get_by_text("ответ у доски").wait_for()
        shot(phone, request.node.name + "-phone")
    finally:
        phone.context.close()
