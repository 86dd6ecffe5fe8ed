"""`{% memo key … %}…{% endmemo %}`: a fragment of a page rendered once per distinct key and
then reused, in this process. For markup that depends only on the values named as its key
(and on the URLconf and script prefix, which the key includes): the account sidebar is a
dozen links, each with a role check and an "is this the current page" check, rendered the
same for every request with the same account, scopes and page, and it cost more than a
sixth of the layout.

Everything the block reads must be in its key, and it must not set variables for what
follows it (`{% url … as x %}`), nor hold what is new on every request: on a hit nothing
inside runs. tests/views/test_layout.py holds the sidebar to what each role on each page
must see.

The key also holds what Django itself renders by (autoescaping, the active language and time
zone, the URLconf and script prefix). A block never keeps a CSRF token: inside it the token
is a marker, which each request's own token replaces on the way out, so a form in a
remembered block (a row's Suspend button) posts with the token of whoever is looking; the
same goes for the CSP nonce of the page's scripts.

Whole reports are remembered too (the Usage and Billing pages: `{% memo report_key %}`), by
their family's `FamilyVersion`, which every committed write in the family changes; their
views hand the template lazy values, so that on a hit their queries never run either. The
fragments kept are bounded by their total size (MAX_CHARACTERS a process), the least
recently used given up first.

A remembered report's whole page is remembered too (base.html: `{% memo
report_key|page_key:request %}`): the report's key, the page asked for and what the top bar
shows of the signed-in user are all the rest of the page reads, so that a second look
renders nothing but the two markers' replacements. Not while messages wait to be shown:
they are shown once, and the page is rendered as it is.

The switcher's panel spans families (the user's main accounts), so no one version covers it:
it is remembered by the rows of its main accounts, read on every look and all it shows of
them, with the current family's version for the subaccounts (accounts/views/accounts.py).
The Accounts page is remembered whole the same way, by its rows as read (its `report_key`).
"""

import re
import secrets

from django import template
from django.contrib import messages
from django.utils import timezone, translation

from ..lru import LeastRecentlyUsed
from .cached_urls import _current_app, _prefix_and_urlconf

register = template.Library()

MAX_FRAGMENTS = 8192
MAX_CHARACTERS = 32_000_000  # a report is 40 to 120 KB; a row or the sidebar, 1 to 5 KB


def _fragments_kept():
    """The fragments rendered in this process, within MAX_FRAGMENTS and MAX_CHARACTERS."""
    return LeastRecentlyUsed(MAX_FRAGMENTS, max_weight=MAX_CHARACTERS, weigh=len)


_fragments = _fragments_kept()


def forget_all():
    """Forget every fragment this process remembered (a test that counts the work of
    rendering them)."""
    _fragments.clear()


# Letters and digits, as a real token and nonce are: escaping leaves them as they are.
CSRF_MARKER = "csrfmemo" + secrets.token_hex(24)
NONCE_MARKER = "noncememo" + secrets.token_hex(12)


_MARKERS = re.compile(f"({CSRF_MARKER}|{NONCE_MARKER})")


class _Remembered:
    """A rendered fragment, kept cut at its markers: each request's token and nonce are put
    in by one join, rather than by searching the fragment for each marker (a report is
    100 KB with a token in every row's form, and the searches cost more than the rest of
    the page's answer). Only what the fragment holds is asked for: a fragment without a
    form makes no CSRF token (masking one is a twentieth of a small page's work), as Django
    makes none for a page without one."""

    __slots__ = ("pieces", "size", "holds_csrf_token", "holds_nonce")

    def __init__(self, fragment):
        self.pieces = _MARKERS.split(fragment)  # text, marker, text, …, text
        self.size = len(fragment)
        held = set(self.pieces[1::2])
        self.holds_csrf_token = CSRF_MARKER in held
        self.holds_nonce = NONCE_MARKER in held

    def __len__(self):
        return self.size

    def filled(self, csrf_token, nonce):
        pieces = self.pieces
        if len(pieces) == 1:
            return pieces[0]
        values = {}
        if self.holds_csrf_token:
            values[CSRF_MARKER] = str(csrf_token)
        if self.holds_nonce:
            values[NONCE_MARKER] = str(nonce)
        filled = pieces.copy()
        for position in range(1, len(filled), 2):
            filled[position] = values[filled[position]]
        return "".join(filled)


class MemoNode(template.Node):
    def __init__(self, nodelist, keys):
        self.nodelist = nodelist
        self.keys = keys

    def render(self, context):
        request = getattr(context, "request", None)
        # Django's lazy token, made only if a fragment holding it is put out (below).
        csrf_token = context.get("csrf_token")
        if csrf_token is None:
            return self.nodelist.render(context)  # no token to stand in for: as Django would
        values = tuple(expression.resolve(context) for expression in self.keys)
        if values[0] is None or values[0] == "":
            # No first key (`{% memo report_key %}` where the view gave none: a form posted
            # back with its errors): rendered every time, never all such under one key.
            return self.nodelist.render(context)
        key = (
            self,
            context.autoescape,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            _current_app(request),
            *_prefix_and_urlconf(request),
            *values,
        )
        try:
            remembered = _fragments.get(key)
        except TypeError:  # a value that cannot be a key: render it every time
            return self.nodelist.render(context)
        nonce = context.get("csp_nonce")
        if remembered is None:
            markers = {"csrf_token": CSRF_MARKER}
            if nonce is not None:
                markers["csp_nonce"] = NONCE_MARKER
            with context.push(**markers):
                remembered = _Remembered(self.nodelist.render(context))
            _fragments.put(key, remembered)
        if remembered.holds_csrf_token and csrf_token == "NOTPROVIDED":
            return self.nodelist.render(context)  # no CSRF middleware: as Django renders it
        # A fragment rendered where there was a nonce is only ever used where there is one:
        # the key says which page it is, and every page has the same middleware.
        return remembered.filled(csrf_token, nonce)


@register.filter
def page_key(report_key, request):
    """What the whole page of a remembered report is remembered under (see above), or None
    (rendered as it is) without a report or while messages wait to be shown."""
    if not report_key or request is None:
        return None
    if len(messages.get_messages(request)):
        return None
    user = request.user
    return (report_key, request.get_full_path(), user.email, user.full_name, user.is_staff)


@register.tag
def memo(parser, token):
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% memo %} needs the values its block depends on.")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, [parser.compile_filter(bit) for bit in bits])
