"""The request the console's handlers build (console/handlers.py): Django's, except that it
cannot crash while it is being built.

When the Content-Type header names a charset, Django's request parses the query string with
it as soon as it is built (its `encoding` setter asks `hasattr(self, "GET")`, which parses),
and raises if the charset is a codec that does not decode text (`charset=hex`), if the query
string has too many fields, or if the header cannot be parsed. That happens before any
middleware or error handler can answer, so the server itself answers 500. Here nothing is
parsed until it is read, and a request whose charset cannot read form data, or whose
Content-Type cannot be parsed, is built without them and marked `unreadable`:
`accounts.middleware.UnreadableRequestMiddleware` answers it with a 400 (Twilio's JSON error
body on the API, the styled page on the console).
"""

import codecs

from django.core.exceptions import BadRequest
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import WSGIRequest
from django.utils.http import parse_header_parameters

UNREADABLE_CONTENT_TYPE = "content-type"
UNREADABLE_CHARSET = "charset"

# Form data and query strings are ASCII; a charset must read them as ASCII does.
_ASCII_SAMPLE = b"Name=Value+1&Other=%41"


def charset_reads_forms(charset):
    """Whether `charset` is a text encoding that reads ASCII form data as ASCII. Unknown
    charsets count as readable: Django ignores them and decodes UTF-8."""
    try:
        codecs.lookup(charset)
    except LookupError:
        return True
    try:
        return _ASCII_SAMPLE.decode(charset) == _ASCII_SAMPLE.decode("ascii")
    except (LookupError, ValueError):  # not a text encoding; or UnicodeError, a ValueError
        return False


class ReadableRequestMixin:
    unreadable = ""  # why the parameters cannot be read, if they cannot

    @property
    def encoding(self):
        return self._encoding

    @encoding.setter
    def encoding(self, value):
        # As Django's setter, except that parameters not parsed yet stay unparsed.
        self._encoding = value
        self.__dict__.pop("GET", None)
        self.__dict__.pop("_post", None)

    def _set_content_type_params(self, meta):
        try:
            _, params = parse_header_parameters(meta.get("CONTENT_TYPE", ""))
        except ValueError:
            params = {}
        charset = params.get("charset")
        if charset is not None and not charset_reads_forms(charset):
            # Read as if no charset had been given, and refuse (see the middleware).
            meta = {"CONTENT_TYPE": meta["CONTENT_TYPE"].split(";", 1)[0]}
            self.unreadable = UNREADABLE_CHARSET
        try:
            super()._set_content_type_params(meta)
        except BadRequest:
            self.content_type, self.content_params = "", {}
            self.unreadable = UNREADABLE_CONTENT_TYPE


class ConsoleWSGIRequest(ReadableRequestMixin, WSGIRequest):
    pass


class ConsoleASGIRequest(ReadableRequestMixin, ASGIRequest):
    pass
