"""Loading the inventory (a service with its event), and purchases that stale stock can never
turn into a server error."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts import errors
from accounts.models import Account, AvailablePhoneNumber, Event, IncomingPhoneNumber
from accounts.selectors import numbers as number_selectors
from accounts.services import inventory
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db

HELD = "+14155550100"


@pytest.fixture
def funded(make_account):
    account = make_account(friendly_name="Funded")
    ledger_services.funds_add(account=account, amount="20", actor=Actor.system(), reason="Top-up")
    Account.objects.filter(pk=account.pk).update(type=Account.Type.FULL)
    account.refresh_from_db()
    return account


@pytest.fixture
def stale_stock(funded):
    """+1 415 555-0100 is held by `funded` and, as an older load could leave it, in stock too."""
    inventory.inventory_load(area_codes=["415"], actor=Actor.system())
    number_services.number_buy(account=funded, phone_number=HELD, actor=Actor.system())
    AvailablePhoneNumber.objects.create(phone_number=HELD, friendly_name="(415) 555-0100")
    return HELD


def test_loading_records_one_system_event_with_what_it_added():
    out = io.StringIO()
    call_command("load_numbers", "--area-codes", "415,212", "--price", "2.5", stdout=out)

    assert out.getvalue().strip() == "Added 200 numbers; 200 are available."
    event = Event.objects.get()
    assert event.event_type == "inventory.updated"
    assert (event.actor_type, event.source, event.account_id) == ("system", "system", None)
    assert event.event_data["added"] == 200
    assert event.event_data["available"] == {"previous": 0, "updated": 200}
    assert event.event_data["area_codes"] == ["212", "415"]
    assert AvailablePhoneNumber.objects.get(phone_number="+12125550150").monthly_price == (
        Decimal("2.5")
    )


def test_loading_again_adds_nothing_and_records_nothing():
    inventory.inventory_load(area_codes=["415"], actor=Actor.system())
    out = io.StringIO()
    call_command("load_numbers", "--area-codes", "415", stdout=out)

    assert out.getvalue().strip() == "Added 0 numbers; 100 are available."
    assert Event.objects.filter(event_type="inventory.updated").count() == 1


def test_loading_skips_held_numbers(funded):
    inventory.inventory_load(area_codes=["415"], actor=Actor.system())
    number_services.number_buy(account=funded, phone_number=HELD, actor=Actor.system())

    loaded = inventory.inventory_load(area_codes=["415"], actor=Actor.system())

    assert (loaded.added, loaded.removed, loaded.available) == (0, 0, 99)
    assert not AvailablePhoneNumber.objects.filter(phone_number=HELD).exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--area-codes", "123"], errors.AREA_CODE_INVALID.format(value="123")),
        (["--area-codes", "41"], errors.AREA_CODE_INVALID.format(value="41")),
        (["--price", "cheap"], errors.INVENTORY_PRICE_INVALID.format(value="cheap")),
        (["--price", "-1"], errors.INVENTORY_PRICE_INVALID.format(value="-1")),
    ],
)
def test_loading_refuses_bad_arguments_with_a_message(arguments, message):
    with pytest.raises(CommandError) as refusal:
        call_command("load_numbers", *arguments, stdout=io.StringIO())
    assert str(refusal.value) == message
    assert not AvailablePhoneNumber.objects.exists()


def test_stale_stock_is_never_sold_by_number(stale_stock, make_account):
    other = make_account(friendly_name="Other")
    ledger_services.funds_add(account=other, amount="5", actor=Actor.system(), reason="Top-up")

    with pytest.raises(errors.NumberNotAvailable) as refusal:
        number_services.number_buy(account=other, phone_number=HELD, actor=Actor.system())

    assert refusal.value.message == errors.NUMBER_NOT_AVAILABLE.format(number=HELD)
    assert IncomingPhoneNumber.objects.filter(phone_number=HELD).count() == 1


def test_stale_stock_is_skipped_by_area_code(stale_stock, funded):
    number = number_services.number_buy(account=funded, area_code="415", actor=Actor.system())
    assert number.phone_number == "+14155550101"


def test_stale_stock_is_not_offered_in_the_console(stale_stock):
    offered = [n.phone_number for n in number_selectors.available_numbers(contains="415")]
    assert HELD not in offered and "+14155550101" in offered


def test_the_next_load_removes_stale_stock(stale_stock):
    out = io.StringIO()
    call_command("load_numbers", "--area-codes", "415", stdout=out)

    assert out.getvalue().strip() == (
        "Added 0 numbers (and removed 1 held by accounts); 99 are available."
    )
    assert not AvailablePhoneNumber.objects.filter(phone_number=HELD).exists()
    assert Event.objects.filter(event_type="inventory.updated").first().event_data["removed"] == 1


def test_buying_by_area_code_takes_the_first_number_for_sale(funded):
    inventory.inventory_load(area_codes=["415", "212"], actor=Actor.system())
    number = number_services.number_buy(account=funded, area_code="212", actor=Actor.system())
    assert number.phone_number == "+12125550100"
    assert not AvailablePhoneNumber.objects.filter(phone_number="+12125550100").exists()


@pytest.mark.parametrize("area_code", ["", "099", "41a", "4155"])
def test_buying_by_a_bad_area_code_is_refused(funded, area_code):
    with pytest.raises(errors.AreaCodeInvalid) as refusal:
        number_services.number_buy(account=funded, area_code=area_code, actor=Actor.system())
    assert refusal.value.code == 21451


def test_buying_in_a_sold_out_area_code_is_refused(funded):
    inventory.inventory_load(area_codes=["415"], actor=Actor.system())
    with pytest.raises(errors.AreaCodeSoldOut) as refusal:
        number_services.number_buy(account=funded, area_code="212", actor=Actor.system())
    assert refusal.value.code == 21452
    assert refusal.value.message == errors.AREA_CODE_SOLD_OUT.format(area_code="212")
