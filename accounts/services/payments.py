"""Payments: adding funds, a trial account's first payment (its upgrade) and auto-recharge,
through the payments backend (`accounts/payments/`, chosen by PAYMENTS_BACKEND).

A payment is recorded first (`payment_create`, pending), then handed to the backend outside
any transaction (`payment_charge`), whose answer is recorded (`payment_outcome_record`).
Only a payment that succeeded moves the balance: one ledger entry, marked as test money when
the `test` backend took it. The `manual` backend leaves payments pending until support
approves (`payment_approve`; above PAYMENTS_FOUR_EYES_ABOVE two different staff members) or
declines (`payment_decline`) them in the admin.

Payments go to top-level accounts only: a subaccount with its own balance is funded by
transfers from its parent (`services.transfers`).

Auto-recharge: when a charge takes a Full main account's balance from at or above its
threshold to below it, `auto_recharge_check` (called by `ledger.ledger_post` under the
account's lock, in the charge's transaction) records a payment of the chosen amount and
queues its charge. Charges are serialized by that lock, so only one of many parallel charges
sees the crossing: one recharge per crossing, and none while one is still pending.
"""

import logging
from decimal import Decimal

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .. import errors, tasks
from .. import payments as backends
from ..models import Account, BillingProfile, LedgerEntry, Payment
from . import balances, trials
from .events import Actor, change, changes, created, event_record, fields_update, service

logger = logging.getLogger(__name__)

Purpose = Payment.Purpose
Status = Payment.Status
Outcome = backends.Outcome
CENT = Decimal("0.01")
BACKEND_UNREACHABLE = "the payments backend did not answer. Try again in a few minutes."

BILLING_FIELDS = {
    # field: (words, required, max length)
    "contact_name": ("billing contact's name", True, 100),
    "contact_email": ("billing email", True, 254),
    "company_name": ("company name", False, 100),
    "address_line1": ("street address", True, 200),
    "address_line2": ("second address line", False, 200),
    "city": ("city", True, 100),
    "region": ("state or region", False, 100),
    "postal_code": ("postal code", True, 20),
    "country": ("country", True, 2),
}


def payment_amount_clean(value):
    """`value` as a payment amount: dollars and cents, within PAYMENT_MINIMUM and
    PAYMENT_MAXIMUM; or PaymentError."""
    amount = balances.decimal_clean(value, errors.AMOUNT_NOT_A_NUMBER)
    if amount != amount.quantize(CENT):
        raise errors.PaymentError(errors.PAYMENT_AMOUNT_CENTS)
    if not settings.PAYMENT_MINIMUM <= amount <= settings.PAYMENT_MAXIMUM:
        raise errors.PaymentError(
            errors.PAYMENT_AMOUNT_RANGE.format(
                minimum=balances.money(settings.PAYMENT_MINIMUM),
                maximum=balances.money(settings.PAYMENT_MAXIMUM),
            )
        )
    return amount


def _main_locked(account):
    if account.parent_id is not None:
        raise errors.PaymentError(errors.PAYMENT_MAIN_ACCOUNTS_ONLY)
    return Account.objects.select_for_update().get(pk=account.pk)


@service
def payment_create(*, account, amount, purpose, actor, idempotency_key=None):
    """A pending payment of `amount` for a main account: (payment, created). A retry with
    the same idempotency key returns the first one (created False: it is not charged again).
    A trial account pays only its first payment (the upgrade); a Full one adds funds."""
    amount = payment_amount_clean(amount)
    account = _main_locked(account)
    if idempotency_key:
        existing = Payment.objects.filter(account=account, idempotency_key=idempotency_key)
        if existing := existing.first():
            return existing, False
    if account.status == Account.Status.CLOSED:
        raise errors.BillingError(errors.CLOSED_ACCOUNT_BILLING)
    if purpose == Purpose.UPGRADE:
        if not account.is_trial:
            raise errors.PaymentError(errors.ALREADY_FULL)
        waiting = account.payments.filter(purpose=Purpose.UPGRADE, status=Status.PENDING).first()
        if waiting is not None:
            raise errors.PaymentError(
                errors.UPGRADE_PENDING.format(amount=balances.money(waiting.amount))
            )
    elif account.is_trial:
        raise errors.TrialRestriction(errors.TRIAL_ADD_FUNDS)
    backend = backends.backend_get()
    payment = Payment.objects.create(
        account=account,
        amount=amount,
        purpose=purpose,
        backend=settings.PAYMENTS_BACKEND,
        needs_approval=backend.needs_approval,
        test_money=backend.test_money,
        requested_by=actor.user,
        idempotency_key=idempotency_key or None,
    )
    event_record(
        actor=actor,
        event_type="payment.created",
        account=account,
        resource_sid=payment.sid,
        data=created(
            amount=amount,
            purpose=purpose,
            status=payment.status,
            backend=payment.backend,
            test_money=payment.test_money,
        ),
    )
    return payment, True


