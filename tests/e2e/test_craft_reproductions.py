"""The ten reproductions of issue 12 ("screens that break within minutes of normal use"), one
test each, as a user meets them in Chromium."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts import errors
from accounts.models import Account

from . import scenes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _subaccount_row(page, sub):
    return page.locator(f"#row-{sub.sid}")


def test_1_every_dialog_opens_again_after_cancel_escape_or_confirm(page, sign_in, user):
    scene = scenes.family(user, subaccounts=["Customer A", "Customer B", "Customer C"], numbers=2)
    a, b, c = scene.subaccounts.values()
    sign_in(page, user)
    page.goto(f"/console/{scene.main.sid}/subaccounts/")
    dialog = page.get_by_role("dialog")

    # Cancel, then another row's Close…
    _subaccount_row(page, a).get_by_role("link", name="Close…").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    _subaccount_row(page, b).get_by_role("link", name="Close…").click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", level=2)).to_contain_text("Customer B")

    # Escape, then another row's.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    _subaccount_row(page, c).get_by_role("link", name="Close…").click()
    expect(dialog.get_by_role("heading", level=2)).to_contain_text("Customer C")

    # Confirm, then another row's.
    dialog.get_by_role("button", name=re.compile("Close .*permanently")).click()
    expect(dialog).to_be_hidden()
    expect(_subaccount_row(page, c).locator(".badge")).to_have_text("Closed")
    _subaccount_row(page, a).get_by_role("link", name="Close…").click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", level=2)).to_contain_text("Customer A")
    page.keyboard.press("Escape")

    # The phone numbers' dialogs share the pattern.
    first, second = scene.numbers
    page.goto(f"/console/{scene.main.sid}/phone-numbers/")
    page.locator(f"#row-{first.sid}").get_by_role("link", name="Release…").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="Cancel").click()
    page.locator(f"#row-{second.sid}").get_by_role("link", name="Transfer…").click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", level=2)).to_contain_text(second.phone_number)
    page.keyboard.press("Escape")
    page.locator(f"#row-{first.sid}").get_by_role("link", name="Release…").click()
    expect(dialog.get_by_role("heading", level=2)).to_contain_text(first.phone_number)


def test_2_a_failed_rename_on_settings_shows_the_styled_page_with_the_error(
    page, sign_in, user, account
):
    sign_in(page, user)
    page.goto(f"/console/{account.sid}/settings/")
    name = page.get_by_label("Friendly name")
    for typed, error in [
        ("", errors.FRIENDLY_NAME_REQUIRED),
        ("N" * 65, errors.FRIENDLY_NAME_TOO_LONG.format(limit=64, length=65)),
    ]:
        name.fill(typed)
        page.get_by_role("button", name="Save name").click()
        # Still the Settings page, with its navigation, the error at the field and what was
        # typed in the box.
        expect(page.get_by_role("heading", level=1)).to_have_text("Account settings")
        expect(page.get_by_role("navigation", name="Account")).to_be_visible()
        expect(page.locator(".field-error")).to_have_text(error)
        expect(name).to_have_value(typed)
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") != (
            "rgba(0, 0, 0, 0)"
        ), "the page is unstyled"
    account.refresh_from_db()
    assert account.friendly_name == "Acme"


def test_3_back_after_searches_shows_the_earlier_search_and_its_results(page, sign_in, user):
    scene = scenes.family(user, subaccounts=["Customer A", "Customer B", "Staging"])
    sign_in(page, user)
    page.goto(f"/console/{scene.main.sid}/subaccounts/")
    search = page.get_by_label("Search by name or SID")
    rows = page.locator("#subaccount-table tbody tr")

    search.fill("customer")
    expect(page).to_have_url(re.compile(r"q=customer"))
    expect(rows).to_have_count(2)
    search.fill("staging")
    expect(page).to_have_url(re.compile(r"q=staging"))
    expect(rows).to_have_count(1)

    page.go_back()
    expect(page).to_have_url(re.compile(r"q=customer"))
    expect(rows).to_have_count(2)
    expect(page.get_by_label("Search by name or SID")).to_have_value("customer")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/subaccounts/$"))
    expect(rows).to_have_count(3)
    expect(page.get_by_label("Search by name or SID")).to_have_value("")
    page.go_forward()
    expect(rows).to_have_count(2)
    expect(page.get_by_label("Search by name or SID")).to_have_value("customer")


def test_4_clear_filters_clears_the_controls_too(page, sign_in, user):
    scene = scenes.family(user, subaccounts=["Customer A", "Staging"])
    scenes.account_services.account_suspend(
        account=scene.subaccounts["Staging"], actor=scenes.SYSTEM
    )
    sign_in(page, user)
    page.goto(f"/console/{scene.main.sid}/subaccounts/")
    search = page.get_by_label("Search by name or SID")
    rows = page.locator("#subaccount-table tbody tr")

    search.fill("nonexistentxyz")
    expect(rows).to_have_text(["No subaccount matches these filters."])
    page.get_by_role("link", name="Clear filters").click()
    expect(rows).to_have_count(2)
    expect(search).to_have_value("")
    expect(page).to_have_url(re.compile(r"/subaccounts/$"))

    with page.expect_request(re.compile(r"status=suspended")) as request:
        page.get_by_label("Status").select_option("suspended")
    assert "q=nonexistentxyz" not in request.value.url
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Staging")


def _open_switcher(page):
    page.locator("#switcher > summary").click()
    expect(page.get_by_label("Filter accounts by name or SID")).to_be_focused()


def _close_switcher(page):
    page.keyboard.press("Escape")
    expect(page.locator("#switcher-panel")).to_be_hidden()


def test_5_a_rename_reaches_the_top_bar_title_and_switcher(page, sign_in, user, account):
    sign_in(page, user)
    page.goto(f"/console/{account.sid}/")
    _open_switcher(page)
    _close_switcher(page)

    page.get_by_text("Rename", exact=True).click()
    page.get_by_label("Friendly name").fill("Acme Europe")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Europe")

    topbar_name = page.locator("#topbar-account-name")
    expect(topbar_name).to_have_text("Acme Europe")
    # Still styled as the switcher's name (bold, one line, ellipsis).
    expect(topbar_name).to_have_class(re.compile(r"\bswitcher-name\b"))
    assert page.evaluate(
        "getComputedStyle(document.querySelector('#topbar-account-name')).fontWeight"
    ) in ("700", "bold")
    expect(page).to_have_title(re.compile(r"^Acme Europe"))
    _open_switcher(page)
    expect(page.locator("#switcher-panel .switcher-item.is-current")).to_contain_text("Acme Europe")
    _close_switcher(page)

    # A subaccount created after the switcher was opened is in it.
    page.goto(f"/console/{account.sid}/subaccounts/")
    _open_switcher(page)
    _close_switcher(page)
    _create_subaccount(page, "Late Arrival")
    _open_switcher(page)
    expect(page.locator("#switcher-panel")).to_contain_text("Late Arrival")


def _create_subaccount(page, name):
    opener = page.get_by_role("link", name="Create subaccount")
    if opener.count():
        opener.click()
    form = page.locator("#create-subaccount")
    form.get_by_label("Friendly name", exact=True).fill(name)
    form.get_by_role("button", name="Create subaccount").click()
    expect(page.locator("#subaccount-table")).to_contain_text(name)


def _invite(page, email, role_label):
    opener = page.get_by_role("link", name="Invite user")
    if opener.count():
        opener.click()
    invite = page.locator("#invite-user")
    invite.get_by_label("Email address").fill(email)
    invite.get_by_label(role_label, exact=True).check()
    invite.get_by_role("button", name="Send invitation").click()


def test_6_counts_follow_invitations_releases_and_transfers(page, sign_in, user):
    scene = scenes.family(user, subaccounts=["Customer A"], numbers=5)
    sign_in(page, user)
    page.goto(f"/console/{scene.main.sid}/users/")
    invited_tab = page.get_by_role("link", name=re.compile(r"Invited users"))
    expect(invited_tab).to_have_text("Invited users (0)")
    _invite(page, "dev@example.com", "Developer")
    expect(invited_tab).to_have_text("Invited users (1)")
    assert len(mail.outbox) == 1

    page.goto(f"/console/{scene.main.sid}/phone-numbers/")
    count = page.locator("#number-count")
    expect(count).to_have_text("5 phone numbers")
    dialog = page.get_by_role("dialog")
    first, second = scene.numbers[:2]
    page.locator(f"#row-{first.sid}").get_by_role("link", name="Release…").click()
    dialog.get_by_role("button", name=re.compile("Release")).click()
    expect(dialog).to_be_hidden()
    expect(count).to_have_text("4 phone numbers")
    page.locator(f"#row-{second.sid}").get_by_role("link", name="Transfer…").click()
    dialog.get_by_label("Move to").select_option(scene.subaccounts["Customer A"].sid)
    dialog.get_by_role("button", name="Transfer number").click()
    expect(dialog).to_be_hidden()
    expect(count).to_have_text("3 phone numbers")


def test_7_a_slow_action_shows_it_is_busy_and_is_sent_once(page, sign_in, user):
    scene = scenes.family(user, subaccounts=["Customer A"])
    sub = scene.subaccounts["Customer A"]
    sign_in(page, user)
    page.goto(f"/console/{scene.main.sid}/subaccounts/")
    held = []
    page.route(re.compile(r"/status/$"), lambda route: held.append(route))

    button = _subaccount_row(page, sub).get_by_role("button", name="Suspend")
    button.click()
    expect(button).to_have_attribute("aria-busy", "true")
    expect(button).to_be_disabled()
    button.click(force=True)  # an impatient second click
    page.wait_for_timeout(300)
    assert len(held) == 1, "the second click sent the action again"

    held[0].continue_()
    expect(_subaccount_row(page, sub).locator(".badge")).to_have_text("Suspended")
    expect(_subaccount_row(page, sub).get_by_role("button", name="Reactivate")).to_be_enabled()
    page.unroute(re.compile(r"/status/$"))
    sub.refresh_from_db()
    assert sub.status == "suspended"


def test_8_inline_editors_keep_what_was_typed_and_cancel_with_button_or_escape(page, sign_in, user):
    scene = scenes.family(user, subaccounts=["Customer A"], numbers=1)
    sub = scene.subaccounts["Customer A"]
    sign_in(page, user)
    page.goto(f"/console/{scene.main.sid}/subaccounts/")
    row = _subaccount_row(page, sub)

    row.get_by_text("Rename", exact=True).click()
    name = row.get_by_label("New friendly name for Customer A")
    name.fill("X" * 65)
    row.get_by_role("button", name="Save").click()
    expect(row.locator(".field-error")).to_have_text(
        errors.FRIENDLY_NAME_TOO_LONG.format(limit=64, length=65)
    )
    # The editor is still open, with what was typed.
    name = row.get_by_label("New friendly name for Customer A")
    expect(name).to_be_visible()
    expect(name).to_have_value("X" * 65)

    row.get_by_role("button", name="Cancel").click()
    expect(name).to_be_hidden()
    row.get_by_text("Rename", exact=True).click()
    expect(name).to_be_visible()
    expect(name).to_have_value("Customer A")  # Cancel put the name back
    name.fill("Something else")
    page.keyboard.press("Escape")
    expect(name).to_be_hidden()
    expect(row.get_by_text("Rename", exact=True)).to_be_focused()
    sub.refresh_from_db()
    assert sub.friendly_name == "Customer A"

    number = scene.numbers[0]
    page.goto(f"/console/{scene.main.sid}/phone-numbers/")
    number_row = page.locator(f"#row-{number.sid}")
    number_row.get_by_text("Rename", exact=True).click()
    box = number_row.get_by_label(f"New friendly name for {number.phone_number}")
    expect(box).to_be_visible()
    number_row.get_by_role("button", name="Cancel").click()
    expect(box).to_be_hidden()
    number_row.get_by_text("Rename", exact=True).click()
    box.fill("Changed my mind")
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()


def test_9_closing_a_main_account_shows_what_closes_and_asks_for_its_name(page, sign_in, user):
    names = ["Customer A", "Customer B", "Customer C", "Staging"]
    scene = scenes.family(user, subaccounts=names, numbers=2, balance="26.61")
    main = scene.main
    assert main.balance == Decimal("26.61") - Decimal("2.30")  # two numbers at $1.15
    scenes.ledger_services.funds_add(
        account=main, amount="2.30", actor=scenes.SYSTEM, reason="top up"
    )
    sign_in(page, user)
    page.goto(f"/console/{main.sid}/settings/")
    page.get_by_role("link", name="Close account…").click()

    impact = page.locator("#close-impact")
    for name in names:
        expect(impact).to_contain_text(name)
    expect(impact).to_contain_text("4 open subaccounts")
    expect(impact).to_contain_text("2 phone numbers")
    expect(impact).to_contain_text("$26.61")

    close = page.get_by_role("button", name=re.compile("Close .* permanently"))
    typed = page.get_by_label(re.compile("Type the account's name"))
    expect(close).to_be_disabled()
    typed.fill("Acme")
    expect(close).to_be_disabled()
    typed.fill("Acme Messaging")
    expect(close).to_be_enabled()
    close.click()
    expect(page).to_have_url(re.compile(r"/console/accounts/$"))
    main.refresh_from_db()
    assert main.status == "closed"
    assert not Account.objects.filter(parent=main).exclude(status="closed").exists()


def test_10_phone_tables_fit_with_their_actions_in_reach(browser, live_server, sign_in, user):
    scene = scenes.family(
        user,
        name="Northwind Traders International",
        subaccounts=[f"Northwind Traders Holdings {n}" for n in range(3)],
        numbers=3,
    )
    scenes.usage_this_month(scene.main)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, user)
        sid = scene.main.sid
        for path in [
            f"/console/{sid}/subaccounts/",
            f"/console/{sid}/phone-numbers/",
            f"/console/{sid}/billing/",
            f"/console/{sid}/users/",
            f"/console/{sid}/settings/",
            "/console/accounts/",
        ]:
            page.goto(path)
            wide = page.evaluate(
                """[...document.querySelectorAll('.table-wrap, .card, main')]
                   .filter(el => el.scrollWidth > el.clientWidth + 1)
                   .map(el => el.className || el.tagName)"""
            )
            assert wide == [], f"{path}: {wide} scroll sideways"
            for button in page.locator("td .btn, td button, td a.btn").all():
                if not button.is_visible():
                    continue
                box = button.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
                    f"{path}: a row action is out of reach at x={box['x']}"
                )
        page.goto(f"/console/{sid}/billing/")
        amount = page.locator("#ledger-table tbody tr").first.locator("td.num").first
        box = amount.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"], "the Amount column is off screen"
    finally:
        context.close()
