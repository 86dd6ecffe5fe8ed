"""The Activity page: who may read it, what each row says, the family's scope, filters,
keyset pages, the CSV download, HTMX, and a constant number of queries."""

import csv
import datetime
import io
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts import errors, roles
from accounts.api.paging import PageToken
from accounts.models import Account, AccountMembership, Event, OrganizationMembership
from accounts.services import accounts as account_services
from accounts.services import memberships
from accounts.services import numbers as number_services
from accounts.services import organizations as organization_services
from accounts.services.events import Actor, event_record
from accounts.templatetags import memo
from tests.factories import SubaccountFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
T0 = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def activity_url(target, **query):
    url = reverse("console:activity", args=[target.sid])
    if query:
        url += "?" + urlencode(query)
    return url


@pytest.fixture
def sub(make_subaccount, account):
    return make_subaccount(account, friendly_name="Acme EU")


@pytest.fixture
def sibling(make_subaccount, account):
    return make_subaccount(account, friendly_name="Acme US")


@pytest.fixture
def signed_in(client):
    def signed_in(user):
        client.force_login(user)
        return client

    return signed_in


def member(make_user, account, role, email=None):
    person = make_user(email=email)
    AccountMembership.objects.create(account=account, user=person, role=role)
    return person


def page_text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def number_moved(user, account, source, target):
    """A number bought by `source`, moved by its parent `account` to `target`."""
    number = number_services.number_buy(
        account=source, phone_number="+14155550100", actor=Actor.for_user(user)
    )
    return number_services.number_transfer(
        number=number, target=target, acting_account=account, actor=Actor.for_user(user)
    )


def csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def make_events(account, count, *, start=T0, event_type="account.updated"):
    return [
        event_record(
            actor=Actor.system(),
            event_type=event_type,
            account=account,
            resource_sid=account.sid,
            data={"friendly_name": {"previous": f"Name {n}", "updated": f"Name {n + 1}"}},
            date=start + datetime.timedelta(minutes=n),
        )
        for n in range(count)
    ]


def row_ids(html):
    return re.findall(r'<tr id="event-(AE[0-9a-f]{32})"', html)


# --- Who may read it ----------------------------------------------------------------------


WHO = {
    "owner": 200,
    roles.ADMINISTRATOR: 200,
    roles.SUPPORT: 200,
    roles.DEVELOPER: 403,
    roles.BILLING_MANAGER: 403,
    "organization_administrator": 200,
    "non_member": 404,
}


@pytest.mark.parametrize(("who", "status"), list(WHO.items()))
@pytest.mark.parametrize("on", ["main account", "subaccount"])
def test_owners_administrators_and_support_read_it(
    signed_in, make_user, account, sub, who, status, on
):
    organization = organization_services.organization_create(
        name="Org", owner=account.owner, actor=Actor.for_user(account.owner)
    )
    Account.objects.filter(Q(pk=account.pk) | Q(parent=account)).update(organization=organization)
    if who == "owner":
        person = account.owner
    else:
        person = make_user()
        if who == "organization_administrator":
            OrganizationMembership.objects.create(
                organization=organization, user=person, role="administrator"
            )
        elif who != "non_member":
            AccountMembership.objects.create(account=account, user=person, role=who)
    client = signed_in(person)
    target = account if on == "main account" else sub

    response = client.get(activity_url(target))
    dashboard = client.get(reverse("console:account_dashboard", args=[target.sid]))

    assert response.status_code == status
    if status != 404:
        # The sidebar offers the page exactly to those who may open it.
        assert (activity_url(target) in dashboard.content.decode()) == (status == 200)


def test_a_role_on_the_subaccount_alone_opens_its_page_only(signed_in, make_user, account, sub):
    person = member(make_user, sub, roles.ADMINISTRATOR)
    client = signed_in(person)

    assert client.get(activity_url(sub)).status_code == 200
    assert client.get(activity_url(account)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, account):
    response = client.get(activity_url(account))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- What a row says ----------------------------------------------------------------------