def payment_charge(*, payment, actor):
    """Hand a new payment to its backend (outside any transaction: a card processor may
    take seconds) and record the answer. A backend that fails unexpectedly fails the
    payment, with a message the customer can read."""
    try:
        outcome = backends.backend_get(payment.backend).charge(payment)
    except Exception:
        logger.exception("The payments backend %s failed on %s", payment.backend, payment.sid)
        outcome = Outcome.failed(BACKEND_UNREACHABLE)
    return payment_outcome_record(payment=payment, outcome=outcome, actor=actor)


def _locked(payment):
    """The payment's account, then the payment, locked (as every write to the balance locks
    the account first)."""
    Account.objects.select_for_update().get(pk=payment.account_id)
    return Payment.objects.select_for_update().select_related("account").get(pk=payment.pk)


def _description(payment):
    words = {
        Purpose.FUNDS: "Funds added",
        Purpose.UPGRADE: "First payment: upgraded to Full",
        Purpose.AUTO_RECHARGE: "Auto-recharge",
    }[payment.purpose]
    text = f"{words} (payment {payment.sid})"
    return f"{text}, test money" if payment.test_money else text


def _decided(payment, status, *, actor, **fields):
    old = payment.status
    payment.status = status
    payment.date_decided = timezone.now()
    if actor.is_support:
        payment.decided_by = actor.user
    for name, value in fields.items():
        setattr(payment, name, value)
    payment.save()
    data = changes(status=(old, status))
    for name in ("failure_message", "decline_reason", "reference"):
        if fields.get(name):
            data[name] = change(None, fields[name])
    if payment.ledger_entry_id:
        data["ledger_entry_sid"] = change(None, payment.ledger_entry.sid)
    event_record(
        actor=actor,
        event_type="payment.updated",
        account=payment.account,
        resource_sid=payment.sid,
        data=data,
    )
    if payment.purpose == Purpose.AUTO_RECHARGE and status != Status.SUCCEEDED:
        _notify_auto_recharge_failed(payment)
    return payment


def _settle(payment, *, actor, reference=""):
    """The payment succeeded: its ledger entry (and, for a first payment, the upgrade)."""
    account = payment.account
    if payment.purpose == Purpose.UPGRADE and account.is_trial:
        # First the trial credit goes (Twilio), then the payment comes: the balance is what
        # was paid.
        trials.account_upgrade(account=account, actor=actor)
    entry = balances.balance_post(
        account=account,
        amount=payment.amount,
        kind=LedgerEntry.Kind.FUNDS_ADDED,
        description=_description(payment),
        actor=actor,
        idempotency_key=f"payment-{payment.sid}",
        test_money=payment.test_money,
    )
    return _decided(
        payment,
        Status.SUCCEEDED,
        actor=actor,
        ledger_entry=entry,
        reference=reference or payment.reference,
    )


@service
def payment_outcome_record(*, payment, outcome, actor):
    """Record what the backend answered: succeeded (the ledger entry), failed (with its
    message), or still pending. A payment already decided stays as it is."""
    payment = _locked(payment)
    if payment.status != Status.PENDING:
        return payment
    if outcome.status == Outcome.SUCCEEDED:
        return _settle(payment, actor=actor, reference=outcome.reference)
    if outcome.status == Outcome.FAILED:
        return _decided(
            payment,
            Status.FAILED,
            actor=actor,
            failure_message=(outcome.message or "declined")[:300],
            reference=outcome.reference,
        )
    if outcome.reference and outcome.reference != payment.reference:
        event_record(
            actor=actor,
            event_type="payment.updated",
            account=payment.account,
            resource_sid=payment.sid,
            data=changes(reference=(payment.reference, outcome.reference)),
        )
        payment.reference = outcome.reference
        payment.save(update_fields=["reference"])
    return payment


def _support_decides(payment, actor):
    if not actor.is_support or actor.user is None or not actor.user.is_staff:
        raise errors.NotPermitted(errors.PAYMENT_SUPPORT_ONLY)
    payment = _locked(payment)
    if payment.status != Status.PENDING:
        raise errors.PaymentError(
            errors.PAYMENT_NOT_PENDING.format(status=payment.get_status_display().lower())
        )
    if not payment.needs_approval:
        raise errors.PaymentError(errors.PAYMENT_NOT_FOR_SUPPORT.format(backend=payment.backend))
    return payment


