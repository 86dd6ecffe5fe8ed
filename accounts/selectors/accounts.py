"""Reads about accounts, always scoped to who asks: a console user (`…_for_user`) or the
account whose API credentials call (`…_for_caller`). An account out of reach is 404, exactly
like one that does not exist."""

import datetime
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import CharField, Count, F, OuterRef, Q, StringAgg, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import Http404

from .. import roles
from ..models import (
    Account,
    AccountMembership,
    ApiKey,
    FamilyVersion,
    IncomingPhoneNumber,
    OrganizationMembership,
    sid_is_valid,
)
from .prepared import PreparedQuery, read_together, read_together_with_rows

# What every console page asks first (see _account_and_roles_get), with SQL written once.
_SAMPLE_ID, _OTHER_SAMPLE_ID = -7_318_402_121, -7_318_402_123


# With the version of its family as committed when it was read (`FamilyVersion`; None
# before the family's first write): a page remembered by it asks nothing more.
def _family_version_read():
    return Subquery(
        FamilyVersion.objects.filter(
            main_account_id=Coalesce(OuterRef("parent_id"), OuterRef("pk"))
        ).values("version")
    )


def _roles_held_read(user_id):
    """The roles `user_id` holds on the account or its parent, as "account id:role,…"
    (None for none): what `_roles_by_source` would ask next, in the account's own query."""
    held = (
        AccountMembership.objects.filter(
            Q(account_id=OuterRef("pk")) | Q(account_id=OuterRef("parent_id")), user_id=user_id
        )
        .order_by()
        .values("user_id")
        .annotate(
            held=StringAgg(
                Concat(Cast("account_id", CharField()), Value(":"), "role"), delimiter=Value(",")
            )
        )
        .values("held")
    )
    return Subquery(held, output_field=CharField())


_account_by_sid = PreparedQuery(
    lambda sid: (
        Account.objects.filter(sid=sid)
        .annotate(family_version_read=_family_version_read())
        .order_by("pk")[:1]
    ),
    sid="ACprepared-sample",
)
# The console's: with the signed-in user's roles on it and its parent.
_account_by_sid_for_user = PreparedQuery(
    lambda sid, user_id: (
        Account.objects.filter(sid=sid)
        .annotate(
            family_version_read=_family_version_read(), roles_held_read=_roles_held_read(user_id)
        )
        .order_by("pk")[:1]
    ),
    sid="ACprepared-sample",
    user_id=_SAMPLE_ID,
)
_account_by_pk = PreparedQuery(lambda pk: Account.objects.filter(pk=pk), pk=_SAMPLE_ID)
_roles_on = PreparedQuery(
    lambda user_id, account_id: AccountMembership.objects.filter(
        user_id=user_id, account_id__in=[account_id]
    ).values_list("account_id", "role"),
    user_id=_SAMPLE_ID,
    account_id=_OTHER_SAMPLE_ID,
)
_roles_on_either = PreparedQuery(
    lambda user_id, account_id, parent_id: AccountMembership.objects.filter(
        user_id=user_id, account_id__in=[account_id, parent_id]
    ).values_list("account_id", "role"),
    user_id=_SAMPLE_ID,
    account_id=_OTHER_SAMPLE_ID,
    parent_id=-7_318_402_125,
)
_ORGANIZATION_ADMINS = ["owner", "administrator"]
_administers = PreparedQuery(
    lambda user_id, organization_id: OrganizationMembership.objects.filter(
        user_id=user_id, organization_id__in=[organization_id], role__in=_ORGANIZATION_ADMINS
    ),
    exists=True,
    user_id=_SAMPLE_ID,
    organization_id=_OTHER_SAMPLE_ID,
)
_administers_either = PreparedQuery(
    lambda user_id, organization_id, other_id: OrganizationMembership.objects.filter(
        user_id=user_id,
        organization_id__in=[organization_id, other_id],
        role__in=_ORGANIZATION_ADMINS,
    ),
    exists=True,
    user_id=_SAMPLE_ID,
    organization_id=_OTHER_SAMPLE_ID,
    other_id=-7_318_402_125,
)


def read_with_account_for_user(read, *, sid, user_id, switcher_limit=None):
    """`read` (a one-row `PreparedQuery` and its values) and the account with this SID as
    `account_and_parent_by_sid` reads it for the user `user_id` (without its parent), in one
    statement: (what `read` found, the account, each None if there is none, and given a
    `switcher_limit` the switcher's main accounts for that user too, as
    `switcher_main_accounts` reads them unfiltered; else None)."""
    account_read = (_account_by_sid_for_user, {"sid": sid, "user_id": user_id})
    rows = None
    if switcher_limit is None:
        found, account = read_together(read, account_read)
    else:
        (found, account), rows = read_together_with_rows(
            read, account_read, rows=_switcher_main_accounts_read(user_id, switcher_limit)
        )
    if account is not None:
        account.roles_held_for = user_id
    return found, account, None if rows is None else tuple(rows)


def account_and_parent_by_sid(sid, *, user=None, read_already=None):
    """The account with this SID, with its parent (read by primary key) when it has one, or
    None: every column of both, for whoever asks about it. Every console page and every API
    request asks this first, and building one query joining both cost more than two simple
    ones, written once (`PreparedQuery`). The account has `family_version_read`, its
    family's version as it was read with it; given a `user`, `roles_held_read`, their roles
    on it and its parent as they were then (see `_roles_by_source`). `read_already` is
    that account as `read_with_account_for_user` read it for this user earlier in the
    request."""
    if read_already is not None and user is not None and read_already.sid == sid:
        account = read_already
    elif user is None:
        account = _account_by_sid.first(sid=sid)
    else:
        account = _account_by_sid_for_user.first(sid=sid, user_id=user.pk)
        if account is not None:
            account.roles_held_for = user.pk
    if account is not None and account.parent_id:
        parent = _account_by_pk.first(pk=account.parent_id)
        if parent is None:  # gone meanwhile (the foreign key protects it): as if it were
            return None
        account.parent = parent
    return account


def account_list_for_user(*, user):
    """Every account `user` may reach, with what list pages show."""
    return Account.objects.reachable_by(user).select_related("parent", "organization", "owner")


def _account_and_roles_get(*, user, sid, read_already=None):
    """(account, own roles, inherited roles) for the account with this SID, if `user` may
    reach it: the same rule as `Account.objects.reachable_by`, asked of one account by
    primary keys (the account by its unique SID, then the user's memberships on it and its
    parent, then their organization role) instead of a filter over every account. 404
    otherwise."""
    if not user.is_authenticated or not sid_is_valid(sid, "AC"):
        raise Http404("No such account.")
    account = account_and_parent_by_sid(sid, user=user, read_already=read_already)
    if account is None:
        raise Http404("No such account.")
    own, inherited = _roles_by_source(user=user, account=account)
    if not (own or inherited):
        raise Http404("No such account.")
    return account, own, inherited


def account_get_for_user(*, user, sid):
    """The account with this SID if `user` may reach it; otherwise 404, so that an
    unreachable account looks exactly like one that does not exist."""
    return _account_and_roles_get(user=user, sid=sid)[0]


def _roles_by_source(*, user, account):
    """(roles held on `account` itself, roles that come from above it): those on its parent
    (users of a main account reach its subaccounts with the same roles), and Administrator for
    an owner or administrator of the account's organization (or its parent's). A role on a
    subaccount alone is never a role on its parent or its siblings: only the account's own
    memberships and its parent's count."""
    own, inherited = set(), set()
    if getattr(account, "roles_held_for", None) == user.pk:  # read with the account
        held = [
            (int(account_id), role)
            for account_id, role in (
                pair.split(":", 1) for pair in (account.roles_held_read or "").split(",") if pair
            )
        ]
    elif account.parent_id:
        held = _roles_on_either(user_id=user.pk, account_id=account.pk, parent_id=account.parent_id)
    else:
        held = _roles_on(user_id=user.pk, account_id=account.pk)
    for account_id, role in held:
        (own if account_id == account.pk else inherited).add(role)
    # A subaccount is in its parent's organization (organization_import moves both); the
    # parent's is asked too when it was fetched with the account, as reachable_by does.
    organization_ids = {account.organization_id}
    if account.parent_id and Account._meta.get_field("parent").is_cached(account):
        organization_ids.add(account.parent.organization_id)
    organization_ids.discard(None)
    if len(organization_ids) == 1:
        administers = _administers(user_id=user.pk, organization_id=organization_ids.pop())
    elif organization_ids:
        first, other = organization_ids
        administers = _administers_either(user_id=user.pk, organization_id=first, other_id=other)
    else:
        administers = False
    if administers:
        inherited.add(roles.ADMINISTRATOR)
    return own, inherited


def account_roles_for_user(*, user, account):
    """The roles `user` holds on `account`: their own on it, those on its parent, and
    Administrator for an administrator of the account's organization."""
    return account_access_for_user(user=user, account=account)[0]


def account_access_for_user(*, user, account):
    """(roles, scopes, reaches_parent) of `user` on `account`. On a subaccount, the parent's
    powers over it (`roles.PARENT_SCOPES`: its spend cap, closing it, moving its numbers) come
    only from a role on the main account or its organization, never from a role on the
    subaccount alone; `reaches_parent` says whether the user has such a role at all."""
    own, inherited = _roles_by_source(user=user, account=account)
    return _access(account, own, inherited)


def account_with_access_for_user(*, user, sid, read_already=None):
    """(account, roles, scopes, reaches_parent) for the account with this SID, as
    `account_get_for_user` and `account_access_for_user` together, with one look at the
    user's memberships: what every console page asks first (`read_already`: see
    `account_and_parent_by_sid`)."""
    account, own, inherited = _account_and_roles_get(user=user, sid=sid, read_already=read_already)
    return account, *_access(account, own, inherited)


def _access(account, own, inherited):
    held = own | inherited
    if roles.OWNER in held:
        held.discard(roles.ADMINISTRATOR)
    scopes = roles.scopes_for(held)
    if account.parent_id:
        parents = roles.scopes_for(inherited) & roles.PARENT_SCOPES
        scopes = (scopes - roles.PARENT_SCOPES) | parents
    return held, scopes, not account.parent_id or bool(inherited)


_owned_account_ids = PreparedQuery(
    lambda owner_id: (
        Account.objects.top_level()
        .open()
        .filter(owner_id=owner_id, organization__isnull=True)
        .values_list("pk", flat=True)
    ),
    owner_id=_SAMPLE_ID,
)


def owned_account_count(*, owner):
    """Open top-level accounts that count toward the owner's personal limit (a handful: the
    limit is 10 unless support raised it, so their ids are read rather than counted)."""
    return len(_owned_account_ids(owner_id=owner.pk))


def open_subaccount_count(*, account):
    """How many of the limit's subaccounts are in use (closed ones do not count): the
    parent's counter, which the services keep, as it is now (one primary-key read; a page
    that has just read the account uses its `open_subaccount_count`)."""
    return (
        Account.objects.filter(pk=account.pk).values_list("open_subaccount_count", flat=True).get()
    )


def _listed_account_ids(user, *, administrator_id=None):
    """The ids of the accounts a user's lists start from: those they hold a role on (main
    accounts and subaccounts alike) and the main accounts of the organizations they own or
    administer. Reachable, and main or shared on its own, as one UNION the database answers
    from the memberships and the organization index, instead of `reachable_by`'s OR of
    subqueries, which filters every account in the table. (`user` may be a user's id; a
    prepared query gives the second use of it apart, as `administrator_id`.)"""
    member_of = AccountMembership.objects.filter(user=user).values("account_id").order_by()
    administered = OrganizationMembership.objects.filter(
        user=user if administrator_id is None else administrator_id,
        role__in=_ORGANIZATION_ADMINS,
    ).values("organization_id")
    administered_main = (
        Account.objects.filter(parent__isnull=True, organization_id__in=administered)
        .values("pk")
        .order_by()
    )
    return member_of.union(administered_main)


# A query that looks like a SID: "AC" and hex digits (its start), or the 32 hex digits alone.
SID_PREFIX_QUERY = re.compile(r"AC[0-9a-f]{1,32}", re.IGNORECASE)
SID_DIGITS_QUERY = re.compile(r"[0-9a-f]{32}", re.IGNORECASE)


