"""Reports remembered by their family's version (`FamilyVersion`, `{% memo report_key %}`):
a second look at the same report builds nothing, and every committed write in the family
(through its services, as every write is) shows on the next look, while writes elsewhere
leave it remembered."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import errors, roles
from accounts.models import Account, Event, FamilyVersion
from accounts.selectors.accounts import account_and_parent_by_sid
from accounts.selectors.versions import family_version
from accounts.services import accounts as account_services
from accounts.services import events as event_services
from accounts.services import ledger as ledger_services
from accounts.services import organizations as organization_services
from accounts.services import usage as usage_services
from accounts.services import users as user_services
from accounts.services.events import Actor
from accounts.templatetags import memo
from tests.conftest import ConsoleClient
from tests.support import HTMX
from tests.usage_time import charging_on

NOV = {"start": "2026-11-01", "end": "2026-11-30"}
SYSTEM = Actor.system()


def usage_url(account):
    return reverse("console:usage", args=[account.sid])


def charge(account, price, category="sms"):
    with charging_on(date(2026, 11, 3)):
        usage_services.usage_record(
            account=account,
            category=category,
            quantity=1,
            price=price,
            start_date=date(2026, 11, 3),
            end_date=date(2026, 11, 3),
            actor=SYSTEM,
        )


def visit(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def report_of(html):
    return html[html.index('<div id="usage-report">') : html.index("</main>")]


@pytest.fixture
def charged(account, make_subaccount):
    ledger_services.funds_add(account=account, amount="100", actor=SYSTEM, reason="test")
    alpha = make_subaccount(account, "Alpha")
    charge(account, "2.00")
    charge(alpha, "1.25")
    return account, alpha


@pytest.mark.django_db
def test_a_second_look_at_the_same_usage_report_builds_nothing(owner_client, charged):
    account, _ = charged
    first, built = visit(owner_client, usage_url(account), NOV)
    again, remembered = visit(owner_client, usage_url(account), NOV)
    assert report_of(again) == report_of(first)
    assert "$3.25" in report_of(again)
    # The report's own queries (ranking, rows, categories, days) are not run again.
    assert remembered <= built - 5


@pytest.mark.django_db
def test_usage_recorded_in_a_subaccount_shows_on_the_next_look(owner_client, charged):
    account, alpha = charged
    before, _ = visit(owner_client, usage_url(account), NOV)
    assert 'id="usage-total">$3.25<' in before
    charge(alpha, "0.50", category="calls")
    after, _ = visit(owner_client, usage_url(account), NOV)
    assert 'id="usage-total">$3.75<' in after
    assert "Calls" in after.split('id="usage-categories"')[1]


@pytest.mark.django_db
def test_a_subaccount_renamed_shows_renamed_on_the_next_look(owner_client, charged):
    account, alpha = charged
    assert "Alpha" in visit(owner_client, usage_url(account), NOV)[0]
    account_services.account_rename(account=alpha, friendly_name="Alpha Prime", actor=SYSTEM)
    html, _ = visit(owner_client, usage_url(account), NOV)
    assert "Alpha Prime" in html


@pytest.mark.django_db
def test_each_range_and_page_is_its_own_report(owner_client, charged):
    account, _ = charged
    november, _ = visit(owner_client, usage_url(account), NOV)
    october, _ = visit(
        owner_client, usage_url(account), {"start": "2026-10-01", "end": "2026-10-31"}
    )
    assert 'id="usage-total">$3.25<' in november
    assert 'id="usage-total">$0.00<' in october
    # What was typed is shown as typed, whatever the same dates looked like before.
    typed, _ = visit(owner_client, usage_url(account), {"start": "2026-11-1", "end": "2026-11-30"})
    assert 'value="2026-11-1"' in typed
    only_main, _ = visit(owner_client, usage_url(account), {**NOV, "subaccounts": "exclude"})
    assert 'id="usage-total">$2.00<' in only_main


@pytest.mark.django_db
def test_a_remembered_report_is_no_way_in_for_whoever_may_not_see_it(
    client, charged, make_user, make_member
):
    account, alpha = charged
    owner_view, _ = visit(client_of(client, account.owner), usage_url(account), NOV)
    stranger = make_user()
    client.force_login(stranger)
    assert client.get(usage_url(account), NOV).status_code == 404
    # A role on the subaccount alone reaches neither its parent's report nor its own.
    client.force_login(make_member(alpha, roles.ADMINISTRATOR))
    assert client.get(usage_url(account), NOV).status_code == 404
    assert client.get(usage_url(alpha), NOV).status_code == 404
    assert "$3.25" in owner_view


def client_of(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_family_version_changes_when_its_write_commits_and_only_then(charged, make_account):
    account, alpha = charged
    other = make_account(friendly_name="Elsewhere")
    mine, theirs = family_version(account), family_version(other)
    # A write in a subaccount is a write in its family: the main account's version moves.
    account_services.account_rename(account=alpha, friendly_name="Alpha 2", actor=SYSTEM)
    assert family_version(alpha) == family_version(account) != mine
    assert family_version(other) == theirs
    # A refused write commits nothing, and leaves the version as it was.
    settled = family_version(account)
    with pytest.raises(errors.BillingError):
        usage_services.usage_record(
            account=alpha,
            category="sms",
            quantity=1,
            price="-1",
            start_date=date(2026, 11, 3),
            end_date=date(2026, 11, 3),
            actor=SYSTEM,
        )
    assert family_version(account) == settled
    assert FamilyVersion.objects.filter(main_account=alpha).exists() is False
    # Every page reads it with the account, a subaccount's being its parent's.
    for member in (account, alpha):
        assert account_and_parent_by_sid(member.sid).family_version_read == settled
    assert account_and_parent_by_sid(other.sid).family_version_read == family_version(other)


@pytest.mark.django_db
def test_pruning_old_events_changes_the_versions_of_their_families(charged):
    account, _ = charged
    before = family_version(account)
    Event.objects.filter(main_account=account).update(event_date="2020-01-01T00:00:00Z")
    assert event_services.events_prune(before=event_services.events_cutoff(days=30)) > 0
    assert family_version(account) != before


def test_fragments_are_kept_within_their_size_the_least_recently_used_given_up_first(
    monkeypatch,
):
    monkeypatch.setattr(memo, "MAX_CHARACTERS", 25)
    kept = memo._fragments_kept()
    kept.put("a", "x" * 10)
    kept.put("b", "y" * 10)
    assert kept.get("a") == "x" * 10  # "a" is now the more recently used
    kept.put("c", "z" * 10)
    assert kept.get("b") is None
    assert kept.get("a") == "x" * 10
    assert kept.get("c") == "z" * 10


@pytest.fixture(autouse=True)
def _forget_fragments():
    memo.forget_all()
    yield
    memo.forget_all()


def billing_url(account):
    return reverse("console:billing", args=[account.sid])


def main_of(html):
    """The page's own part, without its CSRF tokens (masked anew on every response)."""
    main = html[html.index('<div class="page-header">') : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


@pytest.mark.django_db
def test_a_second_look_at_billing_builds_nothing_and_funds_added_show_on_the_next(
    owner_client, charged
):
    account, _ = charged
    first, built = visit(owner_client, billing_url(account))
    again, remembered = visit(owner_client, billing_url(account))
    assert main_of(again) == main_of(first)
    assert remembered <= built - 5  # the ledger, payments, transfers, notices: not asked again
    assert 'id="current-balance">$96.75 ' in again
    ledger_services.funds_add(account=account, amount="10", actor=SYSTEM, reason="Top-up")
    after, _ = visit(owner_client, billing_url(account))
    assert 'id="current-balance">$106.75 ' in after
    assert "Top-up" in after.split('id="ledger"')[1]


@pytest.mark.django_db
def test_each_reader_sees_billing_as_their_role_allows_after_anyone_else(
    client, charged, make_member
):
    account, alpha = charged
    owner = visit(client_of(client, account.owner), billing_url(account))[0]
    add_funds = reverse("console:funds_add", args=[account.sid])
    assert add_funds in owner
    # An administrator reads billing but does not pay: no "Add funds", though the owner's
    # page is remembered.
    administrator = visit(
        client_of(client, make_member(account, roles.ADMINISTRATOR)), billing_url(account)
    )[0]
    assert add_funds not in administrator
    assert add_funds in visit(client_of(client, account.owner), billing_url(alpha.parent))[0]
    # The owner sees a subaccount's page with a link to its parent; someone whose role is on
    # the subaccount alone sees the parent's name only, never a way to it.
    parent_link = reverse("console:account_dashboard", args=[account.sid])
    assert parent_link in main_of(visit(client_of(client, account.owner), billing_url(alpha))[0])
    sub_only = visit(
        client_of(client, make_member(alpha, roles.ADMINISTRATOR)), billing_url(alpha)
    )[0]
    assert "Acme" in main_of(sub_only)
    assert parent_link not in main_of(sub_only)


@pytest.mark.django_db
def test_a_form_on_a_remembered_billing_page_posts_with_the_readers_own_token(
    owner_client, charged
):
    account, _ = charged
    owner_client.get(billing_url(account))  # remembered from another session's look
    reader = ConsoleClient(enforce_csrf_checks=True)
    reader.force_login(account.owner)
    html = reader.get(billing_url(account)).content.decode()
    assert memo.CSRF_MARKER not in html
    form = re.search(r'<form[^>]*action="([^"]*auto-recharge/)".*?</form>', html, re.S)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)
    response = reader.post(
        form.group(1),
        {"enabled": "on", "threshold": "5", "amount": "20", "csrfmiddlewaretoken": token},
    )
    assert response.status_code in (200, 302)
    account.refresh_from_db()
    assert account.auto_recharge_on
    # And the next look shows it on.
    assert (
        "When the balance falls below <strong>$5.00</strong>"
        in reader.get(billing_url(account)).content.decode()
    )


