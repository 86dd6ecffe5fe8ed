"""Every response's Content-Security-Policy is exactly the one Django's own middleware writes
(the console's writes each policy once and only puts the nonce in): with the nonce the page's
scripts carry, a fresh nonce on every response, none when no page used one, and whatever the
settings say when they change."""

import re

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils.csp import CSP, build_policy

pytestmark = pytest.mark.django_db


def test_the_policy_is_djangos_with_the_pages_own_nonce(owner_client, account):
    dashboard = reverse("console:account_dashboard", args=[account.sid])
    seen = set()
    for _ in range(2):
        response = owner_client.get(dashboard)
        html = response.content.decode()
        nonce = re.search(r'<script src="[^"]+" nonce="([^"]+)"', html).group(1)
        assert response["Content-Security-Policy"] == build_policy(settings.SECURE_CSP, nonce)
        seen.add(nonce)
    assert len(seen) == 2  # a new nonce for every response


def test_a_response_that_used_no_nonce_has_none_in_its_policy(client):
    response = client.get(reverse("console:home"))  # a redirect to sign in: no page
    assert response["Content-Security-Policy"] == build_policy(settings.SECURE_CSP)
    assert "nonce" not in response["Content-Security-Policy"]


def test_changed_settings_change_the_policy(client):
    changed = {"default-src": [CSP.SELF], "script-src": [CSP.SELF, CSP.NONCE, "https://cdn.test"]}
    with override_settings(SECURE_CSP=changed, SECURE_CSP_REPORT_ONLY={"img-src": [CSP.SELF]}):
        response = client.get(reverse("login"))
        nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        assert response["Content-Security-Policy"] == (
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}' https://cdn.test"
        )
        assert response["Content-Security-Policy-Report-Only"] == "img-src 'self'"
    assert "cdn.test" not in client.get(reverse("login"))["Content-Security-Policy"]
