"""Phone numbers through the official `twilio` Python library, unchanged, against a live server.

An ISV buys numbers for its customers' subaccounts, moves them between customers and
releases them with it; the only change to the library is the base URL of its `api` domain.
"""

from decimal import Decimal

import pytest
from twilio.base.exceptions import TwilioRestException

from accounts import errors
from accounts.models import AvailablePhoneNumber
from accounts.services import numbers as number_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_phone_number_life_cycle_through_the_official_client(
    twilio_client, stock, funded, subaccount, sibling
):
    main, sub = funded, subaccount
    client = twilio_client(main)
    sub_numbers = client.api.v2010.accounts(sub.sid).incoming_phone_numbers

    # Buy numbers for a subaccount with the main account's credentials.
    first = sub_numbers.create(phone_number="+14155550100")
    assert (first.account_sid, first.phone_number, first.friendly_name) == (
        sub.sid,
        "+14155550100",
        "(415) 555-0100",
    )
    assert first.sid.startswith("PN")
    assert first.date_created is not None  # twilio-python parsed the RFC 2822 date
    assert first.capabilities == {"voice": True, "sms": True, "mms": False, "fax": False}
    assert (first.status, first.origin, first.beta) == ("in-use", "twilio", False)
    bought = [first] + [
        sub_numbers.create(phone_number=f"+1415555{line:04d}", friendly_name=f"Line {line}")
        for line in range(101, 105)
    ]
    by_area = sub_numbers.create(area_code="415")
    assert by_area.phone_number == "+14155550105"
    bought.append(by_area)

    # List with a filter, and across pages.
    assert [n.sid for n in sub_numbers.list(phone_number="+1415555010")] == [
        n.sid for n in reversed(bought)
    ]
    assert [n.sid for n in sub_numbers.list(phone_number="0103")] == [bought[3].sid]
    assert [n.sid for n in sub_numbers.list(friendly_name="Line 102")] == [bought[2].sid]
    streamed = list(sub_numbers.stream(page_size=2))
    assert [n.sid for n in streamed] == [n.sid for n in reversed(bought)]
    page = sub_numbers.page(page_size=2)
    second = page.next_page()
    assert [n.sid for n in second] == [bought[3].sid, bought[2].sid]
    assert [n.sid for n in second.previous_page()] == [n.sid for n in page]

    # Fetch and rename.
    context = sub_numbers(first.sid)
    assert context.fetch().phone_number == "+14155550100"
    assert context.update(friendly_name="Reception").friendly_name == "Reception"
    assert context.fetch().friendly_name == "Reception"

    # Move it to a sibling with the parent's credentials.
    moved = context.update(account_sid=sibling.sid)
    assert moved.account_sid == sibling.sid
    sibling_numbers = client.api.v2010.accounts(sibling.sid).incoming_phone_numbers
    assert [n.sid for n in sibling_numbers.list()] == [first.sid]
    with pytest.raises(TwilioRestException) as refused:
        context.fetch()  # no longer under the subaccount's path
    assert (refused.value.code, refused.value.status) == (20404, 404)

    # Release it.
    assert sibling_numbers(first.sid).delete() is True
    assert sibling_numbers.list() == []
    assert AvailablePhoneNumber.objects.filter(phone_number="+14155550100").exists()

    main.refresh_from_db()
    assert main.balance == Decimal("20") - 6 * Decimal("1.15")


def test_a_subaccounts_own_credentials(twilio_client, stock, funded, subaccount, sibling):
    main, sub = funded, subaccount
    theirs = number_services.number_buy(
        account=sibling, phone_number="+14155550109", actor=Actor.system()
    )
    sub_client = twilio_client(sub)
    own_numbers = sub_client.api.v2010.accounts(sub.sid).incoming_phone_numbers

    # It buys, renames and lists its own numbers…
    mine = own_numbers.create(phone_number="+14155550100")
    assert own_numbers(mine.sid).update(friendly_name="Mine").friendly_name == "Mine"
    assert [n.sid for n in own_numbers.list()] == [mine.sid]

    # …but cannot move them: only the parent transfers numbers (Twilio's 21474).
    with pytest.raises(TwilioRestException) as refused:
        own_numbers(mine.sid).update(account_sid=sibling.sid)
    assert (refused.value.code, refused.value.status) == (21474, 400)
    assert errors.TransferNotByParent.message in refused.value.msg

    # It never sees another account's numbers: not its sibling's, not its parent's.
    for account in (sibling, main):
        with pytest.raises(TwilioRestException) as refused:
            sub_client.api.v2010.accounts(account.sid).incoming_phone_numbers.create(
                phone_number="+14155550101"
            )
        assert refused.value.code == 20404
    with pytest.raises(TwilioRestException) as refused:
        sub_client.api.v2010.accounts(sibling.sid).incoming_phone_numbers(theirs.sid).fetch()
    assert refused.value.code == 20404
    with pytest.raises(TwilioRestException) as refused:
        own_numbers(theirs.sid).fetch()
    assert refused.value.code == 20404
    with pytest.raises(TwilioRestException) as refused:
        own_numbers(theirs.sid).delete()
    assert refused.value.code == 20404

    # The parent may move the subaccount's number.
    parent_view = twilio_client(main).api.v2010.accounts(sub.sid).incoming_phone_numbers
    assert parent_view(mine.sid).update(account_sid=main.sid).account_sid == main.sid


def test_buying_refusals_through_the_official_client(twilio_client, stock, funded, subaccount):
    main, sub = funded, subaccount
    sub_numbers = twilio_client(main).api.v2010.accounts(sub.sid).incoming_phone_numbers
    with pytest.raises(TwilioRestException) as refused:
        sub_numbers.create(phone_number="+14155559999")
    assert (refused.value.code, refused.value.status) == (21422, 400)
    assert "PhoneNumber +14155559999 is not available." in refused.value.msg
    with pytest.raises(TwilioRestException) as refused:
        sub_numbers.create(area_code="303")
    assert refused.value.code == 21452
    with pytest.raises(TwilioRestException) as refused:
        sub_numbers.create(friendly_name="Nothing to buy")
    assert refused.value.code == 21421
    with pytest.raises(TwilioRestException) as refused:
        sub_numbers(sub_numbers.create(phone_number="+14155550100").sid).update(
            account_sid="AC" + "0" * 32
        )
    assert refused.value.code == 21473
