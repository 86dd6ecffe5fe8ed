"""Browser fixtures for the end-to-end tests: one headless Chromium per session (Debian's, at
/usr/bin/chromium; Playwright's own downloads are not used), a fresh context per test, and a
helper that saves screenshots of key screens into test-artifacts/screenshots/."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect, sync_playwright

from tests.conftest import ConsoleClient

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous, so let Django allow them.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Auto-waiting assertions and actions give up after this long: the pages are local and small.
TIMEOUT_MS = 5_000
VIEWPORT = {"width": 1280, "height": 800}


def _unavailable(reason):
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium to run the e2e tests)")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


# 422 is the console's answer to a form with errors; any other 4xx or 5xx is a broken page.
EXPECTED_ERROR_STATUSES = {422}


# Reports every Content-Security-Policy violation (the console's pages allow no inline script
# or style and no eval) as a console error, with where it happened.
CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber} (${event.sample})`);
});
"""


def _watch_for_breakage(page, problems):
    """Collect JavaScript errors, Content-Security-Policy violations and failed responses,
    which no test should cause."""
    page.add_init_script(CSP_VIOLATIONS)

    def on_page_error(error):
        problems.append(f"JavaScript error: {error}")

    def on_console(message):
        # Failed responses show up here too; on_response reports them with their URL.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error: {message.text}")

    def on_response(response):
        if response.status >= 400 and response.status not in EXPECTED_ERROR_STATUSES:
            problems.append(f"{response.status} from {response.request.method} {response.url}")

    page.on("pageerror", on_page_error)
    page.on("console", on_console)
    page.on("response", on_response)


@pytest.fixture
def context(browser, live_server, transactional_db):
    context = _new_context(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    problems = []
    _watch_for_breakage(page, problems)
    yield page
    assert not problems, "the page broke:\n" + "\n".join(problems)


@pytest.fixture
def page_without_js(browser, live_server, transactional_db):
    context = _new_context(browser, live_server, java_script_enabled=False)
    page = context.new_page()
    problems = []
    _watch_for_breakage(page, problems)
    yield page
    context.close()
    assert not problems, "the page broke:\n" + "\n".join(problems)


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, user) gives the page's browser context a session for `user`, without
    going through the sign-in form (which has its own tests), as if they had just signed in
    (re-authentication does not ask again; `recently=False` for a session that it does)."""

    def sign_in(page, user, recently=True):
        client = ConsoleClient()
        client.force_login(user, recently=recently)
        name = settings.SESSION_COOKIE_NAME
        page.context.add_cookies(
            [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
        )

    return sign_in


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves test-artifacts/screenshots/name.png (the viewport)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def screenshot(page, name, **options):
        page.screenshot(path=SCREENSHOTS / f"{name}.png", animations="disabled", **options)

    return screenshot
