"""Payments through the backends: the `test` backend (test money), the `manual` one (support
approves, two staff members above the four-eyes threshold, or declines), an operator's own
backend that declines or breaks; amounts within bounds; the upgrade's first payment; and
auto-recharge, once per crossing, with a notice when it fails."""

from decimal import Decimal

import pytest
from django.core import mail

from accounts import errors
from accounts.models import Account, Event, LedgerEntry, Payment
from accounts.selectors import ledger as ledger_selectors
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import payments as payment_services
from accounts.services.events import Actor
from tests import payments_support
from tests.factories import UsageRecordFactory
from tests.races import run_at_once, split

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
BILLING = {
    "contact_name": "Ada Payer",
    "contact_email": "billing@example.com",
    "address_line1": "1 Market St",
    "city": "Oakland",
    "region": "CA",
    "postal_code": "94607",
    "country": "us",
}


@pytest.fixture
def test_backend(settings):
    settings.PAYMENTS_BACKEND = "test"


@pytest.fixture
def manual_backend(settings):
    settings.PAYMENTS_BACKEND = "manual"


@pytest.fixture
def staff(make_user):
    return [make_user(email=f"staff{n}@example.com", is_staff=True) for n in range(2)]


def support(user):
    return Actor.for_support(user)


def refresh(account):
    account.refresh_from_db()
    return account


def request_funds(account, amount="25", key=None, actor=None):
    return payment_services.payment_request(
        account=account,
        amount=amount,
        actor=actor or Actor.for_user(account.owner),
        idempotency_key=key,
    )


# The test backend (development).


def test_the_test_backend_adds_funds_at_once_as_test_money(test_backend, account):
    payment = request_funds(account, "25")

    assert payment.status == Payment.Status.SUCCEEDED
    assert refresh(account).balance == Decimal("25")
    entry = payment.ledger_entry
    assert entry.test_money and entry.kind == LedgerEntry.Kind.FUNDS_ADDED
    assert "test money" in entry.description
    assert payment.test_money and payment.backend == "test"
    assert Event.objects.filter(event_type="payment.created", resource_sid=payment.sid).exists()
    assert ledger_selectors.ledger_differences() == []


def test_a_retried_request_with_the_same_key_pays_once(settings, account):
    settings.PAYMENTS_BACKEND = "tests.payments_support.CountingBackend"
    payments_support.CHARGED.clear()

    first = request_funds(account, "25", key="click-1")
    again = request_funds(account, "25", key="click-1")

    assert first.pk == again.pk
    assert payments_support.CHARGED == [first.sid]
    assert refresh(account).balance == Decimal("25")
    assert first.reference == "ch-1" and not first.ledger_entry.test_money


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("4.99", errors.PAYMENT_AMOUNT_RANGE.format(minimum="5.00", maximum="10,000.00")),
        ("10000.01", errors.PAYMENT_AMOUNT_RANGE.format(minimum="5.00", maximum="10,000.00")),
        ("12.345", errors.PAYMENT_AMOUNT_CENTS),
        ("-5", errors.PAYMENT_AMOUNT_RANGE.format(minimum="5.00", maximum="10,000.00")),
        ("lots", errors.AMOUNT_NOT_A_NUMBER),
    ],
)
def test_an_amount_out_of_bounds_is_refused(test_backend, account, amount, message):
    with pytest.raises(errors.BillingError) as refusal:
        request_funds(account, amount)
    assert refusal.value.message == message
    assert not Payment.objects.exists()


def test_the_bounds_are_settings(test_backend, settings, account):
    settings.PAYMENT_MINIMUM, settings.PAYMENT_MAXIMUM = Decimal("1"), Decimal("50")
    request_funds(account, "1")
    with pytest.raises(errors.PaymentError):
        request_funds(account, "50.01")


def test_a_trial_account_pays_only_by_upgrading(test_backend, trial):
    with pytest.raises(errors.TrialRestriction) as refusal:
        request_funds(trial)
    assert refusal.value.message == errors.TRIAL_ADD_FUNDS


def test_subaccounts_have_no_payments(test_backend, account, make_subaccount):
    sub = make_subaccount(account, own_balance=True)
    with pytest.raises(errors.PaymentError) as refusal:
        request_funds(sub)
    assert refusal.value.message == errors.PAYMENT_MAIN_ACCOUNTS_ONLY


def test_a_closed_account_pays_nothing(test_backend, account):
    account_services.account_close(account=account, actor=Actor.for_user(account.owner))
    with pytest.raises(errors.BillingError) as refusal:
        request_funds(account)
    assert refusal.value.message == errors.CLOSED_ACCOUNT_BILLING


