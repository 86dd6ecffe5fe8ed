"""Phone numbers: buying from the inventory, releasing, transfers within a family."""

from decimal import Decimal

import pytest

from accounts import errors
from accounts.models import AvailablePhoneNumber, IncomingPhoneNumber
from accounts.services import accounts as account_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor
from tests.factories import SubaccountFactory
from tests.races import run_at_once, split


@pytest.mark.django_db
def test_buying_takes_the_number_out_of_stock_and_charges_the_first_month(stock, funded, user):
    number = number_services.number_buy(
        account=funded, phone_number="+14155550100", actor=Actor.for_user(user)
    )
    assert number.sid.startswith("PN") and len(number.sid) == 34
    assert number.account == funded and number.friendly_name == "(415) 555-0100"
    assert not AvailablePhoneNumber.objects.filter(phone_number="+14155550100").exists()
    funded.refresh_from_db()
    assert funded.balance == Decimal("18.85")
    assert funded.ledger_entries.first().description == "Phone number +14155550100: first month"


@pytest.mark.django_db
def test_a_subaccounts_number_is_paid_from_the_parent(stock, funded, make_subaccount, user):
    sub = make_subaccount(funded)
    number = number_services.number_buy(
        account=sub, phone_number="+14155550101", actor=Actor.for_user(user)
    )
    assert number.account == sub
    funded.refresh_from_db()
    assert funded.balance == Decimal("18.85")


@pytest.mark.django_db
def test_a_number_cannot_be_bought_twice(stock, funded, make_subaccount):
    number_services.number_buy(account=funded, phone_number="+14155550100", actor=Actor.system())
    with pytest.raises(errors.NumberError) as refusal:
        number_services.number_buy(
            account=make_subaccount(funded), phone_number="+14155550100", actor=Actor.system()
        )
    assert "is not available" in refusal.value.message


@pytest.mark.django_db
def test_buying_needs_funds(stock, account):
    with pytest.raises(errors.BillingError) as refusal:
        number_services.number_buy(
            account=account, phone_number="+14155550100", actor=Actor.system()
        )
    assert "Add funds first" in refusal.value.message
    assert AvailablePhoneNumber.objects.filter(phone_number="+14155550100").exists()
    assert not IncomingPhoneNumber.objects.exists()


@pytest.mark.django_db
def test_a_trial_account_holds_only_one_number(stock, trial):
    number_services.number_buy(account=trial, phone_number="+14155550100", actor=Actor.system())
    with pytest.raises(errors.NumberError) as refusal:
        number_services.number_buy(account=trial, phone_number="+14155550101", actor=Actor.system())
    assert refusal.value.message == errors.TRIAL_NUMBER_LIMIT


@pytest.mark.django_db
def test_a_suspended_account_cannot_buy(stock, funded, make_subaccount, user):
    sub = make_subaccount(funded)
    account_services.account_suspend(account=sub, actor=Actor.for_user(user))
    with pytest.raises(errors.NumberError) as refusal:
        number_services.number_buy(account=sub, phone_number="+14155550100", actor=Actor.system())
    assert refusal.value.message == errors.ACCOUNT_NOT_ACTIVE_FOR_NUMBERS


@pytest.mark.django_db
def test_releasing_frees_the_number(stock, funded):
    number = number_services.number_buy(
        account=funded, phone_number="+14155550100", actor=Actor.system()
    )
    number_services.number_release(number=number, actor=Actor.system())
    number.refresh_from_db()
    assert number.released_at is not None
    assert AvailablePhoneNumber.objects.filter(phone_number="+14155550100").exists()
    again = number_services.number_buy(
        account=funded, phone_number="+14155550100", actor=Actor.system()
    )
    assert again.sid != number.sid  # SIDs are never reused
    with pytest.raises(errors.NumberError):
        number_services.number_release(number=number, actor=Actor.system())


