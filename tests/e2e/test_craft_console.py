"""The whole console in Chromium: every page and dialog at 1280 and 390 px (screenshots, no
sideways scrolling, row actions in reach), zero serious or critical axe-core violations, the
Content-Security-Policy, a click-through of every page, keyboard use of the switcher and the
dialogs. The `page` fixture fails a test on any JavaScript error, CSP violation or failed
request (tests/e2e/conftest.py)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from . import tour as tours

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def tour(make_user):
    return tours.build(make_user)


@pytest.fixture
def axe_source():
    if not AXE.exists():
        reason = (
            f"{AXE} is missing: bin/test installs axe-core with npm "
            "(cd tests/e2e && npm ci), and npm was not found or failed"
        )
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but {reason}")
        pytest.skip(reason)
    return AXE.read_text()


def _goto(page, path):
    response = page.goto(path)
    assert response.status < 500, f"{path} answered {response.status}"
    expect(page.locator("body")).to_be_visible()
    return response


def _serious_violations(page, axe_source, context="document"):
    # page.evaluate runs through the DevTools protocol: the page's CSP does not apply to it.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    found = page.evaluate(
        """async (selector) => {
             const root = selector === "document" ? document : document.querySelector(selector);
             const result = await axe.run(root, {resultTypes: ["violations"]});
             return result.violations
               .filter(v => v.impact === "serious" || v.impact === "critical")
               .map(v => `${v.id} (${v.impact}): ${v.help} -- ` +
                         v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
           }""",
        context,
    )
    return found


def _open_dialog(page, opener_name):
    page.get_by_role("main").get_by_role("link", name=opener_name).first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def test_every_page_and_dialog_has_no_serious_accessibility_violations(
    page, sign_in, tour, axe_source, screenshot
):
    """At 1280 px: zero serious or critical axe-core violations, and nothing scrolls sideways
    (no table hides its row actions)."""
    sign_in(page, tour.owner)
    problems = {}
    wide = {}
    for name, path in tour.pages():
        _goto(page, path)
        screenshot(page, f"craft-1280-{name}", full_page=True)
        if found := _serious_violations(page, axe_source):
            problems[name] = found
        if found := _sideways(page):
            wide[name] = found
    for name, path, opener in tour.dialogs():
        _goto(page, path)
        _open_dialog(page, opener)
        screenshot(page, f"craft-1280-{name}")
        if found := _serious_violations(page, axe_source):
            problems[name] = found
        page.keyboard.press("Escape")
    page.context.clear_cookies()
    for name, path in tours.SIGNED_OUT_PAGES:
        _goto(page, path)
        if found := _serious_violations(page, axe_source):
            problems[name] = found
    assert problems == {}, "\n".join(f"{name}: {found}" for name, found in problems.items())
    assert wide == {}


SIDEWAYS = """() => {
  const wide = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth) {
    wide.push(`page by ${doc.scrollWidth - doc.clientWidth}px`);
  }
  for (const el of document.querySelectorAll("main *, header *, dialog[open] *")) {
    if (!["auto", "scroll"].includes(getComputedStyle(el).overflowX)) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      const by = el.scrollWidth - el.clientWidth;
      wide.push(`${el.tagName.toLowerCase()}.${el.className} by ${by}px`);
    }
  }
  return wide;
}"""

OUT_OF_REACH = """(width) => [...document.querySelectorAll("td .btn, td button, dialog[open] .btn")]
  .filter(el => el.offsetParent !== null)
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.left < 0 || box.right > width)
  .map(([el, box]) => `${el.textContent.trim()} at ${box.left}..${box.right}`)
"""


def _sideways(page):
    """Elements (or the page) wider than their box: what a phone would scroll sideways."""
    return page.evaluate(SIDEWAYS)


def _out_of_reach(page):
    """Row actions and dialog buttons that a phone's screen does not show in full."""
    return page.evaluate(OUT_OF_REACH, PHONE["width"])