# --- The Activity page ---------------------------------------------------------------------


def activity_url(account):
    return reverse("console:activity", args=[account.sid])


def log_of(html):
    return html[html.index('<div id="activity">') : html.index("</main>")]


@pytest.fixture
def renamed_by_a_colleague(account, make_subaccount, make_member):
    """Acme, its subaccount Alpha, and an administrator of Acme who renamed Alpha."""
    alpha = make_subaccount(account, "Alpha")
    colleague = make_member(account, roles.ADMINISTRATOR)
    account_services.account_rename(
        account=alpha, friendly_name="Alpha Prime", actor=Actor.for_user(colleague)
    )
    return account, alpha, colleague


@pytest.mark.django_db
def test_a_second_look_at_the_activity_builds_nothing_and_a_new_event_shows_on_the_next(
    owner_client, renamed_by_a_colleague
):
    account, alpha, colleague = renamed_by_a_colleague
    first, built = visit(owner_client, activity_url(account))
    again, remembered = visit(owner_client, activity_url(account))
    assert log_of(again) == log_of(first)
    assert colleague.email in log_of(again)
    # The page of events, the names they mention and the suggested subaccounts: not asked.
    assert remembered <= built - 3
    account_services.account_rename(account=alpha, friendly_name="Alpha Three", actor=SYSTEM)
    after, _ = visit(owner_client, activity_url(account))
    assert "Alpha Three" in log_of(after)
    # Each filter is its own page.
    created, _ = visit(owner_client, activity_url(account), {"event_type": "account.created"})
    rows = log_of(created).split("<tbody>")[1]
    assert ">account.created</code>" in rows and ">account.updated</code>" not in rows