@pytest.mark.django_db
def test_closing_an_account_releases_its_numbers_and_its_subaccounts(
    stock, funded, make_subaccount, user
):
    sub = make_subaccount(funded)
    other_sub = make_subaccount(funded)
    number_services.number_buy(account=sub, phone_number="+14155550100", actor=Actor.system())
    kept = number_services.number_buy(
        account=other_sub, phone_number="+14155550101", actor=Actor.system()
    )
    account_services.account_close(account=sub, actor=Actor.for_user(user))
    assert not sub.phone_numbers.filter(released_at__isnull=True).exists()
    kept.refresh_from_db()
    assert kept.released_at is None
    number_services.number_buy(account=funded, phone_number="+14155550102", actor=Actor.system())
    account_services.account_close(account=funded, actor=Actor.for_user(user))
    assert not IncomingPhoneNumber.objects.filter(released_at__isnull=True).exists()
    assert AvailablePhoneNumber.objects.count() == 11  # the whole stock again


@pytest.mark.django_db
def test_transfers_within_a_family(stock, funded, make_subaccount):
    first = make_subaccount(funded, "First")
    second = make_subaccount(funded, "Second")
    number = number_services.number_buy(
        account=first, phone_number="+14155550100", actor=Actor.system()
    )
    number_services.number_transfer(
        number=number, target=second, acting_account=funded, actor=Actor.system()
    )
    assert IncomingPhoneNumber.objects.get(pk=number.pk).account == second
    number_services.number_transfer(
        number=number, target=funded, acting_account=funded, actor=Actor.system()
    )
    assert IncomingPhoneNumber.objects.get(pk=number.pk).account == funded
    number_services.number_transfer(
        number=number, target=first, acting_account=funded, actor=Actor.system()
    )
    assert IncomingPhoneNumber.objects.get(pk=number.pk).account == first


@pytest.mark.django_db
def test_transfer_refusals(stock, funded, make_subaccount, make_account, user):
    sub = make_subaccount(funded, "Holder")
    closed = make_subaccount(funded, "Closed")
    account_services.account_close(account=closed, actor=Actor.for_user(user))
    stranger = make_account(friendly_name="Unrelated")
    number = number_services.number_buy(
        account=sub, phone_number="+14155550100", actor=Actor.system()
    )
    with pytest.raises(errors.TransferTargetUnrelated) as unrelated:
        number_services.number_transfer(
            number=number, target=stranger, acting_account=funded, actor=Actor.system()
        )
    assert unrelated.value.code == 21473
    with pytest.raises(errors.TransferTargetNotActive) as inactive:
        number_services.number_transfer(
            number=number, target=closed, acting_account=funded, actor=Actor.system()
        )
    assert inactive.value.code == 21472
    with pytest.raises(errors.TransferNotByParent) as not_parent:
        number_services.number_transfer(
            number=number, target=funded, acting_account=sub, actor=Actor.system()
        )
    assert not_parent.value.code == 21474
    assert IncomingPhoneNumber.objects.get(pk=number.pk).account == sub


@pytest.mark.django_db
def test_number_refusals_carry_twilios_codes(stock, funded, make_subaccount, user):
    number_services.number_buy(account=funded, phone_number="+14155550100", actor=Actor.system())
    with pytest.raises(errors.NumberNotAvailable) as taken:
        number_services.number_buy(
            account=funded, phone_number="+14155550100", actor=Actor.system()
        )
    assert taken.value.code == 21422
    sub = make_subaccount(funded)
    account_services.account_suspend(account=sub, actor=Actor.for_user(user))
    with pytest.raises(errors.AccountNotActiveForNumbers) as inactive:
        number_services.number_buy(account=sub, phone_number="+14155550101", actor=Actor.system())
    assert inactive.value.code == 20005


# Races (PostgreSQL).


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_number_bought_by_many_at_once_goes_to_exactly_one(postgres_only, stock, funded):
    parent = funded
    SubaccountFactory.bulk(parent, 10, name="Sub {n}", type="Full")
    outcomes = run_at_once(
        *[
            lambda sub=sub: number_services.number_buy(
                account=sub, phone_number="+14155550100", actor=Actor.system()
            )
            for sub in parent.subaccounts.all()
        ]
    )
    bought, refused = split(outcomes, errors.NumberError)
    assert len(bought) == 1 and len(refused) == 9
    assert IncomingPhoneNumber.objects.filter(released_at__isnull=True).count() == 1
    parent.refresh_from_db()
    assert parent.balance == Decimal("20") - Decimal("1.15")