@service
def payment_approve(*, payment, actor):
    """Support approves a pending manual payment: it succeeds, unless it is over
    PAYMENTS_FOUR_EYES_ABOVE, which takes a second approval by a different staff member."""
    payment = _support_decides(payment, actor)
    if payment.requested_by_id == actor.user.pk:
        raise errors.PaymentError(errors.PAYMENT_OWN_REQUEST)
    threshold = settings.PAYMENTS_FOUR_EYES_ABOVE
    if payment.amount > threshold:
        if payment.first_approver_id is None:
            payment.first_approver = actor.user
            payment.save(update_fields=["first_approver"])
            event_record(
                actor=actor,
                event_type="payment.updated",
                account=payment.account,
                resource_sid=payment.sid,
                data={"approvals": change(0, 1), "approvals_needed": 2},
            )
            return payment
        if payment.first_approver_id == actor.user.pk:
            raise errors.PaymentError(
                errors.PAYMENT_SECOND_APPROVER.format(threshold=balances.money(threshold))
            )
        payment.second_approver = actor.user
    else:
        payment.first_approver = actor.user
    return _settle(payment, actor=actor)


@service
def payment_decline(*, payment, actor, reason):
    """Support declines a pending manual payment: the balance does not move (a first
    payment's account stays Trial)."""
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise errors.PaymentError(errors.REASON_REQUIRED)
    payment = _support_decides(payment, actor)
    return _decided(
        payment,
        Status.DECLINED,
        actor=actor,
        decline_reason=reason[:300],
        failure_message=errors.PAYMENT_DECLINED.format(reason=reason)[:300],
    )


