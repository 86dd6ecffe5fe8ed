"""Keyset paging, Twilio's v2010 list envelope and its v1 one (`meta`).

A list is an optional *head* record (in the Accounts list, the caller's own account, always
first; other lists have none) followed by a queryset ordered newest first by (a date field,
id): `date_created` by default, `event_date` for the activity log. Pages after the first are
found from the key of the record next to them, carried in an opaque PageToken, so a deep page
costs the same as the first: no OFFSET, no COUNT.
"""

import base64
import binascii
import datetime
import json
import re
from dataclasses import dataclass
from urllib.parse import quote_plus

from django.db.models import Q

from .. import errors

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 1000
TOKEN_PREFIX = "PT"  # as Twilio's tokens start
TOKEN_MAX_LENGTH = 256  # ours are under 150 characters; longer is not worth decoding

NEXT = "next"
PREVIOUS = "previous"

DATE_FIELD = "date_created"


@dataclass(frozen=True)
class PageToken:
    """Where a page starts: the records after (NEXT) or before (PREVIOUS) `key`.

    `key` is the (date, id) of the record next to the page, or None for "after the
    head". `page` is the page's number, for the envelope's `page`, `start` and `end`.
    """

    direction: str
    key: tuple[datetime.datetime, int] | None
    page: int

    def encode(self):
        key = None if self.key is None else [self.key[0].isoformat(), self.key[1]]
        payload = json.dumps({"d": self.direction, "k": key, "p": self.page}, separators=(",", ":"))
        return TOKEN_PREFIX + base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text):
        """The token, or ApiError 21481 for anything that does not decode to one.

        Tokens are not signed: a forged one can only move the window over the caller's own
        list, which its credentials may read anyway. Everything in it is checked, though, so
        that no token can make the query fail.
        """
        try:
            if not text.startswith(TOKEN_PREFIX) or len(text) > TOKEN_MAX_LENGTH:
                raise ValueError
            encoded = text[len(TOKEN_PREFIX) :]
            payload = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
            direction, key, page = payload["d"], payload["k"], payload["p"]
            if direction not in (NEXT, PREVIOUS) or not _in_range(page, 0):
                raise ValueError
            if key is not None:
                moment, pk = key
                moment = datetime.datetime.fromisoformat(moment)
                if moment.tzinfo is None or not _in_range(pk, 1):
                    raise ValueError
                key = (moment.astimezone(datetime.UTC), pk)
            elif direction == PREVIOUS:
                raise ValueError
        except (ValueError, TypeError, KeyError, OverflowError, binascii.Error):
            raise errors.ApiError(
                errors.API_INVALID_PAGE_TOKEN, errors.API_PAGE_TOKEN_INVALID
            ) from None
        return cls(direction, key, page)


def _in_range(number, minimum):
    # Within a 63-bit column, so a forged token cannot overflow the query.
    return type(number) is int and minimum <= number < 2**63


@dataclass(frozen=True)
class Page:
    records: list
    number: int
    token: PageToken | None  # the token that asked for this page
    next_token: PageToken | None
    previous_token: PageToken | None


def _whole_number(text):
    """The number in `text` ("42" -> 42), or None for signs, spaces, decimals, absurd lengths."""
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    return None


def page_size_parse(value):
    """PageSize from the query string (default 50), or ApiError 20007."""
    if value is None:
        return PAGE_SIZE_DEFAULT
    size = _whole_number(value)
    if size is None or not 1 <= size <= PAGE_SIZE_MAX:
        raise errors.ApiError(
            errors.API_INVALID_PAGE_SIZE,
            errors.API_PAGE_SIZE_INVALID.format(maximum=PAGE_SIZE_MAX, value=value),
        )
    return size


def page_token_parse(*, page_token, page):
    """The PageToken, if any. `Page` is "simply for client state" (Twilio): it is checked,
    but the page number comes from the token, and without a token a list starts on page 0."""
    number = None if page is None else _whole_number(page)
    if page is not None and number is None:
        raise errors.ApiError(
            errors.API_ACCOUNTS_RESOURCE, errors.API_PAGE_INVALID.format(value=page)
        )
    if page_token is None:
        if number:
            raise errors.ApiError(
                errors.API_INVALID_PAGE_TOKEN, errors.API_PAGE_NEEDS_TOKEN.format(page=number)
            )
        return None
    return PageToken.decode(page_token)


def newest_first(date_field):
    return (f"-{date_field}", "-id")


def _oldest_first(date_field):
    return (date_field, "id")


def _key(record, date_field):
    return (getattr(record, date_field), record.pk)


# The plain bound on the date repeats what the OR says, so that the database can start its
# index scan at the key instead of filtering its way there.
def _older_than(key, date_field):
    moment, pk = key
    return Q(**{f"{date_field}__lte": moment}) & (
        Q(**{f"{date_field}__lt": moment}) | Q(**{date_field: moment, "pk__lt": pk})
    )


def _newer_than(key, date_field):
    moment, pk = key
    return Q(**{f"{date_field}__gte": moment}) & (
        Q(**{f"{date_field}__gt": moment}) | Q(**{date_field: moment, "pk__gt": pk})
    )


