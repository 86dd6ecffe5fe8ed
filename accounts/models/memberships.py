from django.db import models

from .. import roles
from .accounts import Account
from .users import User


class AccountMembership(models.Model):
    """One role of one user on one account. Developer, Billing Manager and Support combine."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_memberships")
    role = models.CharField(max_length=20, choices=roles.ROLE_CHOICES)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user", "role"], name="account_membership_unique"
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(role="owner"),
                name="account_single_owner",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {roles.role_label(self.role)} on {self.account.sid}"
