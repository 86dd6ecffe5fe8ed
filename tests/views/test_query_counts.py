"""Every list page of the console and every list of the API costs the same number of queries
however many rows it shows: each is measured with a few rows and with ten times as many, and
the count is pinned."""

import base64
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from accounts.models import AccountMembership, AvailablePhoneNumber, OrganizationMembership
from accounts.services import (
    accounts,
    credentials,
    invitations,
    ledger,
    numbers,
    organizations,
    payments,
    transfers,
    triggers,
    usage,
)
from accounts.services.events import Actor
from accounts.templatetags import memo

SYSTEM = Actor.system()
FEW, MANY = 3, 30


class Scene:
    def __init__(self, make_user):
        self.make_user = make_user
        self.owner = make_user(email="owner@example.com")
        self.main = accounts.account_create(
            owner=self.owner, friendly_name="Acme", actor=SYSTEM, type="Full"
        )
        ledger.funds_add(account=self.main, amount="1000", reason="Start", actor=SYSTEM)
        self.organization = organizations.organization_create(
            name="Acme Inc.", owner=self.owner, actor=SYSTEM
        )
        organizations.organization_update(
            organization=self.organization, account_limit=MANY + 10, actor=SYSTEM
        )
        self.serial = 0

    def next(self):
        self.serial += 1
        return self.serial


def add_subaccounts(scene, n):
    for _ in range(n):
        accounts.subaccount_create(
            parent=scene.main, friendly_name=f"Customer {scene.next()}", actor=SYSTEM
        )


def add_accounts(scene, n):
    for _ in range(n):
        main = accounts.account_create(
            owner=scene.make_user(), friendly_name=f"Shared {scene.next()}", actor=SYSTEM
        )
        AccountMembership.objects.create(account=main, user=scene.owner, role=roles.DEVELOPER)


def add_numbers(scene, n):
    for _ in range(n):
        phone_number = f"+1415555{scene.next():04d}"
        AvailablePhoneNumber.objects.create(phone_number=phone_number, friendly_name=phone_number)
        numbers.number_buy(account=scene.main, phone_number=phone_number, actor=SYSTEM)


def add_ledger_entries(scene, n):
    for _ in range(n):
        ledger.funds_add(
            account=scene.main, amount="1", reason=f"Top-up {scene.next()}", actor=SYSTEM
        )


def add_payments(scene, n):
    # The manual backend's requests wait for support: listed as pending.
    for _ in range(n):
        payments.payment_request(account=scene.main, amount="10", actor=SYSTEM)


def add_transfers(scene, n):
    for _ in range(n):
        sub = accounts.subaccount_create(
            parent=scene.main,
            friendly_name=f"Own {scene.next()}",
            own_balance=True,
            actor=SYSTEM,
        )
        transfers.balance_transfer(source=scene.main, target=sub, amount="2", actor=SYSTEM)


def add_usage(scene, n):
    for _ in range(n):
        sub = accounts.subaccount_create(
            parent=scene.main, friendly_name=f"User {scene.next()}", actor=SYSTEM
        )
        usage.usage_record(
            account=sub,
            category="sms",
            quantity=1,
            price="0.01",
            start_date=date.today().replace(day=1),
            end_date=date.today(),
            actor=SYSTEM,
        )


def add_users(scene, n):
    for _ in range(n):
        person = scene.make_user()
        AccountMembership.objects.create(account=scene.main, user=person, role=roles.DEVELOPER)
        AccountMembership.objects.create(account=scene.main, user=person, role=roles.SUPPORT)


def add_invitations(scene, n):
    for _ in range(n):
        invitations.invitation_create(
            email=f"invitee{scene.next()}@example.com",
            account=scene.main,
            roles_=[roles.DEVELOPER],
            base_url="http://testserver",
            actor=SYSTEM,
        )


def add_organizations(scene, n):
    for _ in range(n):
        organization = organizations.organization_create(
            name=f"Org {scene.next()}", owner=scene.make_user(), actor=SYSTEM
        )
        OrganizationMembership.objects.create(
            organization=organization, user=scene.owner, role="member"
        )


def add_organization_accounts(scene, n):
    for _ in range(n):
        organizations.organization_account_create(
            organization=scene.organization,
            friendly_name=f"Org account {scene.next()}",
            actor=Actor.for_user(scene.owner),
        )


def add_organization_members(scene, n):
    for _ in range(n):
        OrganizationMembership.objects.create(
            organization=scene.organization, user=scene.make_user(), role="member"
        )


def add_organization_invitations(scene, n):
    for _ in range(n):
        invitations.invitation_create(
            email=f"org{scene.next()}@example.com",
            organization=scene.organization,
            roles_=["member"],
            base_url="http://testserver",
            actor=SYSTEM,
        )


def add_keys(scene, n):
    for _ in range(n):
        credentials.key_create(
            account=scene.main, friendly_name=f"Key {scene.next()}", actor=SYSTEM
        )


