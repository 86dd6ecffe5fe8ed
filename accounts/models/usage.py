from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from .accounts import Account
from .ledger import LedgerEntry


class UsageRecord(models.Model):
    """Usage of one (sub)account in one category over a period, and what it cost."""

    class Category(models.TextChoices):
        """The categories usage is recorded in, with Twilio's names. `calls`, `sms` and
        `phonenumbers` are also Twilio's roll-ups over their sub-categories (see
        `ROLLUPS`); usage recorded under those names directly counts in the roll-up."""

        CALLS = "calls", "Calls"
        CALLS_INBOUND = "calls-inbound", "Inbound calls"
        CALLS_OUTBOUND = "calls-outbound", "Outbound calls"
        SMS = "sms", "SMS"
        SMS_INBOUND = "sms-inbound", "Inbound SMS"
        SMS_OUTBOUND = "sms-outbound", "Outbound SMS"
        MMS = "mms", "MMS"
        PHONE_NUMBERS = "phonenumbers", "Phone numbers"
        PHONE_NUMBERS_LOCAL = "phonenumbers-local", "Local phone numbers"
        PHONE_NUMBERS_TOLLFREE = "phonenumbers-tollfree", "Toll-free phone numbers"
        RECORDINGS = "recordings", "Recordings"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="usage_records")
    # Set when the account was deleted (the record then belongs to its parent).
    incurred_by_sid = models.CharField("incurred by (SID)", max_length=34, blank=True)
    incurred_by_name = models.CharField("incurred by (name)", max_length=64, blank=True)
    category = models.CharField(max_length=30, choices=Category.choices)
    # How many events (calls, messages, numbers) and how much of the billed unit (minutes,
    # messages): Twilio's `count` and `usage`.
    count = models.DecimalField(max_digits=14, decimal_places=4, default=0)
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


Category = UsageRecord.Category

# Twilio's roll-up categories: each sums the recorded categories listed.
TOTAL_PRICE = "totalprice"
ROLLUPS = {
    Category.CALLS.value: (Category.CALLS, Category.CALLS_INBOUND, Category.CALLS_OUTBOUND),
    Category.SMS.value: (Category.SMS, Category.SMS_INBOUND, Category.SMS_OUTBOUND),
    Category.PHONE_NUMBERS.value: (
        Category.PHONE_NUMBERS,
        Category.PHONE_NUMBERS_LOCAL,
        Category.PHONE_NUMBERS_TOLLFREE,
    ),
    TOTAL_PRICE: tuple(Category),
}
ROLLUP_LABELS = {TOTAL_PRICE: "Total price"}
# (count_unit, usage_unit) by the category's family (the part before the first "-").
UNITS = {
    "calls": ("calls", "minutes"),
    "sms": ("messages", "messages"),
    "mms": ("messages", "messages"),
    "phonenumbers": ("numbers", "numbers"),
    "recordings": ("recordings", "minutes"),
    TOTAL_PRICE: ("", "usd"),
}


def value_text(value):
    """How Twilio writes counts and values: 12.5000 -> "12.5", 0E-4 -> "0"."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):f}"
    return f"{value.normalize():f}"


def category_members(category):
    """The recorded categories that `category` (recorded or a roll-up) sums."""
    return tuple(str(member) for member in ROLLUPS.get(category, (category,)))


def reported_categories():
    """Every category the API reports: the recorded ones and the roll-ups, once each."""
    return sorted(set(Category.values) | set(ROLLUPS))


def category_label(category):
    if category in ROLLUP_LABELS:
        return ROLLUP_LABELS[category]
    return Category(category).label if category in Category.values else category


def category_units(category):
    return UNITS.get(category.split("-", 1)[0], ("", ""))


class UsageDay(models.Model):
    """The daily roll-up of usage, kept with every record in the same transaction, so that
    reports read a few rows per day however much usage piled up.

    Each record counts on the day it was charged (GMT), so usage reports and the ledger agree
    for any range. It is added to two rows: the account's own (`family` False), and, with
    `family` True, its main account's family total (the main account and its subaccounts),
    so that a main account's report does not grow with its number of subaccounts.

    When a closed subaccount is deleted, its own rows stay in its family's report: `account`
    becomes empty and `incurred_by_sid` / `incurred_by_name` say whose they were.
    """

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    incurred_by_sid = models.CharField("incurred by (SID)", max_length=34, blank=True)
    incurred_by_name = models.CharField("incurred by (name)", max_length=64, blank=True)
    main_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    family = models.BooleanField()
    category = models.CharField(max_length=30, choices=Category.choices)
    day = models.DateField()
    count = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    usage = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    price = models.DecimalField(max_digits=18, decimal_places=4, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "family", "category", "day"], name="usage_day_unique"
            )
        ]
        indexes = [
            models.Index(fields=["account", "family", "day"], name="usage_day_account_idx"),
            models.Index(fields=["main_account", "family", "day"], name="usage_day_main_idx"),
        ]

    def __str__(self):
        return f"{self.category} on {self.day} for {self.account_id}"


class UsageMonth(models.Model):
    """The monthly roll-up of usage by account, kept with `UsageDay` in the same transaction,
    so that the Usage page ranks a month's accounts by an index scan and counts them from one
    row, whatever the size of the family.

    For each account and month (GMT, the first day of the month) there is a row per category
    and one `totalprice` row summing them; `name` (the account's friendly name, kept when it
    is renamed) and `is_main` are there for the page's order: the most expensive first, the
    main account first among equals, then by name. Its family's `totalprice` row (`family`
    True, on the main account) sums the family and holds `accounts`: how many of its accounts
    have usage that month. A deleted subaccount's rows stay, as `UsageDay`'s do: `account`
    becomes empty and `incurred_by_sid` / `incurred_by_name` say whose they were.
    """

    # No index of their own: the unique constraint and the indexes below lead with them.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    incurred_by_sid = models.CharField("incurred by (SID)", max_length=34, blank=True)
    incurred_by_name = models.CharField("incurred by (name)", max_length=64, blank=True)
    main_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    family = models.BooleanField()
    is_main = models.BooleanField()
    name = models.CharField(max_length=64)
    category = models.CharField(max_length=30)
    month = models.DateField()
    count = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    usage = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    price = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    accounts = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "family", "category", "month"], name="usage_month_unique"
            )
        ]
        indexes = [
            # The page's accounts of a month in its order (see `usage_report`).
            models.Index(
                F("main_account"),
                F("month"),
                F("price").desc(),
                F("is_main").desc(),
                Lower("name"),
                F("account"),  # ascending: NULLs (deleted subaccounts) last on PostgreSQL
                F("incurred_by_sid"),
                name="usage_month_rank_idx",
                condition=Q(family=False, category=TOTAL_PRICE),
            ),
            # The rows of the accounts a page shows, and of a range of months.
            models.Index(
                fields=["main_account", "month", "account", "incurred_by_sid"],
                name="usage_month_main_idx",
            ),
        ]

    def __str__(self):
        return f"{self.category} in {self.month:%Y-%m} for {self.account_id}"
