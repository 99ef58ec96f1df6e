"""A real Streamlit server and Debian's headless Chromium for the main journeys."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import ROOT

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-results"
# A Streamlit rerun waits for both cores when another suite runs beside this one (CI on a busy
# machine): a generous wait, so only a page that never shows fails.
E2E_TIMEOUT_MS = 60_000


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser_path() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run must install Debian's chromium package")
        pytest.skip("no Chromium on this machine (install Debian's chromium to run the browser journeys)")
    assert path is not None
    return path


@pytest.fixture
def page(browser_path: str, app_url: str, request: pytest.FixtureRequest):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1600}, locale="ru-RU")
        pg = context.new_page()
        pg.set_default_timeout(E2E_TIMEOUT_MS)
        try:
            yield pg
        finally:
            ARTIFACTS.mkdir(exist_ok=True)
            pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            browser.close()
