"""Three indexes that others already cover, each one more write on every subaccount created
(and, for the event log's, on every write the console records):

- `account_sid_pattern_idx` (0012): the SID with pattern operators. Django already keeps the
  same index for the unique SID on PostgreSQL (`accounts_account_sid_…_like`), which the
  prefix match of a SID-like search reads.
- The index Django gives every foreign key, on `Account.parent` and `Event.main_account`: the
  composite indexes that start with the same column (`account_parent_status_idx`,
  `account_parent_created_idx`; `event_main_account_idx`) serve every lookup by it, including
  the checks of PROTECT and SET_NULL when an account is deleted.
"""

import django.db.models.deletion
from django.db import migrations, models


def _run_on_postgresql(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0014_own_balance_subaccounts_index"),
    ]

    operations = [
        migrations.RunPython(
            _run_on_postgresql("DROP INDEX IF EXISTS account_sid_pattern_idx"),
            _run_on_postgresql(
                "CREATE INDEX account_sid_pattern_idx ON accounts_account"
                " (sid varchar_pattern_ops)"
            ),
            elidable=False,
        ),
        migrations.AlterField(
            model_name="account",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="subaccounts",
                to="accounts.account",
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="main_account",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="family_events",
                to="accounts.account",
            ),
        ),
    ]
