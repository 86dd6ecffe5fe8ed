"""Calling the console's real WSGI application (console.wsgi), as a server does.

Django's test client builds its own request object and skips the console's handler (which
builds the request that a bad Content-Type cannot crash), so error contracts that start
before any middleware are tested through the application itself.
"""

import contextlib
import io
import json
import socket
from wsgiref.util import setup_testing_defaults

from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections


class WsgiResponse:
    def __init__(self, status, headers, body):
        self.status_code = int(status.split(" ", 1)[0])
        self.headers = dict(headers)
        self.content = body

    def __getitem__(self, name):
        return self.headers[name]

    def json(self):
        return json.loads(self.content)


def wsgi_request(method, path, *, query="", content_type="", body=b"", headers=None):
    from console.wsgi import application

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    setup_testing_defaults(environ)
    captured = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"], captured["headers"] = status, response_headers

    # As the test client does: a request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = application(environ, start_response)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return WsgiResponse(captured["status"], captured["headers"], body)


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def database_unreachable():
    """Point the default PostgreSQL connection at a port where nothing listens, for real:
    every query meanwhile fails to connect, as during a database restart. Needs a
    transactional test (the connection is closed and reopened)."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