@pytest.mark.django_db
def test_a_colleagues_new_email_shows_in_the_activity_however_it_was_changed(
    owner_client, renamed_by_a_colleague, make_user, make_account
):
    account, _, colleague = renamed_by_a_colleague
    elsewhere = make_account(friendly_name="Elsewhere")
    untouched = family_version(elsewhere)
    visit(owner_client, activity_url(account))
    # Support changes it in the admin (a service) ...
    staff = make_user(is_staff=True)
    user_services.user_update(
        user=colleague, actor=Actor.for_support(staff), email="renamed@example.com"
    )
    assert "renamed@example.com" in log_of(visit(owner_client, activity_url(account))[0])
    # ... or the user makes another address their primary one (allauth saves the user).
    colleague.email = "primary@example.com"
    colleague.save(update_fields=["email"])
    html = log_of(visit(owner_client, activity_url(account))[0])
    assert "primary@example.com" in html and "renamed@example.com" not in html
    # Signing in saves the user too, and changes no family's version; nor does any of this
    # change the version of a family whose log does not name them.
    settled = family_version(account)
    colleague.save(update_fields=["last_login"])
    assert family_version(account) == settled
    assert family_version(elsewhere) == untouched


@pytest.mark.django_db
def test_a_deleted_users_events_show_a_deleted_user_on_the_next_look(
    owner_client, renamed_by_a_colleague
):
    account, _, colleague = renamed_by_a_colleague
    assert colleague.email in log_of(visit(owner_client, activity_url(account))[0])
    email = colleague.email
    colleague.delete()
    html = log_of(visit(owner_client, activity_url(account))[0])
    assert email not in html and "A deleted user" in html


