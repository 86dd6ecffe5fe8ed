"""The Subaccounts page: list, search, filter, paging, create, and per-row actions."""

import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts import errors, roles
from accounts.models import Account
from accounts.services import accounts as account_services
from accounts.services.events import Actor
from tests.factories import SubaccountFactory
from tests.support import HTMX


def list_url(account):
    return reverse("console:subaccount_list", args=[account.sid])


def status_url(account, sub):
    return reverse("console:subaccount_status", args=[account.sid, sub.sid])


@pytest.mark.django_db
def test_lists_subaccounts_with_name_sid_status_created_and_usage(
    owner_client, user, account, make_subaccount
):
    first = make_subaccount(account, "First child")
    second = make_subaccount(account, "Second child")
    account_services.account_close(account=second, actor=Actor.for_user(user))
    html = owner_client.get(list_url(account)).content.decode()
    assert first.sid in html and second.sid in html
    assert "First child" in html and "Closed" in html
    assert "1 of 1,000</strong> subaccounts used" in html


@pytest.mark.django_db
def test_search_by_name_or_the_start_of_a_sid_and_filter_by_status(
    owner_client, user, account, make_subaccount
):
    alpha = make_subaccount(account, "Alpha customer")
    beta = make_subaccount(account, "Beta customer")
    account_services.account_suspend(account=beta, actor=Actor.for_user(user))

    by_name = owner_client.get(list_url(account), {"q": "alpha"}).content.decode()
    assert alpha.sid in by_name and beta.sid not in by_name
    by_sid = owner_client.get(list_url(account), {"q": beta.sid[:14]}).content.decode()
    assert beta.sid in by_sid and alpha.sid not in by_sid
    suspended = owner_client.get(list_url(account), {"status": "suspended"}).content.decode()
    assert beta.sid in suspended and alpha.sid not in suspended
    # The search box shows what is searched, so a bookmarked URL reopens the same view.
    assert 'value="alpha"' in by_name


