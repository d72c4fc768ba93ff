"""Browser tests, shared by every app: Debian's chromium driven through Playwright's Python API (headless, no
sandbox, no browser download) against pytest-django's live server.

The ``browser`` fixture is made available to every app's tests by the root conftest; a test module marks
itself ``pytest.mark.browser`` with a transactional ``django_db`` and then asks for ``live_server`` and
``browser``, opens pages with :func:`new_page` or :func:`signed_in` and saves screenshots under ``SHOTS``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from minzheng.testing import factories as f

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(os.environ.get("MINZHENG_SCREENSHOT_DIR", "/tmp"))  # noqa: S108  (screenshots, not secrets)

# Browser-context options (``new_page(browser, **PHONE)``): a phone, and an office screen.
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
                         "has_touch": True}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A headless chromium for this test (skipped where Debian's chromium or Playwright is missing)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            # Under Playwright's sync API the test's ORM calls get connections of their own (Django keeps
            # them per context); left open, PostgreSQL cannot drop the test database at the session's end.
            connections.close_all()
            b.close()


def new_page(browser: Any, **context: Any) -> Any:
    """A page in a new browser context, in Chinese; ``context`` is Playwright's context options (``**PHONE``).
    Close it with ``page.context.close()``."""
    return browser.new_context(locale="zh-CN", **context).new_page()


def log_in(page: Any, base: str, username: str) -> None:
    """Sign ``username`` (a factory user, with the factories' password) in on ``page``, after signing whoever
    was signed in out; returns on the home page."""
    # A response still in flight can set the previous user's session cookie again after the cookies are
    # cleared (seen under load: /login/ then redirects home as that user), so let the page settle first and
    # check that the sign-in form is really there.
    for _ in range(3):
        page.wait_for_load_state("networkidle")
        page.context.clear_cookies()
        page.goto(f"{base}/login/")
        if page.locator("input[name=username]").count():
            break
    else:
        raise AssertionError(f"still signed in after clearing the cookies: {page.url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def signed_in(browser: Any, base: str, username: str, **context: Any) -> Any:
    """A new page (see :func:`new_page`) with ``username`` signed in, on the home page."""
    page = new_page(browser, **context)
    log_in(page, base, username)
    return page
