"""Trial limits through the official `twilio` client against a live server: a trial account
creates one subaccount (Twilio's 21480 for the second), its subaccounts cannot buy numbers
(10002) and the one number counts across the trial family (21404). Upgrading lifts them."""

import pytest
import requests
from twilio.base.exceptions import TwilioRestException

from accounts import errors
from accounts.models import Account, Event, IncomingPhoneNumber
from accounts.services import payments as payment_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db(transaction=True)
BILLING = {
    "contact_name": "Ada Payer",
    "contact_email": "billing@example.com",
    "address_line1": "1 Market St",
    "city": "Oakland",
    "region": "CA",
    "postal_code": "94607",
    "country": "US",
}


@pytest.fixture
def trial_account(make_account, owner):
    return make_account(
        owner=owner, friendly_name="Trial Co", type=Account.Type.TRIAL, trial_credit=True
    )


def refusal(call):
    with pytest.raises(TwilioRestException) as caught:
        call()
    return caught.value


def test_a_trial_account_creates_one_subaccount_over_the_api(twilio_client, trial_account):
    client = twilio_client(trial_account)

    first = client.api.v2010.accounts.create(friendly_name="Trial sub")
    assert first.sid.startswith("AC") and first.type == "Trial"

    error = refusal(lambda: client.api.v2010.accounts.create(friendly_name="Second"))
    assert (error.status, error.code) == (400, 21480)
    assert errors.TRIAL_SUBACCOUNT_LIMIT_REACHED in error.msg
    assert Account.objects.filter(parent=trial_account).count() == 1

    # A closed one does not count.
    client.api.v2010.accounts(first.sid).update(status="closed")
    assert client.api.v2010.accounts.create(friendly_name="Again").status == "active"


def test_a_trial_subaccount_cannot_buy_a_number(
    twilio_client, stock, trial_account, make_subaccount
):
    sub = make_subaccount(trial_account, "Trial sub")
    for credentials in (trial_account, sub):
        numbers = twilio_client(credentials).api.v2010.accounts(sub.sid).incoming_phone_numbers
        error = refusal(lambda numbers=numbers: numbers.create(phone_number="+14155550100"))
        assert (error.status, error.code) == (400, 10002)
        assert errors.TRIAL_SUBACCOUNT_NUMBERS in error.msg
    assert not sub.phone_numbers.exists()


def test_one_number_across_the_trial_family_and_upgrading_lifts_the_limits(
    twilio_client, stock, trial_account, make_subaccount, settings
):
    client = twilio_client(trial_account)
    numbers = client.api.v2010.accounts(trial_account.sid).incoming_phone_numbers
    assert numbers.create(phone_number="+14155550100").phone_number == "+14155550100"

    error = refusal(lambda: numbers.create(phone_number="+14155550101"))
    assert (error.status, error.code) == (400, 21404)
    assert errors.TRIAL_NUMBER_LIMIT in error.msg

    settings.PAYMENTS_BACKEND = "test"
    payment = payment_services.account_upgrade_request(
        account=trial_account,
        amount="20",
        billing=BILLING,
        actor=Actor.for_user(trial_account.owner),
    )
    assert payment.status == "succeeded"
    assert numbers.create(phone_number="+14155550101").phone_number == "+14155550101"
    sub = client.api.v2010.accounts.create(friendly_name="Customer")
    assert sub.type == "Full"
    client.api.v2010.accounts.create(friendly_name="Another customer")
    bought = client.api.v2010.accounts(sub.sid).incoming_phone_numbers.create(
        phone_number="+14155550102"
    )
    assert bought.account_sid == sub.sid


def test_a_number_cannot_move_to_a_trial_subaccount(
    twilio_client, stock, trial_account, make_subaccount
):
    """Twilio's number transfer (AccountSid on the number) to a trial account's subaccount is
    the same refusal as buying one there: 10002, a JSON error body, and nothing written."""
    sub = make_subaccount(trial_account, "Trial sub")
    client = twilio_client(trial_account)
    numbers = client.api.v2010.accounts(trial_account.sid).incoming_phone_numbers
    number = numbers.create(phone_number="+14155550100", friendly_name="Front desk")
    events = Event.objects.count()

    error = refusal(lambda: numbers(number.sid).update(account_sid=sub.sid))

    assert (error.status, error.code) == (400, 10002)
    assert errors.TRIAL_SUBACCOUNT_NUMBERS in error.msg
    held = IncomingPhoneNumber.objects.get(sid=number.sid)
    assert held.account == trial_account and held.friendly_name == "Front desk"
    assert Event.objects.count() == events
    # Renaming and moving together is both or neither: the name stays too.
    error = refusal(lambda: numbers(number.sid).update(account_sid=sub.sid, friendly_name="Moved"))
    assert error.code == 10002
    assert IncomingPhoneNumber.objects.get(sid=number.sid).friendly_name == "Front desk"
    assert numbers(number.sid).fetch().account_sid == trial_account.sid


def test_the_refusals_are_twilio_json_bodies(live_server, stock, trial_account, make_subaccount):
    """What the client reads, as sent: JSON with code, message, more_info and status (the
    client keeps no more_info, so the body is read as it comes)."""
    sub = make_subaccount(trial_account, "Trial sub")
    http = requests.Session()
    http.trust_env = False  # no proxy from the environment for a loopback server
    auth = (trial_account.sid, trial_account.auth_token)
    base = f"{live_server.url}/2010-04-01/Accounts"
    bought = http.post(
        f"{base}/{trial_account.sid}/IncomingPhoneNumbers.json",
        data={"PhoneNumber": "+14155550100"},
        auth=auth,
        timeout=10,
    )
    assert bought.status_code == 201
    moved = http.post(
        f"{base}/{trial_account.sid}/IncomingPhoneNumbers/{bought.json()['sid']}.json",
        data={"AccountSid": sub.sid},
        auth=auth,
        timeout=10,
    )
    buy = http.post(
        f"{base}/{sub.sid}/IncomingPhoneNumbers.json",
        data={"PhoneNumber": "+14155550101"},
        auth=auth,
        timeout=10,
    )
    for response in (moved, buy):
        assert response.status_code == 400
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json() == {
            "code": 10002,
            "message": errors.TRIAL_SUBACCOUNT_NUMBERS,
            "more_info": "https://www.twilio.com/docs/errors/10002",
            "status": 400,
        }
    assert not sub.phone_numbers.exists()
