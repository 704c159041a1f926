"""Real-browser tests: headless Chromium driven by Playwright against pytest-django's live server.

How a feature adds its journey (see README.md beside this file)::

    from tests.browser.helpers import audit, sign_in, visit

    def test_it_lets_a_mentor_rsvp(page, mentor):
        sign_in(page, mentor)
        visit(page, "/community/")
        page.get_by_role("link", name="March meeting").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("March meeting")
        audit(page)                      # every page the test lands on is audited

* ``page`` is a fresh browser tab whose relative URLs go to the live server.
* ``visit(page, path)`` opens a page and audits it; ``audit(page)`` checks the page the tab is
  on now. An audit runs axe-core and fails on serious or critical violations, on any Content
  Security Policy violation, JavaScript error or console error, and on any 5xx answer.
* A test fails if it lands on a page (after a click or a form submission) and navigates away,
  or ends, without auditing it.
* ``sign_in(page, user)`` types the person's email and password into the sign-in form.
* A failing test leaves a screenshot and the page's HTML in ``var/test-artifacts/``.

Outside CI the tests skip when no Chromium is installed; with ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.migrated_data import restore_migrated_data

from .helpers import ARTIFACTS, AXE_SCRIPT, CHROMIUM_ARGS, RECORDS, TIMEOUT_MS, TabRecord, chromium_path


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI must run the browser tests)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package", autouse=True)
def _put_back_the_migrated_data(django_db_setup, django_db_blocker):
    """The live server needs committed data, so each browser test empties the tables after it,
    and content types come back with new ids. Once the browser is closed, put the database back
    as the migrations left it (when the run serialized it), so that later tests that restore
    that state themselves (serialized rollback) find no duplicates."""
    yield
    with django_db_blocker.unblock():
        restore_migrated_data()


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all browser tests, closed when they are done.

    Playwright's sync API keeps an asyncio loop running in this thread while it is started,
    which Django's async-safety check mistakes for async code calling the ORM; the check is
    lifted only for as long as the browser runs.
    """
    path = chromium_path()
    if path is None:
        _unavailable("no Chromium found: install Debian's `chromium` package or set CHROMIUM_PATH")
    if not AXE_SCRIPT.exists():
        _unavailable(f"axe-core is missing ({AXE_SCRIPT.name}): run `npm ci`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed: pip install -r requirements-dev.txt")

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def default_instruments(db):
    """The shared readiness checklist and skills inventory, which the migrations install but the
    live-server tests' table flushes remove."""
    from django.utils import timezone

    from assessments.defaults import install_default_instruments
    from assessments.models import Domain, Instrument, InstrumentVersion, Item

    install_default_instruments(Instrument=Instrument, InstrumentVersion=InstrumentVersion, Domain=Domain, Item=Item,
                                now=timezone.now())


@pytest.fixture
def page(browser, live_server, request):
    """A fresh tab (own cookies) on the live server, watched for errors and audited pages."""
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="America/Los_Angeles")
    context.set_default_timeout(TIMEOUT_MS)
    # Injected through the DevTools protocol, so the page's own CSP does not block it.
    context.add_init_script(path=str(AXE_SCRIPT))
    tab = context.new_page()
    record = TabRecord(base_url=live_server.url)
    RECORDS[id(tab)] = record

    def on_console(message):
        # A failed load is reported, with its URL, by on_response below.
        where = message.location or {}
        if where.get("url", "").endswith(AXE_SCRIPT.name):
            return  # axe-core's own probes (it sets inline styles while measuring)
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            source = f" ({where.get('url')}:{where.get('lineNumber')})" if where.get("url") else ""
            record.problems.append(f"console error on {tab.url}{source}: {message.text}")

    def on_navigated(frame):
        if frame != tab.main_frame or not frame.url.startswith(live_server.url):
            return
        if record.landed is not None:
            record.unaudited.append(record.landed)
        record.landed = frame.url

    def on_response(response):
        # A page may answer 403 or 404 on purpose (visit(..., status=404)); its assets may not.
        failed_asset = response.status >= 400 and response.request.resource_type != "document"
        if response.status >= 500 or failed_asset:
            record.problems.append(f"{response.status} from {response.request.method} {response.url}")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: record.problems.append(f"JavaScript error on {tab.url}: {error}"))
    tab.on("framenavigated", on_navigated)
    tab.on("response", on_response)
    try:
        yield tab
        call = getattr(request.node, "report_call", None)
        if call is not None and call.passed:
            if record.landed is not None:
                record.unaudited.append(record.landed)
            assert not record.unaudited, (
                "the test left these pages without audit(page): " + ", ".join(record.unaudited)
            )
            assert not record.problems, "\n".join(record.problems)
    finally:
        call = getattr(request.node, "report_call", None)
        if call is None or call.failed:
            _save_artifacts(tab, request.node.nodeid)
        RECORDS.pop(id(tab), None)
        context.close()


def _save_artifacts(tab, nodeid: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[-150:]
    try:
        tab.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
        (ARTIFACTS / f"{stem}.html").write_text(tab.content(), encoding="utf-8")
    except Exception as exc:  # a crashed tab still lets the test report its own failure
        (ARTIFACTS / f"{stem}.error.txt").write_text(repr(exc), encoding="utf-8")


