from django.db import models
from django.utils import timezone

from .. import roles
from .accounts import Account
from .organizations import Organization, OrganizationMembership
from .sids import new_invitation_sid
from .users import User

INVITATION_LIFETIME_DAYS = 7


class Invitation(models.Model):
    """An emailed, single-use invitation to an account (with account roles) or to an
    organization (with an organization role). Only a hash of the link's token is stored."""

    sid = models.CharField(
        "SID", max_length=34, unique=True, default=new_invitation_sid, editable=False
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    email = models.EmailField()
    roles = models.JSONField(default=list, help_text="Account roles, or one organization role.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date_created = models.DateTimeField(default=timezone.now)
    date_sent = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_sent", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(account__isnull=False, organization__isnull=True)
                    | models.Q(account__isnull=True, organization__isnull=False)
                ),
                name="invitation_to_account_or_organization",
            ),
        ]

    def __str__(self):
        return f"Invitation of {self.email} to {self.target}"

    @property
    def target(self):
        return self.account if self.account_id else self.organization

    @property
    def is_pending(self):
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def state(self):
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "pending"

    def role_labels(self):
        if self.organization_id:
            return [OrganizationMembership.Role(role).label for role in self.roles]
        return [roles.role_label(role) for role in self.roles]