def payment_request(*, account, amount, actor, idempotency_key=None):
    """Add funds to a Full main account through the payments backend: the payment, then the
    backend's answer (a retry with the same key charges nothing more)."""
    payment, created_now = payment_create(
        account=account,
        amount=amount,
        purpose=Purpose.FUNDS,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    if created_now:
        payment = payment_charge(payment=payment, actor=actor)
    return payment


# Upgrading: the billing details, then the first payment.


def billing_clean(fields):
    """The billing details as they will be stored, or PaymentError naming what is wrong."""
    cleaned = {}
    for name, (words, required, limit) in BILLING_FIELDS.items():
        value = str(fields.get(name) or "").replace("\x00", "").strip()
        if required and not value:
            raise errors.PaymentError(errors.BILLING_FIELD_REQUIRED.format(field=words))
        if len(value) > limit:
            raise errors.PaymentError(
                errors.BILLING_FIELD_TOO_LONG.format(field=words, limit=limit)
            )
        cleaned[name] = value
    email = cleaned["contact_email"]
    local, at, domain = email.rpartition("@")
    if not (at and local and "." in domain) or " " in email:
        raise errors.PaymentError(errors.BILLING_EMAIL_INVALID)
    country = cleaned["country"].upper()
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise errors.PaymentError(errors.BILLING_COUNTRY_INVALID)
    cleaned["country"] = country
    return cleaned


@service
def billing_profile_set(*, account, actor, **fields):
    """Save who pays for a main account, and where (the upgrade asks for it)."""
    cleaned = billing_clean(fields)
    account = _main_locked(account)
    if account.status == Account.Status.CLOSED:
        raise errors.AccountClosed()
    profile = BillingProfile.objects.filter(account=account).first()
    previous = {name: getattr(profile, name) if profile else None for name in cleaned}
    data = changes(**{name: (previous[name], value) for name, value in cleaned.items()})
    if not data:
        return profile
    if profile is None:
        profile = BillingProfile(account=account)
    for name, value in cleaned.items():
        setattr(profile, name, value)
    profile.save()
    event_record(
        actor=actor,
        event_type="billing-profile.updated",
        account=account,
        resource_sid=account.sid,
        data=data,
    )
    return profile


@service
def account_upgrade_start(
    *,
    account,
    actor,
    billing,
    amount,
    idempotency_key=None,
    auto_recharge_threshold=None,
    auto_recharge_amount=None,
):
    """The upgrade as the customer asks for it, in one transaction: the billing details,
    auto-recharge if chosen (it works once the account is Full), and the first payment:
    (payment, created)."""
    if idempotency_key:
        existing = Payment.objects.filter(account=account, idempotency_key=idempotency_key)
        if existing := existing.first():
            return existing, False
    billing_profile_set(account=account, actor=actor, **billing)
    if auto_recharge_threshold is not None or auto_recharge_amount is not None:
        auto_recharge_set(
            account=account,
            threshold=auto_recharge_threshold,
            amount=auto_recharge_amount,
            actor=actor,
        )
    return payment_create(
        account=account,
        amount=amount,
        purpose=Purpose.UPGRADE,
        actor=actor,
        idempotency_key=idempotency_key,
    )


def account_upgrade_request(**arguments):
    """Upgrade a trial account: `account_upgrade_start`, then the first payment's charge.
    When it succeeds the account is Full (at once with the `test` backend, once support
    approves it with `manual`)."""
    payment, created_now = account_upgrade_start(**arguments)
    if created_now:
        payment = payment_charge(payment=payment, actor=arguments["actor"])
    return payment


# Auto-recharge.


def _threshold_clean(value):
    threshold = balances.decimal_clean(value, errors.AMOUNT_NOT_A_NUMBER)
    if threshold != threshold.quantize(CENT):
        raise errors.PaymentError(errors.PAYMENT_AMOUNT_CENTS)
    if not 0 <= threshold <= settings.PAYMENT_MAXIMUM:
        raise errors.PaymentError(
            errors.AUTO_RECHARGE_THRESHOLD_RANGE.format(
                maximum=balances.money(settings.PAYMENT_MAXIMUM)
            )
        )
    return threshold


@service
def auto_recharge_set(*, account, threshold, amount, actor):
    """When the balance falls below `threshold`, add `amount` through the payments backend;
    both None turns it off. A trial account may choose it: it starts once it is Full."""
    if (threshold is None or threshold == "") != (amount is None or amount == ""):
        raise errors.PaymentError(errors.AUTO_RECHARGE_BOTH)
    if account.parent_id is not None:
        raise errors.PaymentError(errors.AUTO_RECHARGE_MAIN_ACCOUNTS_ONLY)
    if threshold is None or threshold == "":
        threshold = amount = None
    else:
        threshold, amount = _threshold_clean(threshold), payment_amount_clean(amount)
    account = _main_locked(account)
    if account.status == Account.Status.CLOSED:
        raise errors.AccountClosed()
    fields_update(
        account, actor=actor, auto_recharge_threshold=threshold, auto_recharge_amount=amount
    )
    return account


def auto_recharge_check(*, entry):
    """After `entry` moved a balance (the caller holds the paying account's lock): if it took
    a Full main account's balance below its auto-recharge threshold, record the recharge (as
    the system's) and queue its charge. Once per crossing: the payment's idempotency key is
    the entry's, and nothing more is asked while one recharge is still pending."""
    paying = entry.paying_account
    if paying.parent_id is not None or not paying.auto_recharge_on or paying.is_trial:
        return None
    threshold = paying.auto_recharge_threshold
    before = entry.balance_after - entry.amount
    if not before >= threshold > entry.balance_after:
        return None
    if (
        paying.status == Account.Status.CLOSED
        or paying.payments.filter(purpose=Purpose.AUTO_RECHARGE, status=Status.PENDING).exists()
    ):
        return None
    try:
        payment, created_now = payment_create(
            account=paying,
            amount=paying.auto_recharge_amount,
            purpose=Purpose.AUTO_RECHARGE,
            actor=Actor.system(),
            idempotency_key=f"auto-recharge-{entry.sid}",
        )
    except errors.AccountError as refusal:
        # Refused before anything was written (the amount is outside limits changed since
        # it was chosen): the charge itself must go through.
        logger.warning("Auto-recharge of %s not asked: %s", paying.sid, refusal.message)
        return None
    if created_now:
        tasks.enqueue(auto_recharge_charge_task, payment.pk)
    return payment


def _notify_auto_recharge_failed(payment):
    """The notice on failure: the Billing page shows it, and the owner gets an email."""
    account = payment.account
    message = errors.AUTO_RECHARGE_FAILED.format(
        amount=balances.money(payment.amount),
        date=f"{payment.date_decided:%b} {payment.date_decided.day}, "
        f"{payment.date_decided:%Y %H:%M} UTC",
        message=payment.failure_message.rstrip(".") + ".",
        balance=balances.money(Account.objects.get(pk=account.pk).balance),
    )
    tasks.enqueue(
        tasks.email_send,
        f"[Console] Auto-recharge failed for {account.friendly_name}",
        f"{message}\n\nAccount {account.friendly_name} ({account.sid}).",
        settings.DEFAULT_FROM_EMAIL,
        [account.owner.email],
    )


@task
def auto_recharge_charge_task(payment_id):
    """Charge an auto-recharge through the backend (queued by the charge that crossed)."""
    payment = Payment.objects.filter(pk=payment_id, status=Status.PENDING).first()
    if payment is None:
        return "skipped"
    return payment_charge(payment=payment, actor=Actor.system()).status
