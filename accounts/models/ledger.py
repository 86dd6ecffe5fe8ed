from django.db import models
from django.utils import timezone

from .accounts import Account
from .sids import new_ledger_entry_sid
from .users import User


class LedgerEntry(models.Model):
    """One immutable change to a balance (a top-level account's, or a subaccount's own). The
    balance on the account is kept in the same transaction and always equals the sum of its
    entries.

    When a closed subaccount is deleted, its entries stay: `account` (and `paying_account`,
    for one with its own balance) then point at its parent, and `incurred_by_sid` /
    `incurred_by_name` keep who it was."""

    class Kind(models.TextChoices):
        FUNDS_ADDED = "funds_added", "Funds added"
        USAGE = "usage", "Usage"
        REFUND = "refund", "Refund"
        ADJUSTMENT = "adjustment", "Adjustment"
        TRIAL_CREDIT = "trial_credit", "Trial credit"
        TRANSFER = "transfer", "Transfer"

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
    # Set when the account that incurred it was deleted (its entries then name its parent).
    incurred_by_sid = models.CharField("incurred by (SID)", max_length=34, blank=True)
    incurred_by_name = models.CharField("incurred by (name)", max_length=64, blank=True)
    # Set when the balance it moved was a deleted subaccount's own: its SID (`paying_account`
    # is then the parent, and `balance_after` that subaccount's balance).
    paid_from_sid = models.CharField("paid from (SID)", max_length=34, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=4)
    balance_after = models.DecimalField(max_digits=14, decimal_places=4)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.CharField(max_length=300)
    # Money from the `test` payments backend (development): no one paid it.
    test_money = models.BooleanField(default=False)
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