def test_a_console_rename_shows_who_when_where_and_before_after(client, user, account):
    client.force_login(user)
    client.post(
        reverse("console:account_rename", args=[account.sid]),
        {"friendly_name": "Acme Corp"},
        REMOTE_ADDR="198.51.100.4",
    )
    event = Event.objects.filter(event_type="account.updated").get()

    html = page_text(client.get(activity_url(account)))

    row = html[html.index(f'id="event-{event.sid}"') :].split("</tr>")[0]
    assert "Account updated" in row
    assert user.email in row
    assert "Console" in row and "198.51.100.4" in row
    assert "<del>Acme</del>" in row and "<ins>Acme Corp</ins>" in row
    assert account.sid in row
    assert f'datetime="{event.event_date.isoformat()}"' in row
    # Newest first: the rename, then the account's creation.
    assert row_ids(html) == [
        event.sid,
        Event.objects.get(event_type="account.created", account_sid=account.sid).sid,
    ]


def test_an_api_rename_names_the_credentials(client, user, account, sub):
    account_services.account_update(
        account=sub,
        actor=Actor(type="account", source="api", sid=account.sid, ip="192.0.2.8"),
        by_account=account,
        friendly_name="EU via API",
    )
    client.force_login(user)

    html = page_text(client.get(activity_url(account, event_type="account.updated")))

    assert "API credentials of Acme" in html
    assert "192.0.2.8" in html
    assert "<del>Acme EU</del>" in html and "<ins>EU via API</ins>" in html
    assert "in EU via API" in html  # the subaccount whose log it is


def test_support_staff_appear_as_support(client, user, account, sub, make_user):
    staff = make_user(email="agent@support.example", is_staff=True)
    account_services.account_suspend(
        account=sub,
        actor=Actor.for_support(staff, ip="10.9.9.9"),
        source=Account.StatusSource.SUPPORT,
        reason="Unpaid invoice",
    )
    client.force_login(user)

    html = page_text(client.get(activity_url(account)))

    assert "Support" in html
    assert staff.email not in html and staff.sid not in html
    assert "10.9.9.9" not in html
    assert "<del>Active</del>" in html and "<ins>Suspended</ins>" in html
    assert "Unpaid invoice" in html


def test_role_changes_read_in_words(client, user, account, make_user):
    person = member(make_user, account, roles.DEVELOPER, email="dev@example.com")
    memberships.account_member_roles_set(
        account=account,
        user=person,
        roles_=[roles.DEVELOPER, roles.SUPPORT],
        actor=Actor.for_user(user),
    )
    client.force_login(user)

    html = page_text(client.get(activity_url(account, event_type="membership.updated")))

    assert "User&#x27;s roles changed" in html
    assert "dev@example.com" in html
    assert "<del>Developer</del>" in html and "<ins>Developer, Support</ins>" in html


# --- The family ---------------------------------------------------------------------------


def test_a_main_account_sees_its_subaccounts_events_and_can_pick_one(
    client, user, account, sub, sibling
):
    account_services.account_rename(account=sub, friendly_name="EU 2", actor=Actor.for_user(user))
    account_services.account_rename(
        account=sibling, friendly_name="US 2", actor=Actor.for_user(user)
    )
    client.force_login(user)

    everything = page_text(client.get(activity_url(account)))
    only_sub = page_text(client.get(activity_url(account, account=sub.sid)))

    assert "<ins>EU 2</ins>" in everything and "<ins>US 2</ins>" in everything
    assert "<ins>EU 2</ins>" in only_sub and "<ins>US 2</ins>" not in only_sub
    assert set(row_ids(only_sub)) == set(
        Event.objects.filter(account_sid=sub.sid).values_list("sid", flat=True)
    )
    # The filter suggests the family's accounts.
    assert f'<option value="{sub.sid}">EU 2</option>' in everything


