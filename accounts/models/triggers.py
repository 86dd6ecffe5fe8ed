from django.db import models
from django.utils import timezone

from .accounts import Account
from .sids import new_sid


def new_usage_trigger_sid():
    return new_sid("UT")


class UsageTrigger(models.Model):
    """A Twilio Usage Trigger: call `callback_url` once per period (`recurring`) when the
    watched value (`trigger_by` of `usage_category`) reaches `trigger_value`. A main account's
    trigger watches its family's usage (the main account and its subaccounts), as its
    `usage_record_uri` reports it; a subaccount's trigger watches that subaccount."""

    class Recurring(models.TextChoices):
        DAILY = "daily", "Daily"
        MONTHLY = "monthly", "Monthly"
        YEARLY = "yearly", "Yearly"
        ALLTIME = "alltime", "Once (all time)"

    class TriggerBy(models.TextChoices):
        COUNT = "count", "Count"
        USAGE = "usage", "Usage"
        PRICE = "price", "Price"

    class Method(models.TextChoices):
        GET = "GET", "GET"
        POST = "POST", "POST"

    sid = models.CharField(
        "SID", max_length=34, unique=True, default=new_usage_trigger_sid, editable=False
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="usage_triggers")
    friendly_name = models.CharField(max_length=64, blank=True)
    callback_url = models.CharField(max_length=1000)
    callback_method = models.CharField(max_length=4, choices=Method.choices, default=Method.POST)
    usage_category = models.CharField(max_length=30)
    trigger_by = models.CharField(max_length=5, choices=TriggerBy.choices, default=TriggerBy.USAGE)
    trigger_value = models.DecimalField(max_digits=18, decimal_places=4)
    recurring = models.CharField(max_length=7, choices=Recurring.choices, default=Recurring.ALLTIME)
    date_fired = models.DateTimeField(null=True, blank=True)
    # The period it last fired in ("2026-05-14", "2026-05", "2026" or "alltime"): it fires
    # once per period.
    fired_period = models.CharField(max_length=10, blank=True)
    date_created = models.DateTimeField(default=timezone.now)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date_created", "-id"]
        indexes = [
            models.Index(
                fields=["account", "-date_created", "-id"], name="usage_trigger_account_idx"
            ),
        ]

    def __str__(self):
        return f"{self.usage_category} {self.trigger_by} >= {self.trigger_value} ({self.sid})"


class UsageTriggerDelivery(models.Model):
    """One firing of a trigger: the callback, frozen as it was decided, and its tries."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    trigger = models.ForeignKey(UsageTrigger, on_delete=models.CASCADE, related_name="deliveries")
    callback_url = models.CharField(max_length=1000)
    callback_method = models.CharField(max_length=4)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    date_created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date_created", "-id"]
        indexes = [
            models.Index(fields=["trigger", "-date_created", "-id"], name="usage_delivery_idx")
        ]

    def __str__(self):
        return f"{self.trigger_id} {self.status} ({self.attempt_count} tries)"


class UsageTriggerDeliveryAttempt(models.Model):
    """One try at delivering a callback: when, the HTTP status (or the error), how long."""

    delivery = models.ForeignKey(
        UsageTriggerDelivery, on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["delivery_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="usage_attempt_unique")
        ]

    def __str__(self):
        return f"try {self.number} of {self.delivery_id}: {self.status_code or self.error}"

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300