def add_triggers(scene, n):
    for _ in range(n):
        triggers.usage_trigger_create(
            account=scene.main,
            callback_url="https://hooks.example.com/usage",
            trigger_value=str(100 + scene.next()),
            usage_category="sms",
            actor=SYSTEM,
        )


def add_events(scene, n):
    for _ in range(n):
        accounts.account_rename(
            account=scene.main, friendly_name=f"Acme {scene.next()}", actor=SYSTEM
        )


def console(name, *args):
    return lambda scene: reverse(name, args=[arg(scene) for arg in args])


MAIN = lambda scene: scene.main.sid  # noqa: E731
ORG = lambda scene: scene.organization.sid  # noqa: E731

CONSOLE_PAGES = [
    ("accounts", add_accounts, console("console:account_list"), {}, 5),
    ("switcher", add_accounts, console("console:account_switcher", MAIN), {}, 7),
    ("switcher subaccounts", add_subaccounts, console("console:account_switcher", MAIN), {}, 7),
    ("subaccounts", add_subaccounts, console("console:subaccount_list", MAIN), {}, 6),
    (
        "subaccount search",
        add_subaccounts,
        console("console:subaccount_list", MAIN),
        {"q": "Cust"},
        6,
    ),
    ("phone numbers", add_numbers, console("console:phone_number_list", MAIN), {}, 10),
    # Billing also lists payments, transfers and the subaccounts to transfer to.
    ("billing", add_ledger_entries, console("console:billing", MAIN), {}, 13),
    ("billing payments", add_payments, console("console:billing", MAIN), {}, 13),
    ("billing transfers", add_transfers, console("console:billing", MAIN), {}, 13),
    ("usage", add_usage, console("console:usage", MAIN), {}, 11),
    ("credentials", add_keys, console("console:credentials", MAIN), {}, 12),
    ("usage triggers", add_triggers, console("console:usage_trigger_list", MAIN), {}, 12),
    ("activity", add_events, console("console:activity", MAIN), {}, 10),
    ("users", add_users, console("console:user_list", MAIN), {}, 10),
    ("invitations", add_invitations, console("console:user_list", MAIN), {"tab": "invited"}, 10),
    ("organizations", add_organizations, console("organizations:organization_list"), {}, 8),
    (
        "organization accounts",
        add_organization_accounts,
        console("organizations:organization_accounts", ORG),
        {},
        10,
    ),
    (
        "organization members",
        add_organization_members,
        console("organizations:organization_members", ORG),
        {},
        10,
    ),
    (
        "organization invitations",
        add_organization_invitations,
        console("organizations:organization_members", ORG),
        {"tab": "invited"},
        10,
    ),
]


def count_queries(client, url, params, headers=None):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params, headers=headers or {})
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "seed, url, params, limit",
    [case[1:] for case in CONSOLE_PAGES],
    ids=[c[0] for c in CONSOLE_PAGES],
)
def test_a_console_list_page_costs_the_same_however_long_it_is(
    client, make_user, seed, url, params, limit
):
    scene = Scene(make_user)
    client.force_login(scene.owner)
    seed(scene, FEW)
    # A first visit remembers the account in the session (and records the session's last
    # use): later ones write nothing, and are what is compared.
    count_queries(client, url(scene), params)
    memo.forget_all()  # what is compared is the work of building the page, not remembering it
    few = count_queries(client, url(scene), params)
    seed(scene, MANY - FEW)
    many = count_queries(client, url(scene), params)
    # Never more for a longer list (the switcher asks for closed subaccounts only while the
    # open ones do not fill it, so a short list may cost one query more).
    assert many <= few
    assert few <= limit


def api_headers(account):
    token = base64.b64encode(f"{account.sid}:{account.auth_token}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


API_LISTS = [
    ("Keys.json", add_keys, lambda scene: f"/2010-04-01/Accounts/{scene.main.sid}/Keys.json", 3),
    (
        "Usage/Triggers.json",
        add_triggers,
        lambda scene: f"/2010-04-01/Accounts/{scene.main.sid}/Usage/Triggers.json",
        4,
    ),
    ("/v1/Events", add_events, lambda scene: "/v1/Events", 3),
    ("Accounts.json", add_subaccounts, lambda scene: "/2010-04-01/Accounts.json", 2),
    (
        "IncomingPhoneNumbers.json",
        add_numbers,
        lambda scene: f"/2010-04-01/Accounts/{scene.main.sid}/IncomingPhoneNumbers.json",
        3,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "seed, url, limit", [case[1:] for case in API_LISTS], ids=[c[0] for c in API_LISTS]
)
def test_an_api_list_costs_the_same_however_long_it_is(client, make_user, seed, url, limit):
    scene = Scene(make_user)
    headers = api_headers(scene.main)
    seed(scene, FEW)
    few = count_queries(client, url(scene), {"PageSize": 50}, headers)
    seed(scene, MANY - FEW)
    many = count_queries(client, url(scene), {"PageSize": 50}, headers)
    assert many == few
    assert many <= limit
