"""The session store: Django's database sessions, read with SQL the ORM writes once.

Every request with a session cookie reads its row, and building and compiling that one-row
query cost more Python than anything else the session does (see accounts/selectors/prepared.py).
The row is fetched by its key and its expiry checked here rather than in the WHERE clause, so
that the query has no datetime parameter; an expired session is treated exactly as Django
treats it (as no session: the key is dropped and a new one made when something is stored).
Its data is decoded as Django decodes it, once for each value it takes in this process (the
same signed data always decodes to the same contents). Everything else (saving, deleting,
clearing expired rows) is Django's.

A signed-in request then reads its user (accounts.signin.AuthenticationBackend). Once this
process has seen a session signed in, it reads the session and that user in one query: the
user it was signed in as is a guess, which the session's own data confirms (the user it
names is the one Django asks for, `prefetched_user`); a wrong or missing guess costs the
query Django would make anyway.

A console page names its account in its path, and reads it (with the user's roles on it)
right after the user. For a GET, the session middleware tells the store which account that
is (`account_sid_read_with`), and the same statement reads it too (`read_together`); the
page takes it from the session (`account_read_with_session`) if it was read for the user
the session is signed in as, and reads it itself otherwise. The switcher's unfiltered panel
has its main accounts read by the same statement too (`switcher_rows_read_with_session`,
on the same terms).
"""

import contextvars
import copy

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.db.models import Subquery
from django.utils import timezone

from .lru import LeastRecentlyUsed
from .selectors import accounts as account_selectors
from .selectors.prepared import PreparedQuery
from .selectors.two_factor import users_with_two_factor_facts

# The model is looked up when the query is first run, as Django's store does (importing this
# module needs no app registry).
_session_by_key = PreparedQuery(
    lambda key: db.SessionStore.get_model_class().objects.filter(session_key=key),
    key="prepared-session-key-sample",
)


def _session_column(key, column):
    sessions = db.SessionStore.get_model_class().objects.filter(session_key=key)
    return Subquery(sessions.values(column))


# The user (as the authentication backend loads them) with their session's columns. The key
# is given twice, once for each column, as a prepared query's values appear once each.
_user_with_session = PreparedQuery(
    lambda user_id, key, same_key: (
        users_with_two_factor_facts()
        .filter(pk=user_id)
        .annotate(
            session_data_read=_session_column(key, "session_data"),
            session_expire_read=_session_column(same_key, "expire_date"),
        )
    ),
    user_id=-7_318_402_117,
    key="prepared-session-key-sample",
    same_key="prepared-session-key-other",
)

SESSIONS_REMEMBERED = 10_000
# What the decoded sessions remembered may weigh, by the length of their stored data.
DECODED_WEIGHT = 4_000_000


# Session key → the id of the user it was last seen signed in as, in this process.
_signed_in_as = LeastRecentlyUsed(SESSIONS_REMEMBERED)
# A session's stored data (as signed, exactly) → its decoded contents, with the data's length:
# checking the signature and decoding the JSON cost more than a session's every other step,
# and on most requests the data is what it was on the last one.
_decoded = LeastRecentlyUsed(
    SESSIONS_REMEMBERED, max_weight=DECODED_WEIGHT, weigh=lambda entry: entry[0]
)
# The user read with this request's session, for the backend to take (once).
_prefetched = contextvars.ContextVar("prefetched_user", default=None)


def prefetched_user(user_id):
    """The user read with the session just loaded, if that is the user `user_id` (which
    the session names); each is given out once."""
    user = _prefetched.get()
    _prefetched.set(None)
    if user is not None and user.pk == user_id:
        return user
    return None


def account_read_with_session(request, sid):
    """The account with this SID if it was read with the request's session (and the user's
    roles on it, for `request.user`: `roles_held_for` says for whom), given out once."""
    session = getattr(request, "session", None)
    account = getattr(session, "account_read_with", None)
    if account is None or account.sid != sid or account.roles_held_for != request.user.pk:
        return None
    session.account_read_with = None
    return account


def switcher_rows_read_with_session(request, limit):
    """The switcher's main accounts if they were read with the request's session, for
    `request.user` and with this limit (`switcher_main_accounts`'s unfiltered read), given
    out once; None otherwise."""
    session = getattr(request, "session", None)
    read = getattr(session, "switcher_rows_read_with", None)
    if read is None or read[:2] != (request.user.pk, limit):
        return None
    session.switcher_rows_read_with = None
    return read[2]


class SessionStore(db.SessionStore):
    # The account the page names (a GET's path, set by accounts.middleware.SessionMiddleware),
    # and the account read with the session and its user. On the switcher's unfiltered panel,
    # how many main accounts it lists, and (user id, that limit, their rows) as read.
    account_sid_read_with = None
    account_read_with = None
    switcher_limit_read_with = None
    switcher_rows_read_with = None

    def load(self):
        data = super().load()
        if self.session_key:
            user_id = data.get(SESSION_KEY)
            try:
                user_id = int(user_id) if user_id is not None else None
            except (TypeError, ValueError):
                user_id = None
            if user_id is None:
                _signed_in_as.pop(self.session_key)
            else:
                _signed_in_as.put(self.session_key, user_id)
        return data

    def decode(self, session_data):
        """Django's decoding, remembered by the data it decoded (a copy each time: the
        session's values are changed in place, allauth's lists among them). Data that does not
        decode is not remembered, so that each look at it is logged as Django logs it."""
        remembered = _decoded.get(session_data)
        if remembered is None:
            decoded = super().decode(session_data)
            if not decoded:
                return decoded
            remembered = (len(session_data), decoded)
            _decoded.put(session_data, remembered)
        return copy.deepcopy(remembered[1])

    def _get_session_from_db(self):
        _prefetched.set(None)
        now = timezone.now()
        user_id = _signed_in_as.get(self.session_key)
        if user_id is not None:
            values = {"user_id": user_id, "key": self.session_key, "same_key": self.session_key}
            if self.account_sid_read_with:
                limit = self.switcher_limit_read_with
                user, self.account_read_with, rows = account_selectors.read_with_account_for_user(
                    (_user_with_session, values),
                    sid=self.account_sid_read_with,
                    user_id=user_id,
                    switcher_limit=limit,
                )
                if rows is not None:
                    self.switcher_rows_read_with = (user_id, limit, rows)
                found = [user] if user is not None else []
            else:
                found = _user_with_session(**values)
            if found and found[0].session_expire_read is not None:
                user = found[0]
                if user.session_expire_read > now:
                    _prefetched.set(user)
                    return self.model(
                        session_key=self.session_key,
                        session_data=user.session_data_read,
                        expire_date=user.session_expire_read,
                    )
                self._session_key = None
                return None
            if found:  # the user is there, the session is not
                self._session_key = None
                return None
        found = _session_by_key(key=self.session_key)
        if found and found[0].expire_date > now:
            return found[0]
        self._session_key = None
        return None
