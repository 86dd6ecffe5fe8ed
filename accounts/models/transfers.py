from django.db import models
from django.utils import timezone

from .accounts import Account
from .ledger import LedgerEntry
from .sids import new_balance_transfer_sid
from .users import User


class BalanceTransfer(models.Model):
    """Money moved between a main account and one of its subaccounts with its own balance:
    one debit on the source's ledger and one credit on the target's, written together under
    one idempotency key. A reversal is a transfer the other way that names the one it undoes
    (`reverses`), so it shows in both ledgers too.

    The subaccount's SID and name are kept as text: a deleted subaccount's transfers stay in
    its parent's history."""

    class Direction(models.TextChoices):
        TO_SUBACCOUNT = "to_subaccount", "To the subaccount"
        TO_PARENT = "to_parent", "To the parent"

    sid = models.CharField(
        "SID", max_length=34, unique=True, default=new_balance_transfer_sid, editable=False
    )
    main_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="balance_transfers"
    )
    subaccount = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subaccount_sid = models.CharField("subaccount SID", max_length=34)
    subaccount_name = models.CharField(max_length=64)
    direction = models.CharField(max_length=15, choices=Direction.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=4)
    debit_entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="transfer_debit"
    )
    credit_entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="transfer_credit"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal"
    )
    reason = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=100)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date_created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date_created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["main_account", "idempotency_key"], name="transfer_idempotency_key_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="transfer_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["main_account", "-date_created", "-id"], name="transfer_main_idx"),
            models.Index(fields=["subaccount_sid", "-date_created"], name="transfer_sub_idx"),
        ]

    def __str__(self):
        return f"Transfer {self.sid}: ${self.amount} {self.get_direction_display().lower()}"

    @property
    def to_subaccount(self):
        return self.direction == self.Direction.TO_SUBACCOUNT
