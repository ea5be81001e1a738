"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from yiyang.core.testing import Cast, build_cast


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Login throttling counts in the cache (locmem in tests): each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def cast(db: Any) -> Cast:
    return build_cast()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def api_as(cast: Cast) -> Any:
    """``api_as(user)`` → an APIClient authenticated as that user (force-authenticated)."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


# --- Browser tests: Playwright driving Debian's chromium, with axe-core injected -------------------------
CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent / "yiyang/core/static/vendor/axe.min.js"


@pytest.fixture(scope="session")
def browser() -> Any:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium); .ci/run installs it")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = (
        "true"  # Playwright's sync API runs an event loop in this thread
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()


def browser_login(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def assert_accessible(page: Any) -> None:
    """axe-core finds no serious or critical violation on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}" for v in bad
    ]
    assert not bad, f"{page.url}: " + "; ".join(details)


@pytest.fixture(autouse=True)
def _eager_celery() -> Any:
    """Tests run jobs in-process; ``test_jobs_broker`` switches to the real broker on purpose."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = True
