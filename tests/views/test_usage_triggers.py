"""The Usage triggers pages, and what the Usage page adds: per-day bars, categories, the
include-subaccounts toggle, totals equal to the ledger's."""

import datetime
from decimal import Decimal
from html import escape

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts import errors, roles
from accounts.models import AccountMembership, Event, LedgerEntry, UsageTrigger
from accounts.services import ledger, triggers
from accounts.services.events import Actor
from accounts.services.usage import usage_record
from tests.usage_time import charging_on

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
SYSTEM = Actor.system()


def today():
    return timezone.now().astimezone(datetime.UTC).date()


def list_url(account):
    return reverse("console:usage_trigger_list", args=[account.sid])


@pytest.fixture
def owner_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def funded(account):
    ledger.funds_add(account=account, amount="100", actor=SYSTEM, reason="Funds")
    return account


def use(account, price="0.50", category="sms-outbound", quantity=5):
    return usage_record(
        account=account,
        category=category,
        quantity=quantity,
        price=price,
        start_date=today(),
        end_date=today(),
        actor=SYSTEM,
    )


def make_trigger(account, **fields):
    values = {
        "callback_url": "https://example.com/usage",
        "trigger_value": "10",
        "usage_category": "totalprice",
        "trigger_by": "price",
        "actor": SYSTEM,
    } | fields
    return triggers.usage_trigger_create(account=account, **values)


FORM = {
    "friendly_name": "Monthly budget",
    "usage_category": "totalprice",
    "trigger_by": "price",
    "trigger_value": "+25",
    "recurring": "monthly",
    "callback_url": "https://example.com/usage",
    "callback_method": "POST",
}


def test_the_list_shows_value_current_value_last_fired_and_delivery(owner_client, funded):
    use(funded, price="3")
    quiet = make_trigger(funded, friendly_name="Quiet", trigger_value="50")
    loud = make_trigger(funded, friendly_name="Loud", trigger_value="1")
    html = owner_client.get(list_url(funded)).content.decode()
    assert "Quiet" in html and "Loud" in html
    row = html[html.index(f'id="trigger-{quiet.sid}"') :]
    row = row[: row.index("</tr>")]
    assert "$50.00" in row and "$3.00" in row and "Never" in row and "None yet" in row
    row = html[html.index(f'id="trigger-{loud.sid}"') :]
    row = row[: row.index("</tr>")]
    assert "Pending" in row  # fired; its callback waits for the worker
    assert reverse("console:usage_trigger_deliveries", args=[funded.sid, loud.sid]) in row


def test_create_through_the_form(owner_client, funded):
    use(funded, price="2")
    response = owner_client.post(list_url(funded), FORM)
    assert response.status_code == 302
    trigger = UsageTrigger.objects.get()
    assert (trigger.friendly_name, trigger.trigger_value, trigger.recurring) == (
        "Monthly budget",
        Decimal("27"),
        "monthly",
    )
    event = Event.objects.get(resource_sid=trigger.sid, event_type="usage-trigger.created")
    assert event.actor_user_id == funded.owner_id and event.source == "web"


def test_create_over_htmx_answers_the_partial_and_an_event(owner_client, funded):
    response = owner_client.post(list_url(funded), FORM, headers=HTMX)
    assert response.status_code == 200
    assert "usageTriggersChanged" in response["HX-Trigger"]
    html = response.content.decode()
    assert html.strip().startswith('<div id="usage-triggers">') and "Monthly budget" in html


def test_a_refused_form_is_422_with_the_message_in_place(owner_client, funded, settings):
    settings.USAGE_TRIGGER_PRIVATE_CALLBACKS = False
    data = FORM | {"callback_url": "http://192.168.1.1/hook"}
    response = owner_client.post(list_url(funded), data, headers=HTMX)
    assert response.status_code == 422
    assert (
        errors.TRIGGER_CALLBACK_URL_PRIVATE.format(host="192.168.1.1") in response.content.decode()
    )
    response = owner_client.post(list_url(funded), FORM | {"trigger_value": "lots"}, headers=HTMX)
    assert response.status_code == 422
    assert escape(errors.TRIGGER_VALUE_INVALID.format(value="lots")) in response.content.decode()
    assert not UsageTrigger.objects.exists()