# An operator's backend that declines, or breaks.


def test_a_declined_card_fails_the_payment_and_moves_nothing(settings, account):
    settings.PAYMENTS_BACKEND = "tests.payments_support.DecliningBackend"

    payment = request_funds(account)

    assert payment.status == Payment.Status.FAILED
    assert payment.failure_message == payments_support.DECLINED
    assert refresh(account).balance == 0
    assert not LedgerEntry.objects.exists()


def test_a_broken_backend_fails_the_payment_with_words(settings, account, caplog):
    settings.PAYMENTS_BACKEND = "tests.payments_support.BrokenBackend"

    payment = request_funds(account)

    assert payment.status == Payment.Status.FAILED
    assert payment.failure_message == payment_services.BACKEND_UNREACHABLE
    assert refresh(account).balance == 0
    assert "the processor is down" in caplog.text


# The manual backend: support approves or declines.


def test_a_manual_payment_waits_for_support(manual_backend, account):
    payment = request_funds(account, "25")

    assert payment.status == Payment.Status.PENDING and payment.needs_approval
    assert refresh(account).balance == 0


def test_support_approves_a_manual_payment(manual_backend, account, staff):
    payment = request_funds(account, "25")

    approved = payment_services.payment_approve(payment=payment, actor=support(staff[0]))

    assert approved.status == Payment.Status.SUCCEEDED
    assert approved.first_approver == staff[0] and approved.decided_by == staff[0]
    assert refresh(account).balance == Decimal("25")
    assert not approved.ledger_entry.test_money


def test_above_the_threshold_a_second_different_staff_member_must_approve(
    manual_backend, settings, account, staff
):
    settings.PAYMENTS_FOUR_EYES_ABOVE = Decimal("500")
    payment = request_funds(account, "500.01")

    once = payment_services.payment_approve(payment=payment, actor=support(staff[0]))
    assert once.status == Payment.Status.PENDING and once.first_approver == staff[0]
    assert refresh(account).balance == 0

    with pytest.raises(errors.PaymentError) as refusal:
        payment_services.payment_approve(payment=payment, actor=support(staff[0]))
    assert refusal.value.message == errors.PAYMENT_SECOND_APPROVER.format(threshold="500.00")
    assert refresh(account).balance == 0

    twice = payment_services.payment_approve(payment=payment, actor=support(staff[1]))
    assert twice.status == Payment.Status.SUCCEEDED
    assert (twice.first_approver, twice.second_approver) == (staff[0], staff[1])
    assert refresh(account).balance == Decimal("500.01")


def test_at_the_threshold_one_approval_is_enough(manual_backend, settings, account, staff):
    settings.PAYMENTS_FOUR_EYES_ABOVE = Decimal("500")
    payment = request_funds(account, "500")
    assert (
        payment_services.payment_approve(payment=payment, actor=support(staff[0])).status
        == Payment.Status.SUCCEEDED
    )


def test_support_staff_cannot_approve_their_own_request(manual_backend, account, staff):
    payment = request_funds(account, "25", actor=Actor.for_user(staff[0]))
    with pytest.raises(errors.PaymentError) as refusal:
        payment_services.payment_approve(payment=payment, actor=support(staff[0]))
    assert refusal.value.message == errors.PAYMENT_OWN_REQUEST


def test_only_staff_decide(manual_backend, account, make_user):
    payment = request_funds(account)
    for actor in (Actor.for_user(account.owner), Actor.for_support(make_user()), SYSTEM):
        with pytest.raises(errors.NotPermitted):
            payment_services.payment_approve(payment=payment, actor=actor)
    assert refresh(account).balance == 0


def test_support_declines_with_a_reason(manual_backend, account, staff):
    payment = request_funds(account)
    with pytest.raises(errors.PaymentError) as refusal:
        payment_services.payment_decline(payment=payment, reason=" ", actor=support(staff[0]))
    assert refusal.value.message == errors.REASON_REQUIRED

    declined = payment_services.payment_decline(
        payment=payment, reason="No bank transfer arrived", actor=support(staff[0])
    )

    assert declined.status == Payment.Status.DECLINED
    assert declined.failure_message == "Declined by support: No bank transfer arrived"
    assert refresh(account).balance == 0
    with pytest.raises(errors.PaymentError) as again:
        payment_services.payment_approve(payment=payment, actor=support(staff[1]))
    assert again.value.message == errors.PAYMENT_NOT_PENDING.format(status="declined")