def test_every_page_and_dialog_fits_a_phone(browser, live_server, sign_in, tour, screenshot):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, tour.owner)
        problems = {}
        for name, path in tour.pages():
            _goto(page, path)
            screenshot(page, f"craft-390-{name}", full_page=True)
            if found := _sideways(page) + _out_of_reach(page):
                problems[name] = found
        for name, path, opener in tour.dialogs():
            _goto(page, path)
            _open_dialog(page, opener)
            screenshot(page, f"craft-390-{name}")
            if found := _sideways(page) + _out_of_reach(page):
                problems[name] = found
        # The switcher and the login menu open within the screen too.
        _goto(page, f"/console/{tour.main.sid}/")
        page.locator("#switcher > summary").click()
        expect(page.get_by_label("Filter accounts by name or SID")).to_be_focused()
        screenshot(page, "craft-390-switcher")
        box = page.locator("#switcher-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert problems == {}
    finally:
        context.close()


def test_pages_carry_a_content_security_policy_with_a_nonce_for_their_scripts(page, sign_in, tour):
    sign_in(page, tour.owner)
    for _name, path in tour.pages():
        response = _goto(page, path)
        policy = response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert "script-src 'self' 'nonce-" in policy and "style-src 'self'" in policy
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        scripts = page.locator("script")
        assert scripts.count() >= 2  # htmx and console.js
        for index in range(scripts.count()):
            # The browser hides the nonce attribute's value from the DOM; the property keeps it.
            assert scripts.nth(index).evaluate("s => s.nonce") == nonce, path
    # Under that policy the pages still work: htmx swaps, dialogs, toasts (the other tests
    # fail on any violation), and htmx added no inline styles of its own.
    _goto(page, f"/console/{tour.main.sid}/subaccounts/")
    assert page.locator("head style").count() == 0
    page.get_by_label("Search by name or SID").fill("customer")
    expect(page.locator("#subaccount-table tbody tr")).to_have_count(2)


def test_click_through_every_page(page, sign_in, tour):
    """Every page reached by clicking, as a user would, every dialog opened and closed: no
    JavaScript error, CSP violation or failed request on the way (the page fixture)."""
    sign_in(page, tour.owner)
    _goto(page, "/")
    expect(page).to_have_url(re.compile(r"/console/AC[0-9a-f]{32}/$"))
    page.get_by_role("navigation", name="Your login").get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="Acme Messaging", exact=True).click()
    sidebar = page.get_by_role("navigation", name="Account")
    for link in [
        "Subaccounts",
        "Phone numbers",
        "Usage",
        "Usage triggers",
        "Billing",
        "Users",
        "Activity",
        "API keys & credentials",
        "Settings",
    ]:
        sidebar.get_by_role("link", name=link, exact=True).click()
        expect(sidebar.get_by_role("link", name=link, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
    sidebar.get_by_role("link", name="Dashboard").click()
    page.get_by_text("Rename", exact=True).click()
    page.keyboard.press("Escape")
    # Showing the token is a page of its own (it may ask for the password again first).
    page.get_by_role("link", name="Show", exact=True).click()
    expect(page.get_by_role("button", name="Copy the primary auth token")).to_be_visible()

    sidebar.get_by_role("link", name="Subaccounts").click()
    for opener in ["Create subaccount"]:
        _open_dialog(page, opener)
        page.keyboard.press("Escape")
    row = page.locator(f"#row-{tour.customer.sid}")
    row.get_by_role("link", name="Close…").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.get_by_role("dialog").get_by_role("link", name="Cancel").click()
    row.get_by_role("link", name="Acme — Customer A", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme — Customer A")
    page.get_by_role("link", name="View subaccount").click()
    expect(page.locator(".banner-info")).to_contain_text("a subaccount of Acme Messaging")
    for link in ["Phone numbers", "Billing", "Users", "Settings", "Dashboard"]:
        sidebar.get_by_role("link", name=link, exact=True).click()
    page.get_by_role("link", name="Return to parent account").click()

    sidebar.get_by_role("link", name="Phone numbers").click()
    for opener in ["Release…", "Transfer…"]:
        _open_dialog(page, opener)
        page.keyboard.press("Escape")
    page.get_by_role("link", name="Buy a number").click()
    page.get_by_label("Number contains").fill("415")
    page.get_by_role("button", name="Search").click()

    sidebar.get_by_role("link", name="Users").click()
    _open_dialog(page, "Invite user")
    page.keyboard.press("Escape")
    page.get_by_role("link", name=re.compile("Invited users")).click()
    expect(page.locator("#invitation-table")).to_contain_text("pending@example.com")

    sidebar.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Close account…").click()
    expect(page.locator("#close-impact")).to_contain_text("Acme — Customer A")
    page.get_by_role("link", name="Cancel").click()

    page.locator("#switcher > summary").click()
    page.locator("#switcher-panel").get_by_role("link", name="Organizations").click()
    page.get_by_role("link", name="Acme Inc.").click()
    tabs = page.get_by_role("navigation", name="Organization")
    for tab in ["Accounts", "Members", "Overview"]:
        tabs.get_by_role("link", name=tab).click()
        expect(tabs.get_by_role("link", name=tab)).to_have_attribute("aria-current", "page")
    tabs.get_by_role("link", name="Members").click()
    _open_dialog(page, "Invite member")
    page.keyboard.press("Escape")
    _open_dialog(page, "Remove…")
    page.keyboard.press("Escape")
    tabs.get_by_role("link", name="Accounts").click()
    _open_dialog(page, "Create or import account")
    page.keyboard.press("Escape")


def test_the_switcher_works_from_the_keyboard(page, sign_in, tour):
    sign_in(page, tour.owner)
    _goto(page, f"/console/{tour.main.sid}/settings/")
    summary = page.locator("#switcher > summary")
    summary.focus()
    page.keyboard.press("Enter")
    search = page.get_by_label("Filter accounts by name or SID")
    expect(search).to_be_focused()
    page.keyboard.type("customer a")
    results = page.locator("#switcher-results .switcher-item")
    expect(results).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(results.first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(search).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#switcher-panel")).to_be_hidden()
    expect(summary).to_be_focused()

    # Open again (Escape also emptied the filter), filter, go down to the result, follow it.
    page.keyboard.press("Enter")
    expect(search).to_be_focused()
    expect(search).to_have_value("")
    expect(results).not_to_have_count(1)  # every account again
    page.keyboard.type("customer a")
    expect(results).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(results.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/console/{tour.customer.sid}/settings/$"))


def test_dialogs_trap_focus_and_give_it_back(page, sign_in, tour):
    sign_in(page, tour.owner)
    _goto(page, f"/console/{tour.main.sid}/subaccounts/")
    opener = page.locator(f"#close-{tour.customer.sid}")
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # The safe choice has focus first.
    expect(dialog.get_by_role("link", name="Cancel")).to_be_focused()
    # Tab and Shift+Tab never leave the dialog.
    for key in ["Tab"] * 6 + ["Shift+Tab"] * 9:
        page.keyboard.press(key)
        assert page.evaluate("document.getElementById('modal').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    # Closing from the dialog is a whole-page post (it may first ask for the password again):
    # the list comes back with the row closed and says so.
    opener.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close subaccount permanently").click()
    expect(page.locator(f"#row-{tour.customer.sid} .badge")).to_have_text("Closed")
    expect(page.get_by_text(f"Closed “{tour.customer.friendly_name}”")).to_be_visible()


def test_the_support_admin_works_under_the_policy(page, sign_in, tour, make_user):
    staff = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    sign_in(page, staff)
    for path in [
        "/admin/",
        "/admin/accounts/account/",
        f"/admin/accounts/account/{tour.main.pk}/change/",
        "/admin/accounts/user/",
    ]:
        response = _goto(page, path)
        assert "content-security-policy" in response.headers
        expect(page.locator("#content")).to_be_visible()
