"""A "Support" group with every permission support staff need in the admin, so that making a
user staff and adding them to it is enough (no superuser needed)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Support"


def create_support_group(apps, schema_editor):
    # Permissions are normally created after migrations; create them now to attach them.
    for app_label in ("accounts", "auth"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # migration-state app configs lack it
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="accounts"))


def remove_support_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_ledger_numbers_usage"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_support_group, remove_support_group)]
