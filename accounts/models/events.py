from django.db import models
from django.utils import timezone

from .accounts import Account
from .organizations import Organization
from .sids import new_event_sid
from .users import User


class Event(models.Model):
    """One write, as Twilio's Monitor Events describe it: who did what to which resource,
    through which door, with the previous and updated value of every field it changed
    (`event_data`, e.g. {"friendly_name": {"previous": "A", "updated": "B"}}).

    It belongs to the log of one account (`account_sid`, kept as text so that the history of
    a deleted subaccount stays readable) and of its main account (`main_account`, so that a
    main account reads its family's log with one index), or to an organization's.
    """

    class ActorType(models.TextChoices):
        USER = "user", "Console user"
        ACCOUNT = "account", "API credentials"
        KEY = "key", "API key"
        SUPPORT = "support", "Support staff"
        SYSTEM = "system", "System"

    class Source(models.TextChoices):
        WEB = "web", "Console"
        API = "api", "API"
        ADMIN = "admin", "Admin"
        SYSTEM = "system", "System"

    sid = models.CharField("SID", max_length=34, unique=True, default=new_event_sid, editable=False)
    account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    account_sid = models.CharField("account SID", max_length=34, blank=True)
    main_account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="family_events"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    actor_type = models.CharField(max_length=10, choices=ActorType.choices)
    actor_sid = models.CharField("actor SID", max_length=34, blank=True)
    # For the console's "who": the person behind a user or support actor, while they exist.
    actor_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    source_ip_address = models.GenericIPAddressField(null=True, blank=True)
    resource_type = models.CharField(max_length=40)
    resource_sid = models.CharField("resource SID", max_length=34, blank=True)
    event_type = models.CharField(max_length=60)
    event_date = models.DateTimeField(default=timezone.now)
    event_data = models.JSONField(default=dict, blank=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-event_date", "-id"]
        indexes = [
            models.Index(fields=["account_sid", "-event_date", "-id"], name="event_account_idx"),
            models.Index(
                fields=["main_account", "-event_date", "-id"], name="event_main_account_idx"
            ),
            models.Index(fields=["resource_sid", "-event_date"], name="event_resource_idx"),
            models.Index(fields=["event_date"], name="event_date_idx"),
        ]

    def __str__(self):
        return f"{self.event_type} {self.resource_sid} ({self.sid})"

    @property
    def cause_label(self):
        """Why an account's status changed, in words (its `cause` is an Account.StatusSource)."""
        cause = self.event_data.get("cause")
        return Account.StatusSource(cause).label if cause in Account.StatusSource.values else ""
