"""The login in a real browser: a deep link goes through /login and back, a refresh and a new tab
keep the login, «Выход» ends it on the server (on 18bf9b7 a refresh logged the user out)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import E2E_TIMEOUT_MS
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def menu(page) -> list[str]:
    nav = page.get_by_test_id("stSidebarNavItems")
    nav.wait_for()
    return [t.split("\n")[-1].strip() for t in nav.get_by_role("link").all_inner_texts()]


def test_a_login_lasts_across_refreshes_and_tabs_until_logout(page, app_url, world):
    world.lesson(0)
    page.goto(app_url + "/journal")
    assert page.url.endswith("/login?next=/journal")
    page.get_by_label("Логин").fill(world.logins["teacher"])
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_text("ИСП-11 · Операционные системы").first.wait_for()
    # The router's menu, never Streamlit's listing of the pages/ folder (a process's first session).
    assert "Мои замечания" in menu(page) and "streamlit app" not in menu(page)

    page.reload()
    page.get_by_text("ИСП-11 · Операционные системы").first.wait_for()
    second = page.context.new_page()
    second.set_default_timeout(E2E_TIMEOUT_MS)
    second.goto(app_url)
    second.get_by_text("Здравствуйте").wait_for()

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Выход").click()
    page.wait_for_url("**/login**")
    page.get_by_text("Вы вышли из системы.").wait_for()
    # The other tab's session was the same login: it is over too.
    second.goto(app_url + "/journal")
    assert "/login" in second.url
