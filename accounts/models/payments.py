from django.db import models
from django.utils import timezone

from .accounts import Account
from .ledger import LedgerEntry
from .sids import new_payment_sid
from .users import User


class BillingProfile(models.Model):
    """Who pays for a top-level account, and where: what upgrading asks for."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="billing")
    contact_name = models.CharField("billing contact", max_length=100)
    contact_email = models.EmailField("billing email")
    company_name = models.CharField(max_length=100, blank=True)
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address (second line)", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField("state or region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, help_text="ISO 3166 code, e.g. US.")
    date_updated = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.contact_name} for {self.account_id}"


class Payment(models.Model):
    """Money asked of the payments backend for a top-level account: funds added in the
    console, a trial's first payment (its upgrade), or an auto-recharge. It moves the balance
    only once it succeeded, through one ledger entry (`ledger_entry`).

    A backend that needs a person (`needs_approval`, the `manual` backend) leaves it pending
    until support approves or declines it in the admin; above PAYMENTS_FOUR_EYES_ABOVE two
    different staff members must approve (`first_approver`, then `second_approver`)."""

    class Purpose(models.TextChoices):
        FUNDS = "funds", "Add funds"
        UPGRADE = "upgrade", "Upgrade"
        AUTO_RECHARGE = "auto_recharge", "Auto-recharge"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        DECLINED = "declined", "Declined"
        FAILED = "failed", "Failed"

    sid = models.CharField(
        "SID", max_length=34, unique=True, default=new_payment_sid, editable=False
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=4)
    purpose = models.CharField(max_length=15, choices=Purpose.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    backend = models.CharField(max_length=100, help_text="The payments backend that took it.")
    needs_approval = models.BooleanField(default=False)
    test_money = models.BooleanField(default=False)
    # The backend's own reference (a card processor's charge ID), and why it failed.
    reference = models.CharField(max_length=200, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_approver = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    second_approver = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(max_length=300, blank=True)
    ledger_entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="payment"
    )
    # NULL, not "", when absent: the unique constraint must ignore payments without a key.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    date_created = models.DateTimeField(default=timezone.now)
    date_decided = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="payment_idempotency_key_unique",
            ),
            # One upgrade, and one auto-recharge, waiting at a time.
            models.UniqueConstraint(
                fields=["account", "purpose"],
                condition=models.Q(status="pending", purpose__in=["upgrade", "auto_recharge"]),
                name="payment_one_pending_per_purpose",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-date_created", "-id"], name="payment_account_idx"),
            models.Index(
                fields=["date_created"],
                condition=models.Q(status="pending"),
                name="payment_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} ${self.amount} for {self.account_id} ({self.sid})"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING
