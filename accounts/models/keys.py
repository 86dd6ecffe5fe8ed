"""API keys (v2010 Keys and SigningKeys): a SID and a secret that authenticate API requests
for one account, instead of its auth token.

The secret is shown once, when the key is created, and stored only as a keyed hash
(HMAC-SHA256 under `settings.API_KEY_HMAC_KEY`): it is checked on every API request, so it
needs a fast hash, and its 190 random bits need no slow one.
"""

import hashlib
import hmac
import secrets
import string

from django.conf import settings
from django.db import models
from django.utils import timezone

from .accounts import FRIENDLY_NAME_MAX_LENGTH, Account
from .sids import new_sid

SECRET_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 32  # as Twilio's: 32 letters and digits, about 190 bits


def new_key_sid():
    return new_sid("SK")


def new_key_secret():
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def key_secret_hash(secret):
    """The stored form of a secret: HMAC-SHA256 under the console's key, in hex."""
    return hmac.new(settings.API_KEY_HMAC_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()


class ApiKey(models.Model):
    """One API key of an account. `kind` says through which resource it was made (Keys or
    SigningKeys); both authenticate the same way."""

    class KeyType(models.TextChoices):
        # Main: everything the auth token may do. Standard: everything of its own account
        # except managing Accounts and Keys (Twilio's two kinds of v2010 key).
        STANDARD = "standard", "Standard"
        MAIN = "main", "Main"

    class Kind(models.TextChoices):
        KEY = "key", "API key"
        SIGNING_KEY = "signing_key", "Signing key"

    sid = models.CharField("SID", max_length=34, unique=True, default=new_key_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_keys")
    friendly_name = models.CharField(max_length=FRIENDLY_NAME_MAX_LENGTH, blank=True)
    key_type = models.CharField(max_length=10, choices=KeyType.choices, default=KeyType.STANDARD)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.KEY)
    secret_hash = models.CharField(max_length=64, editable=False)
    date_created = models.DateTimeField(default=timezone.now)
    date_updated = models.DateTimeField(auto_now=True)
    # To the minute: written at most once a minute per key, not on every request.
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-date_created", "-id"]
        indexes = [
            models.Index(
                fields=["account", "kind", "-date_created", "-id"], name="api_key_account_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(key_type__in=["standard", "main"]), name="api_key_type_valid"
            ),
        ]

    def __str__(self):
        return f"{self.friendly_name or self.sid} ({self.sid})"

    @property
    def is_main(self):
        return self.key_type == self.KeyType.MAIN

    def secret_matches(self, secret):
        return hmac.compare_digest(key_secret_hash(secret), self.secret_hash)
