"""Calling customers' callback URLs: which URLs are allowed, Twilio's request signature, and
one HTTP request with a timeout that connects only to an address it has checked.

A callback URL is the customer's, but the request comes from inside our network: unless
`settings.USAGE_TRIGGER_PRIVATE_CALLBACKS` is on (development, tests), an address that is
not on the public internet (private, loopback, link-local, reserved) is refused, both when
the URL is saved and again when it is called (a name can resolve elsewhere later), and the
connection goes to the very address that was checked. Redirects are not followed.
"""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings

from . import errors

TIMEOUT_SECONDS = 10
URL_MAX_LENGTH = 1000
USER_AGENT = "TwilioProxy/1.1 (subaccounts-console usage triggers)"
SIGNATURE_HEADER = "X-Twilio-Signature"


def twilio_signature(url, params, auth_token):
    """Twilio's request signature: HMAC-SHA1, keyed with the auth token, of the URL followed
    by each POST parameter's name and value, sorted by name; base64 encoded. A GET request
    signs its whole URL (parameters in the query string) and no body parameters."""
    text = url
    for name in sorted(params):
        text += name + str(params[name])
    digest = hmac.new(auth_token.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _private_allowed():
    return settings.USAGE_TRIGGER_PRIVATE_CALLBACKS


def address_is_public(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host, port):
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def _split(url):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise errors.UsageTriggerError(errors.TRIGGER_CALLBACK_URL_INVALID.format(value=url))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise errors.UsageTriggerError(
            errors.TRIGGER_CALLBACK_URL_INVALID.format(value=url)
        ) from None
    return parts, port


def callback_url_clean(url):
    """`url` if a trigger may call it, or UsageTriggerError. A host name that does not resolve
    now is accepted: it is checked again at every call."""
    url = (url or "").strip()
    if not url:
        raise errors.UsageTriggerError(errors.TRIGGER_CALLBACK_URL_REQUIRED)
    if len(url) > URL_MAX_LENGTH:
        raise errors.UsageTriggerError(
            errors.TRIGGER_CALLBACK_URL_TOO_LONG.format(limit=URL_MAX_LENGTH)
        )
    if any(ord(character) < 33 for character in url):
        raise errors.UsageTriggerError(errors.TRIGGER_CALLBACK_URL_INVALID.format(value=url))
    parts, port = _split(url)
    if not _private_allowed():
        try:
            addresses = _resolve(parts.hostname, port)
        except (OSError, UnicodeError):
            addresses = []
        for address in addresses:
            if not address_is_public(address):
                raise errors.UsageTriggerError(
                    errors.TRIGGER_CALLBACK_URL_PRIVATE.format(host=parts.hostname)
                )
    return url


@dataclass(frozen=True)
class Outcome:
    """What one try got: an HTTP status, or an error; and how long it took."""

    status_code: int | None
    duration_ms: int
    error: str = ""


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to `address` (checked), while the Host header names the URL's host."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, over TLS: the certificate is checked against the URL's host name."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _address_for(host, port):
    """The first address of `host` that may be called, or UsageTriggerError."""
    addresses = _resolve(host, port)
    if not _private_allowed():
        refused = [address for address in addresses if not address_is_public(address)]
        if refused:
            raise errors.UsageTriggerError(errors.TRIGGER_CALLBACK_URL_PRIVATE.format(host=host))
    if not addresses:
        raise OSError(f"{host} has no address")
    return addresses[0]


def callback_request(*, url, method, params):
    """(the URL to call, the body or None, the URL and parameters the signature covers)."""
    if method == "GET":
        separator = "&" if urlsplit(url).query else "?"
        full_url = url + separator + urlencode(params)
        return full_url, None, full_url, {}
    return url, urlencode(params), url, params


def callback_send(*, url, method, params, auth_token, timeout=TIMEOUT_SECONDS):
    """Call `url` once with Twilio's parameters and signature; never raises for the network
    or the receiver, answers an Outcome."""
    target, body, signed_url, signed_params = callback_request(
        url=url, method=method, params=params
    )
    headers = {
        SIGNATURE_HEADER: twilio_signature(signed_url, signed_params, auth_token),
        "User-Agent": USER_AGENT,
        "Accept": "*/*",
    }
    if params.get("IdempotencyToken"):
        headers["I-Twilio-Idempotency-Token"] = params["IdempotencyToken"]
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.monotonic()

    def elapsed():
        return int((time.monotonic() - started) * 1000)

    connection = None
    try:
        parts, port = _split(target)
        address = _address_for(parts.hostname, port)
        connection_class = (
            _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        )
        connection = connection_class(parts.hostname, port, address, timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return Outcome(status_code=response.status, duration_ms=elapsed())
    except errors.UsageTriggerError as refusal:
        return Outcome(status_code=None, duration_ms=elapsed(), error=refusal.message[:300])
    except TimeoutError:
        return Outcome(
            status_code=None, duration_ms=elapsed(), error=f"Timed out after {timeout} s"
        )
    except (OSError, http.client.HTTPException, UnicodeError, ValueError) as error:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return Outcome(status_code=None, duration_ms=elapsed(), error=text[:300])
    finally:
        if connection is not None:
            connection.close()
