from django.db import models
from django.utils import timezone

from .accounts import Account
from .ledger import LedgerEntry


class UsageRecord(models.Model):
    """Usage of one (sub)account in one category over a period, and what it cost."""

    class Category(models.TextChoices):
        CALLS = "calls", "Calls"
        SMS = "sms", "SMS"
        MMS = "mms", "MMS"
        PHONE_NUMBERS = "phonenumbers", "Phone numbers"
        RECORDINGS = "recordings", "Recordings"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="usage_records")
    category = models.CharField(max_length=20, choices=Category.choices)
    quantity = models.DecimalField(max_digits=14, decimal_places=4)
    price = models.DecimalField(max_digits=14, decimal_places=4, help_text="Total cost, USD.")
    start_date = models.DateField()
    end_date = models.DateField()
    ledger_entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="usage_record"
    )
    date_created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["account", "start_date"], name="usage_account_idx")]

    def __str__(self):
        return f"{self.category} {self.quantity} on {self.account_id}"
