"""The console-craft views: a subaccount's page, bulk actions with their preview, the close
page's impact and typed name, the forms behind buttons, plain-POST fallbacks that show the
whole page with the error and what was typed, toasts in HX-Trigger, the top bar's refresh,
and who may do what."""

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts import errors, roles
from accounts.models import Account, AccountMembership, AvailablePhoneNumber, Event
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor

HTMX = {"HX-Request": "true"}
SYSTEM = Actor.system()
ROLES = [roles.ADMINISTRATOR, roles.DEVELOPER, roles.BILLING_MANAGER, roles.SUPPORT]
# Who may change subaccounts (subaccounts:write): the owner and administrators.
WRITERS = {roles.ADMINISTRATOR}


def triggered(response):
    return json.loads(response.headers.get("HX-Trigger", "{}"))


@pytest.fixture
def owner_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def family(account, make_subaccount):
    """Acme, funded, with subaccounts in each status and numbers on one of them."""
    subs = {name: make_subaccount(account, name) for name in ["Alpha", "Beta", "Gamma", "Delta"]}
    ledger_services.funds_add(account=account, amount="26.61", actor=SYSTEM, reason="t")
    Account.objects.filter(pk=account.pk).update(type="Full")
    Account.objects.filter(parent=account).update(type="Full")
    account_services.account_suspend(account=subs["Gamma"], actor=SYSTEM, source="support")
    account_services.account_close(account=subs["Delta"], actor=SYSTEM)
    AvailablePhoneNumber.objects.bulk_create(
        AvailablePhoneNumber(phone_number=f"+1415555010{n}", friendly_name=f"n{n}")
        for n in range(3)
    )
    for sub in subs.values():
        sub.refresh_from_db()
    for number in ["+14155550100", "+14155550101"]:
        number_services.number_buy(account=subs["Alpha"], phone_number=number, actor=SYSTEM)
    account.refresh_from_db()
    return subs


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def with_role(make_user, account, role):
    person = make_user()
    AccountMembership.objects.create(account=account, user=person, role=role)
    return signed_in(person)


def detail_url(account, sub):
    return reverse("console:subaccount_detail", args=[account.sid, sub.sid])


def bulk_url(account):
    return reverse("console:subaccount_bulk", args=[account.sid])


# --- Who may do what ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_a_subaccounts_page_and_only_writers_get_its_actions(
    make_user, account, family, role
):
    client = with_role(make_user, account, role)
    html = client.get(detail_url(account, family["Alpha"])).content.decode()
    assert "Alpha" in html and family["Alpha"].sid in html
    assert ("Suspend</button>" in html) == (role in WRITERS)
    assert ("Close…" in html) == (role in WRITERS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_writers_open_the_create_form_the_close_preview_and_bulk_actions(
    make_user, account, family, role
):
    client = with_role(make_user, account, role)
    alpha = family["Alpha"]
    expected = 200 if role in WRITERS else 403
    gets = [
        reverse("console:subaccount_create", args=[account.sid]),
        reverse("console:subaccount_close_confirm", args=[account.sid, alpha.sid]),
        bulk_url(account) + f"?action=suspend&sid={alpha.sid}",
    ]
    for url in gets:
        assert client.get(url).status_code == expected, url
    posted = client.post(bulk_url(account), {"action": "suspend", "sids": alpha.sid})
    assert posted.status_code == (302 if role in WRITERS else 403)
    alpha.refresh_from_db()
    assert alpha.status == ("suspended" if role in WRITERS else "active")


@pytest.mark.django_db
def test_people_outside_the_family_get_404_everywhere(make_user, account, family):
    alpha = family["Alpha"]
    outsider = signed_in(make_user())
    # A user whose only role is on the subaccount never sees its parent's pages.
    sub_only = make_user()
    AccountMembership.objects.create(account=alpha, user=sub_only, role=roles.ADMINISTRATOR)
    for client in (outsider, signed_in(sub_only)):
        for url in [
            detail_url(account, alpha),
            reverse("console:subaccount_create", args=[account.sid]),
            bulk_url(account) + "?action=close&all=1",
        ]:
            assert client.get(url).status_code == 404, url
        response = client.post(bulk_url(account), {"action": "close", "all": "1"})
        assert response.status_code == 404
    alpha.refresh_from_db()
    assert alpha.status == "active"


@pytest.mark.django_db
def test_another_accounts_subaccount_is_not_found_on_this_page(
    owner_client, make_account, make_subaccount, account, user
):
    other = make_subaccount(make_account(owner=user, friendly_name="Other"), "Theirs")
    assert owner_client.get(detail_url(account, other)).status_code == 404
    # Named in a bulk action, it is simply not part of the selection.
    response = owner_client.post(bulk_url(account), {"action": "suspend", "sids": other.sid})
    other.refresh_from_db()
    assert other.status == "active" and response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.DEVELOPER, roles.BILLING_MANAGER, roles.SUPPORT])