def account_search_filter(query):
    """What a search box's `query` matches: part of the friendly name (any case), and, only
    when the query looks like a SID, the SIDs that start with it. Both are indexed on
    PostgreSQL (a trigram index on the name, a pattern index on the SID: migration 0012), so
    a search within a parent reads the matching rows only; SQLite runs a plain LIKE."""
    match = Q(friendly_name__icontains=query)
    if SID_DIGITS_QUERY.fullmatch(query):
        match |= Q(sid="AC" + query.lower())
    elif SID_PREFIX_QUERY.fullmatch(query):
        sid = "AC" + query[2:].lower()
        match |= Q(sid=sid) if len(sid) == 34 else Q(sid__startswith=sid)
    return match


# What the Accounts page shows of each account: all of it, so also what the page is
# remembered by (accounts/views/accounts.py).
ACCOUNT_LIST_FIELDS = (
    "pk",
    "sid",
    "friendly_name",
    "parent_id",
    "status",
    "type",
    "open_subaccount_count",
    "organization_name",
    "my_roles_read",
)


def account_list_rows(*, user, query=""):
    """The Accounts page: (main accounts, plus subaccounts shared with the user on their own,
    as a tuple of rows, each the values of `ACCOUNT_LIST_FIELDS` (`AccountListEntry` makes
    them entries); how many accounts count toward the user's limit, `owned_account_count`).
    `query` matches part of the name, or the SID."""
    # The page shows each account's organization's name (`organization_name`), not its
    # parent or owner; each main account's open subaccounts are its counter, no join over
    # all of them; and the user's own roles on it, "role,role" (`my_roles_read`).
    # Unfiltered (every visit), its SQL is written once, and reads the count too.
    if query:
        listed = _account_list(user.pk, user.pk, user.pk).filter(account_search_filter(query))
        rows = tuple(listed.values_list(*ACCOUNT_LIST_FIELDS))
        owned = None
    else:
        read = _account_list_all(
            user_id=user.pk, administrator_id=user.pk, member_id=user.pk, owner_id=user.pk
        )
        rows = tuple(row[:-1] for row in read)
        # Read with every row; with none, asked on its own.
        owned = read[0][-1] if read else None
    if owned is None:
        owned = owned_account_count(owner=user)
    return rows, owned


class _AccountRow:
    """What an account read as a row (not a model) shows the way the model does."""

    def get_status_display(self):
        return Account.Status(self.status).label


@dataclass
class AccountListEntry(_AccountRow):
    """An account as the Accounts page lists it, from its row (`ACCOUNT_LIST_FIELDS`)."""

    pk: int
    sid: str
    friendly_name: str
    parent_id: int | None
    status: str
    type: str
    open_subaccount_count: int
    organization_name: str | None
    my_roles_read: str | None

    @functools.cached_property
    def my_roles(self):
        """The user's own roles on it, in the order roles are listed everywhere (none for an
        organization's administrator without one)."""
        held = [role for role in (self.my_roles_read or "").split(",") if role]
        return sorted(held, key=_ROLE_ORDER.get)

    @property
    def my_role_labels(self):
        return [roles.role_label(role) for role in self.my_roles]


_ROLE_ORDER = {role: index for index, (role, _) in enumerate(roles.ROLE_CHOICES)}


def _my_roles_read(member_id):
    """The roles `member_id` holds on the account, "role,role" (None for none: an
    organization's administrator), in the list's own query."""
    held = (
        AccountMembership.objects.filter(account_id=OuterRef("pk"), user_id=member_id)
        .order_by()
        .values("account_id")
        .annotate(held=StringAgg("role", delimiter=Value(",")))
        .values("held")
    )
    return Subquery(held, output_field=CharField())


def _account_list(user_id, administrator_id, member_id):
    return (
        Account.objects.filter(
            pk__in=_listed_account_ids(user_id, administrator_id=administrator_id)
        )
        .annotate(
            organization_name=F("organization__name"), my_roles_read=_my_roles_read(member_id)
        )
        .order_by("organization__name", "friendly_name", "pk")
    )


