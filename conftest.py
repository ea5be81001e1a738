"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from yiyang.core.testing import Cast, build_cast


@pytest.fixture(scope="session", autouse=True)
def _private_files_and_cache(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Each test process (one per pytest-xdist worker, ``gw0``, ``gw1`` …; ``master`` without -n) writes
    its files (import uploads, media, demo logins) under its own temporary ``var/`` instead of the
    checkout's, and keeps its cache keys apart when the cache is a shared Redis (CI's PostgreSQL run),
    so that parallel workers never read each other's files, throttle counters or cached values.
    pytest-django already gives each worker its own test database (``test_<name>_gw0`` …)."""
    from django.conf import settings
    from django.test.utils import override_settings

    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "master")  # set by pytest-xdist in each worker
    var = tmp_path_factory.mktemp(f"var-{worker_id}")
    caches = {name: {**conf, "KEY_PREFIX": f"test-{worker_id}"} for name, conf in settings.CACHES.items()}
    with override_settings(VAR_DIR=var, MEDIA_ROOT=var / "media", CACHES=caches):
        yield var


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    """On SQLite, a run of browser tests uses a test database in a file, as the demo does, not Django's
    shared in-memory one: the live server answers a page's parallel requests (a dozen photo thumbnails
    and a form POST at once) on threads, and an in-memory database shared between threads answers
    "database table is locked" where a file database in WAL mode with a busy timeout waits its turn."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    marks = str(request.config.getoption("markexpr") or "")
    if db["ENGINE"] != "django.db.backends.sqlite3" or "browser" not in marks or "not browser" in marks:
        return
    db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("browser-db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Throttle counters and locks live in the cache: each test starts with none counted, under a key
    prefix of its own (never ``clear()``, which would empty a Redis shared with other workers)."""
    import uuid

    from django.conf import settings
    from django.test.utils import override_settings

    mine = uuid.uuid4().hex[:12]
    caches = {
        name: {**conf, "KEY_PREFIX": f"{conf.get('KEY_PREFIX', '')}-{mine}"}
        for name, conf in settings.CACHES.items()
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _settled_months_have_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests serve orders now and settle this month: the month-ended guard of ``settlement_generate``
    sees a clock two months ahead (its own test puts the real clock back)."""
    from datetime import timedelta

    from django.utils import timezone

    from yiyang.orders import settlement

    monkeypatch.setattr(settlement, "_now", lambda: timezone.now() + timedelta(days=62))


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
    # evaluated, not added as a <script> tag: the Content-Security-Policy refuses inline script
    page.evaluate(AXE.read_text() + "\n;0")
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


def watch_csp(page: Any) -> dict[str, list[str]]:
    """Collect CSP violations, dialogs (alert) and page errors of ``page`` from now on."""
    seen: dict[str, list[str]] = {"csp": [], "dialogs": [], "errors": []}

    def console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            seen["csp"].append(message.text)

    def dialog(d: Any) -> None:
        seen["dialogs"].append(d.message)
        d.dismiss()

    page.on("console", console)
    page.on("dialog", dialog)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.log("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen
