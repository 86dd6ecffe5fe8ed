"""The session store: Django's database sessions, read with SQL the ORM writes once.

Every request with a session cookie reads its row, and building and compiling that one-row
query cost more Python than anything else the session does (see accounts/selectors/prepared.py).
The row is fetched by its key and its expiry checked here rather than in the WHERE clause, so
that the query has no datetime parameter; an expired session is treated exactly as Django
treats it (as no session: the key is dropped and a new one made when something is stored).
Everything else (saving, deleting, clearing expired rows) is Django's.
"""

from django.contrib.sessions.backends import db
from django.utils import timezone

from .selectors.prepared import PreparedQuery

# The model is looked up when the query is first run, as Django's store does (importing this
# module needs no app registry).
_session_by_key = PreparedQuery(
    lambda key: db.SessionStore.get_model_class().objects.filter(session_key=key),
    key="prepared-session-key-sample",
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        found = _session_by_key(key=self.session_key)
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