def _owned_count_read(owner_id):
    """`owned_account_count` of `owner_id`, in the list's own query (the same on every row)."""
    owned = (
        Account.objects.top_level()
        .open()
        .filter(owner_id=owner_id, organization__isnull=True)
        .order_by()
        .values("owner_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(owned), 0)


_account_list_all = PreparedQuery(
    lambda user_id, administrator_id, member_id, owner_id: (
        _account_list(user_id, administrator_id, member_id)
        .annotate(owned_count_read=_owned_count_read(owner_id))
        .values_list(*ACCOUNT_LIST_FIELDS, "owned_count_read")
    ),
    user_id=_SAMPLE_ID,
    administrator_id=_OTHER_SAMPLE_ID,
    member_id=-7_318_402_127,
    owner_id=-7_318_402_129,
)


def account_landing_for_user(*, user, last_sid=None):
    """Where a signed-in user lands: the account they were last on, if still reachable, else
    their first open main account, else None."""
    reachable = account_list_for_user(user=user)
    if last_sid and reachable.filter(sid=last_sid).exists():
        return last_sid
    first = reachable.top_level().exclude(status="closed").order_by("pk").first()
    return first.sid if first else None


# The switcher's two reads without a filter (it opens on every page), written once: the
# user's main accounts by name, with their organization's name; a main account's newest
# open subaccounts.
def _main_accounts_listed(user_id, administrator_id):
    return (
        Account.objects.top_level()
        .filter(pk__in=_listed_account_ids(user_id, administrator_id=administrator_id))
        .annotate(organization_name=F("organization__name"))
        .order_by("friendly_name", "pk")
    )


# What the switcher shows of each main account (so also what its panel is remembered by).
SWITCHER_MAIN_ACCOUNT_FIELDS = ("pk", "sid", "friendly_name", "status", "organization_name")
_switcher_main_accounts = PreparedQuery(
    lambda user_id, administrator_id, *, limit: _main_accounts_listed(
        user_id, administrator_id
    ).values_list(*SWITCHER_MAIN_ACCOUNT_FIELDS)[:limit],
    user_id=_SAMPLE_ID,
    administrator_id=_OTHER_SAMPLE_ID,
)
_switcher_open_subaccounts = PreparedQuery(
    lambda parent_id, *, limit: (
        Account.objects.filter(parent_id=parent_id).open().order_by("-date_created", "-pk")[:limit]
    ),
    parent_id=_SAMPLE_ID,
)


@dataclass
class SwitcherEntry(_AccountRow):
    """A main account as the switcher lists it: the fields it shows
    (`SWITCHER_MAIN_ACCOUNT_FIELDS`), read as a row rather than a model."""

    pk: int
    sid: str
    friendly_name: str
    status: str
    organization_name: str | None
    is_subaccount = False


def _switcher_main_accounts_read(user_id, limit):
    """The unfiltered read of `switcher_main_accounts`: the query, its values, its shape."""
    return (
        _switcher_main_accounts,
        {"user_id": user_id, "administrator_id": user_id},
        {"limit": limit},
    )


def switcher_main_accounts(*, user, query="", limit=50, read_already=None):
    """The main accounts the switcher lists, by name, up to `limit`, matching `query` if
    given: a tuple of rows, each the values of `SWITCHER_MAIN_ACCOUNT_FIELDS` (with their
    organization's name); all that the switcher shows of them, so that they can also be
    what its panel is remembered by (`SwitcherEntry` makes them entries). `read_already`
    is the unfiltered read, made for this user with this limit earlier in the request
    (with the session: accounts/sessions.py)."""
    if not user.is_authenticated:
        return ()
    if query:
        matching = _main_accounts_listed(user.pk, user.pk).filter(account_search_filter(query))
        return tuple(matching.values_list(*SWITCHER_MAIN_ACCOUNT_FIELDS)[:limit])
    if read_already is not None:
        return read_already
    rows_read, values, shape = _switcher_main_accounts_read(user.pk, limit)
    return tuple(rows_read(**values, shape=shape))


def switcher_subaccounts(*, user, main, query="", shown=10, all_subaccounts=True):
    """The subaccounts of `main` the switcher lists: (newest open ones first and closed ones
    last, up to `shown`, matching `query` if given; whether more match than are shown). It
    reads only the rows it shows (and one more): the open ones through an index of the
    parent's open subaccounts by date, the closed ones only when fewer open ones fill the
    list; no count of them. `all_subaccounts` says the user reaches `main` itself (a role on
    it or its organization), and so every subaccount of it; otherwise only those they hold
    a role on are listed."""
    if not user.is_authenticated:
        return [], False
    newest = ("-date_created", "-pk")
    wanted = shown + 1

    # Built only when asked for: building the QuerySet cost more than the prepared read of
    # the switcher's usual look (a main account with enough open subaccounts).
    @functools.cache
    def subaccounts():
        found = Account.objects.subaccounts_of(main)
        if not all_subaccounts:
            found = found.filter(
                pk__in=AccountMembership.objects.filter(user=user).values("account_id")
            )
        return found.filter(account_search_filter(query)) if query else found

    if all_subaccounts and not query:
        listed = _switcher_open_subaccounts(parent_id=main.pk, shape={"limit": wanted})
    else:
        listed = list(subaccounts().open().order_by(*newest)[:wanted])
    if len(listed) < wanted:
        closed = subaccounts().filter(status=Account.Status.CLOSED).order_by(*newest)
        listed += list(closed[: wanted - len(listed)])
    return listed[:shown], len(listed) > shown


# The Subaccounts page unfiltered (its every visit): the count and a page of rows, each with
# only what a row shows, by SQL written once (a shape per page).
_SUBACCOUNT_ROW_FIELDS = ("sid", "friendly_name", "status", "own_balance", "date_created")
_subaccount_rows = PreparedQuery(
    lambda parent_id, *, start, stop: (
        Account.objects.filter(parent_id=parent_id)
        .only("parent_id", *_SUBACCOUNT_ROW_FIELDS)
        .order_by("-date_created", "-pk")[start:stop]
    ),
    parent_id=_SAMPLE_ID,
)
_subaccount_count = PreparedQuery(
    lambda parent_id: (
        Account.objects.filter(parent_id=parent_id)
        .values("parent_id")
        .annotate(count=Count("pk"))
        .values_list("count", flat=True)
    ),
    parent_id=_SAMPLE_ID,
)


class SubaccountPages:
    """All of a parent's subaccounts, newest first, as Django's Paginator pages them (its
    `count()` and slices), each page a row's fields only."""

    ordered = True

    def __init__(self, parent):
        self.parent_id = parent.pk

    def count(self):
        return next(iter(_subaccount_count(parent_id=self.parent_id)), 0)

    def __getitem__(self, page):
        if page.stop <= page.start:
            return []  # no subaccounts: a page of none, which SQL cannot LIMIT to
        shape = {"start": page.start, "stop": page.stop}
        return _subaccount_rows(parent_id=self.parent_id, shape=shape)


def subaccount_list(*, parent, query="", status=""):
    """The Subaccounts page: newest first, matching `query` (name or SID) and `status`."""
    subaccounts = Account.objects.subaccounts_of(parent).order_by("-date_created", "-pk")
    if query:
        subaccounts = subaccounts.filter(account_search_filter(query))
    if status in Account.Status.values:
        subaccounts = subaccounts.filter(status=status)
    return subaccounts


def subaccount_get(*, parent, sid):
    """One subaccount of `parent` by SID, or 404."""
    if not sid_is_valid(sid, "AC"):
        raise Http404("No such subaccount.")
    try:
        return Account.objects.subaccounts_of(parent).get(sid=sid)
    except Account.DoesNotExist:
        raise Http404("No such subaccount.") from None


def subaccount_selection(*, parent, sids=(), query="", status="", everything=False):
    """The subaccounts of `parent` a bulk action is about, in primary-key order: those named
    by SID (other accounts' SIDs are ignored), or `everything` that matches the filters."""
    if everything:
        chosen = subaccount_list(parent=parent, query=query, status=status)
    else:
        valid = [sid for sid in sids if sid_is_valid(sid, "AC")]
        chosen = Account.objects.subaccounts_of(parent).filter(sid__in=valid)
    return chosen.order_by("pk")


# --- Impact previews: what a status change will do, before it is confirmed -----------------

STATUS_FOR_ACTION = {
    "suspend": Account.Status.SUSPENDED,
    "reactivate": Account.Status.ACTIVE,
    "close": Account.Status.CLOSED,
}
IMPACT_NAMES_SHOWN = 25
IMPACT_NUMBERS_SHOWN = 10


@dataclass
class Impact:
    """What suspending, reactivating or closing some accounts does: who changes, who follows
    (a main account's subaccounts), who is already there or refused (and why), the phone
    numbers released, the API keys that stop (or start again) working, the balance left."""

    action: str
    changing: list = field(default_factory=list)
    cascading: list = field(default_factory=list)  # open subaccounts closing with their parent
    cascading_count: int = 0
    unchanged: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # [(reason, [accounts])], grouped by reason
    number_count: int = 0
    numbers: list = field(default_factory=list)
    keys: list | None = None  # None while this console has no API keys
    balance: Decimal | None = None  # a closing main account's balance

    @property
    def refused_count(self):
        return sum(len(accounts) for _reason, accounts in self.refused)

    @property
    def affected_count(self):
        return len(self.changing) + self.cascading_count

    # What a preview lists by name, and how many more it only counts.
    @property
    def changing_shown(self):
        return self.changing[:IMPACT_NAMES_SHOWN]

    @property
    def changing_more(self):
        return max(0, len(self.changing) - IMPACT_NAMES_SHOWN)

    @property
    def cascading_more(self):
        return max(0, self.cascading_count - len(self.cascading))

    @property
    def numbers_more(self):
        return max(0, self.number_count - len(self.numbers))


def _keys_of(account_ids):
    """The API keys and signing keys of these accounts (what stops working when they close)."""
    return list(
        ApiKey.objects.filter(account_id__in=account_ids)
        .select_related("account")
        .order_by("account_id", "-date_created", "-id")
    )


def keys_for(*, account):
    """The account's API keys and signing keys, newest first."""
    return _keys_of([account.pk])


def _numbers_of(account_ids):
    numbers = IncomingPhoneNumber.objects.filter(
        account_id__in=account_ids, released_at__isnull=True
    ).select_related("account")
    return numbers.count(), list(numbers.order_by("phone_number")[:IMPACT_NUMBERS_SHOWN])


def close_impact(*, account, actor_user_id=None):
    """What closing `account` does: for a main account, every open subaccount closes with it,
    every number of the family is released, every key stops working, and its balance is
    left as it is (support refunds it); for a subaccount, the same for it alone."""
    impact = Impact(action="close")
    parent = account.parent if account.parent_id else None
    refusal = account.status_change_refusal(
        Account.Status.CLOSED,
        parent=parent,
        source=Account.StatusSource.OWNER,
        actor_user_id=actor_user_id,
    )
    if refusal is not None:
        impact.refused = [(refusal.message, [account])]
        return impact
    impact.changing = [account]
    family = [account.pk]
    if not account.parent_id:
        subaccounts = Account.objects.subaccounts_of(account).open().order_by("friendly_name", "pk")
        impact.cascading_count = subaccounts.count()
        impact.cascading = list(subaccounts[:IMPACT_NAMES_SHOWN])
        family += list(subaccounts.values_list("pk", flat=True))
        impact.balance = account.balance
    impact.number_count, impact.numbers = _numbers_of(family)
    impact.keys = _keys_of(family)
    return impact


def status_change_impact(*, parent, subaccounts, action):
    """What `action` (suspend, reactivate, close) does to these subaccounts of `parent`, each
    judged by the rules the status services apply: it changes, it is there already, or it is
    refused (grouped by reason)."""
    new_status = STATUS_FOR_ACTION[action]
    impact = Impact(action=action)
    refused = {}
    for subaccount in subaccounts:
        refusal = subaccount.status_change_refusal(
            new_status, parent=parent, source=Account.StatusSource.OWNER
        )
        if refusal is not None:
            refused.setdefault(refusal.message, []).append(subaccount)
        elif subaccount.status == new_status:
            impact.unchanged.append(subaccount)
        else:
            impact.changing.append(subaccount)
    impact.refused = list(refused.items())
    changing = [subaccount.pk for subaccount in impact.changing]
    if action == "close":
        impact.number_count, impact.numbers = _numbers_of(changing)
    impact.keys = _keys_of(changing)
    return impact


# --- The REST API: scoped to the calling account ("the caller") ----------------------------
# A main account's credentials reach the account itself and its subaccounts; a subaccount's
# credentials reach only that subaccount.


def never_stored(text):
    """Text no friendly name can hold (PostgreSQL refuses NUL characters outright, and
    `friendly_name_clean` keeps them out): a filter on it matches nothing."""
    return "\x00" in text


def subaccount_list_for_caller(*, caller):
    """The subaccounts the caller may reach, closed ones included: a main account's own; none
    for a subaccount (subaccounts cannot have subaccounts, and siblings stay out of reach)."""
    if caller.is_subaccount:
        return Account.objects.none()
    return Account.objects.subaccounts_of(caller).select_related("parent")


def account_list_for_caller(*, caller, friendly_name=None, status=None):
    """What `GET /Accounts.json` lists, as (head, subaccounts): the caller itself first (or
    None when the filters leave it out), then its subaccounts, filtered alike."""
    head = caller
    subaccounts = subaccount_list_for_caller(caller=caller)
    if friendly_name is not None:
        if never_stored(friendly_name):
            return None, subaccounts.none()
        subaccounts = subaccounts.filter(friendly_name=friendly_name)
        head = head if head.friendly_name == friendly_name else None
    if status is not None:
        subaccounts = subaccounts.filter(status=status)
        head = head if head is not None and head.status == status else None
    return head, subaccounts


def account_get_for_caller(*, caller, sid):
    """The account with this SID if the caller may reach it; otherwise Http404."""
    if sid == caller.sid:
        return caller
    if not sid_is_valid(sid, "AC"):
        raise Http404("No such account.")
    try:
        return subaccount_list_for_caller(caller=caller).get(sid=sid)
    except Account.DoesNotExist:
        raise Http404("No such account.") from None


def transfer_target_get(*, sid):
    """The account a number would move to, or None. Looked up by SID alone: the transfer
    service decides whether it is in the number's family, so that an unknown SID and an
    unrelated account get the same refusal."""
    if not sid_is_valid(sid, "AC"):
        return None
    return Account.objects.filter(sid=sid).first()


def family_accounts(*, main):
    """A main account and its subaccounts: where its numbers may move."""
    return Account.objects.filter(Q(pk=main.pk) | Q(parent_id=main.pk))


def transfer_targets(*, main, exclude):
    """The family's active accounts a number held by `exclude` could move to, main first."""
    return (
        family_accounts(main=main)
        .filter(status=Account.Status.ACTIVE)
        .exclude(pk=exclude.pk)
        .order_by("parent_id", "friendly_name", "pk")
        .only("pk", "sid", "friendly_name", "parent_id")
    )


def closed_subaccount_list(*, main, limit=50):
    """`main`'s closed subaccounts, soonest to be deleted first, each with `deletes_on` (when
    the deletion sweep deletes it, or None: automatic deletion is off, or its own balance is
    not zero) and, beyond `limit`, how many more: (subaccounts, total)."""
    closed = Account.objects.subaccounts_of(main).filter(status=Account.Status.CLOSED)
    total = closed.count()
    subaccounts = list(
        closed.only("pk", "sid", "friendly_name", "date_closed", "balance", "parent_id").order_by(
            "date_closed", "pk"
        )[:limit]
    )
    days = datetime.timedelta(days=settings.CLOSED_SUBACCOUNT_DELETION_DAYS)
    for subaccount in subaccounts:
        kept = not main.delete_closed_subaccounts or bool(subaccount.balance)
        closed_on = subaccount.date_closed or main.date_updated
        subaccount.deletes_on = None if kept else closed_on + days
    return subaccounts, total


def deletion_date(*, subaccount):
    """When the deletion sweep deletes this closed subaccount, or None."""
    if not subaccount.is_closed or not subaccount.parent.delete_closed_subaccounts:
        return None
    if subaccount.balance or subaccount.date_closed is None:
        return None
    return subaccount.date_closed + datetime.timedelta(
        days=settings.CLOSED_SUBACCOUNT_DELETION_DAYS
    )
