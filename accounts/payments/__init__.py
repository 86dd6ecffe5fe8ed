"""Payments backends: where the money for a payment comes from.

A payment (`accounts.models.Payment`: add funds, a trial's first payment, an auto-recharge)
is recorded first, then handed to the backend named by the PAYMENTS_BACKEND setting, outside
any database transaction (a card processor may take seconds). The backend answers with an
`Outcome`; the console records it (`services.payments.payment_outcome_record`), and the
balance moves, through one ledger entry, only when the payment succeeded.

Two backends ship:

- `test` (development; `bin/run` uses it): every payment succeeds at once, and its ledger
  entry is marked as test money.
- `manual` (the production default): every payment waits for support, who approves or
  declines it in the admin (two different staff members above PAYMENTS_FOUR_EYES_ABOVE).

To add a card processor, subclass `PaymentBackend` and set PAYMENTS_BACKEND to its dotted
path (`mycompany.payments.StripeBackend`):

    class StripeBackend(PaymentBackend):
        name = "stripe"

        def charge(self, payment):
            # payment.sid (use it as the processor's idempotency key), payment.amount (USD),
            # payment.account (its billing details: payment.account.billing), payment.purpose
            try:
                charge = stripe.PaymentIntent.create(...)
            except stripe.error.CardError as error:
                return Outcome.failed(str(error))
            return Outcome.succeeded(reference=charge.id)

`charge` is called once per payment (a retried request with the same idempotency key does
not call it again). It must not raise for a refusal: answer `Outcome.failed(message)`, which
the customer sees. A processor that confirms later (a webhook) answers `Outcome.pending()`
and records the final outcome with `services.payments.payment_outcome_record` when it
arrives.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Outcome, PaymentBackend
from .manual import ManualBackend
from .testing import TestBackend

BUILT_IN = {TestBackend.name: TestBackend, ManualBackend.name: ManualBackend}


def backend_get(name=None):
    """The backend named `name` (default: the PAYMENTS_BACKEND setting): "test", "manual",
    or the dotted path of a PaymentBackend subclass."""
    name = name or settings.PAYMENTS_BACKEND
    backend_class = BUILT_IN.get(name) or import_string(name)
    return backend_class()


__all__ = ["BUILT_IN", "ManualBackend", "Outcome", "PaymentBackend", "TestBackend", "backend_get"]
