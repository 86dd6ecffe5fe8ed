"""Impact previews: what closing or a bulk status change would do, judged by the same rules
as the services."""

from decimal import Decimal

import pytest

from accounts import errors
from accounts.models import Account, AvailablePhoneNumber
from accounts.selectors import accounts as account_selectors
from accounts.services import accounts as account_services
from accounts.services import credentials
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor

SYSTEM = Actor.system()


@pytest.fixture
def family(account, make_subaccount):
    subs = [make_subaccount(account, name) for name in ["B", "A", "C"]]
    ledger_services.funds_add(account=account, amount="26.61", actor=SYSTEM, reason="t")
    Account.objects.filter(pk__in=[account.pk, *(s.pk for s in subs)]).update(type="Full")
    AvailablePhoneNumber.objects.bulk_create(
        AvailablePhoneNumber(phone_number=f"+1415555010{n}", friendly_name="n") for n in range(3)
    )
    number_services.number_buy(account=subs[0], phone_number="+14155550100", actor=SYSTEM)
    number_services.number_buy(account=account, phone_number="+14155550101", actor=SYSTEM)
    account_services.account_close(account=subs[2], actor=SYSTEM)
    account.refresh_from_db()
    for sub in subs:
        sub.refresh_from_db()
    return subs


@pytest.mark.django_db
def test_closing_a_main_account_closes_its_open_subaccounts_and_releases_every_number(
    account, user, family
):
    impact = account_selectors.close_impact(account=account, actor_user_id=user.pk)
    assert impact.changing == [account]
    assert [sub.friendly_name for sub in impact.cascading] == ["A", "B"]  # by name, open only
    assert impact.cascading_count == 2 and impact.affected_count == 3
    assert impact.number_count == 2
    assert [n.phone_number for n in impact.numbers] == ["+14155550100", "+14155550101"]
    assert impact.balance == Decimal("24.61")
    assert impact.keys == []  # no API keys stop working: there are none
    assert impact.refused == []


@pytest.mark.django_db
def test_only_the_owner_may_close_a_main_account_and_a_closed_one_cannot_close(
    account, make_user, family
):
    other = make_user()
    impact = account_selectors.close_impact(account=account, actor_user_id=other.pk)
    assert impact.changing == [] and impact.refused == [(errors.ONLY_OWNER_CAN_CLOSE, [account])]
    closed = family[2]
    impact = account_selectors.close_impact(account=closed)
    assert impact.refused == [(errors.ACCOUNT_CLOSED, [closed])]


@pytest.mark.django_db
def test_closing_a_subaccount_releases_its_own_numbers_and_leaves_the_balance_alone(
    account, family
):
    impact = account_selectors.close_impact(account=family[0])
    assert impact.changing == [family[0]] and impact.cascading == []
    assert impact.number_count == 1 and impact.balance is None


@pytest.mark.django_db
def test_a_bulk_preview_sorts_changes_no_ops_and_refusals(account, family):
    b, a, closed = family
    account_services.account_suspend(account=a, actor=SYSTEM)
    a.refresh_from_db()
    impact = account_selectors.status_change_impact(
        parent=account, subaccounts=[b, a, closed], action="suspend"
    )
    assert impact.changing == [b] and impact.unchanged == [a]
    assert impact.refused == [(errors.ACCOUNT_CLOSED, [closed])] and impact.refused_count == 1
    close = account_selectors.status_change_impact(
        parent=account, subaccounts=[b, a], action="close"
    )
    assert close.changing == [b, a] and close.number_count == 1


@pytest.mark.django_db
def test_under_a_suspended_parent_every_change_is_refused(account, family):
    account_services.account_suspend(account=account, actor=SYSTEM, source="support")
    subs = list(Account.objects.filter(parent=account).exclude(status="closed"))
    impact = account_selectors.status_change_impact(
        parent=Account.objects.get(pk=account.pk), subaccounts=subs, action="reactivate"
    )
    assert impact.changing == [] and impact.refused[0][0] == errors.PARENT_SUSPENDED


@pytest.mark.django_db
def test_the_selection_is_the_parents_subaccounts_only(
    account, make_account, make_subaccount, family
):
    stranger = make_subaccount(make_account(friendly_name="Other"), "Theirs")
    chosen = account_selectors.subaccount_selection(
        parent=account, sids=[family[0].sid, stranger.sid, "not-a-sid"]
    )
    assert list(chosen) == [family[0]]
    everything = account_selectors.subaccount_selection(
        parent=account, everything=True, status="active"
    )
    assert list(everything) == [family[0], family[1]]


@pytest.mark.django_db
def test_closing_lists_the_api_keys_of_the_account_and_its_subaccounts_that_stop_working(
    account, user, family
):
    mine, _secret = credentials.key_create(account=account, friendly_name="Deploys", actor=SYSTEM)
    theirs, _secret = credentials.key_create(account=family[0], friendly_name="B's", actor=SYSTEM)

    impact = account_selectors.close_impact(account=account, actor_user_id=user.pk)
    sub_impact = account_selectors.close_impact(account=family[1], actor_user_id=user.pk)

    assert {key.pk for key in impact.keys} == {mine.pk, theirs.pk}
    assert sub_impact.keys == []
