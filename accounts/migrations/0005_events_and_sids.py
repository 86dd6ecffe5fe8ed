"""The activity log (Event) replaces the status history (AccountStatusEvent), whose rows are
copied into it; users, invitations and ledger entries get SIDs (filled in for existing rows)."""

import secrets

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import accounts.models.sids

SID_PREFIXES = {"user": "US", "invitation": "IV", "ledgerentry": "LE"}
# The old status history's "source" as the new log records it: (actor_type, source).
DOORS = {
    "owner": ("user", "web"),
    "parent": ("user", "web"),
    "support": ("support", "admin"),
    "balance": ("system", "system"),
}


def fill_sids(apps, schema_editor):
    for model_name, prefix in SID_PREFIXES.items():
        model = apps.get_model("accounts", model_name)
        rows = list(model.objects.filter(sid__isnull=True).only("pk"))
        for row in rows:
            row.sid = prefix + secrets.token_hex(16)
        model.objects.bulk_update(rows, ["sid"], batch_size=1000)


def copy_status_history(apps, schema_editor):
    AccountStatusEvent = apps.get_model("accounts", "AccountStatusEvent")
    Event = apps.get_model("accounts", "Event")
    batch = []
    for old in AccountStatusEvent.objects.select_related("account", "actor").iterator():
        actor_type, source = DOORS.get(old.source, ("system", "system"))
        if old.actor_id is None and actor_type == "user":
            actor_type, source = "system", "system"
        data = {
            "status": {"previous": old.old_status or None, "updated": old.new_status},
            "cause": old.source,
        }
        if old.reason:
            data["reason"] = old.reason
        batch.append(
            Event(
                sid="AE" + secrets.token_hex(16),
                account_id=old.account_id,
                account_sid=old.account.sid,
                main_account_id=old.account.parent_id or old.account_id,
                actor_type=actor_type,
                actor_sid=old.actor.sid if old.actor_id else "",
                actor_user_id=old.actor_id,
                source=source,
                resource_type="account",
                resource_sid=old.account.sid,
                event_type="account.created" if not old.old_status else "account.updated",
                event_date=old.date_created,
                event_data=data,
            )
        )
        if len(batch) >= 1000:
            Event.objects.bulk_create(batch)
            batch = []
    Event.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_support_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="sid",
            field=models.CharField(editable=False, max_length=34, null=True, verbose_name="SID"),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="sid",
            field=models.CharField(editable=False, max_length=34, null=True, verbose_name="SID"),
        ),
        migrations.AddField(
            model_name="user",
            name="sid",
            field=models.CharField(editable=False, max_length=34, null=True, verbose_name="SID"),
        ),
        migrations.RunPython(fill_sids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="invitation",
            name="sid",
            field=models.CharField(
                default=accounts.models.sids.new_invitation_sid,
                editable=False,
                max_length=34,
                unique=True,
                verbose_name="SID",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="sid",
            field=models.CharField(
                default=accounts.models.sids.new_ledger_entry_sid,
                editable=False,
                max_length=34,
                unique=True,
                verbose_name="SID",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="sid",
            field=models.CharField(
                default=accounts.models.sids.new_user_sid,
                editable=False,
                max_length=34,
                unique=True,
                verbose_name="SID",
            ),
        ),
        migrations.CreateModel(
            name="Event",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "sid",
                    models.CharField(
                        default=accounts.models.sids.new_event_sid,
                        editable=False,
                        max_length=34,
                        unique=True,
                        verbose_name="SID",
                    ),
                ),
                ("account_sid", models.CharField(blank=True, max_length=34, verbose_name="account SID")),
                (
                    "actor_type",
                    models.CharField(
                        choices=[
                            ("user", "Console user"),
                            ("account", "API credentials"),
                            ("key", "API key"),
                            ("support", "Support staff"),
                            ("system", "System"),
                        ],
                        max_length=10,
                    ),
                ),
                ("actor_sid", models.CharField(blank=True, max_length=34, verbose_name="actor SID")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("web", "Console"),
                            ("api", "API"),
                            ("admin", "Admin"),
                            ("system", "System"),
                        ],
                        max_length=10,
                    ),
                ),
                ("source_ip_address", models.GenericIPAddressField(blank=True, null=True)),
                ("resource_type", models.CharField(max_length=40)),
                (
                    "resource_sid",
                    models.CharField(blank=True, max_length=34, verbose_name="resource SID"),
                ),
                ("event_type", models.CharField(max_length=60)),
                ("event_date", models.DateTimeField(default=django.utils.timezone.now)),
                ("event_data", models.JSONField(blank=True, default=dict)),
                ("description", models.CharField(blank=True, max_length=300)),
                (
                    "account",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="events",
                        to="accounts.account",
                    ),
                ),
                (
                    "actor_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "main_account",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="family_events",
                        to="accounts.account",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="events",
                        to="accounts.organization",
                    ),
                ),
            ],
            options={
                "ordering": ["-event_date", "-id"],
                "indexes": [
                    models.Index(
                        fields=["account_sid", "-event_date", "-id"], name="event_account_idx"
                    ),
                    models.Index(
                        fields=["main_account", "-event_date", "-id"],
                        name="event_main_account_idx",
                    ),
                    models.Index(fields=["resource_sid", "-event_date"], name="event_resource_idx"),
                    models.Index(fields=["event_date"], name="event_date_idx"),
                ],
            },
        ),
        migrations.RunPython(copy_status_history, migrations.RunPython.noop),
        migrations.DeleteModel(name="AccountStatusEvent"),
    ]