def test_support_does_not_decide_a_card_processors_payment(settings, account, staff):
    settings.PAYMENTS_BACKEND = "tests.payments_support.DecliningBackend"
    payment = request_funds(account)
    with pytest.raises(errors.PaymentError):
        payment_services.payment_approve(payment=payment, actor=support(staff[0]))


# The upgrade's first payment.


def upgrade(account, amount="20", **options):
    return payment_services.account_upgrade_request(
        account=account,
        actor=Actor.for_user(account.owner),
        billing=BILLING,
        amount=amount,
        **options,
    )


def test_the_first_payment_upgrades_and_replaces_the_trial_credit(test_backend, trial):
    payment = upgrade(trial, "20")

    trial.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert trial.type == Account.Type.FULL
    assert trial.balance == Decimal("20")  # the trial credit went; what was paid came
    kinds = list(
        LedgerEntry.objects.filter(paying_account=trial)
        .order_by("id")
        .values_list("kind", "amount")
    )
    assert kinds == [
        ("trial_credit", Decimal("15.5")),
        ("trial_credit", Decimal("-15.5")),
        ("funds_added", Decimal("20")),
    ]
    assert trial.billing.city == "Oakland" and trial.billing.country == "US"
    assert trial.status == Account.Status.ACTIVE
    assert ledger_selectors.ledger_differences() == []


def test_a_manual_first_payment_upgrades_once_approved(manual_backend, trial, staff):
    payment = upgrade(trial)
    assert refresh(trial).type == Account.Type.TRIAL

    with pytest.raises(errors.PaymentError) as refusal:
        upgrade(trial, "30")
    assert refusal.value.message == errors.UPGRADE_PENDING.format(amount="20.00")

    payment_services.payment_approve(payment=payment, actor=support(staff[0]))
    trial.refresh_from_db()
    assert (trial.type, trial.balance) == (Account.Type.FULL, Decimal("20"))


def test_a_declined_first_payment_leaves_the_account_trial(manual_backend, trial, staff):
    payment = upgrade(trial)
    payment_services.payment_decline(payment=payment, reason="Fraud check", actor=support(staff[0]))

    trial.refresh_from_db()
    assert (trial.type, trial.balance) == (Account.Type.TRIAL, Decimal("15.50"))
    upgrade(trial)  # it may try again


def test_a_full_account_is_not_upgraded_again(test_backend, account):
    with pytest.raises(errors.PaymentError) as refusal:
        upgrade(account)
    assert refusal.value.message == errors.ALREADY_FULL
    assert not hasattr(refresh(account), "billing") or account.billing is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_name", " ", errors.BILLING_FIELD_REQUIRED.format(field="billing contact's name")),
        ("contact_email", "nobody", errors.BILLING_EMAIL_INVALID),
        ("country", "USA", errors.BILLING_FIELD_TOO_LONG.format(field="country", limit=2)),
        ("country", "1A", errors.BILLING_COUNTRY_INVALID),
        ("postal_code", "", errors.BILLING_FIELD_REQUIRED.format(field="postal code")),
    ],
)
def test_the_billing_details_are_checked(test_backend, trial, field, value, message):
    with pytest.raises(errors.PaymentError) as refusal:
        payment_services.account_upgrade_request(
            account=trial,
            actor=Actor.for_user(trial.owner),
            billing=BILLING | {field: value},
            amount="20",
        )
    assert refusal.value.message == message
    assert refresh(trial).type == Account.Type.TRIAL and not Payment.objects.exists()


def test_auto_recharge_chosen_at_the_upgrade_starts_with_the_full_account(test_backend, trial):
    upgrade(trial, "20", auto_recharge_threshold="10", auto_recharge_amount="25")
    trial.refresh_from_db()
    assert (trial.auto_recharge_threshold, trial.auto_recharge_amount) == (10, 25)


# Auto-recharge.


@pytest.fixture
def recharging(test_backend, account):
    """A Full account with $20 that recharges $25 below $10."""
    ledger_services.funds_add(account=account, amount="20", actor=SYSTEM, reason="Start")
    payment_services.auto_recharge_set(account=account, threshold="10", amount="25", actor=SYSTEM)
    return refresh(account)


def charge(account, price, **fields):
    return UsageRecordFactory(account=account, price=price, **fields)


