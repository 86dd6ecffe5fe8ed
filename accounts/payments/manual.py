"""The `manual` backend, the production default: a person takes the money (an invoice, a bank
transfer) and support approves the payment in the admin, or declines it."""

from .base import Outcome, PaymentBackend


class ManualBackend(PaymentBackend):
    name = "manual"
    needs_approval = True

    def charge(self, payment):
        return Outcome.pending()
