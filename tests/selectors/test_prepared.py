"""The reads every console request makes run SQL the ORM wrote once (accounts/selectors/
prepared.py), and still answer exactly what their QuerySets answer: the same user with the
same two-factor facts, the same account with its parent, the same roles however they were
given (on the account, on its parent, through the account's or its parent's organization);
a session that expired signs its user out, as Django's own store does; a session this
process has seen signed in is read with its user in one query (with the account a console
page names, too), and whatever signs it out (deleted, a new password, a deactivated user)
still does; an account read with the session is only ever the signed-in user's view of it."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles, sessions
from accounts.models import (
    Account,
    AccountMembership,
    Organization,
    OrganizationMembership,
    User,
)
from accounts.selectors import accounts as account_selectors
from accounts.selectors.prepared import PreparedQuery, read_together, read_together_with_rows
from accounts.selectors.two_factor import users_with_two_factor_facts
from accounts.signin import AuthenticationBackend

pytestmark = pytest.mark.django_db

OrgRole = OrganizationMembership.Role


def fields(instance, *extra):
    values = {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}
    values.update({name: bool(getattr(instance, name)) for name in extra})
    return values


def test_the_signed_in_user_is_the_orms_user_with_the_same_two_factor_facts(make_user, account):
    covered = make_user(email="covered@example.com", full_name="Ada")
    AccountMembership.objects.create(account=account, user=covered, role=roles.DEVELOPER)
    Account.objects.filter(pk=account.pk).update(require_two_factor=True)
    Authenticator.objects.create(user=covered, type=Authenticator.Type.TOTP, data={})
    plain = make_user(email="plain@example.com")

    backend = AuthenticationBackend()
    for user in (covered, plain):
        loaded = backend.get_user(user.pk)
        expected = users_with_two_factor_facts().get(pk=user.pk)
        assert fields(loaded, "has_two_factor", "two_factor_required") == fields(
            expected, "has_two_factor", "two_factor_required"
        )
        assert loaded._state.db == "default" and not loaded._state.adding
    assert (
        backend.get_user(covered.pk).has_two_factor,
        backend.get_user(plain.pk).has_two_factor,
    ) == (
        True,
        False,
    )
    assert backend.get_user(10**9) is None
    plain.is_active = False
    plain.save()
    assert backend.get_user(plain.pk) is None  # a deactivated user is signed out


def test_the_current_account_and_its_parent_are_the_orms(user, account, make_subaccount):
    sub = make_subaccount(account, "Support line")
    found, *_ = account_selectors.account_with_access_for_user(user=user, sid=sub.sid)
    assert fields(found) == fields(Account.objects.get(pk=sub.pk))
    assert fields(found.parent) == fields(Account.objects.get(pk=account.pk))
    assert isinstance(found.date_created, datetime.datetime) and timezone.is_aware(
        found.date_created
    )
    with pytest.raises(Http404):
        account_selectors.account_with_access_for_user(user=user, sid="AC" + "0" * 32)


def test_roles_come_from_the_account_its_parent_and_either_organization(
    make_user, make_account, make_subaccount, owner, join
):
    main = make_account(friendly_name="Main")
    sub = make_subaccount(main, "Sub")
    developer = make_user(email="developer@example.com")
    AccountMembership.objects.create(account=main, user=developer, role=roles.DEVELOPER)
    AccountMembership.objects.create(account=sub, user=developer, role=roles.BILLING_MANAGER)
    only_sub = make_user(email="only-sub@example.com")
    AccountMembership.objects.create(account=sub, user=only_sub, role=roles.SUPPORT)
    stranger = make_user(email="stranger@example.com")

    def access(user, account):
        return account_selectors.account_with_access_for_user(user=user, sid=account.sid)

    assert access(developer, sub)[1] == {roles.DEVELOPER, roles.BILLING_MANAGER}
    assert access(only_sub, sub)[1] == {roles.SUPPORT} and access(only_sub, sub)[3] is False
    with pytest.raises(Http404):
        access(only_sub, main)  # a role on a subaccount alone never reaches its parent
    with pytest.raises(Http404):
        access(stranger, sub)
    # Read with the account (the console's one query), the roles are what the memberships'
    # own query gives, and an account read for one person gives no one else their roles.
    by_source = account_selectors._roles_by_source
    for person in (developer, only_sub, stranger):
        for target in (main, sub):
            with_roles = account_selectors.account_and_parent_by_sid(target.sid, user=person)
            plain = account_selectors.account_and_parent_by_sid(target.sid)
            assert by_source(user=person, account=with_roles) == by_source(
                user=person, account=plain
            )
    read_for_developer = account_selectors.account_and_parent_by_sid(sub.sid, user=developer)
    assert by_source(user=stranger, account=read_for_developer) == (set(), set())

    # The parent's organization and the subaccount's own (when they differ) both count.
    parents_org = Organization.objects.create(name="Parent's group")
    subs_org = Organization.objects.create(name="Sub's group")
    Account.objects.filter(pk=main.pk).update(organization=parents_org)
    Account.objects.filter(pk=sub.pk).update(organization=subs_org)
    for organization in (parents_org, subs_org):
        administrator = make_user(email=f"admin-{organization.pk}@example.com")
        join(administrator, OrgRole.ADMINISTRATOR, organization=organization)
        assert roles.ADMINISTRATOR in access(administrator, sub)[1]
        member = make_user(email=f"member-{organization.pk}@example.com")
        join(member, OrgRole.MEMBER, organization=organization)
        with pytest.raises(Http404):
            access(member, sub)  # a plain member of the organization holds no role


def test_the_switcher_lists_what_the_orm_lists(make_user, make_account, make_subaccount, join):
    """Its unfiltered reads are prepared: the same main accounts in the same order, each with
    its organization's name, and the same newest open subaccounts."""
    user = make_user(email="switcher@example.com")
    group = Organization.objects.create(name="Beta group")
    own = make_account(owner=user, friendly_name="Zeta")
    grouped = make_account(friendly_name="Alpha")
    Account.objects.filter(pk=grouped.pk).update(organization=group)
    join(user, OrgRole.ADMINISTRATOR, organization=group)
    shared = make_account(friendly_name="Mid")
    AccountMembership.objects.create(account=shared, user=user, role=roles.DEVELOPER)
    make_account(friendly_name="Not theirs")
    subs = [make_subaccount(own, f"Sub {n}") for n in range(4)]
    Account.objects.filter(pk=subs[-1].pk).update(status=Account.Status.CLOSED)

    top_level = account_selectors.switcher_main_accounts(user=user, limit=2)
    shown, more = account_selectors.switcher_subaccounts(user=user, main=own, shown=2)

    expected = (
        Account.objects.top_level()
        .filter(pk__in=account_selectors._listed_account_ids(user))
        .select_related("organization")
        .order_by("friendly_name", "pk")[:2]
    )
    assert top_level == tuple(
        (a.pk, a.sid, a.friendly_name, a.status, a.organization and a.organization.name)
        for a in expected
    )
    assert [row[-1] for row in top_level] == ["Beta group", None]
    newest_open = Account.objects.subaccounts_of(own).open().order_by("-date_created", "-pk")
    assert [fields(a) for a in shown] == [fields(a) for a in newest_open[:2]]
    assert more is True
    everything = account_selectors.switcher_main_accounts(user=user, limit=50)
    assert [row[2] for row in everything] == ["Alpha", "Mid", "Zeta"]


# The fields of ACCOUNT_LIST_FIELDS that are the model's own.
ACCOUNT_LIST_MODEL_FIELDS = [
    name
    for name in account_selectors.ACCOUNT_LIST_FIELDS
    if name not in ("organization_name", "my_roles_read")
]


def test_the_accounts_page_lists_what_the_orm_lists(make_user, make_account, make_subaccount, join):
    """Unfiltered, its read is prepared: the same accounts in the same order (by
    organization, then name), each with its organization's name and the user's own roles;
    and the count of accounts toward the owner's limit."""
    user = make_user(email="lister@example.com")
    group = Organization.objects.create(name="Beta group")
    make_account(owner=user, friendly_name="Zeta")
    grouped = make_account(friendly_name="Alpha")
    Account.objects.filter(pk=grouped.pk).update(organization=group)
    join(user, OrgRole.ADMINISTRATOR, organization=group)
    shared_sub = make_subaccount(make_account(friendly_name="Theirs"), "Shared with me")
    AccountMembership.objects.create(account=shared_sub, user=user, role=roles.DEVELOPER)
    AccountMembership.objects.create(account=shared_sub, user=user, role=roles.SUPPORT)
    make_account(owner=user, friendly_name="Closed one")
    Account.objects.filter(friendly_name="Closed one").update(status=Account.Status.CLOSED)

    rows, owned = account_selectors.account_list_rows(user=user)
    listed = [account_selectors.AccountListEntry(*row) for row in rows]

    expected = list(
        Account.objects.filter(pk__in=account_selectors._listed_account_ids(user))
        .select_related("organization")
        .order_by("organization__name", "friendly_name", "pk")
    )
    shown = ACCOUNT_LIST_MODEL_FIELDS
    assert [[getattr(a, name) for name in shown] for a in listed] == [
        [getattr(a, name) for name in shown] for a in expected
    ]
    assert [a.organization_name for a in listed] == [
        a.organization.name if a.organization_id else None for a in expected
    ]
    assert [a.get_status_display() for a in listed] == [a.get_status_display() for a in expected]
    roles_of = {a.friendly_name: sorted(a.my_roles) for a in listed}
    assert roles_of == {
        "Alpha": [],  # through the organization
        "Closed one": [roles.OWNER],
        "Shared with me": [roles.DEVELOPER, roles.SUPPORT],
        "Zeta": [roles.OWNER],
    }
    searched_rows, owned_as_searched = account_selectors.account_list_rows(
        user=user, query="shared"
    )
    searched = [account_selectors.AccountListEntry(*row) for row in searched_rows]
    assert [a.pk for a in searched] == [shared_sub.pk]
    # In the order roles are listed everywhere, as the page shows them.
    assert searched[0].my_roles == [roles.DEVELOPER, roles.SUPPORT]
    assert searched[0].my_role_labels == [roles.role_label(roles.DEVELOPER), "Support"]
    assert account_selectors.owned_account_count(owner=user) == 1  # Zeta; not the closed one
    # Read with the list, as on its own; and with a search, or a list of none, on its own.
    assert owned == owned_as_searched == 1
    assert account_selectors.account_list_rows(user=make_user(email="none@example.com")) == (
        (),
        0,
    )
    nothing_found = account_selectors.account_list_rows(user=user, query="no such name")
    assert nothing_found == ((), 1)
    # Another owner's accounts never count toward this one's.
    stranger = make_user(email="other.owner@example.com")
    make_account(owner=stranger, friendly_name="Theirs too")
    make_account(owner=stranger, friendly_name="And this")
    AccountMembership.objects.create(
        account=make_account(owner=stranger, friendly_name="Shared main"),
        user=user,
        role=roles.DEVELOPER,
    )
    assert account_selectors.account_list_rows(user=user)[1] == 1
    assert account_selectors.account_list_rows(user=stranger)[1] == 3


def test_the_subaccounts_page_pages_what_the_orm_pages(account, make_subaccount, make_account):
    """Unfiltered, its count and rows are prepared: the same count, the same subaccounts on
    each page in the same order, with the fields a row shows; a parent without subaccounts
    has one empty page."""
    empty = Paginator(account_selectors.SubaccountPages(make_account()), 50).get_page(1)
    assert list(empty) == [] and empty.paginator.count == 0

    subs = [make_subaccount(account, f"Sub {n:02}") for n in range(52)]
    make_subaccount(account, "Own", own_balance=True)
    Account.objects.filter(pk=subs[3].pk).update(status=Account.Status.CLOSED)
    prepared = Paginator(account_selectors.SubaccountPages(account), 50)
    expected = Paginator(account_selectors.subaccount_list(parent=account), 50)

    assert prepared.count == expected.count == 53
    shown = ("pk", "sid", "friendly_name", "status", "own_balance", "date_created", "parent_id")
    for number in (1, 2):
        assert [[getattr(a, f) for f in shown] for a in prepared.page(number)] == [
            [getattr(a, f) for f in shown] for a in expected.page(number)
        ]


def test_an_expired_session_signs_its_user_out(as_user, user, account):
    client = as_user(user)
    dashboard = reverse("console:account_dashboard", args=[account.sid])
    assert client.get(dashboard).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(dashboard)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_sample_must_stand_for_exactly_one_parameter(account):
    twice = PreparedQuery(
        lambda pk: Account.objects.filter(pk=pk) | Account.objects.filter(parent_id=pk), pk=-5
    )
    with pytest.raises(ImproperlyConfigured):
        twice(pk=account.pk)
    once = PreparedQuery(lambda pk: Account.objects.filter(pk=pk).values_list("sid"), pk=-5)
    assert once(pk=account.pk) == [(account.sid,)]


# --- A session read with its user (accounts/sessions.py) -----------------------------------


def signed_in_page(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries.captured_queries)


def test_a_session_seen_signed_in_is_read_with_its_user_in_one_query(as_user, user, account):
    client = as_user(user)
    dashboard = reverse("console:account_dashboard", args=[account.sid])
    assert client.get(dashboard).status_code == 200  # the first visit writes the session
    # As in a process that has not seen this session yet (another worker, a restart):
    # the session, its user, the account ...
    sessions._signed_in_as.pop(client.session.session_key)
    first, before = signed_in_page(client, dashboard)
    # ... and once it has: all three in one statement (the page itself is remembered).
    again, after = signed_in_page(client, dashboard)
    assert first.status_code == again.status_code == 200
    assert (before, after) == (3, 1)
    assert "Acme" in again.content.decode()
    assert again.wsgi_request.user.pk == user.pk
    expected = users_with_two_factor_facts().get(pk=user.pk)
    assert fields(again.wsgi_request.user, "has_two_factor", "two_factor_required") == fields(
        expected, "has_two_factor", "two_factor_required"
    )


@pytest.mark.parametrize("change", ["signed out elsewhere", "password changed", "deactivated"])
def test_what_signs_a_session_out_does_so_on_the_next_request_read_in_one_query(
    as_user, user, account, change
):
    client = as_user(user)
    dashboard = reverse("console:account_dashboard", args=[account.sid])
    assert client.get(dashboard).status_code == 200  # now seen signed in: the one-query read
    if change == "signed out elsewhere":
        Session.objects.filter(session_key=client.session.session_key).delete()
    elif change == "password changed":
        user.set_password("an entirely new passphrase")
        user.save()
    else:
        User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(dashboard)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_wrong_guess_of_a_sessions_user_signs_in_the_sessions_own(
    as_user, user, make_user, account
):
    client = as_user(user)
    dashboard = reverse("console:account_dashboard", args=[account.sid])
    assert client.get(dashboard).status_code == 200
    other = make_user(email="someone.else@example.com")
    sessions._signed_in_as.put(client.session.session_key, other.pk)
    response = client.get(dashboard)
    assert response.status_code == 200 and response.wsgi_request.user.pk == user.pk
    assert "someone.else@example.com" not in response.content.decode()


def test_a_page_not_naming_an_account_reads_the_session_and_user_together_only(
    as_user, user, account
):
    client = as_user(user)
    accounts_page = reverse("console:account_list")
    assert client.get(accounts_page).status_code == 200
    response = client.get(accounts_page)
    assert response.status_code == 200 and response.wsgi_request.user.pk == user.pk
    assert response.wsgi_request.session.account_read_with is None


def test_an_account_read_with_the_session_is_still_refused_to_who_may_not_reach_it(
    as_user, user, make_user, account, make_subaccount
):
    """A stranger's, a sibling's and the parent of a subaccount-only user: read with the
    session, and still 404, exactly as when read on their own."""
    sibling = make_subaccount(account, "Sibling")
    mine = make_subaccount(account, "Mine")
    subaccount_only = make_user(email="sub.only@example.com")
    AccountMembership.objects.create(account=mine, user=subaccount_only, role=roles.DEVELOPER)
    stranger = make_user(email="stranger@example.com")
    for who, sid in [
        (stranger, account.sid),
        (stranger, mine.sid),
        (subaccount_only, account.sid),
        (subaccount_only, sibling.sid),
    ]:
        client = as_user(who)
        page = reverse("console:account_dashboard", args=[sid])
        client.get(reverse("console:account_list"))  # the session is now seen signed in
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert response.status_code == 404, (who.email, sid)
        # The account was read with the session (and not again), and refused.
        by_sid = [q for q in queries.captured_queries if '"accounts_account"."sid" =' in q["sql"]]
        assert len(by_sid) == 1 and by_sid[0]["sql"].startswith("SELECT * FROM (SELECT 1")
        assert "Acme" not in response.content.decode()
    client = as_user(subaccount_only)
    client.get(reverse("console:account_list"))
    response = client.get(reverse("console:account_dashboard", args=[mine.sid]))
    assert response.status_code == 200 and "Mine" in response.content.decode()


def test_an_account_read_for_a_wrong_guess_of_the_user_is_not_taken(
    as_user, user, make_user, make_account, account
):
    """The session was last seen as someone else (the guess): the account read for them,
    roles included, is not the signed-in user's, who gets their own view of it."""
    other = make_user(email="other@example.com")
    theirs = make_account(owner=other, friendly_name="Theirs")
    client = as_user(user)
    mine = reverse("console:account_dashboard", args=[account.sid])
    assert client.get(mine).status_code == 200
    sessions._signed_in_as.put(client.session.session_key, other.pk)
    response = client.get(reverse("console:account_dashboard", args=[theirs.sid]))
    assert response.status_code == 404 and "Theirs" not in response.content.decode()
    sessions._signed_in_as.put(client.session.session_key, other.pk)
    response = client.get(mine)
    assert response.status_code == 200 and response.wsgi_request.user.pk == user.pk


def test_a_subaccount_page_reads_its_parent_after_the_session(
    as_user, user, account, make_subaccount
):
    sub = make_subaccount(account, "Support line")
    client = as_user(user)
    page = reverse("console:account_dashboard", args=[sub.sid])
    assert client.get(page).status_code == 200
    response, queries = signed_in_page(client, page)
    assert response.status_code == 200 and queries == 2
    assert "Subaccount of Acme" in response.content.decode()


def test_a_post_reads_its_account_itself(as_user, user, account):
    client = as_user(user)
    client.get(reverse("console:account_list"))
    response = client.post(
        reverse("console:account_rename", args=[account.sid]), {"friendly_name": "Acme Two"}
    )
    assert response.status_code in (200, 302)
    assert response.wsgi_request.session.account_sid_read_with is None
    assert Account.objects.get(pk=account.pk).friendly_name == "Acme Two"


def test_a_sessions_data_changed_in_the_database_is_decoded_anew(as_user, user, account):
    """The decoded data is remembered by the data itself: data that changed (here, support
    staff tampering with it) is read as it now is, and data that does not verify signs out."""
    client = as_user(user)
    dashboard = reverse("console:account_dashboard", args=[account.sid])
    assert client.get(dashboard).status_code == 200
    assert client.get(dashboard).status_code == 200  # decoded from what was remembered
    row = Session.objects.get(session_key=client.session.session_key)
    tail = "AAAA" if row.session_data[-4:] != "AAAA" else "BBBB"
    row.session_data = row.session_data[:-4] + tail
    row.save()
    response = client.get(dashboard)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_session_changed_in_place_does_not_change_what_the_next_request_decodes(user):
    """allauth changes lists in a session's data in place: the remembered decoding is not
    theirs to change."""
    store = sessions.SessionStore()
    store["methods"] = [{"method": "password"}]
    store.save()
    first = sessions.SessionStore(store.session_key)
    first["methods"].append({"method": "mfa"})
    first["methods"][0]["method"] = "changed"
    again = sessions.SessionStore(store.session_key)
    assert again["methods"] == [{"method": "password"}]


