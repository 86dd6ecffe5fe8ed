from django.apps import apps
from django.db import models


class AccountQuerySet(models.QuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)

    def subaccounts(self):
        return self.filter(parent__isnull=False)

    def subaccounts_of(self, account):
        return self.filter(parent=account)

    def open(self):
        """Accounts that count toward limits: everything not closed."""
        return self.exclude(status="closed")

    def reachable_by(self, user):
        """Accounts `user` may see: those they hold a role on (directly or through an
        organization they administer) and the subaccounts of those."""
        if not user.is_authenticated:
            return self.none()
        AccountMembership = apps.get_model("accounts", "AccountMembership")
        OrganizationMembership = apps.get_model("accounts", "OrganizationMembership")
        member_of = AccountMembership.objects.filter(user=user).values("account_id")
        administered_orgs = OrganizationMembership.objects.filter(
            user=user, role__in=["owner", "administrator"]
        ).values("organization_id")
        return self.filter(
            models.Q(pk__in=member_of)
            | models.Q(parent_id__in=member_of)
            | models.Q(organization_id__in=administered_orgs)
            | models.Q(parent__organization_id__in=administered_orgs)
        )

    def with_open_subaccount_count(self):
        return self.annotate(
            open_subaccount_count=models.Count(
                "subaccounts", filter=~models.Q(subaccounts__status="closed")
            )
        )
