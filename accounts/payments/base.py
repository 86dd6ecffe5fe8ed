"""The interface every payments backend implements (see the package's docstring)."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What the backend did with a payment."""

    SUCCEEDED = "succeeded"
    PENDING = "pending"
    FAILED = "failed"

    status: str
    reference: str = ""  # the backend's own reference (a charge ID)
    message: str = ""  # why it failed, in words the customer can read

    @classmethod
    def succeeded(cls, reference=""):
        return cls(cls.SUCCEEDED, reference=reference)

    @classmethod
    def pending(cls, reference=""):
        return cls(cls.PENDING, reference=reference)

    @classmethod
    def failed(cls, message, reference=""):
        return cls(cls.FAILED, reference=reference, message=message)


class PaymentBackend:
    """Takes the money for a payment."""

    # Recorded with each payment; also what PAYMENTS_BACKEND may name for a built-in one.
    name = ""
    # Its payments move no real money: their ledger entries are marked as test money.
    test_money = False
    # Its payments wait for support, who approve or decline them in the admin.
    needs_approval = False

    def charge(self, payment):
        """Take `payment.amount` (USD) for `payment.account`; answer an Outcome."""
        raise NotImplementedError
