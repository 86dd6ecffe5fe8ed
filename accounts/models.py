import re
import secrets
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from . import roles
from .querysets import AccountQuerySet

DEFAULT_ACCOUNT_LIMIT = 10
DEFAULT_SUBACCOUNT_LIMIT = 1000
FRIENDLY_NAME_MAX_LENGTH = 64


def new_sid(prefix):
    """A Twilio-style SID: two letters and 32 lowercase hex digits."""
    return prefix + secrets.token_hex(16)


def sid_is_valid(value, prefix):
    """Whether `value` has the shape of a SID starting with `prefix` (anything else, from a URL
    or a form, is not worth a query: some text, like a NUL character, would even fail one)."""
    return re.fullmatch(prefix + r"[0-9a-fA-F]{32}", value or "") is not None


def new_account_sid():
    return new_sid("AC")


def new_organization_sid():
    return new_sid("OR")


def new_auth_token():
    return secrets.token_hex(16)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def normalize_email(self, email):
        # Email is the login and is case-insensitive: store it in one case.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=self.normalize_email(username))

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Separate from accounts: access comes through memberships."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    account_limit = models.PositiveIntegerField(
        default=DEFAULT_ACCOUNT_LIMIT,
        help_text="How many open top-level accounts this user may own (outside organizations).",
    )
    is_staff = models.BooleanField(
        default=False, help_text="Support staff: may sign in to the admin."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name.split() or [self.email])[0]


class Organization(models.Model):
    sid = models.CharField(
        "SID", max_length=34, unique=True, default=new_organization_sid, editable=False
    )
    name = models.CharField(max_length=100)
    account_limit = models.PositiveIntegerField(
        default=DEFAULT_ACCOUNT_LIMIT,
        help_text="How many open top-level accounts this organization may hold.",
    )
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)
    members = models.ManyToManyField(
        User, through="OrganizationMembership", related_name="organizations"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganizationMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Organization Owner"
        ADMINISTRATOR = "administrator", "Organization Administrator"
        MEMBER = "member", "Member"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="organization_memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="org_membership_unique"),
            # Exactly one Organization Owner: at most one here, at least one by the services.
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(role="owner"),
                name="org_single_owner",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.organization}"


class Account(models.Model):
    """An account (project). With a parent it is a subaccount, sharing the parent's balance."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    class Type(models.TextChoices):
        TRIAL = "Trial", "Trial"
        FULL = "Full", "Full"

    sid = models.CharField(
        "SID", max_length=34, unique=True, default=new_account_sid, editable=False
    )
    friendly_name = models.CharField(max_length=FRIENDLY_NAME_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Who put the account in its current status (an AccountStatusEvent.Source); it decides who
    # may reactivate it and which subaccounts come back with their parent.
    status_source = models.CharField(max_length=10, blank=True, default="")
    type = models.CharField(max_length=5, choices=Type.choices, default=Type.TRIAL)
    auth_token = models.CharField(max_length=32, default=new_auth_token, editable=False)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="owned_accounts")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subaccounts",
    )
    # Held by top-level accounts only; a subaccount reports its parent's (see shared_balance).
    balance = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True, default=None
    )
    monthly_spend_cap = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Subaccounts only: the most their usage may charge to the shared balance "
        "in a calendar month (UTC). Empty means no cap.",
    )
    subaccount_limit = models.PositiveIntegerField(
        default=DEFAULT_SUBACCOUNT_LIMIT,
        help_text="How many open subaccounts this account may have (closed ones do not count).",
    )
    date_created = models.DateTimeField(default=timezone.now, db_index=True)
    date_updated = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["-date_created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(parent__isnull=True, balance__isnull=False)
                    | models.Q(parent__isnull=False, balance__isnull=True)
                ),
                name="account_balance_only_on_top_level",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "suspended", "closed"]),
                name="account_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "status"], name="account_parent_status_idx"),
            models.Index(
                fields=["parent", "-date_created", "-id"], name="account_parent_created_idx"
            ),
        ]

    def __str__(self):
        return f"{self.friendly_name} ({self.sid})"

    def save(self, *args, **kwargs):
        if self.parent_id is None and self.balance is None:
            self.balance = Decimal("0")
        super().save(*args, **kwargs)

    @property
    def is_subaccount(self):
        return self.parent_id is not None

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED

    @property
    def is_suspended(self):
        return self.status == self.Status.SUSPENDED

    @property
    def main_account(self):
        """The top-level account: itself, or its parent."""
        return self.parent if self.parent_id else self

    @property
    def owner_account_sid(self):
        return self.parent.sid if self.parent_id else self.sid

    @property
    def shared_balance(self):
        """The balance this account spends: its own, or its parent's for a subaccount."""
        return self.main_account.balance