def test_the_invite_form_is_for_owners_and_administrators(make_user, account, role):
    url = reverse("console:user_invite", args=[account.sid])
    assert with_role(make_user, account, role).get(url).status_code == 403
    assert with_role(make_user, account, roles.ADMINISTRATOR).get(url).status_code == 200


@pytest.mark.django_db
def test_the_create_forms_have_their_own_pages_without_javascript(owner_client, account, org):
    for url in [
        reverse("console:account_create"),
        reverse("console:subaccount_create", args=[account.sid]),
        reverse("console:user_invite", args=[account.sid]),
        reverse("organizations:organization_create"),
    ]:
        page = owner_client.get(url)
        dialog = owner_client.get(url, headers=HTMX)
        assert page.status_code == dialog.status_code == 200, url
        assert b"<html" in page.content and b'id="modal-title"' in page.content
        assert b"<html" not in dialog.content and b'id="modal-title"' in dialog.content
        assert "HX-Request" in page["Vary"]


@pytest.mark.django_db
def test_organization_forms_behind_buttons_are_for_those_who_manage_it(
    make_user, org, owner, member
):
    for name in ["organization_member_invite", "organization_account_add"]:
        url = reverse(f"organizations:{name}", args=[org.sid])
        assert signed_in(member).get(url).status_code == 403
        assert signed_in(owner).get(url).status_code == 200
        assert signed_in(make_user()).get(url).status_code == 404


# --- A subaccount's page --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_subaccount_page_shows_sid_status_numbers_month_and_activity(
    owner_client, account, family
):
    alpha = family["Alpha"]
    ledger_services.spend_cap_set(subaccount=alpha, cap="20", actor=SYSTEM)
    html = owner_client.get(detail_url(account, alpha)).content.decode()
    assert alpha.sid in html and "badge-active" in html
    assert "+14155550100" in html and "+14155550101" in html and "All 2" in html
    # Two numbers at $1.00 were charged this month, against a $20.00 cap.
    assert "$2.00" in html and "$20.00" in html and "meter-10" in html
    assert "Recent activity" in html and "Monthly spend cap: 20" in html
    assert reverse("console:account_dashboard", args=[alpha.sid]) in html  # View subaccount
    # Its keys (none yet), in a section of their own.
    assert 'id="sub-keys-title">API keys</h2>' in html and "No API keys." in html


@pytest.mark.django_db
def test_the_list_links_each_name_to_its_page(owner_client, account, family):
    html = owner_client.get(reverse("console:subaccount_list", args=[account.sid])).content
    for sub in family.values():
        assert detail_url(account, sub).encode() in html


