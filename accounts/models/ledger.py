from django.db import models
from django.utils import timezone

from .accounts import Account
from .sids import new_ledger_entry_sid
from .users import User


class LedgerEntry(models.Model):
    """One immutable change to a top-level account's balance. The balance on the account is
    kept in the same transaction and always equals the sum of its entries."""

    class Kind(models.TextChoices):
        FUNDS_ADDED = "funds_added", "Funds added"
        USAGE = "usage", "Usage"
        REFUND = "refund", "Refund"
        ADJUSTMENT = "adjustment", "Adjustment"

    sid = models.CharField(
        "SID", max_length=34, unique=True, default=new_ledger_entry_sid, editable=False
    )
    paying_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="incurred_ledger_entries",
        help_text="The account or subaccount that incurred it.",
    )
    amount = models.DecimalField(max_digits=14, decimal_places=4)
    balance_after = models.DecimalField(max_digits=14, decimal_places=4)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.CharField(max_length=300)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # NULL, not "", when absent: the unique constraint must ignore entries without a key.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    date_created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-date_created", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(
                fields=["paying_account", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="ledger_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["paying_account", "-date_created", "-id"], name="ledger_paying_idx"
            ),
            models.Index(fields=["account", "kind", "date_created"], name="ledger_incurred_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} on {self.paying_account_id}"