def test_the_account_filter_takes_only_the_family(client, user, account, make_account):
    other = make_account(friendly_name="Globex")
    client.force_login(user)

    response = client.get(activity_url(account, account=other.sid))

    assert response.status_code == 422
    assert errors.ACTIVITY_ACCOUNT_INVALID in response.content.decode()
    assert "<ins>Globex</ins>" not in response.content.decode()


def test_a_subaccounts_page_shows_only_its_own_events(client, user, account, sub, sibling):
    account_services.account_rename(
        account=sibling, friendly_name="US 2", actor=Actor.for_user(user)
    )
    account_services.account_rename(
        account=account, friendly_name="Acme 2", actor=Actor.for_user(user)
    )
    client.force_login(user)

    html = page_text(client.get(activity_url(sub)))

    assert set(row_ids(html)) == set(
        Event.objects.filter(account_sid=sub.sid).values_list("sid", flat=True)
    )
    assert "<ins>US 2</ins>" not in html and "<ins>Acme 2</ins>" not in html
    assert 'name="account"' not in html  # no other account to choose
    # Nor can the account filter reach outside it.
    assert set(row_ids(page_text(client.get(activity_url(sub, account=sibling.sid))))) == set(
        row_ids(html)
    )


def test_a_subaccount_only_user_never_sees_the_parents_people_or_events(
    signed_in, make_user, user, account, sub, sibling
):
    person = member(make_user, sub, roles.SUPPORT, email="eu-support@example.com")
    colleague = member(make_user, sub, roles.ADMINISTRATOR, email="eu-admin@example.com")
    parent_admin = member(make_user, account, roles.ADMINISTRATOR, email="boss@example.com")
    account_services.account_rename(
        account=sub, friendly_name="By parent", actor=Actor.for_user(parent_admin, ip="10.1.1.1")
    )
    account_services.account_rename(
        account=sub, friendly_name="By colleague", actor=Actor.for_user(colleague, ip="10.2.2.2")
    )
    account_services.account_update(
        account=sub,
        actor=Actor(type="account", source="api", sid=account.sid, ip="10.3.3.3"),
        by_account=account,
        friendly_name="By parent API",
    )
    account_services.account_rename(
        account=sibling, friendly_name="Sibling renamed", actor=Actor.for_user(parent_admin)
    )
    client = signed_in(person)

    html = page_text(client.get(activity_url(sub)))
    exported = csv_rows(client.get(activity_url(sub, format="csv")))

    assert "By parent" in html and "By colleague" in html
    assert "Sibling renamed" not in html
    for secret in [
        parent_admin.email,
        parent_admin.sid,
        user.email,
        "10.1.1.1",
        "10.3.3.3",
    ]:
        assert secret not in html
        assert all(secret not in ",".join(row.values()) for row in exported)
    assert "A user of the parent account" in html
    assert "The parent account&#x27;s API credentials" in html
    # Their own account's people keep their names.
    assert colleague.email in html and "10.2.2.2" in html
    assert {row["account_sid"] for row in exported} == {sub.sid}


