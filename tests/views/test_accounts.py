"""Console pages about accounts: the accounts page, switcher, dashboard, settings (rename,
spend cap, close), and what a role on one subaccount does and does not allow."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import errors, roles
from accounts.models import Account, AccountMembership
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import organizations as organization_services
from accounts.services.events import Actor
from tests.history import status_changes
from tests.support import HTMX


@pytest.mark.django_db
def test_after_sign_in_the_last_used_account_is_where_you_land(client, user, make_account):
    make_account(owner=user, friendly_name="First")
    second = make_account(owner=user, friendly_name="Second")
    client.force_login(user)
    client.get(reverse("console:account_dashboard", args=[second.sid]))
    response = client.get("/")
    assert response["Location"] == reverse("console:account_dashboard", args=[second.sid])


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, account):
    for url in [
        reverse("console:account_list"),
        reverse("console:account_dashboard", args=[account.sid]),
        reverse("console:subaccount_list", args=[account.sid]),
        reverse("console:account_settings", args=[account.sid]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/signin/")


# --- Accounts page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_accounts_page_lists_reachable_accounts_with_role_status_type_and_subaccounts(
    owner_client, user, account, make_account, make_subaccount, make_user
):
    make_subaccount(account, "Child one")
    closed = make_subaccount(account, "Child two")
    account_services.account_close(account=closed, actor=Actor.for_user(user))
    shared = make_account(friendly_name="Shared with me")
    AccountMembership.objects.create(account=shared, user=user, role=roles.DEVELOPER)
    strangers = make_account(friendly_name="Someone else's")

    response = owner_client.get(reverse("console:account_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert account.sid in html and shared.sid in html
    assert strangers.sid not in html
    assert "Developer" in html and "Owner" in html
    # One open subaccount: the closed one does not count.
    assert f'{reverse("console:subaccount_list", args=[account.sid])}">1</a>' in html


@pytest.mark.django_db
def test_create_account_plain_post_redirects_to_its_dashboard(owner_client, user, account):
    response = owner_client.post(reverse("console:account_list"), {"friendly_name": "Second one"})
    created = Account.objects.get(friendly_name="Second one")
    assert response.status_code == 302
    assert response["Location"] == reverse("console:account_dashboard", args=[created.sid])
    assert created.owner == user and created.type == "Trial"


@pytest.mark.django_db
def test_create_account_over_htmx_redirects_the_browser(owner_client, account):
    response = owner_client.post(
        reverse("console:account_list"), {"friendly_name": "Via htmx"}, headers=HTMX
    )
    created = Account.objects.get(friendly_name="Via htmx")
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("console:account_dashboard", args=[created.sid])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [("   ", errors.FRIENDLY_NAME_REQUIRED), ("x" * 65, "at most 64 characters")],
)
def test_create_account_errors_show_in_place_and_keep_input(owner_client, account, typed, message):
    response = owner_client.post(
        reverse("console:account_list"), {"friendly_name": typed}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    assert '<div id="create-account">' in html and "<html" not in html
    if typed.strip():
        assert f'value="{typed}"' in html
    assert Account.objects.count() == 1


@pytest.mark.django_db
def test_at_the_account_limit_the_form_is_replaced_by_a_message(owner_client, user, account):
    user.account_limit = 1
    user.save()
    html = owner_client.get(reverse("console:account_list")).content.decode()
    assert "limit of 1 accounts" in html and "Contact support" in html
    assert 'name="friendly_name"' not in html
    # A stale form posted anyway is refused with the service's message.
    response = owner_client.post(reverse("console:account_list"), {"friendly_name": "One too many"})
    assert response.status_code == 422
    assert Account.objects.filter(owner=user).count() == 1


# --- Dashboard ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_shows_the_account_facts(owner_client, account, make_subaccount):
    ledger_services.funds_add(account=account, amount="42.5", reason="Top-up", actor=Actor.system())
    make_subaccount(account)
    html = owner_client.get(
        reverse("console:account_dashboard", args=[account.sid])
    ).content.decode()
    assert account.sid in html
    assert f'data-copy="{account.sid}"' in html
    # The token is masked; "Show" asks for the password again, on the credentials page.
    assert account.auth_token not in html
    assert "•" * 32 + "</code>" in html
    assert reverse("console:auth_token_reveal", args=[account.sid]) in html
    assert "$42.50" in html
    assert "Full" in html and "Active" in html
    assert ">1</a>" in html  # one subaccount


@pytest.mark.django_db
def test_subaccount_dashboard_shows_the_parents_balance_as_shared_and_a_banner(
    owner_client, account, make_subaccount
):
    ledger_services.funds_add(account=account, amount="10", reason="Top-up", actor=Actor.system())
    sub = make_subaccount(account, "Child")
    html = owner_client.get(reverse("console:account_dashboard", args=[sub.sid])).content.decode()
    assert "$10.00" in html
    assert "Shared with the parent account" in html
    assert "a subaccount of <strong>Acme</strong>" in html
    assert "Return to parent account" in html
    assert reverse("console:account_dashboard", args=[account.sid]) in html


@pytest.mark.django_db
def test_suspended_and_closed_accounts_show_a_banner(owner_client, user, account, make_subaccount):
    sub = make_subaccount(account)
    account_services.account_suspend(account=sub, actor=Actor.for_user(user))
    html = owner_client.get(reverse("console:account_dashboard", args=[sub.sid])).content.decode()
    assert "This account is suspended" in html
    account_services.account_close(account=sub, actor=Actor.for_user(user))
    html = owner_client.get(reverse("console:account_dashboard", args=[sub.sid])).content.decode()
    assert "This account is closed" in html and "read-only" in html
    assert "Rename" not in html


@pytest.mark.django_db
def test_rename_over_htmx_returns_the_heading_and_updates_the_top_bar(owner_client, account):
    response = owner_client.post(
        reverse("console:account_rename", args=[account.sid]),
        {"friendly_name": "Renamed"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Renamed</h1>" in html
    # The top bar refreshes itself (currentAccountChanged); the title comes with the answer.
    assert "<title>Renamed · Console</title>" in html
    assert "accountChanged" in json.loads(response["HX-Trigger"])
    account.refresh_from_db()
    assert account.friendly_name == "Renamed"


@pytest.mark.django_db
def test_rename_plain_post_redirects(owner_client, account):
    response = owner_client.post(
        reverse("console:account_rename", args=[account.sid]), {"friendly_name": "Plain"}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.friendly_name == "Plain"


@pytest.mark.django_db
def test_rename_error_stays_in_place_with_what_was_typed(owner_client, account):
    response = owner_client.post(
        reverse("console:account_rename", args=[account.sid]),
        {"friendly_name": "y" * 70},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert b"at most 64 characters" in response.content
    assert b'value="' + b"y" * 70 + b'"' in response.content
    account.refresh_from_db()
    assert account.friendly_name == "Acme"


@pytest.mark.django_db
def test_a_closed_account_cannot_be_renamed(owner_client, user, account, make_subaccount):
    sub = make_subaccount(account, "Old")
    account_services.account_close(account=sub, actor=Actor.for_user(user))
    response = owner_client.post(
        reverse("console:account_rename", args=[sub.sid]), {"friendly_name": "New"}, headers=HTMX
    )
    assert response.status_code == 422
    assert errors.ACCOUNT_CLOSED.encode() in response.content


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_rename_never_redirects_off_the_site(owner_client, account, target):
    response = owner_client.post(
        reverse("console:account_rename", args=[account.sid]),
        {"friendly_name": "Renamed", "next_page": target},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("console:account_dashboard", args=[account.sid])
    account.refresh_from_db()
    assert account.friendly_name == "Renamed"


def test_rename_still_returns_to_the_page_it_came_from(owner_client, account):
    settings_url = reverse("console:account_settings", args=[account.sid])
    response = owner_client.post(
        reverse("console:account_rename", args=[account.sid]),
        {"friendly_name": "Renamed", "next_page": settings_url},
    )

    assert response["Location"] == settings_url


# --- Switcher ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_switcher_lists_reachable_accounts_and_current_subaccounts(
    owner_client, user, account, make_account, make_subaccount
):
    other = make_account(owner=user, friendly_name="Other main")
    sub = make_subaccount(account, "Child of Acme")
    make_subaccount(other, "Child of other")
    stranger = make_account(friendly_name="Stranger")
    response = owner_client.get(
        reverse("console:account_switcher", args=[account.sid]) + "?from=account_settings",
        headers=HTMX,
    )
    html = response.content.decode()
    assert "Acme" in html and "Other main" in html and "Child of Acme" in html
    assert "Child of other" not in html  # only the current main account's subaccounts
    assert stranger.sid not in html
    assert "View all accounts" in html
    # Choosing one goes to the same page on that account.
    assert reverse("console:account_settings", args=[other.sid]) in html
    assert reverse("console:account_settings", args=[sub.sid]) in html


@pytest.mark.django_db
def test_switcher_filter_narrows_by_name_or_sid(
    owner_client, user, account, make_account, make_subaccount
):
    other = make_account(owner=user, friendly_name="Beta corp")
    sub = make_subaccount(account, "Gamma child")
    url = reverse("console:account_switcher", args=[account.sid])
    by_name = owner_client.get(url, {"q": "beta", "part": "results"}, headers=HTMX).content.decode()
    assert other.sid in by_name and sub.sid not in by_name
    # The start of a SID finds it, as on the Subaccounts page; its middle is not a search.
    by_sid = owner_client.get(url, {"q": sub.sid[:12], "part": "results"}, headers=HTMX)
    html = by_sid.content.decode()
    assert sub.sid in html and other.sid not in html
    middle = owner_client.get(url, {"q": sub.sid[5:15], "part": "results"}, headers=HTMX)
    assert sub.sid not in middle.content.decode()
    nothing = owner_client.get(url, {"q": "zzz", "part": "results"}, headers=HTMX)
    assert "No account matches" in nothing.content.decode()


@pytest.mark.django_db
def test_switcher_from_the_subaccounts_page_keeps_that_page_for_main_accounts(
    owner_client, user, account, make_account, make_subaccount
):
    other = make_account(owner=user, friendly_name="Other")
    sub = make_subaccount(account)
    html = owner_client.get(
        reverse("console:account_switcher", args=[account.sid]) + "?from=subaccount_list",
        headers=HTMX,
    ).content.decode()
    assert reverse("console:subaccount_list", args=[other.sid]) in html
    # A subaccount has no subaccounts page: its dashboard instead.
    assert reverse("console:account_dashboard", args=[sub.sid]) in html


# --- Settings and closing -------------------------------------------------------------------


@pytest.mark.django_db
def test_settings_show_the_status_history(owner_client, user, account, make_subaccount):
    sub = make_subaccount(account)
    account_services.account_suspend(
        account=sub, actor=Actor.for_user(user), reason="Customer paused"
    )
    html = owner_client.get(reverse("console:account_settings", args=[sub.sid])).content.decode()
    assert "Customer paused" in html
    assert "Active → Suspended" in html


@pytest.mark.django_db
def test_close_confirmation_names_the_account_and_its_consequences(
    owner_client, account, make_subaccount
):
    make_subaccount(account)
    html = owner_client.get(reverse("console:account_close", args=[account.sid])).content.decode()
    assert "Close “Acme”?" in html
    assert "cannot be undone" in html
    assert "1 open subaccount closes too" in html


@pytest.mark.django_db
def test_owner_closes_the_account_and_its_subaccounts(owner_client, account, make_subaccount):
    sub = make_subaccount(account)
    response = owner_client.post(
        reverse("console:account_close", args=[account.sid]),
        {"reason": "Done", "confirm_name": "Acme"},  # a main account's name must be typed
    )
    assert response.status_code == 302
    account.refresh_from_db()
    sub.refresh_from_db()
    assert account.status == sub.status == "closed"
    assert status_changes(account)[0].reason == "Done"


@pytest.mark.django_db
def test_only_the_owner_may_close_a_main_account(client, make_member, account):
    admin = make_member(account, roles.ADMINISTRATOR)
    client.force_login(admin)
    assert client.get(reverse("console:account_close", args=[account.sid])).status_code == 403
    assert client.post(reverse("console:account_close", args=[account.sid])).status_code == 403
    account.refresh_from_db()
    assert account.status == "active"
    settings_html = client.get(
        reverse("console:account_settings", args=[account.sid])
    ).content.decode()
    assert "Close account…" not in settings_html


@pytest.mark.django_db
def test_a_developer_cannot_rename(client, make_member, account):
    developer = make_member(account, roles.DEVELOPER)
    client.force_login(developer)
    response = client.post(
        reverse("console:account_rename", args=[account.sid]), {"friendly_name": "Hijacked"}
    )
    assert response.status_code == 403
    account.refresh_from_db()
    assert account.friendly_name == "Acme"
    dashboard = client.get(
        reverse("console:account_dashboard", args=[account.sid])
    ).content.decode()
    assert "Rename" not in dashboard


# --- Nobody sees what they may not ---------------------------------------------------------


@pytest.mark.django_db
def test_every_account_view_is_404_for_a_user_without_access(
    client, make_user, account, make_subaccount
):
    sub = make_subaccount(account)
    client.force_login(make_user())
    gets = [
        reverse("console:account_dashboard", args=[account.sid]),
        reverse("console:account_dashboard", args=[sub.sid]),
        reverse("console:account_switcher", args=[account.sid]),
        reverse("console:account_settings", args=[account.sid]),
        reverse("console:account_close", args=[account.sid]),
        reverse("console:subaccount_list", args=[account.sid]),
        reverse("console:subaccount_close_confirm", args=[account.sid, sub.sid]),
    ]
    posts = [
        reverse("console:account_rename", args=[account.sid]),
        reverse("console:account_close", args=[account.sid]),
        reverse("console:subaccount_list", args=[account.sid]),
        reverse("console:subaccount_rename", args=[account.sid, sub.sid]),
        reverse("console:subaccount_status", args=[account.sid, sub.sid]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"friendly_name": "x", "action": "close"}).status_code == 404, url
    account.refresh_from_db()
    sub.refresh_from_db()
    assert account.friendly_name == "Acme" and sub.status == "active"


@pytest.mark.django_db
def test_an_unknown_sid_is_404(owner_client):
    assert owner_client.get("/console/AC" + "0" * 32 + "/").status_code == 404


@pytest.mark.django_db
def test_a_subaccount_member_does_not_see_the_parent_or_siblings(
    client, make_member, account, make_subaccount
):
    sub = make_subaccount(account, "Mine")
    sibling = make_subaccount(account, "Sibling")
    member = make_member(sub, roles.DEVELOPER)
    client.force_login(member)
    assert client.get(reverse("console:account_dashboard", args=[sub.sid])).status_code == 200
    assert client.get(reverse("console:account_dashboard", args=[account.sid])).status_code == 404
    assert client.get(reverse("console:account_dashboard", args=[sibling.sid])).status_code == 404
    switcher = client.get(reverse("console:account_switcher", args=[sub.sid]), headers=HTMX)
    assert sibling.sid not in switcher.content.decode()


# --- Query counts stay flat -----------------------------------------------------------------


@pytest.mark.django_db
def test_accounts_page_and_switcher_queries_stay_flat_with_50_accounts(
    owner_client, user, account, django_assert_max_num_queries
):
    user.account_limit = 100
    user.save()
    for number in range(49):
        account_services.account_create(
            owner=user, friendly_name=f"Account {number}", actor=Actor.for_user(user)
        )
    with django_assert_max_num_queries(8):
        response = owner_client.get(reverse("console:account_list"))
    assert response.content.decode().count("<tr>") == 51  # header + 50 accounts
    with django_assert_max_num_queries(8):
        response = owner_client.get(
            reverse("console:account_switcher", args=[account.sid]), headers=HTMX
        )
    assert response.content.decode().count('class="switcher-item') == 50


# --- Spend cap of a subaccount --------------------------------------------------------------


@pytest.mark.django_db
def test_a_subaccount_spend_cap_is_set_on_its_settings_page(owner_client, account, make_subaccount):
    sub = make_subaccount(account, "Capped")
    page = owner_client.get(reverse("console:account_settings", args=[sub.sid])).content.decode()
    assert "Monthly spend cap" in page and "has no cap" in page
    response = owner_client.post(
        reverse("console:account_spend_cap", args=[sub.sid]), {"monthly_spend_cap": "25.50"}
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert str(sub.monthly_spend_cap) == "25.5000"
    page = owner_client.get(reverse("console:account_settings", args=[sub.sid])).content.decode()
    assert 'value="25.50"' in page  # in dollars and cents, as it was typed
    owner_client.post(
        reverse("console:account_spend_cap", args=[sub.sid]), {"monthly_spend_cap": ""}
    )
    sub.refresh_from_db()
    assert sub.monthly_spend_cap is None


@pytest.mark.django_db
def test_a_bad_spend_cap_is_explained_and_kept(owner_client, account, make_subaccount):
    sub = make_subaccount(account)
    response = owner_client.post(
        reverse("console:account_spend_cap", args=[sub.sid]), {"monthly_spend_cap": "-3"}
    )
    assert response.status_code == 422
    assert b'value="-3"' in response.content
    assert b"greater than or equal to 0" in response.content


@pytest.mark.django_db
def test_spend_caps_are_for_subaccounts_and_billing_roles_only(
    client, owner_client, make_member, account, make_subaccount
):
    sub = make_subaccount(account)
    main = owner_client.post(
        reverse("console:account_spend_cap", args=[account.sid]), {"monthly_spend_cap": "5"}
    )
    assert main.status_code == 422
    developer = make_member(account, roles.DEVELOPER)
    client.force_login(developer)
    denied = client.post(
        reverse("console:account_spend_cap", args=[sub.sid]), {"monthly_spend_cap": "5"}
    )
    assert denied.status_code == 403
    sub.refresh_from_db()
    assert sub.monthly_spend_cap is None


# --- A role on one subaccount only is not a role on its parent -----------------------------


def test_a_billing_manager_of_the_subaccount_alone_cannot_lift_its_spend_cap(
    as_user, family, make_member
):
    main, (sub, *_) = family
    ledger_services.spend_cap_set(subaccount=sub, cap=Decimal("10"), actor=Actor.system())
    person = make_member(sub, roles.BILLING_MANAGER)
    client = as_user(person)

    response = client.post(
        reverse("console:account_spend_cap", args=[sub.sid]), {"monthly_spend_cap": ""}
    )

    assert response.status_code == 403
    sub.refresh_from_db()
    assert sub.monthly_spend_cap == Decimal("10")
    # The settings page does not offer the form either.
    page = client.get(reverse("console:account_settings", args=[sub.sid])).content.decode()
    assert reverse("console:account_spend_cap", args=[sub.sid]) not in page


def test_a_billing_manager_of_the_main_account_sets_its_subaccounts_spend_cap(
    as_user, family, make_member
):
    main, (sub, *_) = family
    person = make_member(main, roles.BILLING_MANAGER)

    response = as_user(person).post(
        reverse("console:account_spend_cap", args=[sub.sid]), {"monthly_spend_cap": "12"}
    )

    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.monthly_spend_cap == Decimal("12")


def test_an_administrator_of_the_subaccount_alone_cannot_close_it(as_user, family, make_member):
    main, (sub, *_) = family
    person = make_member(sub, roles.ADMINISTRATOR)
    client = as_user(person)

    response = client.post(reverse("console:account_close", args=[sub.sid]), {"reason": "bye"})

    assert response.status_code == 403
    sub.refresh_from_db()
    assert sub.status == Account.Status.ACTIVE
    page = client.get(reverse("console:account_settings", args=[sub.sid])).content.decode()
    assert reverse("console:account_close", args=[sub.sid]) not in page


def test_an_administrator_of_the_subaccount_alone_still_manages_it(as_user, family, make_member):
    """What the role on the subaccount itself does give: rename it, manage its users."""
    main, (sub, *_) = family
    person = make_member(sub, roles.ADMINISTRATOR)
    client = as_user(person)

    renamed = client.post(
        reverse("console:account_rename", args=[sub.sid]), {"friendly_name": "EU"}
    )
    users = client.get(reverse("console:user_list", args=[sub.sid]))

    assert renamed.status_code == 302 and users.status_code == 200
    assert client.get(reverse("console:account_dashboard", args=[main.sid])).status_code == 404


def test_an_administrator_of_the_main_account_closes_a_subaccount_from_its_settings(
    as_user, family, make_member
):
    main, (sub, *_) = family
    person = make_member(main, roles.ADMINISTRATOR)

    response = as_user(person).post(
        reverse("console:account_close", args=[sub.sid]), {"reason": "x"}
    )

    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == Account.Status.CLOSED


def test_an_organization_administrator_keeps_the_parents_powers_on_subaccounts(
    as_user, org, admin, owner, make_subaccount
):
    main = organization_services.organization_account_create(
        organization=org, friendly_name="Org main", actor=Actor.for_user(owner)
    )
    sub = make_subaccount(main)

    response = as_user(admin).post(
        reverse("console:account_spend_cap", args=[sub.sid]), {"monthly_spend_cap": "3"}
    )

    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.monthly_spend_cap == Decimal("3")
