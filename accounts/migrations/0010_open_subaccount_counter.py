"""Each main account's count of open subaccounts, kept by the services (issue 15), filled here
from the subaccounts; and an index of a parent's open subaccounts by date for the switcher."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill_open_subaccount_count(apps, schema_editor):
    Account = apps.get_model("accounts", "Account")
    open_subaccounts = (
        Account.objects.filter(parent=OuterRef("pk"))
        .exclude(status="closed")
        .order_by()
        .values("parent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Account.objects.filter(parent__isnull=True).update(
        open_subaccount_count=Coalesce(Subquery(open_subaccounts), 0)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_two_factor_requirements"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="open_subaccount_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill_open_subaccount_count, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="account",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True),
                fields=["parent", "-date_created", "-id"],
                name="account_parent_open_idx",
            ),
        ),
    ]
