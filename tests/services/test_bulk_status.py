"""Bulk status changes: the per-subaccount service for each, in primary-key order, each in its
own transaction with its own events, so one refusal undoes nothing and stops nothing."""

import pytest

from accounts import errors
from accounts.models import Event
from accounts.services import accounts as account_services
from accounts.services.events import Actor, service_transaction

SYSTEM = Actor.system()


@pytest.fixture
def subs(account, make_subaccount):
    made = [make_subaccount(account, name) for name in ["One", "Two", "Three", "Four"]]
    account_services.account_suspend(account=made[1], actor=SYSTEM, source="support")
    account_services.account_close(account=made[3], actor=SYSTEM)
    for sub in made:
        sub.refresh_from_db()
    return made


@pytest.mark.django_db
def test_each_is_changed_or_refused_on_its_own(account, user, subs):
    one, two, three, four = subs
    actor = Actor.for_user(user)
    before = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    result = account_services.subaccounts_status_set_each(
        parent=account,
        subaccounts=[four, three, two, one],
        action="suspend",
        actor=actor,
        reason="Audit",
    )
    assert [sub.sid for sub in result.done] == [one.sid, three.sid]  # primary-key order
    assert [(sub.sid, why) for sub, why in result.refused] == [
        (two.sid, errors.SUSPENDED_BY_SUPPORT),
        (four.sid, errors.ACCOUNT_CLOSED),
    ]
    for sub in (one, three):
        sub.refresh_from_db()
        assert sub.status == "suspended"
    # One event per change, none for the refusals, each with who asked and why.
    events = Event.objects.filter(id__gt=before).order_by("id")
    assert [event.resource_sid for event in events] == [one.sid, three.sid]
    assert all(
        event.actor_user == user and event.event_data["reason"] == "Audit" for event in events
    )


@pytest.mark.django_db
def test_what_already_is_so_is_reported_unchanged_and_records_nothing(account, subs):
    one, two, three, _four = subs
    account_services.account_suspend(account=three, actor=SYSTEM)
    three.refresh_from_db()
    before = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    result = account_services.subaccounts_status_set_each(
        parent=account, subaccounts=[one, three], action="suspend", actor=SYSTEM
    )
    assert [sub.sid for sub in result.done] == [one.sid]
    assert [sub.sid for sub in result.unchanged] == [three.sid]
    assert Event.objects.filter(id__gt=before).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_refusal_does_not_undo_the_changes_before_it(account, subs):
    """Not one transaction: each subaccount's change is committed when its service returns."""
    one, two, three, four = subs
    result = account_services.subaccounts_status_set_each(
        parent=account, subaccounts=[one, two, three, four], action="close", actor=SYSTEM
    )
    assert {sub.sid for sub in result.done} == {one.sid, three.sid}
    assert {sub.sid: why for sub, why in result.refused} == {
        two.sid: errors.SUSPENDED_BY_SUPPORT,  # support's suspension holds until support lifts it
        four.sid: errors.ACCOUNT_CLOSED,
    }
    one.refresh_from_db()
    three.refresh_from_db()
    assert one.status == three.status == "closed"


@pytest.mark.django_db
def test_another_parents_subaccount_is_refused_outright(account, make_account, make_subaccount):
    stranger = make_subaccount(make_account(friendly_name="Other"), "Theirs")
    with pytest.raises(errors.NotPermitted):
        account_services.subaccounts_status_set_each(
            parent=account, subaccounts=[stranger], action="close", actor=SYSTEM
        )
    stranger.refresh_from_db()
    assert stranger.status == "active"


@pytest.mark.django_db
def test_it_refuses_to_run_inside_a_service(account, subs):
    with pytest.raises(RuntimeError), service_transaction():
        account_services.subaccounts_status_set_each(
            parent=account, subaccounts=subs[:1], action="suspend", actor=SYSTEM
        )
