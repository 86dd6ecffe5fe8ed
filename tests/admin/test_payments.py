"""Payments in the admin: support approves or declines a `manual` request; above the
four-eyes threshold a second, different staff member must approve; the requester's own
approval does not count; staff outside Support cannot decide."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import LedgerEntry, Payment
from accounts.services import payments as payment_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:accounts_payment_changelist"


@pytest.fixture(autouse=True)
def manual_backend(settings):
    settings.PAYMENTS_BACKEND = "manual"
    settings.PAYMENTS_FOUR_EYES_ABOVE = Decimal("500")


@pytest.fixture
def second_agent(make_user):
    person = make_user(email="agent2@example.com", is_staff=True)
    person.groups.add(Group.objects.get(name="Support"))
    return person


def request_funds(account, amount):
    return payment_services.payment_request(
        account=account, amount=amount, actor=Actor.for_user(account.owner)
    )


def act(client, action, payments, **extra):
    data = {"action": action, "_selected_action": [p.pk for p in payments], **extra}
    return client.post(reverse(CHANGELIST), data, follow=True)


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_support_sees_pending_payments(as_user, agent, account):
    payment = request_funds(account, "25")
    html = as_user(agent).get(reverse(CHANGELIST)).content.decode()
    assert payment.sid in html and account.friendly_name in html


def test_one_approval_adds_the_funds_below_the_threshold(as_user, agent, account):
    before = account.balance
    payment = request_funds(account, "25")

    response = act(as_user(agent), "approve_payments", [payment])

    payment.refresh_from_db()
    account.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert account.balance == before + Decimal("25")
    assert any("approved; $25.00 added" in words for words in said(response))
    assert LedgerEntry.objects.filter(account=account, amount=Decimal("25")).exists()


def test_above_the_threshold_two_different_agents_must_approve(
    as_user, agent, second_agent, account
):
    before = account.balance
    payment = request_funds(account, "600")

    first = act(as_user(agent), "approve_payments", [payment])
    payment.refresh_from_db()
    account.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and account.balance == before
    assert any("a second staff member must approve" in words for words in said(first))

    # The same agent again does not make two pairs of eyes.
    again = act(as_user(agent), "approve_payments", [payment])
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert any(payment.sid in words for words in said(again))

    act(as_user(second_agent), "approve_payments", [payment])
    payment.refresh_from_db()
    account.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert account.balance == before + Decimal("600")
    assert {payment.first_approver_id, payment.second_approver_id} == {
        agent.pk,
        second_agent.pk,
    }


def test_support_declines_with_a_reason(as_user, agent, account):
    before = account.balance
    payment = request_funds(account, "25")
    client = as_user(agent)

    asked = act(client, "decline_payments", [payment])
    assert "reason" in asked.content.decode()  # the form asks why first
    act(client, "decline_payments", [payment], apply="1", reason="No wire received")

    payment.refresh_from_db()
    account.refresh_from_db()
    assert payment.status == Payment.Status.DECLINED
    assert "No wire received" in payment.failure_message
    assert account.balance == before


def test_staff_outside_support_cannot_decide(as_user, make_user, account):
    outsider = make_user(email="staff@example.com", is_staff=True)
    payment = request_funds(account, "25")

    response = as_user(outsider).post(
        reverse(CHANGELIST), {"action": "approve_payments", "_selected_action": [payment.pk]}
    )

    payment.refresh_from_db()
    assert response.status_code in (302, 403)
    assert payment.status == Payment.Status.PENDING
