"""The Phone numbers page: list and search, buying from the inventory, rename, release, and
transfers within a family_of_two, with who may do what."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts import errors, roles
from accounts.errors import CONTAINS_INVALID, TRANSFER_TARGET_REQUIRED
from accounts.models import Account, AvailablePhoneNumber, IncomingPhoneNumber
from accounts.services import accounts as account_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor
from tests.factories import SubaccountFactory
from tests.support import HTMX


def list_url(account):
    return reverse("console:phone_number_list", args=[account.sid])


def buy_url(account):
    return reverse("console:phone_number_buy", args=[account.sid])


def number_url(name, number, account=None):
    return reverse(name, args=[(account or number.account).sid, number.sid])


def held(account):
    return set(
        IncomingPhoneNumber.objects.filter(account=account, released_at__isnull=True).values_list(
            "phone_number", flat=True
        )
    )


# The list --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lists_the_accounts_own_numbers_with_capabilities(
    owner_client, stock, funded, make_subaccount
):
    sub = make_subaccount(funded, "Customer A")
    mine = number_services.number_buy(
        account=funded, phone_number="+14155550100", actor=Actor.system()
    )
    number_services.number_buy(account=sub, phone_number="+14155550101", actor=Actor.system())
    gone = number_services.number_buy(
        account=funded, phone_number="+14155550102", actor=Actor.system()
    )
    number_services.number_release(number=gone, actor=Actor.system())
    html = owner_client.get(list_url(funded)).content.decode()
    assert mine.sid in html and "+14155550100" in html and "(415) 555-0100" in html
    assert "+14155550101" not in html  # the subaccount's own
    assert "+14155550102" not in html  # released
    assert '<span class="badge badge-cap" title="Voice">Voice</span>' in html
    assert '<span class="badge badge-cap" title="MMS">MMS</span>' in html  # line 100 is even
    assert mine.date_created.strftime("%b %-d, %Y") in html


@pytest.mark.django_db
def test_search_by_digits_or_friendly_name(owner_client, stock, funded):
    first = number_services.number_buy(
        account=funded, phone_number="+14155550100", actor=Actor.system()
    )
    second = number_services.number_buy(
        account=funded, phone_number="+12125550199", actor=Actor.system()
    )
    number_services.number_rename(number=second, friendly_name="Support line", actor=Actor.system())
    by_digits = owner_client.get(list_url(funded), {"q": "(415) 555-0100"}).content.decode()
    assert first.sid in by_digits and second.sid not in by_digits
    assert 'value="(415) 555-0100"' in by_digits  # reflected, so the URL reopens the search
    by_name = owner_client.get(list_url(funded), {"q": "support"}).content.decode()
    assert second.sid in by_name and first.sid not in by_name
    nothing = owner_client.get(list_url(funded), {"q": "zzz"}).content.decode()
    assert "No number matches “zzz”" in nothing


@pytest.mark.django_db
def test_htmx_search_returns_only_the_results(owner_client, stock, funded):
    number_services.number_buy(account=funded, phone_number="+14155550100", actor=Actor.system())
    response = owner_client.get(list_url(funded), {"q": "0100"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="number-results"')
    assert "<html" not in html and "+14155550100" in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_pages_of_50(owner_client, funded):
    IncomingPhoneNumber.objects.bulk_create(
        IncomingPhoneNumber(account=funded, phone_number=f"+1800555{n:04d}", friendly_name="Bulk")
        for n in range(60)
    )
    first = owner_client.get(list_url(funded)).content.decode()
    assert first.count('<tr id="row-PN') == 50 and "60 numbers" in first
    second = owner_client.get(list_url(funded), {"page": 2}, headers=HTMX).content.decode()
    assert second.count('<tr id="row-PN') == 10


# Buying ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_buy_page_searches_the_inventory(owner_client, stock, funded):
    html = owner_client.get(buy_url(funded)).content.decode()
    assert "+14155550100" in html and "+12125550199" in html and "$1.15" in html
    assert "CA, US" in html
    found = owner_client.get(buy_url(funded), {"contains": "212"}, headers=HTMX)
    assert found.content.decode().lstrip().startswith('<div id="available-numbers"')
    assert b"+12125550199" in found.content and b"+14155550100" not in found.content
    assert b'value="212"' in found.content


@pytest.mark.django_db
def test_an_invalid_inventory_search_is_explained_and_kept(owner_client, stock, funded):
    response = owner_client.get(buy_url(funded), {"contains": "abc"}, headers=HTMX)
    assert response.status_code == 422
    assert CONTAINS_INVALID.encode() in response.content
    assert b'value="abc"' in response.content


@pytest.mark.django_db
def test_buy_plain_post_redirects_with_a_message(owner_client, stock, funded):
    response = owner_client.post(buy_url(funded), {"phone_number": "+14155550100"}, follow=True)
    assert response.redirect_chain[-1][0] == list_url(funded)
    assert "Bought +14155550100" in response.content.decode()
    assert held(funded) == {"+14155550100"}
    funded.refresh_from_db()
    assert funded.balance == Decimal("18.85")


@pytest.mark.django_db
def test_buy_over_htmx_updates_the_results_in_place(owner_client, stock, funded):
    response = owner_client.post(
        buy_url(funded), {"phone_number": "+14155550100", "contains": "415"}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="available-numbers"')
    assert "Bought <strong>+14155550100</strong>" in html
    assert 'name="phone_number" value="+14155550100"' not in html  # out of stock now
    assert 'value="415"' in html and "+12125550199" not in html  # the search is kept
    assert "$18.85" in html  # the balance after
    assert "phoneNumbersChanged" in json.loads(response["HX-Trigger"])


@pytest.mark.django_db
def test_a_subaccount_buys_from_the_parents_balance(owner_client, stock, funded, make_subaccount):
    sub = make_subaccount(funded)
    owner_client.post(buy_url(sub), {"phone_number": "+14155550100"}, headers=HTMX)
    assert held(sub) == {"+14155550100"} and held(funded) == set()
    funded.refresh_from_db()
    assert funded.balance == Decimal("18.85")


@pytest.mark.django_db
def test_buying_without_funds_is_refused_in_place(owner_client, stock, account):
    response = owner_client.post(
        buy_url(account), {"phone_number": "+14155550100", "contains": "555"}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Add funds first" in html and "+14155550100" in html
    assert 'class="row-error"' in html and 'value="555"' in html
    assert not IncomingPhoneNumber.objects.exists()
    # Without JavaScript: the whole page, with the same refusal.
    page = owner_client.post(buy_url(account), {"phone_number": "+14155550100"})
    assert page.status_code == 422 and b"<html" in page.content
    assert b"Add funds first" in page.content


@pytest.mark.django_db
def test_the_trial_limit_is_refused_in_place(as_user, stock, trial):
    client = as_user(trial.owner)
    client.post(buy_url(trial), {"phone_number": "+14155550100"}, headers=HTMX)
    response = client.post(buy_url(trial), {"phone_number": "+14155550101"}, headers=HTMX)
    assert response.status_code == 422
    assert escape(errors.TRIAL_NUMBER_LIMIT).encode() in response.content
    assert held(trial) == {"+14155550100"}


@pytest.mark.django_db
def test_a_trial_subaccounts_buy_page_says_it_cannot_hold_numbers(
    as_user, stock, trial, make_subaccount
):
    sub = make_subaccount(trial, "Trial sub")
    client = as_user(trial.owner)
    html = client.get(buy_url(sub)).content.decode()
    assert f'id="trial-numbers">{escape(errors.TRIAL_SUBACCOUNT_NUMBERS)}</p>' in html
    # The main account's page names its own limit instead.
    main = client.get(buy_url(trial)).content.decode()
    assert 'id="trial-numbers"' not in main
    assert "A trial account can hold one number, counting its subaccount's." in main


@pytest.mark.django_db
def test_a_number_gone_from_the_inventory_is_refused_in_place(owner_client, stock, funded):
    response = owner_client.post(buy_url(funded), {"phone_number": "+19995550000"}, headers=HTMX)
    assert response.status_code == 422
    expected = errors.NUMBER_NOT_AVAILABLE.format(number="+19995550000")
    assert escape(expected).encode() in response.content
    empty = owner_client.post(buy_url(funded), {"phone_number": ""}, headers=HTMX)
    assert empty.status_code == 422 and b"Choose a number to buy." in empty.content


@pytest.mark.django_db
def test_a_suspended_subaccount_cannot_buy(owner_client, user, stock, funded, make_subaccount):
    sub = make_subaccount(funded)
    account_services.account_suspend(account=sub, actor=Actor.for_user(user))
    response = owner_client.post(buy_url(sub), {"phone_number": "+14155550100"}, headers=HTMX)
    assert response.status_code == 422
    assert errors.ACCOUNT_NOT_ACTIVE_FOR_NUMBERS.encode() in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [(roles.DEVELOPER, 200), (roles.SUPPORT, 403), (roles.BILLING_MANAGER, 403)],
)
def test_buying_needs_phone_numbers_write(client, make_member, stock, funded, role, status):
    client.force_login(make_member(funded, role))
    assert client.get(buy_url(funded)).status_code == status
    response = client.post(buy_url(funded), {"phone_number": "+14155550100"}, headers=HTMX)
    assert response.status_code == status
    assert bool(held(funded)) == (status == 200)
    page = client.get(list_url(funded)).content.decode()  # everyone may look
    assert (buy_url(funded) in page) == (status == 200)


# Rename and release ------------------------------------------------------------------------


@pytest.fixture
def number(stock, funded):
    return number_services.number_buy(
        account=funded, phone_number="+14155550100", actor=Actor.system()
    )


@pytest.mark.django_db
def test_rename_a_row_over_htmx(owner_client, number):
    url = number_url("console:phone_number_rename", number)
    response = owner_client.post(url, {"friendly_name": "Front desk"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="row-{number.sid}"')
    assert "Front desk" in html and "Renamed." in html
    assert "phoneNumbersChanged" in json.loads(response["HX-Trigger"])


@pytest.mark.django_db
def test_a_rename_error_shows_in_the_row_and_keeps_what_was_typed(owner_client, number):
    url = number_url("console:phone_number_rename", number)
    response = owner_client.post(url, {"friendly_name": "z" * 65}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert "at most 64 characters" in html and f'value="{"z" * 65}"' in html
    assert '<details class="inline-edit inline-edit-static" open>' in html
    # Without JavaScript: the page, with the same error and the typed name.
    page = owner_client.post(url, {"friendly_name": "   "})
    assert page.status_code == 422 and b"<html" in page.content
    assert errors.FRIENDLY_NAME_REQUIRED.encode() in page.content
    number.refresh_from_db()
    assert number.friendly_name == "(415) 555-0100"


@pytest.mark.django_db
def test_rename_plain_post_redirects(owner_client, number):
    url = number_url("console:phone_number_rename", number)
    response = owner_client.post(url, {"friendly_name": "Front desk"}, follow=True)
    assert "Renamed +14155550100 to “Front desk”" in response.content.decode()


@pytest.mark.django_db
def test_release_asks_first_in_a_dialog_or_a_page(owner_client, number):
    url = number_url("console:phone_number_release", number)
    dialog = owner_client.get(url, headers=HTMX).content.decode()
    assert "<html" not in dialog and "stops working" in dialog and "hx-post" in dialog
    page = owner_client.get(url).content.decode()  # without JavaScript
    assert "<html" in page and f'action="{url}"' in page and "hx-post" not in page


@pytest.mark.django_db
def test_release_over_htmx_replaces_the_row(owner_client, number):
    url = number_url("console:phone_number_release", number)
    response = owner_client.post(url, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#row-{number.sid}"
    assert response["HX-Reswap"] == "outerHTML"
    assert "Released." in html and "row-gone" in html and "Release…" not in html
    assert AvailablePhoneNumber.objects.filter(phone_number="+14155550100").exists()
    # A stale page releasing it again is told why, in the dialog.
    again = owner_client.post(url, headers=HTMX)
    assert again.status_code == 422
    assert errors.NUMBER_RELEASED.encode() in again.content
    assert b'id="number-dialog"' in again.content


@pytest.mark.django_db
def test_release_plain_post_redirects(owner_client, number, funded):
    response = owner_client.post(number_url("console:phone_number_release", number), follow=True)
    assert "Released +14155550100." in response.content.decode()
    assert held(funded) == set()


@pytest.mark.django_db
def test_read_only_roles_see_no_row_actions_and_get_403(client, make_member, number, funded):
    client.force_login(make_member(funded, roles.SUPPORT))
    page = client.get(list_url(funded)).content.decode()
    assert number.sid in page
    assert "Rename" not in page and "Release…" not in page and "Transfer…" not in page
    for name in (
        "console:phone_number_rename",
        "console:phone_number_release",
        "console:phone_number_transfer",
    ):
        assert client.post(number_url(name, number), {"friendly_name": "x"}).status_code == 403
    assert held(funded) == {"+14155550100"}


# Transfers -------------------------------------------------------------------------------


@pytest.fixture
def family_of_two(stock, funded, make_subaccount):
    """The funded main account and its subaccounts First and Second: (main, first, second)."""
    first = make_subaccount(funded, "First")
    second = make_subaccount(funded, "Second")
    return funded, first, second


def transfer(client, number, target, *, on=None, htmx=True):
    return client.post(
        number_url("console:phone_number_transfer", number, on),
        {"target": target.sid if hasattr(target, "sid") else target},
        headers=HTMX if htmx else {},
    )


@pytest.mark.django_db
def test_transfer_dialog_lists_the_familys_other_active_accounts(
    owner_client, user, family_of_two, make_subaccount
):
    main, first, second = family_of_two
    closed = make_subaccount(main, "Closed one")
    account_services.account_close(account=closed, actor=Actor.for_user(user))
    number = number_services.number_buy(
        account=first, phone_number="+14155550100", actor=Actor.system()
    )
    dialog = owner_client.get(number_url("console:phone_number_transfer", number), headers=HTMX)
    html = dialog.content.decode()
    assert "<html" not in html
    assert f'value="{main.sid}"' in html and "(main account)" in html
    assert f'value="{second.sid}"' in html
    assert f'value="{first.sid}"' not in html  # the current holder
    assert f'value="{closed.sid}"' not in html
    page = owner_client.get(number_url("console:phone_number_transfer", number)).content.decode()
    assert "<html" in page and "hx-post" not in page


@pytest.mark.django_db
def test_transfer_sibling_to_sibling_and_back_through_the_parent(owner_client, family_of_two):
    main, first, second = family_of_two
    number = number_services.number_buy(
        account=first, phone_number="+14155550100", actor=Actor.system()
    )
    response = transfer(owner_client, number, second)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#row-{number.sid}"
    assert "Moved to Second." in html and "row-gone" in html and "Transfer…" not in html
    assert held(second) == {"+14155550100"} and held(first) == set()
    # From the holder's page to its parent, then from the parent's page to a child.
    number.refresh_from_db()
    assert transfer(owner_client, number, main).status_code == 200
    assert held(main) == {"+14155550100"}
    number.refresh_from_db()
    response = transfer(owner_client, number, first, htmx=False)
    assert response.status_code == 302 and response["Location"] == list_url(main)
    assert held(first) == {"+14155550100"}


@pytest.mark.django_db
def test_transfer_to_an_unrelated_account_is_refused(
    owner_client, user, family_of_two, make_account, make_subaccount
):
    main, first, _second = family_of_two
    number = number_services.number_buy(
        account=first, phone_number="+14155550100", actor=Actor.system()
    )
    elsewhere = make_account(owner=user, friendly_name="Other family_of_two")
    foreign_sub = make_subaccount(elsewhere)
    for target in (elsewhere, foreign_sub, "AC" + "0" * 32):
        response = transfer(owner_client, number, target)
        assert response.status_code == 422
        assert escape(errors.TransferTargetUnrelated.message).encode() in response.content
    assert held(first) == {"+14155550100"}
    # Through another family_of_two's URL the number does not exist at all.
    assert transfer(owner_client, number, main, on=elsewhere).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["suspended", "closed"])
def test_transfer_to_an_inactive_account_is_refused_with_its_message(
    owner_client, user, family_of_two, status
):
    _main, first, second = family_of_two
    number = number_services.number_buy(
        account=first, phone_number="+14155550100", actor=Actor.system()
    )
    if status == "suspended":
        account_services.account_suspend(account=second, actor=Actor.for_user(user))
    else:
        account_services.account_close(account=second, actor=Actor.for_user(user))
    response = transfer(owner_client, number, second)
    html = response.content.decode()
    assert response.status_code == 422
    assert escape(errors.TransferTargetNotActive.message) in html
    assert 'id="number-dialog"' in html  # the refusal stays in the dialog
    plain = transfer(owner_client, number, second, htmx=False)
    assert plain.status_code == 422 and b"<html" in plain.content
    assert held(first) == {"+14155550100"}


@pytest.mark.django_db
def test_transfer_to_a_trial_subaccount_is_refused(as_user, stock, trial, make_subaccount):
    sub = make_subaccount(trial, "Trial sub")
    number = number_services.number_buy(
        account=trial, phone_number="+14155550100", actor=Actor.system()
    )
    response = transfer(as_user(trial.owner), number, sub)
    assert response.status_code == 422
    assert escape(errors.TRIAL_SUBACCOUNT_NUMBERS).encode() in response.content
    assert held(trial) == {"+14155550100"}


@pytest.mark.django_db
def test_transfer_without_a_target_is_an_error_in_place(owner_client, family_of_two):
    _main, first, second = family_of_two
    number = number_services.number_buy(
        account=first, phone_number="+14155550100", actor=Actor.system()
    )
    response = transfer(owner_client, number, "")
    assert response.status_code == 422
    assert TRANSFER_TARGET_REQUIRED.encode() in response.content


@pytest.mark.django_db
def test_a_chosen_target_is_kept_when_the_transfer_is_refused(owner_client, family_of_two):
    _main, first, second = family_of_two
    number = number_services.number_buy(
        account=first, phone_number="+14155550100", actor=Actor.system()
    )
    number_services.number_release(number=number, actor=Actor.system())  # meanwhile, in another tab
    response = transfer(owner_client, number, second)
    assert response.status_code == 422
    assert errors.NUMBER_RELEASED.encode() in response.content
    assert f'<option value="{second.sid}" selected>'.encode() in response.content


@pytest.mark.django_db
def test_only_managers_of_the_main_account_may_transfer(client, make_member, family_of_two):
    main, first, second = family_of_two
    number = number_services.number_buy(
        account=first, phone_number="+14155550100", actor=Actor.system()
    )
    # Owners and Administrators of the main account move its family_of_two's numbers; a Developer
    # of it may buy, rename and release, not transfer.
    administrator = make_member(main, roles.ADMINISTRATOR)
    client.force_login(administrator)
    assert "Transfer…" in client.get(list_url(first)).content.decode()
    developer = make_member(main, roles.DEVELOPER)
    client.force_login(developer)
    page = client.get(list_url(first)).content.decode()
    assert "Rename" in page and "Transfer…" not in page
    assert transfer(client, number, second).status_code == 403
    # An administrator of the subaccount alone may rename and release, not transfer.
    sub_admin = make_member(first, roles.ADMINISTRATOR)
    client.force_login(sub_admin)
    page = client.get(list_url(first)).content.decode()
    assert "Rename" in page and "Release…" in page and "Transfer…" not in page
    assert client.get(number_url("console:phone_number_transfer", number)).status_code == 403
    assert transfer(client, number, second).status_code == 403
    assert held(first) == {"+14155550100"}


@pytest.mark.django_db
def test_a_subaccount_user_never_sees_other_accounts_numbers(client, make_member, family_of_two):
    main, first, second = family_of_two
    mine = number_services.number_buy(
        account=first, phone_number="+14155550100", actor=Actor.system()
    )
    theirs = number_services.number_buy(
        account=second, phone_number="+14155550101", actor=Actor.system()
    )
    parents = number_services.number_buy(
        account=main, phone_number="+14155550102", actor=Actor.system()
    )
    client.force_login(make_member(first, roles.DEVELOPER))
    html = client.get(list_url(first)).content.decode()
    assert mine.sid in html and theirs.sid not in html and parents.sid not in html
    assert client.get(list_url(second)).status_code == 404
    assert client.get(list_url(main)).status_code == 404
    # Another account's number through this account's URL: 404.
    rename = reverse("console:phone_number_rename", args=[first.sid, theirs.sid])
    assert client.post(rename, {"friendly_name": "Mine now"}).status_code == 404


@pytest.mark.django_db
def test_non_members_get_404_everywhere(client, make_user, number, funded):
    client.force_login(make_user())
    for url in (
        list_url(funded),
        buy_url(funded),
        number_url("console:phone_number_release", number),
        number_url("console:phone_number_transfer", number),
    ):
        assert client.get(url).status_code == 404, url
    for name in (
        "console:phone_number_rename",
        "console:phone_number_release",
        "console:phone_number_transfer",
    ):
        assert client.post(number_url(name, number), {"friendly_name": "x"}).status_code == 404
    assert client.post(buy_url(funded), {"phone_number": "+14155550101"}).status_code == 404


@pytest.mark.django_db
def test_page_queries_stay_flat_with_1000_subaccounts(
    owner_client, funded, django_assert_max_num_queries
):
    SubaccountFactory.bulk(funded, 1000)
    IncomingPhoneNumber.objects.bulk_create(
        IncomingPhoneNumber(account=funded, phone_number=f"+1800555{n:04d}", friendly_name="Bulk")
        for n in range(60)
    )
    with django_assert_max_num_queries(10):
        html = owner_client.get(list_url(funded)).content.decode()
    assert html.count('<tr id="row-PN') == 50 and "Transfer…" in html
    some = IncomingPhoneNumber.objects.first()
    with django_assert_max_num_queries(10):
        dialog = owner_client.get(number_url("console:phone_number_transfer", some), headers=HTMX)
    assert dialog.content.decode().count('<option value="AC') == 1000
    sub = Account.objects.filter(parent=funded).first()
    with django_assert_max_num_queries(10):
        owner_client.get(list_url(sub), {"q": "800"}, headers=HTMX)