def test_falling_below_the_threshold_recharges_once(recharging, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        charge(recharging, "5")  # $15: above
    assert not Payment.objects.filter(purpose="auto_recharge").exists()

    with django_capture_on_commit_callbacks(execute=True):
        charge(recharging, "6")  # $9: crosses
    (payment,) = Payment.objects.filter(purpose="auto_recharge")
    assert payment.status == Payment.Status.SUCCEEDED
    assert refresh(recharging).balance == Decimal("34")
    assert payment.idempotency_key.startswith("auto-recharge-LE")

    with django_capture_on_commit_callbacks(execute=True):
        charge(recharging, "20")  # $14: above again, no crossing
        charge(recharging, "1")  # $13
    assert Payment.objects.filter(purpose="auto_recharge").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        charge(recharging, "4")  # $9: a new crossing
    assert Payment.objects.filter(purpose="auto_recharge").count() == 2
    assert ledger_selectors.ledger_differences() == []


def test_a_charge_of_a_subaccount_that_shares_the_balance_recharges_too(
    recharging, make_subaccount, django_capture_on_commit_callbacks
):
    sub = make_subaccount(recharging)
    with django_capture_on_commit_callbacks(execute=True):
        charge(sub, "11")
    assert refresh(recharging).balance == Decimal("34")


def test_no_second_recharge_while_one_waits_for_support(
    recharging, settings, django_capture_on_commit_callbacks
):
    settings.PAYMENTS_BACKEND = "manual"
    with django_capture_on_commit_callbacks(execute=True):
        charge(recharging, "11")  # $9: asked, pending
    with django_capture_on_commit_callbacks(execute=True):
        charge(recharging, "0.5")
        # Back above and below again, still waiting: nothing more is asked.
        ledger_services.funds_add(account=recharging, amount="5", actor=SYSTEM, reason="x")
        charge(recharging, "5")
    assert Payment.objects.filter(purpose="auto_recharge", status="pending").count() == 1
    assert refresh(recharging).balance == Decimal("8.5")


def test_a_failed_recharge_gives_a_notice(
    recharging, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PAYMENTS_BACKEND = "tests.payments_support.DecliningBackend"
    with django_capture_on_commit_callbacks(execute=True):
        charge(recharging, "11")

    notice = ledger_selectors.auto_recharge_notice(account=recharging)
    assert notice.status == Payment.Status.FAILED
    assert notice.failure_message == payments_support.DECLINED
    (message,) = mail.outbox
    assert message.to == [recharging.owner.email]
    assert "Auto-recharge of $25.00 did not go through" in message.body
    assert "The balance is $9.00." in message.body


def test_a_trial_account_does_not_recharge(test_backend, trial, django_capture_on_commit_callbacks):
    payment_services.auto_recharge_set(account=trial, threshold="10", amount="25", actor=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        charge(trial, "6")
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("threshold", "amount", "message"),
    [
        ("10", None, errors.AUTO_RECHARGE_BOTH),
        (None, "20", errors.AUTO_RECHARGE_BOTH),
        ("-1", "20", errors.AUTO_RECHARGE_THRESHOLD_RANGE.format(maximum="10,000.00")),
        ("10", "1", errors.PAYMENT_AMOUNT_RANGE.format(minimum="5.00", maximum="10,000.00")),
    ],
)
def test_auto_recharge_settings_are_checked(account, threshold, amount, message):
    with pytest.raises(errors.PaymentError) as refusal:
        payment_services.auto_recharge_set(
            account=account, threshold=threshold, amount=amount, actor=SYSTEM
        )
    assert refusal.value.message == message


def test_auto_recharge_turns_off(recharging):
    payment_services.auto_recharge_set(
        account=recharging, threshold=None, amount=None, actor=SYSTEM
    )
    assert not refresh(recharging).auto_recharge_on


# Parallel charges (PostgreSQL).


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_charges_that_cross_the_threshold_recharge_once(
    postgres_only, settings, make_account
):
    settings.PAYMENTS_BACKEND = "test"
    account = make_account()
    ledger_services.funds_add(account=account, amount="20", actor=SYSTEM, reason="Start")
    payment_services.auto_recharge_set(account=account, threshold="10", amount="25", actor=SYSTEM)

    outcomes = run_at_once(*[lambda: charge(account, "0.75") for _ in range(20)])

    done, _refused = split(outcomes, errors.BillingError)
    assert len(done) == 20
    (payment,) = Payment.objects.filter(purpose="auto_recharge")
    assert payment.status == Payment.Status.SUCCEEDED
    assert refresh(account).balance == Decimal("20") - 20 * Decimal("0.75") + 25
    assert ledger_selectors.ledger_differences() == []