@pytest.mark.django_db
def test_each_reader_sees_the_activity_as_their_role_allows_after_anyone_else(
    client, renamed_by_a_colleague, make_member, make_user
):
    account, alpha, colleague = renamed_by_a_colleague
    owner_view = log_of(visit(client_of(client, account.owner), activity_url(alpha))[0])
    assert colleague.email in owner_view
    # Someone whose role is on the subaccount alone sees the same page with the parent's
    # people anonymous, though the owner's page is remembered ...
    sub_only = log_of(
        visit(client_of(client, make_member(alpha, roles.ADMINISTRATOR)), activity_url(alpha))[0]
    )
    assert colleague.email not in sub_only and "A user of the parent account" in sub_only
    # ... and reaches neither the parent's log nor, without a role, anything.
    assert client.get(activity_url(account)).status_code == 404
    client.force_login(make_user())
    assert client.get(activity_url(alpha)).status_code == 404
    # A developer reads no activity at all.
    client.force_login(make_member(account, roles.DEVELOPER))
    assert client.get(activity_url(account)).status_code == 403


# --- The Subaccounts page ------------------------------------------------------------------


def subaccounts_url(account):
    return reverse("console:subaccount_list", args=[account.sid])


def results_of(html):
    results = html[html.index('<div id="subaccount-results"') : html.index("</section>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", results)


@pytest.mark.django_db
def test_a_second_look_at_the_subaccounts_builds_nothing_and_a_new_one_shows_on_the_next(
    owner_client, charged
):
    account, alpha = charged
    first, built = visit(owner_client, subaccounts_url(account))
    again, remembered = visit(owner_client, subaccounts_url(account))
    assert results_of(again) == results_of(first)
    assert "Alpha" in results_of(again)
    assert remembered <= built - 2  # the page of subaccounts and their count: not asked again
    account_services.subaccount_create(parent=account, friendly_name="Beta", actor=SYSTEM)
    after = results_of(visit(owner_client, subaccounts_url(account))[0])
    assert "Beta" in after and "2 of " in after
    account_services.account_suspend(account=alpha, actor=SYSTEM)
    suspended = results_of(visit(owner_client, subaccounts_url(account))[0])
    assert f'id="status-{alpha.sid}">Reactivate<' in suspended
    # A search is its own page, however the list looked.
    found = results_of(visit(owner_client, subaccounts_url(account), {"q": "Bet"})[0])
    assert "Beta" in found and "Alpha" not in found


@pytest.mark.django_db
def test_each_reader_sees_the_subaccounts_as_their_role_allows_after_anyone_else(
    client, charged, make_member, make_user
):
    account, alpha = charged
    owner = results_of(visit(client_of(client, account.owner), subaccounts_url(account))[0])
    assert f'id="status-{alpha.sid}"' in owner  # the owner may suspend it
    # Someone who reads subaccounts but may not change them gets no buttons, though the
    # owner's page is remembered; their own forms post with their own token.
    reader = make_member(account, roles.SUPPORT)
    html = visit(client_of(client, reader), subaccounts_url(account))[0]
    assert "Alpha" in results_of(html) and f'id="status-{alpha.sid}"' not in results_of(html)
    assert memo.CSRF_MARKER not in html
    # Nobody else reaches it.
    client.force_login(make_user())
    assert client.get(subaccounts_url(account)).status_code == 404
    client.force_login(make_member(alpha, roles.ADMINISTRATOR))
    assert client.get(subaccounts_url(account)).status_code == 404


# --- The dashboard -------------------------------------------------------------------------


def dashboard_url(account):
    return reverse("console:account_dashboard", args=[account.sid])


def dashboard_of(html):
    main = html[html.index('<div class="page-header">') : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


@pytest.mark.django_db
def test_a_second_look_at_the_dashboard_builds_the_same_and_a_change_shows_on_the_next(
    owner_client, charged
):
    account, alpha = charged
    first = dashboard_of(visit(owner_client, dashboard_url(account))[0])
    assert dashboard_of(visit(owner_client, dashboard_url(account))[0]) == first
    assert 'id="dashboard-balance">$96.75 ' in first
    ledger_services.funds_add(account=account, amount="10", actor=SYSTEM, reason="Top-up")
    account_services.account_rename(account=account, friendly_name="Acme Two", actor=SYSTEM)
    after = dashboard_of(visit(owner_client, dashboard_url(account))[0])
    assert 'id="dashboard-balance">$106.75 ' in after and "<h1>Acme Two</h1>" in after
    # A subaccount's dashboard shows its parent's balance, which a charge in the family moves.
    assert 'id="dashboard-balance">$106.75 ' in visit(owner_client, dashboard_url(alpha))[0]
    charge(account, "0.75")
    assert 'id="dashboard-balance">$106.00 ' in visit(owner_client, dashboard_url(alpha))[0]


@pytest.mark.django_db
def test_each_reader_sees_the_dashboard_as_their_role_allows_after_anyone_else(
    client, charged, make_member, make_user
):
    account, alpha = charged
    reveal = reverse("console:auth_token_reveal", args=[account.sid])
    rename = reverse("console:account_rename", args=[account.sid])
    owner = visit(client_of(client, account.owner), dashboard_url(account))[0]
    assert reveal in owner and rename in owner
    # A billing manager sees neither the auth token's link nor the rename form, though the
    # owner's dashboard is remembered.
    billing = visit(
        client_of(client, make_member(account, roles.BILLING_MANAGER)), dashboard_url(account)
    )[0]
    assert reveal not in billing and rename not in billing
    # Someone whose role is on the subaccount alone sees its parent's name, not a link to it.
    parent_link = f'href="{dashboard_url(account)}"'
    assert parent_link in dashboard_of(
        visit(client_of(client, account.owner), dashboard_url(alpha))[0]
    )
    sub_only = visit(
        client_of(client, make_member(alpha, roles.ADMINISTRATOR)), dashboard_url(alpha)
    )[0]
    assert parent_link not in dashboard_of(sub_only) and "Acme" in dashboard_of(sub_only)
    assert client.get(dashboard_url(account)).status_code == 404
    client.force_login(make_user())
    assert client.get(dashboard_url(alpha)).status_code == 404


# --- The whole page of a remembered report (base.html's `page_key`) -------------------------


def nonces_of(response):
    in_page = set(re.findall(r'nonce="([^"]+)"', response.content.decode()))
    in_header = set(re.findall(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]))
    return in_page, in_header


@pytest.mark.django_db
def test_a_remembered_page_is_rendered_once_and_carries_each_requests_token_and_nonce(
    owner_client, charged
):
    account, _ = charged
    first = owner_client.get(dashboard_url(account))
    memo_misses = []
    original = memo.MemoNode.render

    def counting(node, context):
        memo_misses.append(node)
        return original(node, context)

    reader = ConsoleClient(enforce_csrf_checks=True)
    reader.force_login(account.owner)
    memo.MemoNode.render = counting
    try:
        again = reader.get(dashboard_url(account))
    finally:
        memo.MemoNode.render = original
    html = again.content.decode()
    # Only the page's own block ran: nothing inside it (the sidebar's, the report's).
    assert len(memo_misses) == 1
    assert memo.CSRF_MARKER not in html and memo.NONCE_MARKER not in html
    # The scripts' nonce is the one this response's policy allows, not the first look's.
    in_page, in_header = nonces_of(again)
    assert len(in_page) == 1 and in_page == in_header
    assert in_page != nonces_of(first)[0]
    # The token htmx sends is this reader's: a rename posted with it is accepted.
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    response = reader.post(
        reverse("console:account_rename", args=[account.sid]),
        {"friendly_name": "Acme Renamed"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 302
    assert "<h1>Acme Renamed</h1>" in reader.get(dashboard_url(account)).content.decode()


@pytest.mark.django_db
def test_a_remembered_fragment_without_a_form_makes_no_csrf_token(owner_client, charged):
    """The switcher's panel posts nothing: its answer, remembered or not, makes no token (and
    so sets no CSRF cookie), as Django makes none for a page without a form; the dashboard,
    which has one, carries a token on every look."""
    account, _ = charged
    switcher = reverse("console:account_switcher", args=[account.sid])
    for _ in range(2):  # built, then remembered
        response = owner_client.get(switcher, {"from": "billing"}, headers=HTMX)
        assert response.status_code == 200 and "Acme" in response.content.decode()
        assert "csrftoken" not in response.cookies
        assert memo.CSRF_MARKER not in response.content.decode()
    for _ in range(2):
        response = owner_client.get(dashboard_url(account))
        assert "csrftoken" in response.cookies
        token = re.search(r'"X-CSRFToken": "([^"]+)"', response.content.decode()).group(1)
        assert len(token) == 64


@pytest.mark.django_db
def test_messages_waiting_show_on_a_remembered_page_once(owner_client, charged):
    account, _ = charged
    owner_client.get(dashboard_url(account))
    owner_client.get(dashboard_url(account))  # remembered
    owner_client.post(
        reverse("console:account_rename", args=[account.sid]), {"friendly_name": "Acme Two"}
    )
    shown = owner_client.get(dashboard_url(account)).content.decode()
    assert "Renamed the account to “Acme Two”." in shown
    again = owner_client.get(dashboard_url(account)).content.decode()
    assert "Renamed the account to" not in again and "<h1>Acme Two</h1>" in again


@pytest.mark.django_db
def test_the_top_bar_of_a_remembered_page_is_the_readers_own(client, charged, make_member):
    account, _ = charged
    owner = visit(client_of(client, account.owner), billing_url(account))[0]
    colleague = make_member(account, roles.ADMINISTRATOR)
    theirs = visit(client_of(client, colleague), billing_url(account))[0]
    assert account.owner.email in owner and account.owner.email not in theirs
    assert colleague.email in theirs
    # Their name, once they give one, and support's link, once they are staff.
    colleague.full_name = "Grace Hopper"
    colleague.is_staff = True
    colleague.save()
    renamed = visit(client_of(client, colleague), billing_url(account))[0]
    assert "<strong>Grace Hopper</strong>" in renamed
    assert reverse("admin:index") in renamed
    # The same report on another page of it is that page.
    ledger = visit(client_of(client, colleague), billing_url(account), {"kind": "charge"})[0]
    assert ledger != renamed


# --- The switcher (remembered by all it shows: its main accounts' rows, the family's version)


def switcher_of(client, account, **params):
    url = reverse("console:account_switcher", args=[account.sid])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"from": "billing", **params}, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def names_in(html):
    return re.findall(r'<span class="item-name">(?:↳ )?([^<]+)</span>', html)


@pytest.fixture
def reach(charged, make_account):
    """The owner's Acme (with its subaccount Alpha) and their second main account, Zed."""
    account, alpha = charged
    return account, alpha, make_account(owner=account.owner, friendly_name="Zed")


@pytest.mark.django_db
def test_a_second_look_at_the_switcher_builds_nothing_and_each_change_shows_on_the_next(
    owner_client, reach, make_account, make_member, org
):
    account, alpha, zed = reach
    first, built = switcher_of(owner_client, account)
    again, remembered = switcher_of(owner_client, account)
    assert again == first and names_in(again) == ["Acme", "Alpha", "Zed"]
    assert remembered < built  # the subaccounts are not asked for again
    # Another family's write (Zed renamed), which the current family's version does not see.
    account_services.account_rename(account=zed, friendly_name="Zed Two", actor=SYSTEM)
    assert names_in(switcher_of(owner_client, account)[0]) == ["Acme", "Alpha", "Zed Two"]
    account_services.account_suspend(
        account=zed, actor=SYSTEM, source=Account.StatusSource.SUPPORT, reason="Review"
    )
    assert "badge-suspended" in switcher_of(owner_client, account)[0]
    # An account shared with them, and the organization Zed joins, and its new name.
    make_member(make_account(friendly_name="Shared"), roles.DEVELOPER, user=account.owner)
    assert "Shared" in names_in(switcher_of(owner_client, account)[0])
    Account.objects.filter(pk=zed.pk).update(organization=org)
    assert f'aria-label="{org.name}"' in switcher_of(owner_client, account)[0]
    organization_services.organization_update(organization=org, actor=SYSTEM, name="Renamed")
    assert 'aria-label="Renamed"' in switcher_of(owner_client, account)[0]
    # A new subaccount in the current family.
    account_services.subaccount_create(parent=account, friendly_name="Beta", actor=SYSTEM)
    assert names_in(switcher_of(owner_client, account)[0])[:3] == ["Acme", "Beta", "Alpha"]


@pytest.mark.django_db
def test_the_switcher_lists_the_account_last_visited_first_and_links_to_the_page_it_was_on(
    owner_client, reach
):
    account, alpha, zed = reach
    assert names_in(switcher_of(owner_client, account)[0])[0] == "Acme"
    owner_client.get(reverse("console:account_dashboard", args=[zed.sid]))
    html = switcher_of(owner_client, account)[0]
    assert names_in(html)[0] == "Zed"
    assert reverse("console:billing", args=[zed.sid]) in html
    elsewhere = switcher_of(owner_client, account, **{"from": "usage"})[0]
    assert reverse("console:usage", args=[zed.sid]) in elsewhere
    assert reverse("console:account_dashboard", args=[alpha.sid]) in elsewhere  # no usage page


@pytest.mark.django_db
def test_each_reader_sees_only_their_own_reach_in_a_remembered_switcher(
    client, reach, make_member, make_subaccount
):
    account, alpha, zed = reach
    hidden = make_subaccount(account, "Hidden")
    assert "Zed" in names_in(switcher_of(client_of(client, account.owner), alpha)[0])
    # A colleague on Acme alone sees Acme's subaccounts, not the owner's other account.
    colleague = make_member(account, roles.ADMINISTRATOR)
    seen = names_in(switcher_of(client_of(client, colleague), alpha)[0])
    assert "Acme" in seen and "Hidden" in seen and "Zed" not in seen
    # Someone whose roles are on subaccounts alone sees those, never their parent; after
    # them, someone whose role is on Alpha alone sees Alpha, never its siblings.
    on_both = make_member(hidden, roles.DEVELOPER, user=make_member(alpha, roles.DEVELOPER))
    assert names_in(switcher_of(client_of(client, on_both), alpha)[0]) == ["Hidden", "Alpha"]
    sub_only = make_member(alpha, roles.ADMINISTRATOR)
    html = switcher_of(client_of(client, sub_only), alpha)[0]
    assert names_in(html) == ["Alpha"]
    assert hidden.sid not in html and account.sid not in html


# --- The Accounts page (remembered whole by all it shows: its rows as read on every look) --


def accounts_page(client, **params):
    """The Accounts page's html, and how many remembered blocks had to be rendered."""
    misses = []
    original = memo.MemoNode.render

    def counting(node, context):
        misses.append(node)
        return original(node, context)

    memo.MemoNode.render = counting
    try:
        response = client.get(reverse("console:account_list"), params)
    finally:
        memo.MemoNode.render = original
    assert response.status_code == 200
    return response.content.decode(), len(misses)


def without_tokens(html):
    return re.sub(r'(value=|nonce=|"X-CSRFToken": )"[^"]+"', "", html)


def listed_in(html):
    """(name, role, status, subaccounts, organization) of each row of the Accounts page."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        tuple(
            re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
        )
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.mark.django_db
def test_a_second_look_at_the_accounts_page_renders_nothing_and_each_change_shows_on_the_next(
    owner_client, reach, make_account, make_member, org
):
    account, alpha, zed = reach
    first, _ = accounts_page(owner_client)
    again, rendered = accounts_page(owner_client)
    assert rendered == 1  # only the page's own block ran, nothing inside it
    # The same page, but for each response's own CSRF token and CSP nonce.
    assert without_tokens(again) == without_tokens(first)
    assert [row[0] for row in listed_in(again)] == ["Acme", "Zed"]
    # A rename, a suspension, a new subaccount: each on the next look.
    account_services.account_rename(account=zed, friendly_name="Zed Two", actor=SYSTEM)
    account_services.account_suspend(
        account=zed, actor=SYSTEM, source=Account.StatusSource.SUPPORT, reason="Review"
    )
    account_services.subaccount_create(parent=account, friendly_name="Beta", actor=SYSTEM)
    rows = {row[0]: row for row in listed_in(accounts_page(owner_client)[0])}
    assert rows["Zed Two"][3] == "Suspended" and rows["Acme"][5] == "2"
    # An account shared with them (their role on it), the organization Zed joins, its name.
    make_member(make_account(friendly_name="Shared"), roles.DEVELOPER, user=account.owner)
    Account.objects.filter(pk=zed.pk).update(organization=org)
    organization_services.organization_update(organization=org, actor=SYSTEM, name="Renamed")
    rows = {row[0]: row for row in listed_in(accounts_page(owner_client)[0])}
    assert rows["Shared"][2] == "Developer" and rows["Zed Two"][6] == "Renamed"
    # Their limit: at it, the page says so instead of offering another account.
    assert "create-account-button" in accounts_page(owner_client)[0]
    account.owner.account_limit = 1  # Acme (Zed is the organization's now)
    account.owner.save()
    assert "create-account-button" not in accounts_page(owner_client)[0]


@pytest.mark.django_db
def test_each_reader_sees_only_their_own_accounts_on_a_remembered_accounts_page(
    client, reach, make_member
):
    account, alpha, zed = reach
    owner = accounts_page(client_of(client, account.owner))[0]
    assert [row[0] for row in listed_in(owner)] == ["Acme", "Zed"]
    colleague = make_member(account, roles.ADMINISTRATOR)
    theirs = accounts_page(client_of(client, colleague))[0]
    assert listed_in(theirs) == [
        ("Acme", account.sid, "Administrator", "Active", account.type, "1", "—")
    ]
    assert zed.sid not in theirs
    assert colleague.email in theirs and account.owner.email not in theirs
    # Someone with a role on the subaccount alone sees it, never its parent.
    on_sub = make_member(alpha, roles.SUPPORT)
    shown = accounts_page(client_of(client, on_sub))[0]
    assert [row[:3] for row in listed_in(shown)] == [("Alpha · subaccount", alpha.sid, "Support")]
    assert reverse("console:account_dashboard", args=[account.sid]) not in shown
    # A search is answered as it is, from the same rows.
    found = accounts_page(client_of(client, account.owner), q="Ze")[0]
    assert [row[0] for row in listed_in(found)] == ["Zed"]