@pytest.mark.django_db
def test_actions_on_the_subaccount_page_answer_with_its_summary(owner_client, account, family):
    alpha = family["Alpha"]
    status = reverse("console:subaccount_status", args=[account.sid, alpha.sid])
    response = owner_client.post(status, {"action": "suspend", "view": "detail"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="detail-header" id="subaccount-summary">' in html
    assert "badge-suspended" in html and 'value="reactivate"' in html
    assert "accountChanged" in triggered(response)
    rename = reverse("console:subaccount_rename", args=[account.sid, alpha.sid])
    renamed = owner_client.post(
        rename, {"friendly_name": "Alpha 2", "view": "detail"}, headers=HTMX
    )
    assert "<title>Alpha 2 · Subaccounts · Acme · Console</title>" in renamed.content.decode()


@pytest.mark.django_db
def test_a_refused_rename_on_the_subaccount_page_without_javascript_shows_it_again(
    owner_client, account, family
):
    alpha = family["Alpha"]
    rename = reverse("console:subaccount_rename", args=[account.sid, alpha.sid])
    response = owner_client.post(rename, {"friendly_name": "y" * 65, "view": "detail"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "<html" in html and 'aria-label="Account"' in html  # the styled page, with its nav
    assert "at most 64 characters" in html and 'value="' + "y" * 65 + '"' in html
    assert '<details class="inline-edit" open>' in html


# --- Plain-POST fallbacks: the whole page, the error, what was typed --------------------------


@pytest.mark.django_db
def test_a_refused_rename_from_settings_shows_the_settings_page(owner_client, account):
    response = owner_client.post(
        reverse("console:account_rename", args=[account.sid]),
        {
            "friendly_name": "z" * 65,
            "next_page": reverse("console:account_settings", args=[account.sid]),
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "<h1>Account settings</h1>" in html and 'aria-label="Account"' in html
    assert "at most 64 characters" in html and 'value="' + "z" * 65 + '"' in html


@pytest.mark.django_db
def test_a_refused_rename_from_the_dashboard_shows_the_dashboard(owner_client, account):
    response = owner_client.post(
        reverse("console:account_rename", args=[account.sid]), {"friendly_name": ""}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Account info" in html and errors.FRIENDLY_NAME_REQUIRED in html
    assert '<details class="inline-edit" open>' in html


@pytest.mark.django_db
def test_a_refused_row_rename_without_javascript_shows_the_list_with_the_editor_open(
    owner_client, account, family
):
    beta = family["Beta"]
    response = owner_client.post(
        reverse("console:subaccount_rename", args=[account.sid, beta.sid]),
        {"friendly_name": "b" * 65},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "<h1>Subaccounts</h1>" in html
    row = html.split(f'<tr id="row-{beta.sid}"')[1].split("</tr>")[0]
    assert '<details class="inline-edit" open>' in row and 'value="' + "b" * 65 + '"' in row
    assert "at most 64 characters" in row


@pytest.mark.django_db
def test_a_refused_row_action_over_htmx_keeps_the_editor_open_with_what_was_typed(
    owner_client, account, family
):
    beta = family["Beta"]
    response = owner_client.post(
        reverse("console:subaccount_rename", args=[account.sid, beta.sid]),
        {"friendly_name": "b" * 65},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith(f'<tr id="row-{beta.sid}"')
    assert '<details class="inline-edit" open>' in html
    assert 'value="' + "b" * 65 + '"' in html and f'data-saved-value="{beta.friendly_name}"' in html


@pytest.mark.django_db
def test_a_refused_members_role_change_without_javascript_shows_the_page(client, org, owner, admin):
    client.force_login(admin)
    response = client.post(
        reverse("organizations:organization_member_role", args=[org.sid, owner.pk]),
        {"role": "member"},
    )
    html = response.content.decode()
    assert response.status_code == 422 and "<html" in html
    row = html.split(f'<tr id="member-{owner.pk}"')[1].split("</tr>")[0]
    assert "row-error" in row
    assert str(escape(errors.ORGANIZATION_OWNER_CANNOT_BE_REMOVED)) in row


# --- Closing: the impact and the typed name ----------------------------------------------------


@pytest.mark.django_db
def test_the_close_page_shows_what_closes_and_the_balance_left(owner_client, account, family):
    html = owner_client.get(reverse("console:account_close", args=[account.sid])).content.decode()
    impact = html.split('id="close-impact"')[1]
    for name in ["Alpha", "Beta", "Gamma"]:
        assert name in impact
    assert "Delta" not in impact  # already closed
    assert "3 open subaccounts close too" in impact
    assert "2 phone numbers are released" in impact and "+14155550100" in impact
    assert "$24.61" in impact  # $26.61 less the two numbers' first month
    assert 'data-confirm-text="Acme"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", errors.CONFIRM_NAME_REQUIRED),
        ("acme", errors.CONFIRM_NAME_MISMATCH.format(name="Acme")),
    ],
)
def test_a_main_account_closes_only_with_its_name_typed(owner_client, account, typed, error):
    url = reverse("console:account_close", args=[account.sid])
    response = owner_client.post(url, {"confirm_name": typed, "reason": "Moving on"})
    html = response.content.decode()
    assert response.status_code == 422
    assert error in html.replace("&#x27;", "'") and 'value="Moving on"' in html
    account.refresh_from_db()
    assert account.status == "active"
    done = owner_client.post(url, {"confirm_name": "Acme"})
    assert done.status_code == 302
    account.refresh_from_db()
    assert account.status == "closed"


@pytest.mark.django_db
def test_a_subaccount_closes_from_its_settings_without_typing_its_name(
    owner_client, account, family
):
    beta = family["Beta"]
    response = owner_client.post(reverse("console:account_close", args=[beta.sid]), {})
    assert response.status_code == 302
    beta.refresh_from_db()
    assert beta.status == "closed"


@pytest.mark.django_db
def test_the_close_dialog_of_a_subaccount_lists_its_numbers(owner_client, account, family):
    url = reverse("console:subaccount_close_confirm", args=[account.sid, family["Alpha"].sid])
    html = owner_client.get(url, headers=HTMX).content.decode()
    assert "2 phone numbers are released" in html and "+14155550101" in html
    assert "The auth token stops working for the API." in html


# --- Bulk actions ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_bulk_preview_says_what_changes_what_already_is_and_what_is_refused(
    owner_client, account, family
):
    response = owner_client.get(bulk_url(account), {"action": "suspend", "all": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Suspend 4 subaccounts?" in html
    changing = html.split("Will be suspended")[1].split("</div>")[0]
    assert "Alpha" in changing and "Beta" in changing and "Gamma" not in changing
    refused = html.split("Refused (2)")[1]
    assert "Gamma" in refused and errors.SUSPENDED_BY_SUPPORT in refused.replace("&#x27;", "'")
    assert "Delta" in refused and errors.ACCOUNT_CLOSED in refused
    confirm_sids = re.search(r'name="sids" value="([^"]*)"', html).group(1).split(",")
    assert sorted(confirm_sids) == sorted([family["Alpha"].sid, family["Beta"].sid])
    assert "Suspend 2 subaccounts</button>" in html


@pytest.mark.django_db
def test_the_bulk_preview_of_a_close_counts_the_numbers_released(owner_client, account, family):
    sids = [family["Alpha"].sid, family["Beta"].sid]
    html = owner_client.get(bulk_url(account), {"action": "close", "sid": sids}).content.decode()
    assert "2 subaccounts close at once" in html and "2 phone numbers are released" in html
    assert "Close 2 subaccounts permanently" in html


@pytest.mark.django_db
def test_bulk_with_nothing_selected_says_so(owner_client, account, family):
    response = owner_client.get(bulk_url(account), {"action": "suspend"}, headers=HTMX)
    assert response.status_code == 422 and errors.CHOOSE_SUBACCOUNTS in response.content.decode()
    posted = owner_client.post(bulk_url(account), {"action": "explode", "sids": ""}, headers=HTMX)
    assert posted.status_code == 422
    assert posted["HX-Retarget"] == "#modal-body" and posted["HX-Reswap"] == "innerHTML"


@pytest.mark.django_db
def test_bulk_over_htmx_reports_done_and_refused_and_signals(owner_client, account, family):
    sids = ",".join(family[name].sid for name in ["Alpha", "Beta", "Gamma", "Delta"])
    response = owner_client.post(
        bulk_url(account), {"action": "suspend", "sids": sids, "reason": "Audit"}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Suspended 2 subaccounts." in html and "2 refused" in html
    assert "Gamma" in html and "Delta" in html
    events = triggered(response)
    assert "accountChanged" in events and "subaccountsChanged" in events
    toasts = [item["message"] for item in events["showMessages"]["messages"]]
    assert toasts[0] == "Suspended 2 subaccounts."
    assert toasts[1].startswith("Refused 2 subaccounts (Gamma: ")
    # Header values stay ASCII: the curly quotes of the messages travel as \\u escapes.
    response["HX-Trigger"].encode("ascii")
    for name in ["Alpha", "Beta"]:
        family[name].refresh_from_db()
        assert family[name].status == "suspended"
        event = Event.objects.filter(resource_sid=family[name].sid).latest("id")
        assert event.event_data["reason"] == "Audit"


@pytest.mark.django_db
def test_bulk_plain_post_redirects_with_what_was_done_and_refused(owner_client, account, family):
    sids = ",".join(family[name].sid for name in ["Beta", "Delta"])
    response = owner_client.post(bulk_url(account), {"action": "close", "sids": sids})
    assert response.status_code == 302
    assert response["Location"] == reverse("console:subaccount_list", args=[account.sid])
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert shown == [
        "Closed 1 subaccount.",
        f"Refused 1 subaccount (Delta: {errors.ACCOUNT_CLOSED}).",
    ]


# --- Toasts, the top bar, the accounts search ------------------------------------------------


@pytest.mark.django_db
def test_messages_of_an_htmx_request_arrive_as_a_toast_event(owner_client, account, family):
    beta = family["Beta"]
    response = owner_client.post(
        reverse("console:subaccount_status", args=[account.sid, beta.sid]),
        {"action": "suspend"},
        headers=HTMX,
    )
    events = triggered(response)
    assert events["showMessages"]["messages"] == [
        {"message": f"Suspended “Beta” ({beta.sid}).", "level": "success", "tags": "success"}
    ]
    assert "accountChanged" in events
    # Delivered once: the next page does not show them again.
    later = owner_client.get(reverse("console:subaccount_list", args=[account.sid]))
    assert "Suspended “Beta”" not in later.content.decode()


@pytest.mark.django_db
def test_a_redirecting_htmx_answer_keeps_its_messages_for_the_next_page(owner_client):
    response = owner_client.post(
        reverse("console:account_list"), {"friendly_name": "Fresh"}, headers=HTMX
    )
    assert "HX-Redirect" in response and "showMessages" not in triggered(response)
    page = owner_client.get(response["HX-Redirect"]).content.decode()
    assert "Created account “Fresh”." in page and 'class="toast toast-success"' in page


@pytest.mark.django_db
def test_the_top_bar_refreshes_the_current_account_and_its_banners(owner_client, account, family):
    gamma = family["Gamma"]
    url = reverse("console:account_switcher", args=[gamma.sid]) + "?part=current"
    html = owner_client.get(url, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<span class="switcher-current" id="switcher-current"')
    assert 'id="topbar-account-name">Gamma</span>' in html
    assert 'hx-trigger="currentAccountChanged from:body"' in html
    assert 'id="account-banners" class="account-banners" hx-swap-oob="true"' in html
    assert "suspended" in html and "by support" in html


@pytest.mark.django_db
def test_the_accounts_page_searches_by_name_or_sid(owner_client, make_account, user, account):
    other = make_account(owner=user, friendly_name="Globex")
    url = reverse("console:account_list")
    by_name = owner_client.get(url, {"q": "glob"}).content.decode()
    assert other.sid in by_name and account.sid not in by_name and 'value="glob"' in by_name
    partial = owner_client.get(url, {"q": account.sid}, headers=HTMX).content.decode()
    assert partial.lstrip().startswith('<div id="account-results">')
    assert account.sid in partial and other.sid not in partial


@pytest.mark.django_db
def test_roles_are_chosen_with_what_each_may_do(owner_client, account, make_user):
    member = make_user()
    AccountMembership.objects.create(account=account, user=member, role=roles.SUPPORT)
    invite = owner_client.get(reverse("console:user_invite", args=[account.sid])).content
    users = owner_client.get(reverse("console:user_list", args=[account.sid])).content
    for html in (invite.decode(), users.decode()):
        for role in ROLES:
            assert roles.ROLE_DESCRIPTIONS[role] in html.replace("&#x27;", "'")


@pytest.mark.django_db
def test_every_console_response_carries_the_content_security_policy(owner_client, account):
    response = owner_client.get(reverse("console:account_dashboard", args=[account.sid]))
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    assert f'<script src="/static/django_htmx/htmx-2.min.js" nonce="{nonce}"' in html or (
        f'nonce="{nonce}"' in html and "htmx" in html
    )
    assert html.count(f'nonce="{nonce}"') >= 2
    for directive in ["default-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]:
        assert directive in policy
    assert "unsafe" not in policy


@pytest.mark.django_db
def test_the_dialog_forms_without_javascript_answer_a_refusal_with_their_whole_page(
    owner_client, account, org
):
    # (owner_client is not in the organization: its invite form is the account's.)
    cases = [
        (reverse("console:account_list"), {"friendly_name": "q" * 65}, "Create new account"),
        (
            reverse("console:subaccount_list", args=[account.sid]),
            {"friendly_name": "q" * 65},
            "Create subaccount",
        ),
        (
            reverse("console:user_list", args=[account.sid]),
            {"email": "not-an-email", "roles": ["developer"]},
            "Invite a user to Acme",
        ),
    ]
    for url, data, heading in cases:
        response = owner_client.post(url, data)
        html = response.content.decode()
        assert response.status_code == 422, url
        assert "<html" in html and f'id="modal-title">{heading}' in html, url
        typed = data.get("friendly_name") or data["email"]
        assert f'value="{typed}"' in html, url
        assert 'class="field-error"' in html, url
