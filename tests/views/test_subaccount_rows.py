"""The Subaccounts page's rows, now that each is rendered once per everything it reads
(`{% memo %}`, accounts/templatetags/memo.py): a row shows its subaccount as it is now, to
each person as their role lets them act on it, and its forms post with the token of
whoever is looking, never with the token of whoever saw the row first."""

import re
from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.models import Account
from accounts.services import accounts as account_services
from accounts.services.events import Actor
from accounts.templatetags.memo import CSRF_MARKER

from ..conftest import ConsoleClient

pytestmark = pytest.mark.django_db


def list_url(account):
    return reverse("console:subaccount_list", args=[account.sid])


def row(html, sub):
    return re.search(rf'<tr id="row-{sub.sid}".*?</tr>', html, re.S).group(0)


def test_a_row_shows_its_subaccount_as_it_is_now(owner_client, user, account, make_subaccount):
    renamed = make_subaccount(account, "Before rename")
    suspended = make_subaccount(account, "Soon suspended")
    before = owner_client.get(list_url(account)).content.decode()
    assert "Before rename" in row(before, renamed)
    assert 'value="suspend"' in row(before, suspended)

    actor = Actor.for_user(user)
    account_services.account_rename(account=renamed, friendly_name="After rename", actor=actor)
    account_services.account_suspend(account=suspended, actor=actor)
    after = owner_client.get(list_url(account)).content.decode()

    assert "After rename" in row(after, renamed)
    assert "Before rename" not in after
    assert 'value="reactivate"' in row(after, suspended)
    assert 'value="suspend"' not in row(after, suspended)
    assert "badge-suspended" in row(after, suspended)


def test_a_member_who_cannot_change_subaccounts_sees_rows_without_actions(
    owner_client, account, make_subaccount, make_member
):
    sub = make_subaccount(account, "Shared row")
    owners_row = row(owner_client.get(list_url(account)).content.decode(), sub)
    assert 'value="suspend"' in owners_row and 'name="sid"' in owners_row

    developer = ConsoleClient()
    developer.force_login(make_member(account, roles.DEVELOPER))
    developers_row = row(developer.get(list_url(account)).content.decode(), sub)

    assert "Shared row" in developers_row
    assert "Suspend" not in developers_row
    assert "Close…" not in developers_row
    assert 'name="sid"' not in developers_row  # no bulk checkbox either
    # And the owner still has theirs.
    assert 'value="suspend"' in row(owner_client.get(list_url(account)).content.decode(), sub)


def test_each_person_posts_a_row_with_their_own_csrf_token(
    owner_client, account, make_subaccount, make_member
):
    sub = make_subaccount(account, "Posted row")
    owner_client.get(list_url(account))  # the owner sees the row first

    administrator = ConsoleClient(enforce_csrf_checks=True)
    administrator.force_login(make_member(account, roles.ADMINISTRATOR))
    html = administrator.get(list_url(account)).content.decode()
    assert CSRF_MARKER not in html
    form = re.search(r'<form method="post" action="([^"]+)".*?</form>', row(html, sub), re.S)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)

    response = administrator.post(
        form.group(1), {"action": "suspend", "csrfmiddlewaretoken": token}
    )

    assert response.status_code in (200, 302)
    sub.refresh_from_db()
    assert sub.status == Account.Status.SUSPENDED


def test_a_remembered_fragment_follows_the_active_time_zone():
    template = Template("{% load memo %}{% memo when %}{{ when|date:'H:i' }}{% endmemo %}")
    when = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    context = {"when": when, "csrf_token": "token"}

    with timezone.override("UTC"):
        assert template.render(Context(context)) == "12:00"
    with timezone.override("Asia/Tokyo"):
        assert template.render(Context(context)) == "21:00"
