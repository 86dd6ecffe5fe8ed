"""Trial accounts: the trial credit of a sign-up, one subaccount, one number across the
family and none on its subaccount, no own balances, and the upgrade that lifts the limits and
removes what is left of the credit (Twilio's rules)."""

from decimal import Decimal

import pytest

from accounts import errors
from accounts.models import Account, IncomingPhoneNumber, LedgerEntry
from accounts.selectors.ledger import ledger_differences, trial_credit_remaining
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services import transfers as transfer_services
from accounts.services import trials as trial_services
from accounts.services import users as user_services
from accounts.services.events import Actor
from tests.conftest import DEFAULT_PASSWORD
from tests.factories import UsageRecordFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()


def refresh(*accounts):
    for account in accounts:
        account.refresh_from_db()
    return accounts[0]


def buy(account, number="+14155550100"):
    return number_services.number_buy(account=account, phone_number=number, actor=SYSTEM)


# The trial credit.


def test_signing_up_gives_a_trial_account_with_the_trial_credit_in_one_entry():
    user, account = user_services.user_sign_up(
        email="new@example.com", password=DEFAULT_PASSWORD, account_name="Mine", actor=SYSTEM
    )

    assert account.type == Account.Type.TRIAL
    assert refresh(account).balance == Decimal("15.50")
    (entry,) = LedgerEntry.objects.filter(paying_account=account)
    assert (entry.kind, entry.amount, entry.description) == ("trial_credit", 15.5, "Trial credit")
    assert entry.get_kind_display() == "Trial credit"
    assert ledger_differences() == []


def test_the_trial_credit_is_a_setting(settings):
    settings.TRIAL_CREDIT = Decimal("5.00")
    _user, account = user_services.user_sign_up(
        email="five@example.com", password=DEFAULT_PASSWORD, account_name="Mine", actor=SYSTEM
    )
    assert refresh(account).balance == Decimal("5.00")

    settings.TRIAL_CREDIT = Decimal("0")
    _user, none = user_services.user_sign_up(
        email="none@example.com", password=DEFAULT_PASSWORD, account_name="Mine", actor=SYSTEM
    )
    assert refresh(none).balance == 0
    assert not LedgerEntry.objects.filter(paying_account=none).exists()


def test_the_trial_credit_is_given_once(trial):
    again = trial_services.trial_credit_grant(account=trial, actor=SYSTEM)

    assert refresh(trial).balance == Decimal("15.50")
    assert LedgerEntry.objects.filter(paying_account=trial).count() == 1
    assert again.kind == "trial_credit"


def test_more_accounts_created_in_the_console_are_trial_without_credit(user):
    account = account_services.account_create(owner=user, friendly_name="Second", actor=SYSTEM)
    assert account.type == Account.Type.TRIAL
    assert refresh(account).balance == 0


# One subaccount.


def test_a_trial_account_may_have_one_open_subaccount(trial, make_subaccount):
    first = make_subaccount(trial, "First")

    with pytest.raises(errors.SubaccountLimitReached) as refusal:
        make_subaccount(trial, "Second")

    assert refusal.value.code == 21480
    assert refusal.value.message == errors.TRIAL_SUBACCOUNT_LIMIT_REACHED
    assert trial.subaccount_limit_in_force == 1
    # A closed one does not count.
    account_services.account_close(account=first, actor=SYSTEM)
    make_subaccount(trial, "Second")
    assert Account.objects.subaccounts_of(trial).open().count() == 1


def test_a_full_account_keeps_its_subaccount_limit(account, make_subaccount):
    make_subaccount(account, "First")
    make_subaccount(account, "Second")
    assert account.subaccount_limit_in_force == 1000


def test_a_trial_accounts_subaccount_is_trial_and_shares_its_balance(trial, make_subaccount):
    sub = make_subaccount(trial)
    assert sub.type == Account.Type.TRIAL
    assert sub.shared_balance == Decimal("15.50")


# Numbers.


def test_a_trial_subaccount_cannot_buy_a_number(stock, trial, make_subaccount):
    sub = make_subaccount(trial)

    with pytest.raises(errors.TrialRestriction) as refusal:
        buy(sub)

    assert refusal.value.code == 10002
    assert refusal.value.message == errors.TRIAL_SUBACCOUNT_NUMBERS
    assert not IncomingPhoneNumber.objects.exists()
    assert refresh(trial).balance == Decimal("15.50")