def page_get(*, head, rest, page_size, token=None, date_field=DATE_FIELD):
    """One page of `[head] + rest`; `head` may be None, `rest` is a queryset ordered by
    (`date_field`, id), newest first."""
    if token is None:
        return _first_page(head, rest, page_size, date_field)
    if token.direction == NEXT:
        return _page_after(rest, page_size, token, date_field)
    return _page_before(head, rest, page_size, token, date_field)


def _first_page(head, rest, page_size, date_field):
    return first_page(
        head=head,
        newest=lambda limit: list(rest.order_by(*newest_first(date_field))[:limit]),
        page_size=page_size,
        date_field=date_field,
    )


def first_page(*, head, newest, page_size, date_field=DATE_FIELD):
    """The first page of `[head] + rest`, where `newest(limit)` returns the first `limit`
    records of `rest`, newest first by (`date_field`, id) (a prepared query, say): what
    `page_get` answers without a token."""
    heads = [] if head is None else [head]
    wanted = page_size - len(heads)
    # One record more than fits tells whether there is a next page.
    fetched = newest(wanted + 1)
    records = heads + fetched[:wanted]
    return _page(records, 0, None, date_field, has_next=len(fetched) > wanted, head=head)


def _page_after(rest, page_size, token, date_field):
    if token.key is not None:
        rest = rest.filter(_older_than(token.key, date_field))
    fetched = list(rest.order_by(*newest_first(date_field))[: page_size + 1])
    return _page(
        fetched[:page_size], token.page, token, date_field, has_next=len(fetched) > page_size
    )


def _page_before(head, rest, page_size, token, date_field):
    fetched = list(
        rest.filter(_newer_than(token.key, date_field)).order_by(*_oldest_first(date_field))[
            : page_size + 1
        ]
    )
    if len(fetched) > page_size or (head is not None and len(fetched) == page_size):
        records = fetched[:page_size][::-1]
        return _page(records, max(token.page, 1), token, date_field, has_next=True)
    # Back at the start of the list: answer with the first page itself, so that going back
    # always ends on the same page 0 as first_page_uri, full and with the head.
    return _first_page(head, rest, page_size, date_field)


def _page(records, number, token, date_field, *, has_next, head=None):
    next_token = previous_token = None
    if has_next and records:
        last = records[-1]
        next_token = PageToken(NEXT, None if last is head else _key(last, date_field), number + 1)
    if number > 0 and records:
        previous_token = PageToken(PREVIOUS, _key(records[0], date_field), number - 1)
    return Page(records, number, token, next_token, previous_token)


# What urlencode leaves as it is (quote_plus's always-safe characters).
_URL_SAFE = re.compile(r"[A-Za-z0-9_.~-]*")


def _urlencode(pairs):
    """urllib.parse.urlencode(pairs), without quoting what needs none (page sizes, numbers,
    tokens: every paging URI has three of them)."""
    return "&".join(f"{_quoted(name)}={_quoted(value)}" for name, value in pairs)


def _quoted(value):
    value = str(value)
    return value if _URL_SAFE.fullmatch(value) else quote_plus(value)


def list_envelope(*, key, records, page, page_size, path, filters):
    """Twilio's v2010 list body: the records under `key`, then paging fields whose URIs are
    relative and repeat the filters (a list of (parameter, value) pairs)."""

    def uri(number, token=None):
        query = [*filters, ("PageSize", page_size), ("Page", number)]
        if token is not None:
            query.append(("PageToken", token.encode()))
        return f"{path}?{_urlencode(query)}"

    start = page.number * page_size
    return {
        key: records,
        "page": page.number,
        "page_size": page_size,
        "start": start,
        "end": start + max(len(records) - 1, 0),
        "uri": uri(page.number, page.token),
        "first_page_uri": uri(0),
        "next_page_uri": uri(page.number + 1, page.next_token) if page.next_token else None,
        "previous_page_uri": (
            uri(page.number - 1, page.previous_token) if page.previous_token else None
        ),
    }


def sequence_page(items, *, page_size, token=None):
    """One page of a list computed whole (a report: usage records, a few hundred at most):
    its tokens carry only the page number."""
    if token is not None and token.key is not None:
        raise errors.ApiError(errors.API_INVALID_PAGE_TOKEN, errors.API_PAGE_TOKEN_INVALID)
    number = token.page if token is not None else 0
    start = number * page_size
    records = items[start : start + page_size]
    has_next = len(items) > start + page_size
    return Page(
        records,
        number,
        token,
        PageToken(NEXT, None, number + 1) if has_next else None,
        PageToken(NEXT, None, number - 1) if number > 0 else None,
    )


def meta_envelope(*, key, records, page, page_size, url, filters):
    """Twilio's v1 list body: the records under `key`, and a `meta` whose URLs are absolute
    (`url` is the list's own, e.g. https://host/v1/Events) and repeat the filters."""

    def page_url(number, token=None):
        query = [*filters, ("PageSize", page_size), ("Page", number)]
        if token is not None:
            query.append(("PageToken", token.encode()))
        return f"{url}?{_urlencode(query)}"

    return {
        key: records,
        "meta": {
            "page": page.number,
            "page_size": page_size,
            "first_page_url": page_url(0),
            "previous_page_url": (
                page_url(page.number - 1, page.previous_token) if page.previous_token else None
            ),
            "url": page_url(page.number, page.token),
            "next_page_url": (
                page_url(page.number + 1, page.next_token) if page.next_token else None
            ),
            "key": key,
        },
    }