def test_a_number_moved_from_a_sibling_does_not_name_it_to_a_subaccount_only_user(
    signed_in, make_user, user, stock, funded, sub, sibling
):
    account = funded
    number = number_moved(user, account, sibling, sub)
    number_services.number_transfer(
        number=number, target=account, acting_account=account, actor=Actor.for_user(user)
    )
    # The sibling's users see that it went, to another subaccount they may not name.
    client = signed_in(member(make_user, sibling, roles.ADMINISTRATOR))
    html = page_text(client.get(activity_url(sibling)))
    exported = csv_rows(client.get(activity_url(sibling, format="csv")))
    assert sibling.sid in html and sub.sid not in html and "Another subaccount" in html
    assert all(sub.sid not in ",".join(row.values()) for row in exported)

    # The receiving subaccount's own user: the number came to it from a sibling (both moves
    # are in its log), then left it for its parent, whose SID subaccounts know.
    client = signed_in(member(make_user, sub, roles.ADMINISTRATOR, email="eu@example.com"))
    html = page_text(client.get(activity_url(sub)))
    exported = csv_rows(client.get(activity_url(sub, format="csv")))
    moves = [row for row in exported if row["event_type"] == "phone-number.updated"]
    assert [row["account_sid"] for row in moves] == [sub.sid, sub.sid]
    assert account.sid in html and "Another subaccount" in html
    assert sibling.sid not in html
    assert all(sibling.sid not in ",".join(row.values()) for row in exported)

    # The parent's people see every SID.
    html = page_text(signed_in(user).get(activity_url(account)))
    assert sub.sid in html and sibling.sid in html and "Another subaccount" not in html


def test_the_parents_users_see_names_on_a_subaccounts_page(client, user, account, sub):
    account_services.account_rename(
        account=sub, friendly_name="EU 2", actor=Actor.for_user(user, ip="10.1.1.1")
    )
    client.force_login(user)

    html = page_text(client.get(activity_url(sub)))

    assert user.email in html and "10.1.1.1" in html


# --- Filters ------------------------------------------------------------------------------


def test_filters_by_event_type_actor_resource_and_dates(client, user, account, sub, make_user):
    made = make_events(account, 3)
    by_user = event_record(
        actor=Actor.for_user(user),
        event_type="phone-number.created",
        account=sub,
        resource_sid="PN" + "1" * 32,
        data={"phone_number": {"previous": None, "updated": "+14155550100"}},
        date=T0 + datetime.timedelta(days=2),
    )
    client.force_login(user)

    def listed(**query):
        return row_ids(page_text(client.get(activity_url(account, **query))))

    assert listed(event_type="phone-number.created") == [by_user.sid]
    assert listed(actor=user.sid, event_type="phone-number.created") == [by_user.sid]
    assert listed(resource="PN" + "1" * 32) == [by_user.sid]
    # A pasted SID with other capitals or spaces still matches.
    assert listed(resource=" pn" + "1" * 32 + " ") == [by_user.sid]
    assert listed(start="2026-03-01", end="2026-03-01") == [e.sid for e in reversed(made)]
    assert listed(start="2026-03-03", end="2026-03-03") == [by_user.sid]
    assert listed(end="2026-02-28") == []
    html = page_text(client.get(activity_url(account, resource="PN" + "1" * 32)))
    assert "Phone number" in html and "+14155550100" in html
    assert "Clear filters" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"actor": "PN" + "1" * 32}, errors.ACTIVITY_ACTOR_INVALID),
        ({"actor": "someone@example.com"}, errors.ACTIVITY_ACTOR_INVALID),
        ({"resource": "AC123"}, errors.ACTIVITY_RESOURCE_INVALID),
        ({"start": "2026-03-02", "end": "2026-03-01"}, errors.RANGE_REVERSED),
        ({"start": "March 1"}, errors.DATE_INVALID),
        ({"event_type": "account.exploded"}, "Select a valid choice."),
    ],
)
def test_bad_filters_are_explained_in_place_and_kept(client, user, account, query, message):
    client.force_login(user)

    response = client.get(activity_url(account, **query), headers=HTMX)

    assert response.status_code == 422
    html = response.content.decode()
    assert escape(message) in html
    assert 'id="activity"' in html and "<html" not in html
    for value in query.values():
        if value != "account.exploded":
            assert f'value="{value}"' in html


# --- Pages, HTMX, CSV ---------------------------------------------------------------------


