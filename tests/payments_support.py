"""Payments backends for the tests, through the interface an operator's card processor would
implement (accounts/payments/): one that declines every payment, one that breaks, and one
that counts what it was asked."""

from accounts.payments import Outcome, PaymentBackend

DECLINED = "Your card was declined."
CHARGED = []


class DecliningBackend(PaymentBackend):
    name = "declining"

    def charge(self, payment):
        return Outcome.failed(DECLINED, reference=f"dec-{payment.sid}")


class BrokenBackend(PaymentBackend):
    name = "broken"

    def charge(self, payment):
        raise ConnectionError("the processor is down")


class CountingBackend(PaymentBackend):
    """Succeeds, and remembers each payment it charged (a processor must charge once)."""

    name = "counting"

    def charge(self, payment):
        CHARGED.append(payment.sid)
        return Outcome.succeeded(reference=f"ch-{len(CHARGED)}")
