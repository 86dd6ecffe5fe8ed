from django.db import models
from django.utils import timezone

from .accounts import Account
from .sids import new_phone_number_sid


def _held():
    return models.Exists(
        IncomingPhoneNumber.objects.filter(
            phone_number=models.OuterRef("phone_number"), released_at__isnull=True
        )
    )


class AvailablePhoneNumberQuerySet(models.QuerySet):
    def for_sale(self):
        """The numbers of the inventory that nobody holds."""
        return self.exclude(_held())

    def stale(self):
        """Numbers both in stock and held: an older `load_numbers` could restock a number
        while it was being bought. They are never offered, and the next load removes them."""
        return self.filter(_held())


class AvailablePhoneNumber(models.Model):
    """The inventory of (fictional) numbers that can be bought. A bought number leaves the
    inventory; a released one comes back."""

    phone_number = models.CharField(max_length=20, unique=True)
    friendly_name = models.CharField(max_length=64)
    iso_country = models.CharField(max_length=2, default="US")
    region = models.CharField(max_length=64, blank=True)
    voice = models.BooleanField(default=True)
    sms = models.BooleanField(default=True)
    mms = models.BooleanField(default=False)
    monthly_price = models.DecimalField(max_digits=8, decimal_places=4, default=1)

    objects = AvailablePhoneNumberQuerySet.as_manager()

    class Meta:
        ordering = ["phone_number"]

    def __str__(self):
        return self.phone_number


class IncomingPhoneNumber(models.Model):
    """A phone number held by one account or subaccount."""

    sid = models.CharField(
        "SID", max_length=34, unique=True, default=new_phone_number_sid, editable=False
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="phone_numbers")
    phone_number = models.CharField(max_length=20)
    friendly_name = models.CharField(max_length=64)
    iso_country = models.CharField(max_length=2, default="US")
    region = models.CharField(max_length=64, blank=True)
    voice = models.BooleanField(default=True)
    sms = models.BooleanField(default=True)
    mms = models.BooleanField(default=False)
    monthly_price = models.DecimalField(max_digits=8, decimal_places=4, default=1)
    date_created = models.DateTimeField(default=timezone.now)
    date_updated = models.DateTimeField(auto_now=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_number"],
                condition=models.Q(released_at__isnull=True),
                name="phone_number_held_once",
            ),
        ]
        indexes = [models.Index(fields=["account", "released_at"], name="number_account_idx")]

    def __str__(self):
        return f"{self.phone_number} ({self.sid})"

    @property
    def capabilities(self):
        return {"voice": self.voice, "sms": self.sms, "mms": self.mms, "fax": False}