def test_reads_together_are_each_reads_own_answer(user, account, make_subaccount):
    sub = make_subaccount(account, "Support line")
    by_sid = PreparedQuery(lambda sid: Account.objects.filter(sid=sid)[:1], sid="ACsample")
    names = PreparedQuery(
        lambda pk: Account.objects.filter(pk=pk).values_list("friendly_name", "parent_id"), pk=-5
    )
    with CaptureQueriesContext(connection) as queries:
        found, row = read_together((by_sid, {"sid": sub.sid}), (names, {"pk": account.pk}))
    assert len(queries.captured_queries) == 1
    assert fields(found) == fields(Account.objects.get(pk=sub.pk))
    assert row == ("Acme", None)
    nothing, row = read_together((by_sid, {"sid": "AC" + "0" * 32}), (names, {"pk": sub.pk}))
    assert nothing is None and row == ("Support line", account.pk)
    assert read_together((by_sid, {"sid": sub.sid}), (names, {"pk": -1}))[1] is None
    distinct = PreparedQuery(lambda pk: Account.objects.filter(pk=pk).distinct(), pk=-5)
    with pytest.raises(ImproperlyConfigured):
        read_together((distinct, {"pk": account.pk}), (names, {"pk": account.pk}))


def test_reads_together_with_rows_are_each_reads_own_answer(user, account, make_subaccount):
    """The rows in their own order (by name, which is not the order they were made in), as
    models with converted values, beside each one-row read's answer; no rows, and a
    one-row read finding nothing, take nothing from the others."""
    for name in ["Zulu", "alpha", "Mike", "Bravo"]:
        make_subaccount(account, name)
    names = PreparedQuery(
        lambda pk: Account.objects.filter(pk=pk).values_list("friendly_name", "parent_id"), pk=-5
    )
    children = PreparedQuery(
        lambda parent_id, *, limit: Account.objects.filter(parent_id=parent_id).order_by(
            "friendly_name", "pk"
        )[:limit],
        parent_id=-5,
    )
    expected = list(Account.objects.filter(parent=account).order_by("friendly_name", "pk")[:3])
    with CaptureQueriesContext(connection) as queries:
        (row,), rows = read_together_with_rows(
            (names, {"pk": account.pk}),
            rows=(children, {"parent_id": account.pk}, {"limit": 3}),
        )
    assert len(queries.captured_queries) == 1
    assert row == ("Acme", None)
    assert [fields(a) for a in rows] == [fields(a) for a in expected]
    assert rows == children(parent_id=account.pk, shape={"limit": 3})
    (nothing,), none = read_together_with_rows(
        (names, {"pk": -1}), rows=(children, {"parent_id": -1}, {"limit": 3})
    )
    assert nothing is None and none == []


def test_the_switcher_reads_its_main_accounts_with_the_session(
    as_user, user, account, make_account, make_user
):
    """Unfiltered, the switcher's panel is the session's one statement (its main accounts
    read with the session, its user and the account); filtered, it reads them itself; and
    the main accounts read for a wrong guess of the user are never shown."""
    make_account(owner=user, friendly_name="Second")
    client = as_user(user)
    switcher = reverse("console:account_switcher", args=[account.sid])
    assert client.get(switcher, headers={"HX-Request": "true"}).status_code == 200
    response, queries = signed_in_page(client, switcher)
    assert response.status_code == 200 and queries == 1
    assert "Acme" in response.content.decode() and "Second" in response.content.decode()
    with CaptureQueriesContext(connection) as captured:
        filtered = client.get(switcher, {"q": "Second"})
    html = filtered.content.decode()
    assert len(captured.captured_queries) > 1 and "Second" in html and ">Acme<" not in html
    # The session last seen as someone else, with accounts of their own.
    other = make_user(email="other@example.com")
    make_account(owner=other, friendly_name="Theirs alone")
    sessions._signed_in_as.put(client.session.session_key, other.pk)
    response = client.get(switcher)
    assert response.status_code == 200 and response.wsgi_request.user.pk == user.pk
    assert "Theirs alone" not in response.content.decode()
    assert "Second" in response.content.decode()
