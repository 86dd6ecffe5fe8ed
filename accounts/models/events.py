from django.db import models
from django.utils import timezone

from .accounts import Account
from .organizations import Organization
from .sids import new_event_sid
from .users import User

# The event types the services record, in words. The first group is what an account's log
# holds (the Activity page filters by these); organizations and logins have their own.
ACCOUNT_EVENT_TYPES = {
    "account.created": "Account created",
    "account.updated": "Account updated",
    "account.deleted": "Subaccount deleted",
    "phone-number.created": "Phone number bought",
    "phone-number.updated": "Phone number updated",
    "phone-number.deleted": "Phone number released",
    "ledger-entry.created": "Ledger entry added",
    "payment.created": "Payment requested",
    "payment.updated": "Payment updated",
    "balance-transfer.created": "Balance transferred",
    "billing-profile.updated": "Billing details saved",
    "usage-record.created": "Usage recorded",
    "membership.created": "User added",
    "membership.updated": "User's roles changed",
    "membership.deleted": "User removed",
    "invitation.created": "Invitation sent",
    "invitation.updated": "Invitation resent",
    "invitation.deleted": "Invitation revoked",
    "invitation.accepted": "Invitation accepted",
    "usage-trigger.created": "Usage trigger created",
    "usage-trigger.updated": "Usage trigger updated",
    "usage-trigger.deleted": "Usage trigger deleted",
    "usage-trigger.fired": "Usage trigger fired",
    "usage-trigger-delivery.updated": "Usage trigger callback tried",
    "key.created": "API key created",
    "key.updated": "API key renamed",
    "key.deleted": "API key revoked",
}
EVENT_TYPES = {
    **ACCOUNT_EVENT_TYPES,
    "organization.created": "Organization created",
    "organization.updated": "Organization updated",
    "organization-membership.created": "Organization member added",
    "organization-membership.updated": "Organization member's role changed",
    "organization-membership.deleted": "Organization member removed",
    "user.created": "User signed up",
    "user.updated": "User updated",
    "group.created": "Admin group created",
    "group.updated": "Admin group updated",
    "group.deleted": "Admin group deleted",
    "inventory.updated": "Phone number inventory loaded",
}


def event_type_label(event_type):
    """The type in words: "account.updated" is "Account updated" (a type without a label too)."""
    if event_type in EVENT_TYPES:
        return EVENT_TYPES[event_type]
    resource, _, action = event_type.rpartition(".")
    return f"{resource.replace('-', ' ')} {action}".strip().capitalize()


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
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="family_events",
        db_index=False,  # event_main_account_idx and event_main_account_type_idx start with it
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
            # No B-tree on event_date alone: given one, PostgreSQL may read a family's newest
            # events by walking the whole log backwards by date, filtering (it assumes a
            # family's events are spread evenly in time), instead of event_main_account_idx.
            # Pruning by date reads a BRIN index instead (migration 0016, PostgreSQL only).
            # The Activity page's and the Monitor API's filters, so that a rare event type or
            # one actor's changes are found without reading the whole log.
            models.Index(
                fields=["main_account", "event_type", "-event_date", "-id"],
                name="event_main_account_type_idx",
            ),
            models.Index(
                fields=["account_sid", "event_type", "-event_date", "-id"],
                name="event_account_type_idx",
            ),
            models.Index(fields=["actor_sid", "-event_date", "-id"], name="event_actor_idx"),
            # The filter by source IP (Activity, the Monitor API's SourceIpAddress) in a family's
            # log. Events the console itself records have no IP, and no entry here.
            models.Index(
                fields=["main_account", "source_ip_address", "-event_date", "-id"],
                condition=models.Q(source_ip_address__isnull=False),
                name="event_main_account_ip_idx",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} {self.resource_sid} ({self.sid})"

    @property
    def event_type_label(self):
        return event_type_label(self.event_type)

    @property
    def cause_label(self):
        """Why an account's status changed, in words (its `cause` is an Account.StatusSource)."""
        cause = self.event_data.get("cause")
        return Account.StatusSource(cause).label if cause in Account.StatusSource.values else ""
