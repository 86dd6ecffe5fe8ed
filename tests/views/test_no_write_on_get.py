"""A signed-in page view reads: it writes nothing (the session is saved only when it changes),
and sends no new session cookie."""

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support import HTMX

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes_of(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_a_signed_in_get_writes_nothing(owner_client, account, make_subaccount):
    sub = make_subaccount(account)
    pages = [
        (f"/console/{account.sid}/", {}),
        (f"/console/{account.sid}/subaccounts/", {}),
        (f"/console/{account.sid}/switcher/", HTMX),
        ("/console/accounts/", {}),
        (f"/console/{sub.sid}/", {}),
    ]
    for url, headers in pages:
        owner_client.get(url, headers=headers)  # the first visit remembers the account
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert writes_of(queries.captured_queries) == [], url
        assert settings.SESSION_COOKIE_NAME not in response.cookies, url


def test_moving_to_another_account_still_remembers_it(owner_client, account, make_subaccount):
    sub = make_subaccount(account)
    owner_client.get(f"/console/{account.sid}/")
    assert owner_client.session["last_account_sid"] == account.sid
    response = owner_client.get(f"/console/{sub.sid}/")
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert owner_client.session["last_account_sid"] == sub.sid