def test_older_and_newer_pages_of_50(client, user, account):
    made = make_events(account, 120)
    newest_first = [e.sid for e in reversed(made)]
    client.force_login(user)
    query = {"event_type": "account.updated"}

    first = page_text(client.get(activity_url(account, **query)))
    assert row_ids(first) == newest_first[:50]
    assert "Newer" not in first

    def follow(html, label):
        match = re.search(rf'href="([^"]*)"[^>]*rel="{label}"', html)
        return page_text(client.get(activity_url(account) + match.group(1).replace("&amp;", "&")))

    second = follow(first, "next")
    third = follow(second, "next")
    assert row_ids(second) == newest_first[50:100]
    assert row_ids(third) == newest_first[100:]
    assert 'rel="next"' not in third
    assert row_ids(follow(third, "prev")) == newest_first[50:100]
    assert row_ids(follow(follow(third, "prev"), "prev")) == newest_first[:50]
    # The links keep the filters.
    assert "event_type=account.updated" in first.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_an_unreadable_cursor_starts_at_the_newest(client, user, account):
    make_events(account, 3)
    client.force_login(user)

    html = page_text(client.get(activity_url(account, cursor="PTgarbage")))

    assert len(row_ids(html)) == 4


def test_a_new_event_does_not_shift_an_older_page(client, user, account):
    made = make_events(account, 60)
    client.force_login(user)
    token = PageToken("next", (made[10].event_date, made[10].pk), 1).encode()

    before = row_ids(page_text(client.get(activity_url(account, cursor=token))))
    make_events(account, 1, start=T0 + datetime.timedelta(days=1))
    after = row_ids(page_text(client.get(activity_url(account, cursor=token))))

    assert before == after == [e.sid for e in reversed(made[:10])]


def test_htmx_gets_the_results_partial(client, user, account):
    client.force_login(user)

    response = client.get(activity_url(account, event_type="account.created"), headers=HTMX)

    html = page_text(response)
    assert html.lstrip().startswith('<div id="activity">')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    # Every HTMX link also has a real href, and the filters a real action, so the page works
    # without JavaScript.
    links = re.findall(r"<a [^>]*hx-get=[^>]*>", html)
    assert links
    for link in links:
        assert re.search(r'href="([^"]*)"', link).group(1) == re.search(
            r'hx-get="([^"]*)"', link
        ).group(1)
    assert f'action="{activity_url(account)}"' in html


def test_the_csv_holds_every_filtered_event(client, user, account, sub):
    make_events(sub, 70)
    account_services.account_rename(
        account=sub, friendly_name="EU 2", actor=Actor.for_user(user, ip="10.0.0.9")
    )  # the newest: make_events's are dated in March
    make_events(account, 5)
    client.force_login(user)

    response = client.get(activity_url(account, account=sub.sid, format="csv"))

    rows = csv_rows(response)
    assert response["Content-Disposition"] == f'attachment; filename="activity-{account.sid}.csv"'
    assert len(rows) == 72  # created, 70 updates, the rename: more than a page
    assert {row["account_sid"] for row in rows} == {sub.sid}
    rename = rows[0]
    assert (rename["event_type"], rename["event"]) == ("account.updated", "Account updated")
    assert (rename["actor_type"], rename["actor"], rename["actor_sid"]) == (
        "user",
        user.email,
        user.sid,
    )
    assert (rename["source"], rename["source_ip_address"]) == ("web", "10.0.0.9")
    assert (rename["resource_type"], rename["resource_sid"]) == ("account", sub.sid)
    assert rename["changes"] == "Friendly name: Acme EU → EU 2"
    assert rename["event_data"] == '{"friendly_name": {"previous": "Acme EU", "updated": "EU 2"}}'
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rename["event_date"])
    assert rows[1]["event_type"] == "account.created"
    assert rows[-1]["changes"] == "Friendly name: Name 0 → Name 1"


