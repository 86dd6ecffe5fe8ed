"""Who may do what in the admin: superusers set a user's groups and permissions and edit the
groups; each of those changes is in the activity log, by name, with who made it. Support
staff can do none of it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import Event, User

from .support import change_form_data, form_data

pytestmark = pytest.mark.django_db


def permission(codename):
    return Permission.objects.get(content_type__app_label="accounts", codename=codename)


def superuser():
    return User.objects.get(is_superuser=True)


def test_a_superuser_gives_a_user_a_group_and_a_permission_and_it_is_recorded(
    admin_client, make_user
):
    person = make_user(email="new-agent@example.com", is_staff=True)
    url = reverse("admin:accounts_user_change", args=[person.pk])
    data = change_form_data(admin_client.get(url))
    data.update(
        groups=[Group.objects.get(name="Support").pk],
        user_permissions=[permission("view_event").pk],
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert person.has_perm("accounts.view_event")
    assert list(person.groups.values_list("name", flat=True)) == ["Support"]
    event = Event.objects.get(event_type="user.updated", resource_sid=person.sid)
    assert event.event_data == {
        "groups": {"previous": [], "updated": ["Support"]},
        "user_permissions": {"previous": [], "updated": ["accounts.view_event"]},
    }
    assert (event.actor_type, event.actor_sid) == ("support", superuser().sid)

    # Saving the form again unchanged records nothing more.
    admin_client.post(url, change_form_data(admin_client.get(url)))
    assert Event.objects.filter(event_type="user.updated", resource_sid=person.sid).count() == 1


def test_a_superuser_creates_changes_and_deletes_a_group_each_step_recorded(
    admin_client, make_user
):
    admin_client.post(
        reverse("admin:auth_group_add"),
        {"name": "Billing desk", "permissions": [permission("view_ledgerentry").pk]},
    )
    group = Group.objects.get(name="Billing desk")
    assert list(group.permissions.values_list("codename", flat=True)) == ["view_ledgerentry"]
    created = Event.objects.get(event_type="group.created")
    assert created.event_data["permissions"] == {
        "previous": None,
        "updated": ["accounts.view_ledgerentry"],
    }
    assert created.description == "Group: Billing desk"
    assert created.actor_sid == superuser().sid

    url = reverse("admin:auth_group_change", args=[group.pk])
    data = form_data(admin_client.get(url).context["adminform"].form)
    data.update(name="Billing", permissions=[permission("view_event").pk])
    assert admin_client.post(url, data).status_code == 302
    group.refresh_from_db()
    assert group.name == "Billing"
    assert list(group.permissions.values_list("codename", flat=True)) == ["view_event"]
    assert Event.objects.get(event_type="group.updated").event_data == {
        "name": {"previous": "Billing desk", "updated": "Billing"},
        "permissions": {
            "previous": ["accounts.view_ledgerentry"],
            "updated": ["accounts.view_event"],
        },
    }

    make_user(email="member@example.com", is_staff=True).groups.add(group)
    delete = reverse("admin:auth_group_delete", args=[group.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Group.objects.filter(pk=group.pk).exists()
    gone = Event.objects.get(event_type="group.deleted")
    assert gone.event_data["members"] == {"previous": ["member@example.com"], "updated": None}
    assert gone.event_data["name"] == {"previous": "Billing", "updated": None}


def test_deleting_groups_from_the_list_records_each(admin_client):
    groups = [Group.objects.create(name=name) for name in ("One", "Two")]

    admin_client.post(
        reverse("admin:auth_group_changelist"),
        {"action": "delete_selected", "_selected_action": [g.pk for g in groups], "post": "yes"},
    )

    assert not Group.objects.filter(name__in=["One", "Two"]).exists()
    names = Event.objects.filter(event_type="group.deleted").values_list(
        "event_data__name__previous", flat=True
    )
    assert sorted(names) == ["One", "Two"]


def test_support_staff_cannot_see_or_change_the_groups(as_user, agent):
    client = as_user(agent)
    support = Group.objects.get(name="Support")

    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    change = reverse("admin:auth_group_change", args=[support.pk])
    assert client.post(change, {"name": "Support", "permissions": []}).status_code == 403
    assert client.post(reverse("admin:auth_group_add"), {"name": "Mine"}).status_code == 403

    assert support.permissions.exists()
    assert not Group.objects.filter(name="Mine").exists()
    assert not Event.objects.filter(event_type__startswith="group.").exists()
