"""Data the console-craft browser tests share: a family of accounts as a user meets it (a
funded main account, subaccounts in each status, phone numbers, usage this month, people)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts import roles
from accounts.models import Account, AccountMembership, AvailablePhoneNumber
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services import organizations as organization_services
from accounts.services import usage as usage_services
from accounts.services.events import Actor

SYSTEM = Actor.system()


def stock_numbers(count=20, area_code="415"):
    AvailablePhoneNumber.objects.bulk_create(
        AvailablePhoneNumber(
            phone_number=f"+1{area_code}555{line:04d}",
            friendly_name=f"({area_code}) 555-{line:04d}",
            region="CA",
            monthly_price=Decimal("1.15"),
        )
        for line in range(100, 100 + count)
        if not AvailablePhoneNumber.objects.filter(
            phone_number=f"+1{area_code}555{line:04d}"
        ).exists()
    )


def fund(account, amount):
    ledger_services.funds_add(account=account, amount=amount, actor=SYSTEM, reason="test funds")
    Account.objects.filter(pk=account.pk).update(type="Full")
    Account.objects.filter(parent=account).update(type="Full")
    account.refresh_from_db()
    return account


@dataclass
class Family:
    main: Account
    subaccounts: dict = field(default_factory=dict)  # friendly name -> Account
    numbers: list = field(default_factory=list)


def family(owner, *, name="Acme Messaging", subaccounts=(), numbers=0, balance="50"):
    """A funded, upgraded main account with `subaccounts` (names) and `numbers` numbers held
    by the main account (subaccount numbers: add them with `buy`)."""
    main = account_services.account_create(
        owner=owner, friendly_name=name, actor=SYSTEM, type="Full"
    )
    scene = Family(main=main)
    for sub_name in subaccounts:
        scene.subaccounts[sub_name] = account_services.subaccount_create(
            parent=main, friendly_name=sub_name, actor=SYSTEM
        )
    fund(main, balance)
    for sub in scene.subaccounts.values():
        sub.refresh_from_db()
    stock_numbers(max(numbers + 10, 20))
    for _ in range(numbers):
        scene.numbers.append(buy(main))
    main.refresh_from_db()
    return scene


def buy(account):
    available = AvailablePhoneNumber.objects.order_by("phone_number").first()
    return number_services.number_buy(
        account=account, phone_number=available.phone_number, actor=SYSTEM
    )


def usage_this_month(account, category="sms", price="2.50", quantity="10"):
    today = timezone.now().date()
    usage_services.usage_record(
        account=account,
        category=category,
        quantity=quantity,
        price=price,
        start_date=today.replace(day=1),
        end_date=today,
        actor=SYSTEM,
    )


def member(make_user, account, *role_names, email=None):
    person = make_user(email=email) if email else make_user()
    for role in role_names:
        AccountMembership.objects.create(account=account, user=person, role=role)
    return person


def organization(owner, name="Acme Inc."):
    return organization_services.organization_create(name=name, owner=owner, actor=SYSTEM)


ROLES_WITHOUT_OWNER = [roles.ADMINISTRATOR, roles.DEVELOPER, roles.BILLING_MANAGER, roles.SUPPORT]
