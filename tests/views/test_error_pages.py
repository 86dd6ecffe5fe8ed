"""The console's own styled 400, 413, 500 and 503 pages."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.testing import ApplicationCommunicator
from django.db import InterfaceError
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import errors
from accounts.views import errors as error_views
from tests.wsgi import database_unreachable, wsgi_request


def _styled(response, status, heading, message):
    page = response.content.decode()
    assert response.status_code == status, page
    assert response["Content-Type"].startswith("text/html")
    assert f"<h1>{heading}</h1>" in page
    assert message in page
    assert "css/console.css" in page and "brand-mark" in page  # the console's own look
    return page


@pytest.mark.django_db
def test_a_charset_that_cannot_be_read_is_a_styled_400():
    # Django's own request raised while it was built: the server answered 500.
    response = wsgi_request(
        "GET", "/signin/", query="next=/console/", content_type="text/plain; charset=hex"
    )
    _styled(response, 400, "Bad request", errors.PAGE_CHARSET_UNREADABLE)


@pytest.mark.django_db
def test_a_form_posted_in_another_charset_than_utf8_is_a_styled_400(settings):
    settings.DEBUG = False
    response = Client().generic(
        "POST",
        "/signin/",
        "username=caf\xe9".encode("latin-1"),
        content_type="application/x-www-form-urlencoded; charset=latin-1",
    )
    _styled(response, 400, "Bad request", errors.PAGE_BAD_REQUEST)


@pytest.mark.django_db
def test_an_oversized_form_is_a_styled_413(settings):
    settings.DEBUG = False
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = Client().post("/signin/", {"username": "a" * 2_000, "password": "x"})
    _styled(response, 413, "Request too large", errors.PAGE_TOO_LARGE)


def test_a_bug_is_a_styled_500():
    request = RequestFactory().get("/console/")
    try:
        raise ZeroDivisionError("a bug")
    except ZeroDivisionError:
        response = error_views.server_error(request)
    _styled(response, 500, "Something went wrong", errors.PAGE_SERVER_ERROR)


def test_a_lost_database_connection_outside_a_view_is_a_styled_503():
    request = RequestFactory().get("/console/")
    try:
        raise InterfaceError("connection already closed")
    except InterfaceError:
        response = error_views.server_error(request)
    _styled(response, 503, "Temporarily unavailable", errors.PAGE_SERVICE_UNAVAILABLE)
    assert response["Retry-After"] == "5"


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_the_database_being_away_is_a_styled_503(postgres_only, account, user):
    # Whether the signed-in user's first query is in a middleware (two-factor) or the view,
    # the answer is the same page; the test client would re-raise the middleware's error.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    dashboard = reverse("console:account_dashboard", args=[account.sid])
    with database_unreachable():
        response = client.get(dashboard)
    _styled(response, 503, "Temporarily unavailable", errors.PAGE_SERVICE_UNAVAILABLE)
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    # Back again without a restart, still signed in.
    assert client.get(dashboard).status_code == 200


def test_the_asgi_application_answers_an_unreadable_charset_with_the_400_page():
    from console.asgi import application  # builds the ASGI handler on import

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/signin/",
        "raw_path": b"/signin/",
        "query_string": b"next=/console/",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"text/plain; charset=hex")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }

    async def call():
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(timeout=10)
        body = await communicator.receive_output(timeout=10)
        return start, body

    # A thread of its own: the browser tests may leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        start, body = pool.submit(lambda: asyncio.run(call())).result()
    assert start["status"] == 400
    assert errors.PAGE_CHARSET_UNREADABLE.encode() in body["body"]
