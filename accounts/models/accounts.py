from decimal import Decimal

from django.apps import apps
from django.db import models
from django.utils import timezone

from .. import errors
from .organizations import Organization
from .sids import new_account_sid, new_auth_token
from .users import User

DEFAULT_SUBACCOUNT_LIMIT = 1000
FRIENDLY_NAME_MAX_LENGTH = 64
# Twilio's trial rules: a trial account may have one (open) subaccount, and holds one phone
# number across itself and its subaccount; trial subaccounts cannot buy numbers at all.
TRIAL_SUBACCOUNT_LIMIT = 1
TRIAL_NUMBER_LIMIT = 1


class AccountQuerySet(models.QuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)

    def subaccounts(self):
        return self.filter(parent__isnull=False)

    def subaccounts_of(self, account):
        return self.filter(parent=account)

    def open(self):
        """Accounts that count toward limits: everything not closed."""
        return self.exclude(status="closed")

    def reachable_by(self, user):
        """Accounts `user` may see: those they hold a role on (directly or through an
        organization they administer) and the subaccounts of those."""
        if not user.is_authenticated:
            return self.none()
        # By name: the membership models point at Account, so this module cannot import them.
        AccountMembership = apps.get_model("accounts", "AccountMembership")
        OrganizationMembership = apps.get_model("accounts", "OrganizationMembership")
        member_of = AccountMembership.objects.filter(user=user).values("account_id")
        administered_orgs = OrganizationMembership.objects.filter(
            user=user, role__in=["owner", "administrator"]
        ).values("organization_id")
        return self.filter(
            models.Q(pk__in=member_of)
            | models.Q(parent_id__in=member_of)
            | models.Q(organization_id__in=administered_orgs)
            | models.Q(parent__organization_id__in=administered_orgs)
        )