def test_the_one_number_counts_across_the_trial_family(stock, trial, make_subaccount):
    make_subaccount(trial)
    number = buy(trial)

    with pytest.raises(errors.TrialNumberLimit) as refusal:
        buy(trial, "+14155550101")
    assert refusal.value.code == 21404

    # Released, it frees the place.
    number_services.number_release(number=number, actor=SYSTEM)
    buy(trial, "+14155550101")


def test_a_trial_family_cannot_move_its_number_to_its_subaccount(stock, trial, make_subaccount):
    sub = make_subaccount(trial)
    number = buy(trial)

    with pytest.raises(errors.TrialRestriction) as refusal:
        number_services.number_transfer(
            number=number, target=sub, acting_account=trial, actor=SYSTEM
        )

    assert refusal.value.code == 10002
    assert IncomingPhoneNumber.objects.get(pk=number.pk).account == trial


# Own balances are for Full accounts.


def test_a_trial_accounts_subaccount_cannot_have_its_own_balance(trial, make_subaccount):
    with pytest.raises(errors.TrialRestriction) as refusal:
        make_subaccount(trial, "Own", own_balance=True)
    assert refusal.value.message == errors.TRIAL_OWN_BALANCE

    sub = make_subaccount(trial, "Shared")
    with pytest.raises(errors.TrialRestriction):
        transfer_services.subaccount_balance_separate(subaccount=sub, actor=SYSTEM)
    assert not refresh(sub).own_balance


# Upgrading.


def test_upgrading_makes_the_family_full_and_lifts_the_limits(
    stock, trial, make_subaccount, make_user
):
    sub = make_subaccount(trial)
    staff = make_user(is_staff=True)

    trial_services.account_upgrade(account=sub, actor=Actor.for_support(staff))

    refresh(trial, sub)
    assert (trial.type, sub.type) == (Account.Type.FULL, Account.Type.FULL)
    make_subaccount(trial, "Second")
    trial.refresh_from_db()
    ledger_services.funds_add(account=trial, amount="10", actor=SYSTEM, reason="Top-up")
    buy(trial)
    buy(trial, "+14155550101")
    buy(sub, "+14155550102")
    assert IncomingPhoneNumber.objects.count() == 3


def test_upgrading_removes_what_is_left_of_the_trial_credit(trial):
    UsageRecordFactory(account=trial, price="3.25")
    assert trial_credit_remaining(refresh(trial)) == Decimal("12.25")

    trial_services.account_upgrade(account=trial, actor=SYSTEM)

    refresh(trial)
    assert trial.balance == 0
    removal = LedgerEntry.objects.filter(paying_account=trial).first()
    assert (removal.kind, removal.amount) == ("trial_credit", Decimal("-12.25"))
    assert removal.description == trial_services.TRIAL_CREDIT_REMOVED
    # Removing the credit is not a charge: the account is not suspended at $0.
    assert trial.status == Account.Status.ACTIVE
    assert ledger_differences() == []


def test_the_trial_credit_is_spent_first(trial):
    """Funds support added during the trial stay when it is upgraded; the credit went first."""
    ledger_services.funds_add(account=trial, amount="10", actor=SYSTEM, reason="Goodwill")
    UsageRecordFactory(account=trial, price="20")  # 15.50 credit spent, then 4.50 of the 10

    assert trial_credit_remaining(refresh(trial)) == 0
    trial_services.account_upgrade(account=trial, actor=SYSTEM)
    assert refresh(trial).balance == Decimal("5.50")


def test_an_account_upgraded_twice_changes_nothing_more(trial):
    trial_services.account_upgrade(account=trial, actor=SYSTEM)
    entries = LedgerEntry.objects.count()

    trial_services.account_upgrade(account=trial, actor=SYSTEM)

    assert LedgerEntry.objects.count() == entries
    assert refresh(trial).type == Account.Type.FULL


def test_a_closed_account_cannot_be_upgraded(trial):
    account_services.account_close(account=trial, actor=Actor.for_user(trial.owner))
    with pytest.raises(errors.AccountClosed):
        trial_services.account_upgrade(account=trial, actor=SYSTEM)