@pytest.mark.django_db
def test_htmx_search_returns_only_the_results_partial(owner_client, account, make_subaccount):
    make_subaccount(account, "Findme")
    response = owner_client.get(list_url(account), {"q": "findme"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="subaccount-results"')
    assert "<html" not in html and "Findme" in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_pages_of_50(owner_client, account):
    SubaccountFactory.bulk(account, 120)
    first = owner_client.get(list_url(account)).content.decode()
    assert first.count('<tr id="row-') == 50
    assert "Page 1 of 3" in first and "120 subaccounts" in first
    last = owner_client.get(list_url(account), {"page": 3}).content.decode()
    assert last.count('<tr id="row-') == 20


@pytest.mark.django_db
def test_create_subaccount_plain_post(owner_client, account):
    response = owner_client.post(list_url(account), {"friendly_name": "Customer X"})
    assert response.status_code == 302
    created = Account.objects.get(friendly_name="Customer X")
    assert created.parent == account and created.balance is None


@pytest.mark.django_db
def test_create_subaccount_over_htmx_clears_the_form_and_refreshes_the_list(owner_client, account):
    response = owner_client.post(list_url(account), {"friendly_name": "Customer Y"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Created subaccount “Customer Y”" in html
    assert 'value="Customer Y"' not in html  # the form is ready for the next one
    assert "accountChanged" in json.loads(response["HX-Trigger"])


@pytest.mark.django_db
def test_create_subaccount_error_in_place_keeps_input(owner_client, account):
    response = owner_client.post(list_url(account), {"friendly_name": "z" * 65}, headers=HTMX)
    assert response.status_code == 422
    assert b"at most 64 characters" in response.content
    assert b'value="' + b"z" * 65 + b'"' in response.content
    assert not account.subaccounts.exists()


@pytest.mark.django_db
def test_subaccount_limit_refusal_appears_in_place(owner_client, account, make_subaccount):
    account.subaccount_limit = 1
    account.save()
    make_subaccount(account)
    response = owner_client.post(list_url(account), {"friendly_name": "Second"}, headers=HTMX)
    assert response.status_code == 422
    assert errors.SUBACCOUNT_LIMIT_REACHED.format(limit="1").encode() in response.content
    assert b'value="Second"' in response.content


@pytest.mark.django_db
def test_a_trial_account_creates_one_subaccount_in_the_console(as_user, trial):
    client = as_user(trial.owner)
    dialog = client.get(
        reverse("console:subaccount_create", args=[trial.sid]), headers=HTMX
    ).content.decode()
    assert "0 of 1 are in use (a trial account may have one; upgrade it for more)" in dialog

    first = client.post(list_url(trial), {"friendly_name": "Trial sub"}, headers=HTMX)
    assert first.status_code == 200
    second = client.post(list_url(trial), {"friendly_name": "Second"}, headers=HTMX)

    assert second.status_code == 422
    assert escape(errors.TRIAL_SUBACCOUNT_LIMIT_REACHED).encode() in second.content
    assert b'value="Second"' in second.content
    assert list(trial.subaccounts.values_list("friendly_name", flat=True)) == ["Trial sub"]


@pytest.mark.django_db
def test_suspend_and_reactivate_a_row_over_htmx(owner_client, account, make_subaccount):
    sub = make_subaccount(account, "Row")
    response = owner_client.post(status_url(account, sub), {"action": "suspend"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="row-{sub.sid}"')
    assert "Suspended" in html and 'value="reactivate"' in html
    sub.refresh_from_db()
    assert sub.status == "suspended"
    owner_client.post(status_url(account, sub), {"action": "reactivate"}, headers=HTMX)
    sub.refresh_from_db()
    assert sub.status == "active"


@pytest.mark.django_db
def test_close_confirmation_says_what_closing_does(owner_client, account, make_subaccount):
    sub = make_subaccount(account, "Leaving")
    url = reverse("console:subaccount_close_confirm", args=[account.sid, sub.sid])
    dialog = owner_client.get(url, headers=HTMX).content.decode()
    assert "permanent" in dialog and "phone numbers are released" in dialog
    assert "<html" not in dialog
    page = owner_client.get(url).content.decode()  # without JavaScript: a page
    assert "<html" in page and 'value="close"' in page


@pytest.mark.django_db
def test_close_a_subaccount_plain_post_redirects_with_a_message(
    owner_client, account, make_subaccount
):
    sub = make_subaccount(account, "Leaving")
    response = owner_client.post(status_url(account, sub), {"action": "close"}, follow=True)
    sub.refresh_from_db()
    assert sub.status == "closed"
    assert "Closed “Leaving”" in response.content.decode()


@pytest.mark.django_db
def test_refusals_appear_in_the_row(owner_client, user, account, make_subaccount):
    sub = make_subaccount(account, "Gone")
    account_services.account_close(account=sub, actor=Actor.for_user(user))
    response = owner_client.post(status_url(account, sub), {"action": "reactivate"}, headers=HTMX)
    assert response.status_code == 422
    assert errors.ACCOUNT_CLOSED.encode() in response.content
    assert f'<tr id="row-{sub.sid}"'.encode() in response.content


@pytest.mark.django_db
def test_parent_suspended_refusal_is_shown(owner_client, user, account, make_subaccount):
    sub = make_subaccount(account)
    account_services.account_suspend(account=account, source="support", actor=Actor.system())
    response = owner_client.post(status_url(account, sub), {"action": "reactivate"}, headers=HTMX)
    assert response.status_code == 422
    assert escape(errors.PARENT_SUSPENDED).encode() in response.content
    # And creating one under a suspended parent is refused in place too.
    created = owner_client.post(list_url(account), {"friendly_name": "New"}, headers=HTMX)
    assert created.status_code == 422
    assert b"only be created while the account is active" in created.content


@pytest.mark.django_db
def test_rename_a_row(owner_client, account, make_subaccount):
    sub = make_subaccount(account, "Before")
    url = reverse("console:subaccount_rename", args=[account.sid, sub.sid])
    response = owner_client.post(url, {"friendly_name": "After"}, headers=HTMX)
    assert b"After" in response.content
    bad = owner_client.post(url, {"friendly_name": ""}, headers=HTMX)
    assert bad.status_code == 422 and errors.FRIENDLY_NAME_REQUIRED.encode() in bad.content
    sub.refresh_from_db()
    assert sub.friendly_name == "After"


@pytest.mark.django_db
def test_the_rename_form_comes_when_a_row_asks_for_it(owner_client, account, make_subaccount):
    sub = make_subaccount(account, "Lazy & Co")
    url = reverse("console:subaccount_rename", args=[account.sid, sub.sid])
    listing = owner_client.get(list_url(account)).content.decode()
    # The list carries a Rename that fetches its form, not a form per row.
    assert f'hx-get="{url}"' in listing and 'name="friendly_name"' not in listing

    form = owner_client.get(url, headers=HTMX)
    html = form.content.decode()
    assert form.status_code == 200 and 'name="friendly_name"' in html
    assert f'value="{escape(sub.friendly_name)}"' in html and f'hx-post="{url}"' in html
    assert f'hx-target="#row-{sub.sid}"' in html
    # Without JavaScript, Rename leads to the subaccount's page, which has the form.
    plain = owner_client.get(url)
    assert plain.status_code == 302
    assert plain["Location"] == reverse("console:subaccount_detail", args=[account.sid, sub.sid])


@pytest.mark.django_db
def test_a_failed_rename_shows_its_form_in_the_row_with_what_was_typed(
    owner_client, account, make_subaccount
):
    sub = make_subaccount(account, "Keep me")
    url = reverse("console:subaccount_rename", args=[account.sid, sub.sid])
    response = owner_client.post(url, {"friendly_name": "x" * 65}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert '<details class="inline-edit" open>' in html and f'value="{"x" * 65}"' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.django_db
def test_a_closed_subaccount_has_no_rename_form(owner_client, user, account, make_subaccount):
    sub = make_subaccount(account)
    account_services.account_close(account=sub, actor=Actor.for_user(user))
    url = reverse("console:subaccount_rename", args=[account.sid, sub.sid])
    assert owner_client.get(url, headers=HTMX).status_code == 404


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "-1", "logout"])
def test_subaccount_row_actions_never_redirect_off_the_site_nor_fail(
    owner_client, account, make_subaccount, target
):
    sub = make_subaccount(account)
    listing = reverse("console:subaccount_list", args=[account.sid])

    renamed = owner_client.post(
        reverse("console:subaccount_rename", args=[account.sid, sub.sid]),
        {"friendly_name": "Renamed", "next": target},
    )
    suspended = owner_client.post(
        reverse("console:subaccount_status", args=[account.sid, sub.sid]),
        {"action": "suspend", "next": target},
    )
    refused = owner_client.post(
        reverse("console:subaccount_rename", args=[account.sid, sub.sid]),
        {"friendly_name": "", "next": target},
    )

    for response in (renamed, suspended):
        assert response.status_code == 302
        assert response["Location"] == listing
    # A refusal shows the page again, with the error and what was typed: no redirect at all.
    assert refused.status_code == 422 and "Location" not in refused
    sub.refresh_from_db()
    assert sub.friendly_name == "Renamed" and sub.status == Account.Status.SUSPENDED


def test_subaccount_row_actions_keep_a_local_next_page(owner_client, account, make_subaccount):
    sub = make_subaccount(account)
    back = reverse("console:subaccount_list", args=[account.sid]) + "?q=Sub&page=2"

    response = owner_client.post(
        reverse("console:subaccount_rename", args=[account.sid, sub.sid]),
        {"friendly_name": "Renamed", "next": back},
    )

    assert response["Location"] == back


@pytest.mark.django_db
def test_unknown_action_is_refused(owner_client, account, make_subaccount):
    sub = make_subaccount(account)
    response = owner_client.post(status_url(account, sub), {"action": "explode"}, headers=HTMX)
    assert response.status_code == 422
    sub.refresh_from_db()
    assert sub.status == "active"


@pytest.mark.django_db
def test_a_subaccount_has_no_subaccounts_page(owner_client, account, make_subaccount):
    sub = make_subaccount(account)
    assert owner_client.get(list_url(sub)).status_code == 404


@pytest.mark.django_db
def test_another_parents_subaccount_cannot_be_reached_through_this_parent(
    owner_client, user, account, make_account, make_subaccount
):
    other = make_account(owner=user, friendly_name="Other")
    foreign = make_subaccount(other)
    response = owner_client.post(status_url(account, foreign), {"action": "close"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "active"


@pytest.mark.django_db
def test_members_without_subaccount_rights_get_403_and_no_buttons(
    client, make_member, account, make_subaccount
):
    sub = make_subaccount(account)
    billing = make_member(account, roles.BILLING_MANAGER)
    client.force_login(billing)
    page = client.get(list_url(account)).content.decode()
    assert sub.sid in page
    assert "Create subaccount" not in page and 'value="suspend"' not in page
    assert client.post(list_url(account), {"friendly_name": "Nope"}).status_code == 403
    assert client.post(status_url(account, sub), {"action": "close"}).status_code == 403
    sub.refresh_from_db()
    assert sub.status == "active"


@pytest.mark.django_db
def test_page_queries_stay_flat_with_1000_subaccounts(
    owner_client, account, django_assert_max_num_queries
):
    SubaccountFactory.bulk(account, 1000)
    with django_assert_max_num_queries(10):
        response = owner_client.get(list_url(account))
    html = response.content.decode()
    assert html.count('<tr id="row-') == 50
    assert "1,000 of 1,000</strong>" in html
    with django_assert_max_num_queries(10):
        owner_client.get(list_url(account), {"q": "Bulk 09", "page": 2}, headers=HTMX)


@pytest.mark.django_db
def test_page_links_keep_the_search_and_filter(owner_client, account):
    SubaccountFactory.bulk(account, 120)
    html = owner_client.get(list_url(account), {"q": "Bulk", "status": "active"}).content.decode()
    assert 'href="?q=Bulk&amp;status=active&amp;page=2"' in html


def test_the_rows_links_are_the_reversed_urls(owner_client, account, make_subaccount):
    """The list builds its rows' links from one prefix per page: they must be exactly what
    reversing each one gives."""
    sub = make_subaccount(account)
    html = owner_client.get(f"/console/{account.sid}/subaccounts/").content.decode()
    for name, args in (
        ("console:subaccount_detail", [account.sid, sub.sid]),
        ("console:subaccount_rename", [account.sid, sub.sid]),
        ("console:subaccount_status", [account.sid, sub.sid]),
        ("console:subaccount_close_confirm", [account.sid, sub.sid]),
        ("console:account_dashboard", [sub.sid]),
    ):
        assert f'"{reverse(name, args=args)}"' in html, name
