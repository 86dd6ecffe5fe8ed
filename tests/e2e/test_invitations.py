"""Inviting a developer: the owner sends the invitation, the developer signs up from the emailed
link, lands in the account, and cannot open the Users page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts import roles
from accounts.models import User
from accounts.selectors import accounts as account_selectors

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_owner_invites_a_developer_who_signs_up_from_the_link(
    page, browser, live_server, sign_in, account, screenshot
):
    sign_in(page, account.owner)
    page.goto(f"/console/{account.sid}/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Users").click()

    page.get_by_role("link", name="Invite user").click()  # the form is in a dialog
    invite = page.locator("#invite-user")
    invite.get_by_label("Email address").fill("dev@example.com")
    invite.get_by_label("Developer").check()
    invite.get_by_role("button", name="Send invitation").click()
    expect(
        page.get_by_role("status").filter(has_text="Invitation sent to dev@example.com")
    ).to_be_visible()
    # The tabs refresh themselves with the new count (usersChanged).
    page.get_by_role("link", name="Invited users (1)").click()
    expect(page.locator("#invitation-table")).to_contain_text("dev@example.com")
    expect(page.locator("#invitation-table")).to_contain_text("Developer")
    screenshot(page, "20-users-invited")

    [email] = mail.outbox
    assert email.to == ["dev@example.com"]
    link = re.search(r"https?://\S+/invitations/\S+/", email.body).group(0)
    assert link.startswith(live_server.url)

    # The developer, in their own browser, has no login yet.
    developer_context = browser.new_context(base_url=live_server.url)
    developer = developer_context.new_page()
    try:
        developer.goto(link)
        expect(developer.get_by_role("heading", name="You're invited")).to_be_visible()
        expect(developer.get_by_text("as Developer")).to_be_visible()
        developer.get_by_label("Your name").fill("Dee Veloper")
        developer.get_by_label("Password", exact=True).fill("a-long-dev-password-7")
        developer.get_by_label("Password confirmation").fill("a-long-dev-password-7")
        developer.get_by_role("button", name="Create login and accept").click()

        expect(developer).to_have_url(re.compile(f"/console/{account.sid}/$"))
        expect(developer.get_by_role("heading", level=1)).to_have_text(account.friendly_name)
        sidebar = developer.get_by_role("navigation", name="Account")
        expect(sidebar.get_by_role("link", name="Dashboard")).to_be_visible()
        expect(sidebar.get_by_role("link", name="Users")).to_have_count(0)
        screenshot(developer, "21-developer-dashboard")

        response = developer.goto(f"/console/{account.sid}/users/")
        assert response.status == 403
        expect(developer.get_by_role("heading", name="You can't do this here")).to_be_visible()
        screenshot(developer, "22-developer-users-403")

        # The link worked once.
        assert developer.goto(link).status == 410
        expect(developer.get_by_text("already been used")).to_be_visible()
    finally:
        developer_context.close()

    user = User.objects.get(email="dev@example.com")
    assert account_selectors.account_roles_for_user(user=user, account=account) == {roles.DEVELOPER}
