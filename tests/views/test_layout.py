"""The layout every console page shares, now that parts of it are remembered: the sidebar
(rendered once per account, scopes and page) still shows each person exactly the pages their
role opens, marks the page they are on, and differs between a main account and its
subaccount; the user menu (rendered once per name, email and staff status) shows whoever is
signed in, as they are named now, and a sign-out form of their own; the static files and
the htmx script are linked as Django's own tags link them, whatever the settings."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse

from accounts import roles

pytestmark = pytest.mark.django_db


def sidebar(html):
    return re.search(r'<nav class="sidebar".*?</nav>', html, re.S).group(0)


def links(html):
    """(text, is the current page) of each sidebar link."""
    return [
        (text, bool(current))
        for current, text in re.findall(
            r'<li><a href="[^"]+"( aria-current="page")?>([^<]+)</a></li>', sidebar(html)
        )
    ]


def page(client, name, account):
    response = client.get(reverse(f"console:{name}", args=[account.sid]))
    assert response.status_code == 200
    return response.content.decode()


OWNER_LINKS = [
    "Dashboard",
    "Subaccounts",
    "Phone numbers",
    "Usage",
    "Usage triggers",
    "Billing",
    "Users",
    "Activity",
    "API keys &amp; credentials",
    "Settings",
]


def test_each_role_sees_its_own_sidebar_on_the_same_page(
    as_user, user, account, make_member, make_subaccount
):
    owner = as_user(user)
    assert links(page(owner, "account_dashboard", account)) == [
        (text, text == "Dashboard") for text in OWNER_LINKS
    ]
    developer = as_user(make_member(account, roles.DEVELOPER))
    shown = [text for text, _ in links(page(developer, "account_dashboard", account))]
    assert "Billing" not in shown and "Users" not in shown and "Dashboard" in shown
    owner = as_user(user)  # the owner's sidebar again, after the developer's
    assert [text for text, _ in links(page(owner, "account_dashboard", account))] == OWNER_LINKS
    sub = make_subaccount(account, "Support line")
    on_sub = [text for text, _ in links(page(owner, "account_dashboard", sub))]
    assert "Subaccounts" not in on_sub and "Usage" not in on_sub
    assert reverse("console:account_dashboard", args=[sub.sid]) in sidebar(
        page(owner, "account_dashboard", sub)
    )


def test_the_sidebar_marks_the_page_you_are_on(as_user, user, account):
    client = as_user(user)
    for name, text in (
        ("billing", "Billing"),
        ("account_dashboard", "Dashboard"),
        ("billing", "Billing"),
        ("activity", "Activity"),
    ):
        current = [shown for shown, is_current in links(page(client, name, account)) if is_current]
        assert current == [text]


def test_the_user_menu_shows_who_is_signed_in(as_user, make_user, make_member, account):
    ada = make_member(account, roles.DEVELOPER, user=make_user(email="ada@example.com"))
    ada.full_name = "Ada Lovelace"
    ada.save()
    html = page(as_user(ada), "account_dashboard", account)
    assert 'aria-label="Your login: ada@example.com"' in html
    assert "<strong>Ada Lovelace</strong>" in html
    assert '<span class="avatar" aria-hidden="true">A</span>' in html
    assert "Support admin" not in html
    staff = make_member(account, roles.DEVELOPER, user=make_user(email="bob@example.com"))
    staff.is_staff = True
    staff.save()
    html = page(as_user(staff), "account_dashboard", account)
    assert 'aria-label="Your login: bob@example.com"' in html and "Support admin" in html
    assert "ada@example.com" not in html
    assert html.count('name="csrfmiddlewaretoken"') >= 1 and "Sign out" in html
    ada.full_name = "Ada King"  # renamed: the menu follows at once
    ada.save()
    html = page(as_user(ada), "account_dashboard", account)
    assert "<strong>Ada King</strong>" in html and "Lovelace" not in html
    assert "Support admin" not in html
    ada.full_name = ""
    ada.save()
    html = page(as_user(ada), "account_dashboard", account)
    assert "<strong>" not in html.split('class="menu-who"')[1].split("</p>")[0]
    assert '<span class="avatar" aria-hidden="true">A</span>' in html  # from the email


def test_static_links_are_djangos_whatever_the_settings():
    ours = "{% static 'css/console.css' %}|{% static 'img/favicon.svg' as icon %}{{ icon }}"
    djangos = "{% load static %}" + ours
    for settings in ({}, {"STATIC_URL": "/assets/"}, {"STATIC_URL": "https://cdn.example.com/s/"}):
        with override_settings(**settings):
            assert Template(ours).render(Context()) == Template(djangos).render(Context())
    assert "/assets/css/console.css" not in Template(ours).render(Context())


def test_the_htmx_script_is_what_django_htmx_writes(client):
    html = client.get(reverse("login")).content.decode()
    nonce = re.search(r'<script src="[^"]+console[^"]*\.js" nonce="([^"]+)"', html).group(1)
    context = Context({"csp_nonce": nonce})
    expected = Template("{% load django_htmx %}{% htmx_script %}").render(context)
    assert "htmx" in expected and expected in html
    for path in re.findall(r'src="/static/([^"]+)"', expected):
        assert finders.find(path), path