def test_csv_text_that_starts_like_a_formula_is_written_as_text(client, user, account, make_user):
    # An email address may start with "=": as the actor's name it must not become a formula.
    sneaky = member(make_user, account, roles.ADMINISTRATOR, email="=1+2@example.com")
    account_services.account_rename(
        account=account, friendly_name="Renamed", actor=Actor.for_user(sneaky)
    )
    client.force_login(user)

    [latest, *_] = csv_rows(client.get(activity_url(account, format="csv")))

    assert latest["actor"] == "'=1+2@example.com"
    assert latest["changes"] == "Friendly name: Acme → Renamed"


# --- Queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("events", [3, 200])
def test_the_page_takes_the_same_queries_however_many_events(
    client, user, account, make_subaccount, events, django_assert_max_num_queries
):
    subs = [make_subaccount(account, friendly_name=f"Sub {n}") for n in range(3)]
    for number in range(events):
        event_record(
            actor=Actor.for_user(user, ip="10.0.0.1") if number % 2 else Actor.system(),
            event_type="account.updated",
            account=subs[number % 3],
            resource_sid=subs[number % 3].sid,
            data={"friendly_name": {"previous": "a", "updated": "b"}},
        )
    client.force_login(user)

    # The session and the user, the account (with its family's version) and the roles on
    # it, one page of events, the names they mention, the subaccounts the filter suggests,
    # and saving the session.
    with django_assert_max_num_queries(10):
        page_text(client.get(activity_url(account)))
    # The CSV streams every event from one query.
    with django_assert_max_num_queries(8):
        assert len(csv_rows(client.get(activity_url(account, format="csv")))) == events + 4


def test_a_subaccount_only_users_page_takes_constant_queries(
    signed_in, make_user, account, sub, django_assert_max_num_queries
):
    person = member(make_user, sub, roles.SUPPORT)
    make_events(sub, 80)
    client = signed_in(person)

    with django_assert_max_num_queries(10):
        page_text(client.get(activity_url(sub)))


def test_the_same_queries_with_100_subaccounts_as_with_1000(client, user, account):
    def renamed(subaccounts, start):
        for n, subaccount in enumerate(subaccounts):
            event_record(
                actor=Actor.for_user(user, ip="10.0.0.1"),
                event_type="account.updated",
                account=subaccount,
                resource_sid=subaccount.sid,
                data={"friendly_name": {"previous": "a", "updated": subaccount.friendly_name}},
                date=start + datetime.timedelta(seconds=n),
            )

    def counts():
        result = []
        for query, headers in (({}, {}), ({"event_type": "account.updated"}, HTMX)):
            memo.forget_all()  # the page built, not remembered
            with CaptureQueriesContext(connection) as queries:
                page_text(client.get(activity_url(account, **query), headers=headers))
            result.append(len(queries.captured_queries))
        return result

    SubaccountFactory.bulk(account, 100, name="First {n:04d}")
    renamed(Account.objects.filter(parent=account)[:60], T0)
    client.force_login(user)
    client.get(activity_url(account))  # the session remembers the account
    few = counts()

    SubaccountFactory.bulk(account, 900, name="Second {n:04d}")
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    renamed(Account.objects.filter(parent=account, friendly_name__startswith="Second")[:60], later)
    many = counts()

    assert many == few
    html = page_text(client.get(activity_url(account)))
    assert len(row_ids(html)) == 50 and html.count("in Second ") == 50


def test_a_long_value_shows_cut_and_the_csv_keeps_it_whole(client, user, account):
    long_name = "N" * 130
    event_record(
        actor=Actor.system(),
        event_type="account.updated",
        account=account,
        resource_sid=account.sid,
        data={"friendly_name": {"previous": "Short", "updated": long_name}, "reason": "R" * 125},
        date=T0,
    )
    client.force_login(user)

    html = page_text(client.get(activity_url(account)))
    assert f"<ins>{'N' * 119}…</ins>" in html and long_name not in html
    assert f'<span class="change-note">{"R" * 119}…</span>' in html
    assert "<del>Short</del>" in html
    rows = csv_rows(client.get(activity_url(account, format="csv", event_type="account.updated")))
    assert [long_name in row["changes"] for row in rows] == [True]


