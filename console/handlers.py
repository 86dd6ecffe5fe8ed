"""The WSGI and ASGI handlers of the console: Django's, building the console's request
(accounts/http.py), which a Content-Type with a charset that cannot read text (`charset=hex`)
or a malformed header cannot crash before any middleware or error handler could answer.
"""

import django
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler

from accounts.http import ConsoleASGIRequest, ConsoleWSGIRequest


class ConsoleWSGIHandler(WSGIHandler):
    request_class = ConsoleWSGIRequest


class ConsoleASGIHandler(ASGIHandler):
    request_class = ConsoleASGIRequest


def get_wsgi_application():
    """As django.core.wsgi.get_wsgi_application, with the console's handler."""
    django.setup(set_prefix=False)
    return ConsoleWSGIHandler()


def get_asgi_application():
    """As django.core.asgi.get_asgi_application, with the console's handler."""
    django.setup(set_prefix=False)
    return ConsoleASGIHandler()
