"""The console's money pages: Add funds (both backends), Upgrade, transfers, the Settings
page's automatic deletion, and who may do what (payments:write, subaccounts never see the
parent's billing, other accounts are 404)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import roles
from accounts.models import Account, BalanceTransfer, LedgerEntry, Payment
from accounts.services import deletion as deletion_services
from accounts.services import transfers as transfer_services
from accounts.services.events import Actor
from accounts.services.trials import TRIAL_CREDIT_REMOVED

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
BILLING = {
    "contact_name": "Ada Payer",
    "contact_email": "billing@example.com",
    "address_line1": "1 Market St",
    "city": "Oakland",
    "region": "CA",
    "postal_code": "94607",
    "country": "US",
}


def url(name, account, *args):
    return reverse(f"console:{name}", args=[account.sid, *args])


@pytest.fixture
def test_backend(settings):
    settings.PAYMENTS_BACKEND = "test"


@pytest.fixture
def manual_backend(settings):
    settings.PAYMENTS_BACKEND = "manual"


def test_the_owner_adds_test_money(test_backend, owner_client, account):
    before = account.balance
    assert owner_client.get(url("funds_add", account)).status_code == 200

    response = owner_client.post(url("funds_add", account), {"amount": "25"}, follow=True)

    account.refresh_from_db()
    assert account.balance == before + Decimal("25")
    html = response.content.decode()
    assert "Added $25.00 to the balance. Test money: no one was charged." in html
    assert "Test money" in html
    assert LedgerEntry.objects.get(account=account, amount=Decimal("25")).test_money


def test_a_manual_request_waits_for_support(manual_backend, owner_client, account):
    before = account.balance

    response = owner_client.post(url("funds_add", account), {"amount": "25"}, follow=True)

    account.refresh_from_db()
    assert account.balance == before
    html = response.content.decode()
    assert "waiting for support's approval" in html
    assert Payment.objects.get(account=account).status == Payment.Status.PENDING
    # Billing says so beside the balance, not only in the message that fades.
    again = owner_client.get(url("billing", account)).content.decode()
    assert re.search(r'id="payments-waiting">\$25\.00 more is waiting for support', again)


def test_add_funds_says_what_the_backend_does(settings, owner_client, account, as_user, trial):
    settings.PAYMENTS_BACKEND = "test"
    page = owner_client.get(url("funds_add", account)).content.decode()
    assert "the money arrives at once, marked as test money. No one is charged." in page
    settings.PAYMENTS_BACKEND = "manual"
    page = owner_client.get(url("funds_add", account)).content.decode()
    assert "Support approves each payment before the balance changes" in page
    upgrade = as_user(trial.owner).get(url("account_upgrade", trial)).content.decode()
    assert "Support approves each payment before the balance changes" in upgrade


@pytest.mark.parametrize("amount", ["0", "-5", "1000000", "abc"])
def test_an_amount_out_of_bounds_is_refused(test_backend, owner_client, account, amount):
    before = account.balance
    response = owner_client.post(url("funds_add", account), {"amount": amount})
    assert response.status_code == 422
    account.refresh_from_db()
    assert account.balance == before


def test_a_billing_manager_adds_funds_a_developer_does_not(
    test_backend, as_user, account, make_member
):
    manager = make_member(account, roles.BILLING_MANAGER)
    developer = make_member(account, roles.DEVELOPER)

    assert as_user(developer).post(url("funds_add", account), {"amount": "5"}).status_code == 403
    html = as_user(developer).get(url("billing", account)).content.decode()
    assert url("funds_add", account) not in html
    assert as_user(manager).post(url("funds_add", account), {"amount": "5"}).status_code == 302
    assert Payment.objects.filter(account=account).count() == 1


def test_subaccounts_and_other_accounts_have_no_payments(
    test_backend, owner_client, as_user, account, make_subaccount, make_account, make_member
):
    sub = make_subaccount(account)
    assert owner_client.get(url("funds_add", sub)).status_code == 404
    stranger = make_account(friendly_name="Globex")
    assert owner_client.get(url("funds_add", stranger)).status_code == 404
    assert owner_client.post(url("account_upgrade", stranger), BILLING).status_code == 404
    # A user of the subaccount only never sees the parent's billing.
    sub_user = make_member(sub, roles.ADMINISTRATOR)
    client = as_user(sub_user)
    assert client.get(url("billing", account)).status_code == 404
    assert client.get(url("funds_add", account)).status_code == 404
    html = client.get(url("billing", sub)).content.decode()
    assert account.sid not in html


def test_upgrade_from_the_trial_dashboard(test_backend, as_user, trial):
    client = as_user(trial.owner)
    dashboard = client.get(url("account_dashboard", trial)).content.decode()
    assert url("account_upgrade", trial) in dashboard and "$15.50" in dashboard
    # Add funds on a trial account leads to the upgrade.
    assert client.get(url("funds_add", trial))["Location"] == url("account_upgrade", trial)

    response = client.post(
        url("account_upgrade", trial), BILLING | {"first_payment": "20"}, follow=True
    )

    trial.refresh_from_db()
    assert trial.type == Account.Type.FULL
    assert trial.balance == Decimal("20")
    assert response.redirect_chain[-1][0] == url("account_dashboard", trial)
    assert "Upgraded to Full" in response.content.decode()
    removed = LedgerEntry.objects.get(account=trial, description=TRIAL_CREDIT_REMOVED)
    assert removed.amount == Decimal("-15.50")
    assert url("account_upgrade", trial) not in client.get(url("billing", trial)).content.decode()


def test_an_upgrade_needs_the_billing_details(test_backend, as_user, trial):
    response = as_user(trial.owner).post(
        url("account_upgrade", trial), BILLING | {"city": "", "first_payment": "20"}
    )
    assert response.status_code == 422
    trial.refresh_from_db()
    assert trial.type == Account.Type.TRIAL
    # Above the form, what is wrong and a link to it; beside the field, the same words.
    html = response.content.decode()
    summary = re.search(
        r'<div class="alert alert-error" id="upgrade-errors">(.*?)</div>', html, re.S
    )
    assert "Nothing was paid" in summary.group(1)
    assert '<a href="#id_city">City</a>: Enter the city.' in summary.group(1)
    assert 'aria-describedby="id_city_error"' in html and 'id="id_city_error"' in html
    assert not Payment.objects.exists()


def test_a_transfer_and_its_reversal_from_the_console(owner_client, funded, make_subaccount):
    sub = make_subaccount(funded, "Own", own_balance=True)
    data = {
        "subaccount": sub.sid,
        "direction": "to_subaccount",
        "amount": "5",
        "idempotency_key": "k1",
    }

    owner_client.post(url("balance_transfer", funded), data)
    owner_client.post(url("balance_transfer", funded), data)  # a double submit moves it once

    sub.refresh_from_db()
    funded.refresh_from_db()
    assert (sub.balance, funded.balance) == (Decimal("5"), Decimal("15"))
    transfer = BalanceTransfer.objects.get()
    html = owner_client.get(url("billing", sub)).content.decode()
    assert transfer.sid in html
    owner_client.post(url("balance_transfer_reverse", funded, transfer.sid), {})
    sub.refresh_from_db()
    assert sub.balance == 0
    assert BalanceTransfer.objects.filter(reverses=transfer).exists()


def test_a_transfer_the_source_cannot_pay_is_refused(owner_client, funded, make_subaccount):
    sub = make_subaccount(funded, "Own", own_balance=True)
    data = {"subaccount": sub.sid, "direction": "to_subaccount", "amount": "500"}
    response = owner_client.post(url("balance_transfer", funded), data)
    assert response.status_code == 422
    assert not BalanceTransfer.objects.exists()


def test_settings_show_the_choice_and_when_each_closed_subaccount_goes(
    owner_client, account, make_subaccount
):
    sub = make_subaccount(account, "Gone soon")
    transfer_services.account_close(account=sub, actor=SYSTEM)
    sub.refresh_from_db()
    html = owner_client.get(url("account_settings", account)).content.decode()
    assert "Keep closed subaccounts" in html and "Gone soon" in html
    assert (sub.date_closed + datetime.timedelta(days=30)).strftime("%b %-d, %Y") in html

    owner_client.post(url("account_auto_deletion", account), {"delete_closed_subaccounts": ""})
    account.refresh_from_db()
    assert not account.delete_closed_subaccounts


def test_a_deleted_subaccount_is_404_in_the_console(owner_client, account, make_subaccount):
    sub = make_subaccount(account, "Gone")
    transfer_services.account_close(account=sub, actor=SYSTEM)
    sub.refresh_from_db()
    deletion_services.subaccount_delete(subaccount=sub, actor=SYSTEM)
    assert owner_client.get(url("account_dashboard", sub)).status_code == 404
    assert owner_client.get(url("billing", sub)).status_code == 404
    assert "Gone" not in owner_client.get(url("subaccount_list", account)).content.decode()


def test_a_transfer_with_a_deleted_subaccount_shows_so_and_cannot_be_reversed(
    owner_client, funded, make_subaccount
):
    kept = make_subaccount(funded, "Kept", own_balance=True)
    gone = make_subaccount(funded, "Gone", own_balance=True)
    to_kept = transfer_services.balance_transfer(
        source=funded, target=kept, amount="2", actor=SYSTEM
    )
    to_gone = transfer_services.balance_transfer(
        source=funded, target=gone, amount="3", actor=SYSTEM
    )
    # Closing it moves its balance back to the parent; then it may be deleted.
    transfer_services.account_close(account=gone, actor=SYSTEM)
    deletion_services.subaccount_delete(subaccount=Account.objects.get(pk=gone.pk), actor=SYSTEM)

    html = owner_client.get(url("billing", funded)).content.decode()

    def row(transfer):
        return re.search(rf'<tr id="transfer-{transfer.sid}">(.*?)</tr>', html, re.S).group(1)

    assert "Gone" in row(to_gone) and "(deleted)" in row(to_gone)
    assert "Reverse…" not in row(to_gone)
    assert "Kept" in row(to_kept) and "(deleted)" not in row(to_kept)
    assert "Reverse…" in row(to_kept)