class Account(models.Model):
    """An account (project). With a parent it is a subaccount, which spends its parent's
    balance, or, with `own_balance`, a balance of its own that transfers from the parent fund
    (beyond Twilio, as Vonage and Telnyx do)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    class StatusSource(models.TextChoices):
        """Who put an account in its status: it decides who may reactivate it, and which
        subaccounts come back with their parent."""

        OWNER = "owner", "Account owner"
        PARENT = "parent", "Parent account cascade"
        SUPPORT = "support", "Support staff"
        BALANCE = "balance", "Balance reached zero"

    class Type(models.TextChoices):
        TRIAL = "Trial", "Trial"
        FULL = "Full", "Full"

    sid = models.CharField(
        "SID", max_length=34, unique=True, default=new_account_sid, editable=False
    )
    friendly_name = models.CharField(max_length=FRIENDLY_NAME_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # A StatusSource, or "" while active.
    status_source = models.CharField(max_length=10, blank=True, default="")
    type = models.CharField(max_length=5, choices=Type.choices, default=Type.TRIAL)
    auth_token = models.CharField(max_length=32, default=new_auth_token, editable=False)
    # While it is set, either token authenticates; promoting it replaces the primary.
    secondary_auth_token = models.CharField(max_length=32, blank=True, default="", editable=False)
    secondary_auth_token_created = models.DateTimeField(null=True, blank=True, editable=False)
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
        db_index=False,  # account_parent_status_idx and others start with it
    )
    # Held by top-level accounts and by subaccounts with their own balance; a subaccount that
    # shares its parent's reports the parent's (see shared_balance).
    balance = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True, default=None
    )
    own_balance = models.BooleanField(
        default=False,
        help_text="Subaccounts only: it holds a balance of its own, funded by transfers from "
        "its parent, instead of spending the parent's. One-way: it never goes back to sharing.",
    )
    # Top-level accounts: when a charge takes the balance below the threshold, the amount is
    # added through the payments backend (once per crossing). Both empty: off.
    auto_recharge_threshold = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True
    )
    auto_recharge_amount = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True
    )
    # Main accounts: delete closed subaccounts some days after they were closed (Twilio's
    # default, on for new accounts).
    delete_closed_subaccounts = models.BooleanField(
        default=True,
        help_text="Main accounts only: closed subaccounts are deleted 30 days after closing "
        "(their ledger entries, usage and events stay with this account).",
    )
    monthly_spend_cap = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Subaccounts only: the most their usage may charge to the shared balance "
        "in a calendar month (UTC). Empty means no cap.",
    )
    require_two_factor = models.BooleanField(
        default=False,
        help_text="Everyone with a role on this account (or its subaccounts) must sign in with "
        "two-factor authentication.",
    )
    subaccount_limit = models.PositiveIntegerField(
        default=DEFAULT_SUBACCOUNT_LIMIT,
        help_text="How many open subaccounts this account may have (closed ones do not count).",
    )
    # Top-level accounts: how many of its subaccounts are open (not closed), kept by the
    # services under the parent's lock (subaccount_create, closing one, the cascade), so that
    # the limit check and the counts on pages never count the subaccounts themselves.
    open_subaccount_count = models.PositiveIntegerField(default=0, editable=False)
    date_created = models.DateTimeField(default=timezone.now, db_index=True)
    date_updated = models.DateTimeField(auto_now=True)
    date_closed = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["-date_created", "-id"]
        constraints = [
            # A balance exactly where money is held: on top-level accounts and on subaccounts
            # with their own balance; never on a subaccount that spends its parent's.
            models.CheckConstraint(
                condition=(
                    models.Q(parent__isnull=True, balance__isnull=False, own_balance=False)
                    | models.Q(parent__isnull=False, balance__isnull=False, own_balance=True)
                    | models.Q(parent__isnull=False, balance__isnull=True, own_balance=False)
                ),
                name="account_balance_where_money_is_held",
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
            # The switcher's newest open subaccounts: it reads only the rows it shows.
            models.Index(
                fields=["parent", "-date_created", "-id"],
                condition=~models.Q(status="closed"),
                name="account_parent_open_idx",
            ),
            # The Billing page's transfer form: a main account's subaccounts with their own
            # balance, by name, without reading every subaccount.
            models.Index(
                fields=["parent", "friendly_name", "id"],
                condition=models.Q(own_balance=True),
                name="account_own_balance_idx",
            ),
            # The deletion sweep: closed subaccounts by when they were closed.
            models.Index(
                fields=["date_closed"],
                condition=models.Q(status="closed", parent__isnull=False),
                name="account_closed_sub_idx",
            ),
        ]

    def __str__(self):
        return f"{self.friendly_name} ({self.sid})"

    def save(self, *args, **kwargs):
        if (self.parent_id is None or self.own_balance) and self.balance is None:
            self.balance = Decimal("0")
        if not self._state.adding and kwargs.get("update_fields") is None and not args:
            # The counter of open subaccounts moves only by the services' increments: a copy
            # read before a subaccount was created must not write its stale count back.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "open_subaccount_count"
            ]
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
    def is_trial(self):
        return self.type == self.Type.TRIAL

    @property
    def main_account(self):
        """The top-level account: itself, or its parent."""
        return self.parent if self.parent_id else self

    @property
    def main_account_id(self):
        return self.parent_id or self.pk

    @property
    def owner_account_sid(self):
        return self.parent.sid if self.parent_id else self.sid

    def status_change_refusal(self, new_status, *, parent, source, actor_user_id=None):
        """Why this account cannot move to `new_status` when asked through `source` (a
        StatusSource), as the typed error the status services raise; None when it can (or
        is there already). The services ask under lock; the console's previews of a change
        ask the same question beforehand."""
        Status, Source = self.Status, self.StatusSource
        if self.status == Status.CLOSED:
            return errors.AccountClosed()
        if parent is not None and parent.status != Status.ACTIVE and source != Source.PARENT:
            return errors.ParentSuspended()
        if (
            self.status == Status.SUSPENDED
            and self.status_source == Source.SUPPORT
            and source != Source.SUPPORT
        ):
            return errors.SuspendedBySupport()
        if self.status == new_status:
            return None
        if parent is None and source == Source.OWNER:
            if new_status != Status.CLOSED:
                return errors.MainAccountStatusRestricted()
            if actor_user_id != self.owner_id:
                return errors.NotPermitted(errors.ONLY_OWNER_CAN_CLOSE)
        return None

    @property
    def pays_own_way(self):
        """Whether charges to this account move its own balance: a top-level account, or an
        open subaccount with its own balance. A closed subaccount's balance went back to its
        parent when it closed: late usage is the parent's to pay."""
        return self.parent_id is None or (self.own_balance and self.status != self.Status.CLOSED)

    @property
    def paying_account_id(self):
        return self.pk if self.pays_own_way else self.parent_id

    @property
    def paying_account(self):
        """The account whose balance this one spends: itself, or its parent."""
        return self if self.pays_own_way else self.parent

    @property
    def shared_balance(self):
        """The balance this account spends: its own (a top-level account, a subaccount with
        its own balance), or its parent's for a subaccount that shares it."""
        return self.paying_account.balance

    @property
    def subaccount_limit_in_force(self):
        """How many open subaccounts it may have now: a trial account, one at most."""
        if self.is_trial:
            return min(self.subaccount_limit, TRIAL_SUBACCOUNT_LIMIT)
        return self.subaccount_limit

    @property
    def auto_recharge_on(self):
        return self.auto_recharge_threshold is not None and self.auto_recharge_amount is not None