def test_the_when_column_shows_the_utc_date_and_time(client, user, account):
    make_events(account, 1, start=datetime.datetime(2026, 7, 4, 8, 9, 10, tzinfo=datetime.UTC))
    client.force_login(user)

    html = page_text(client.get(activity_url(account)))
    assert (
        '<time class="stacked-time" datetime="2026-07-04T08:09:10+00:00"><span>Jul 4, 2026</span>'
        ' <span class="muted">08:09:10</span></time>'
    ) in html


def test_the_actor_and_resource_links_keep_the_filters_from_the_first_page(client, user, account):
    make_events(account, 60)
    event_record(
        actor=Actor.for_user(user, ip="10.0.0.1"),
        event_type="account.updated",
        account=account,
        resource_sid=account.sid,
        data={"friendly_name": {"previous": "x", "updated": "y"}},
        date=T0 - datetime.timedelta(days=1),
    )
    client.force_login(user)
    first = page_text(client.get(activity_url(account, event_type="account.updated", start="")))
    cursor = re.search(r'href="\?[^"]*cursor=([^"&]+)[^"]*"[^>]*rel="next"', first).group(1)

    older = page_text(
        client.get(activity_url(account, event_type="account.updated", cursor=cursor, start=""))
    )
    # Filtering by the actor or the resource keeps the other filters (in their order, the
    # new one last) and starts again from the newest.
    actor = f"?event_type=account.updated&amp;start=&amp;actor={user.sid}"
    resource = f"?event_type=account.updated&amp;start=&amp;resource={account.sid}"
    assert f'<a href="{actor}" hx-get="{actor}"' in older
    assert f'<a class="cell-note" href="{resource}" hx-get="{resource}"' in older
    # A filter already there changes in its place.
    narrowed = page_text(
        client.get(activity_url(account, resource=account.sid, event_type="account.updated"))
    )
    in_place = f"?resource={account.sid}&amp;event_type=account.updated"
    assert f'<a class="cell-note" href="{in_place}" hx-get="{in_place}"' in narrowed


def test_the_event_select_shows_the_chosen_type_each_time(client, user, account):
    client.force_login(user)

    def selected(**query):
        html = client.get(activity_url(account, **query)).content.decode()
        select = re.search(r'<select name="event_type".*?</select>', html, re.S).group(0)
        return re.findall(r'<option value="([^"]*)" selected>', select)

    for _ in range(2):  # the second time from what the first one kept
        assert selected() == [""]
        assert selected(event_type="account.updated") == ["account.updated"]
        assert selected(event_type="phone-number.created") == ["phone-number.created"]
        assert selected(event_type="no.such-type") == []


def test_a_row_reads_as_each_reader_may_see_it_and_as_the_family_is_named_now(
    signed_in, make_user, user, stock, funded, sub, sibling
):
    # Rows are rendered once per what they show (memo.py): the same event, on the same
    # page, still differs by who reads it and by the names it shows as they are now.
    account = funded
    number_moved(user, account, sibling, sub)
    owners_view = page_text(signed_in(user).get(activity_url(sub)))
    assert sibling.sid in owners_view and "Another subaccount" not in owners_view

    own_user = member(make_user, sub, roles.ADMINISTRATOR, email="eu@example.com")
    subs_view = page_text(signed_in(own_user).get(activity_url(sub)))
    assert sibling.sid not in subs_view and "Another subaccount" in subs_view

    family = page_text(signed_in(user).get(activity_url(account)))
    assert "in Acme US" in family
    account_services.account_rename(
        account=sibling, friendly_name="Acme Americas", actor=Actor.for_user(user)
    )
    family = page_text(signed_in(user).get(activity_url(account)))
    assert "in Acme Americas" in family