def test_delete_asks_then_deletes(owner_client, funded):
    trigger = make_trigger(funded)
    url = reverse("console:usage_trigger_delete", args=[funded.sid, trigger.sid])
    page = owner_client.get(url)
    assert page.status_code == 200 and "Delete trigger" in page.content.decode()
    assert owner_client.post(url).status_code == 302
    assert not UsageTrigger.objects.exists()
    assert Event.objects.filter(
        event_type="usage-trigger.deleted", resource_sid=trigger.sid
    ).exists()


def test_the_deliveries_page_lists_each_try(
    owner_client, funded, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [503]
    trigger = make_trigger(funded, callback_url=receiver.url, trigger_value="1")
    with django_capture_on_commit_callbacks(execute=True):
        use(funded, price="2")
    html = owner_client.get(
        reverse("console:usage_trigger_deliveries", args=[funded.sid, trigger.sid])
    ).content.decode()
    assert "HTTP 503" in html and "HTTP 200" in html and "Delivered" in html
    assert f"{funded.sid}-FIRES-{trigger.sid}-alltime" in html


def member_client(client, make_user, account, role):
    person = make_user()
    AccountMembership.objects.create(account=account, user=person, role=role)
    client.force_login(person)
    return client


@pytest.mark.parametrize("role", [roles.BILLING_MANAGER, roles.ADMINISTRATOR])
def test_billing_managers_and_administrators_manage_triggers(client, make_user, funded, role):
    member = member_client(client, make_user, funded, role)
    assert member.get(list_url(funded)).status_code == 200
    assert member.post(list_url(funded), FORM).status_code == 302


@pytest.mark.parametrize("role", [roles.DEVELOPER, roles.SUPPORT])
def test_other_roles_are_refused(client, make_user, funded, role):
    trigger = make_trigger(funded)
    member = member_client(client, make_user, funded, role)
    assert member.get(list_url(funded)).status_code == 403
    assert member.post(list_url(funded), FORM).status_code == 403
    delete = reverse("console:usage_trigger_delete", args=[funded.sid, trigger.sid])
    assert member.post(delete).status_code == 403
    deliveries = reverse("console:usage_trigger_deliveries", args=[funded.sid, trigger.sid])
    assert member.get(deliveries).status_code == 403
    assert UsageTrigger.objects.count() == 1
    assert (
        "Usage triggers"
        not in member.get(reverse("console:account_dashboard", args=[funded.sid])).content.decode()
    )


def test_strangers_and_subaccount_users_get_404(client, make_user, funded, make_subaccount):
    trigger = make_trigger(funded)
    sub = make_subaccount(funded)
    client.force_login(make_user())
    assert client.get(list_url(funded)).status_code == 404
    sub_admin = member_client(client, make_user, sub, roles.ADMINISTRATOR)
    assert sub_admin.get(list_url(funded)).status_code == 404
    # Their own subaccount's page works, and the parent's trigger is not found under it.
    assert sub_admin.get(list_url(sub)).status_code == 200
    url = reverse("console:usage_trigger_deliveries", args=[sub.sid, trigger.sid])
    assert sub_admin.get(url).status_code == 404


# --- The Usage page -------------------------------------------------------------------------


def usage_url(account):
    return reverse("console:usage", args=[account.sid])


def test_this_month_includes_phone_numbers_bought_today_as_billing_shows(
    owner_client, funded, make_subaccount
):
    from accounts.models import AvailablePhoneNumber
    from accounts.services import numbers

    sub = make_subaccount(funded)
    AvailablePhoneNumber.objects.create(
        phone_number="+14155550100", friendly_name="x", monthly_price=Decimal("1.15")
    )
    numbers.number_buy(account=sub, phone_number="+14155550100", actor=SYSTEM)
    use(sub, price="0.25")
    response = owner_client.get(usage_url(funded))
    report = response.context["report"]
    charged = LedgerEntry.objects.filter(
        paying_account=funded,
        kind="usage",
        date_created__gte=timezone.now().replace(day=1, hour=0, minute=0),
    ).aggregate(total=Sum("amount"))["total"]
    assert report.total == -charged == Decimal("1.40")
    html = response.content.decode()
    assert 'id="category-phonenumbers"' in html and "1 numbers" in html


def test_any_range_equals_the_ledger(owner_client, funded, make_subaccount):
    sub = make_subaccount(funded)
    for day, price in [
        (datetime.date(2026, 3, 30), "1"),
        (datetime.date(2026, 3, 31), "2"),
        (datetime.date(2026, 4, 1), "4"),
    ]:
        with charging_on(day):
            usage_record(
                account=sub,
                category="calls-outbound",
                quantity=1,
                price=price,
                start_date=datetime.date(2026, 1, 1),
                end_date=datetime.date(2026, 12, 31),
                actor=SYSTEM,
            )
    for start, end, expected in [
        ("2026-03-31", "2026-04-01", "6"),
        ("2026-03-01", "2026-03-31", "3"),
        ("2026-04-01", "2026-04-01", "4"),
    ]:
        report = owner_client.get(usage_url(funded), {"start": start, "end": end}).context["report"]
        charged = LedgerEntry.objects.filter(
            paying_account=funded,
            kind="usage",
            date_created__date__gte=start,
            date_created__date__lte=end,
        ).aggregate(total=Sum("amount"))["total"]
        assert report.total == -charged == Decimal(expected)


def test_daily_bars_and_categories_with_units(owner_client, funded):
    for day, price in [(datetime.date(2026, 5, 2), "1.50"), (datetime.date(2026, 5, 4), "3")]:
        with charging_on(day):
            use(funded, price=price, category="calls-inbound", quantity=7)
    html = owner_client.get(
        usage_url(funded), {"start": "2026-05-01", "end": "2026-05-07"}
    ).content.decode()
    figure = html[html.index('id="usage-daily"') :]
    figure = figure[: figure.index("</figure>")]
    # Drawn twice, wide and narrow (phones): the same bars in each.
    drawings = figure.split("<svg ")[1:]
    assert len(drawings) == 2
    for daily in drawings:
        assert daily.count('<rect class="day-bar') == 7
        assert daily.count("day-bar-zero") == 5
        assert "Sat, May 2, 2026: $1.50" in daily and "Mon, May 4, 2026: $3.00" in daily
    categories = html[html.index('id="usage-categories"') :]
    assert 'id="category-calls"' in categories and 'id="category-calls-inbound-sub"' in categories
    assert "14 minutes" in categories and "14 calls" in categories and "$4.50" in categories


def test_the_include_subaccounts_toggle(owner_client, funded, make_subaccount):
    sub = make_subaccount(funded, "Customer")
    use(funded, price="1")
    use(sub, price="2")
    both = owner_client.get(usage_url(funded)).context["report"]
    assert both.total == Decimal("3") and len(both.groups) == 2
    first = today().replace(day=1).isoformat()
    own = owner_client.get(
        usage_url(funded), {"start": first, "end": today().isoformat(), "subaccounts": "exclude"}
    )
    assert own.context["report"].total == Decimal("1")
    html = own.content.decode()
    assert 'name="subaccounts" value="include" id="id_subaccounts">' in html  # not checked
    assert "subaccounts=exclude" in html  # the presets keep it
    ticked = owner_client.get(
        usage_url(funded)
        + f"?start={first}&end={today().isoformat()}&subaccounts=exclude&subaccounts=include"
    )
    assert ticked.context["report"].total == Decimal("3")
