from django.db import models

from .sids import new_organization_sid
from .users import DEFAULT_ACCOUNT_LIMIT, User


class Organization(models.Model):
    sid = models.CharField(
        "SID", max_length=34, unique=True, default=new_organization_sid, editable=False
    )
    name = models.CharField(max_length=100)
    account_limit = models.PositiveIntegerField(
        default=DEFAULT_ACCOUNT_LIMIT,
        help_text="How many open top-level accounts this organization may hold.",
    )
    require_two_factor = models.BooleanField(
        default=False, help_text="Every member must sign in with two-factor authentication."
    )
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)
    members = models.ManyToManyField(
        User, through="OrganizationMembership", related_name="organizations"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganizationMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Organization Owner"
        ADMINISTRATOR = "administrator", "Organization Administrator"
        MEMBER = "member", "Member"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="organization_memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="org_membership_unique"),
            # Exactly one Organization Owner: at most one here, at least one by the services.
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(role="owner"),
                name="org_single_owner",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.organization}"