class AccountMembership(models.Model):
    """One role of one user on one account. Developer, Billing Manager and Support combine."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_memberships")
    role = models.CharField(max_length=20, choices=roles.ROLE_CHOICES)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user", "role"], name="account_membership_unique"
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(role="owner"),
                name="account_single_owner",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {roles.role_label(self.role)} on {self.account.sid}"


class AccountStatusEvent(models.Model):
    """An audit row for every status change: who, why, and through which door."""

    class Source(models.TextChoices):
        OWNER = "owner", "Account owner"
        PARENT = "parent", "Parent account cascade"
        SUPPORT = "support", "Support staff"
        BALANCE = "balance", "Balance reached zero"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="status_events")
    old_status = models.CharField(max_length=10, choices=Account.Status.choices, blank=True)
    new_status = models.CharField(max_length=10, choices=Account.Status.choices)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    reason = models.TextField(blank=True)
    date_created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date_created", "-id"]
        indexes = [
            models.Index(fields=["account", "-date_created"], name="status_event_account_idx")
        ]

    def __str__(self):
        return f"{self.account.sid}: {self.old_status or '—'} → {self.new_status} ({self.source})"


INVITATION_LIFETIME_DAYS = 7


class Invitation(models.Model):
    """An emailed, single-use invitation to an account (with account roles) or to an
    organization (with an organization role). Only a hash of the link's token is stored."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    email = models.EmailField()
    roles = models.JSONField(default=list, help_text="Account roles, or one organization role.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date_created = models.DateTimeField(default=timezone.now)
    date_sent = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_sent", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(account__isnull=False, organization__isnull=True)
                    | models.Q(account__isnull=True, organization__isnull=False)
                ),
                name="invitation_to_account_or_organization",
            ),
        ]

    def __str__(self):
        return f"Invitation of {self.email} to {self.target}"

    @property
    def target(self):
        return self.account if self.account_id else self.organization

    @property
    def is_pending(self):
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def state(self):
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "pending"

    def role_labels(self):
        if self.organization_id:
            return [OrganizationMembership.Role(role).label for role in self.roles]
        return [roles.role_label(role) for role in self.roles]


def new_phone_number_sid():
    return new_sid("PN")


class LedgerEntry(models.Model):
    """One immutable change to a top-level account's balance. The balance on the account is
    kept in the same transaction and always equals the sum of its entries."""

    class Kind(models.TextChoices):
        FUNDS_ADDED = "funds_added", "Funds added"
        USAGE = "usage", "Usage"
        REFUND = "refund", "Refund"
        ADJUSTMENT = "adjustment", "Adjustment"

    paying_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="incurred_ledger_entries",
        help_text="The account or subaccount that incurred it.",
    )
    amount = models.DecimalField(max_digits=14, decimal_places=4)
    balance_after = models.DecimalField(max_digits=14, decimal_places=4)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.CharField(max_length=300)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # NULL, not "", when absent: the unique constraint must ignore entries without a key.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    date_created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-date_created", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(
                fields=["paying_account", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="ledger_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["paying_account", "-date_created", "-id"], name="ledger_paying_idx"
            ),
            models.Index(fields=["account", "kind", "date_created"], name="ledger_incurred_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} on {self.paying_account_id}"


class AvailablePhoneNumber(models.Model):
    """The inventory of (fictional) numbers that can be bought. A bought number leaves the
    inventory; a released one comes back."""

    phone_number = models.CharField(max_length=20, unique=True)
    friendly_name = models.CharField(max_length=64)
    iso_country = models.CharField(max_length=2, default="US")
    region = models.CharField(max_length=64, blank=True)
    voice = models.BooleanField(default=True)
    sms = models.BooleanField(default=True)
    mms = models.BooleanField(default=False)
    monthly_price = models.DecimalField(max_digits=8, decimal_places=4, default=1)

    class Meta:
        ordering = ["phone_number"]

    def __str__(self):
        return self.phone_number


class IncomingPhoneNumber(models.Model):
    """A phone number held by one account or subaccount."""

    sid = models.CharField(
        "SID", max_length=34, unique=True, default=new_phone_number_sid, editable=False
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="phone_numbers")
    phone_number = models.CharField(max_length=20)
    friendly_name = models.CharField(max_length=64)
    iso_country = models.CharField(max_length=2, default="US")
    region = models.CharField(max_length=64, blank=True)
    voice = models.BooleanField(default=True)
    sms = models.BooleanField(default=True)
    mms = models.BooleanField(default=False)
    monthly_price = models.DecimalField(max_digits=8, decimal_places=4, default=1)
    date_created = models.DateTimeField(default=timezone.now)
    date_updated = models.DateTimeField(auto_now=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_number"],
                condition=models.Q(released_at__isnull=True),
                name="phone_number_held_once",
            ),
        ]
        indexes = [models.Index(fields=["account", "released_at"], name="number_account_idx")]

    def __str__(self):
        return f"{self.phone_number} ({self.sid})"

    @property
    def capabilities(self):
        return {"voice": self.voice, "sms": self.sms, "mms": self.mms, "fax": False}


class UsageRecord(models.Model):
    """Usage of one (sub)account in one category over a period, and what it cost."""

    class Category(models.TextChoices):
        CALLS = "calls", "Calls"
        SMS = "sms", "SMS"
        MMS = "mms", "MMS"
        PHONE_NUMBERS = "phonenumbers", "Phone numbers"
        RECORDINGS = "recordings", "Recordings"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="usage_records")
    category = models.CharField(max_length=20, choices=Category.choices)
    quantity = models.DecimalField(max_digits=14, decimal_places=4)
    price = models.DecimalField(max_digits=14, decimal_places=4, help_text="Total cost, USD.")
    start_date = models.DateField()
    end_date = models.DateField()
    ledger_entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="usage_record"
    )
    date_created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["account", "start_date"], name="usage_account_idx")]

    def __str__(self):
        return f"{self.category} {self.quantity} on {self.account_id}"
