"""Trial accounts: the trial credit a new one starts with, and the upgrade to Full.

Every sign-up starts as a Trial account (as on Twilio): it gets the trial credit (the
TRIAL_CREDIT setting, one ledger entry), may have one subaccount, holds one phone number
across itself and its subaccount, and its subaccounts cannot buy numbers. Upgrading (the
customer's first payment, or support) lifts the limits and removes what is left of the trial
credit, so the balance is then what was paid (Twilio's rule). The trial credit is spent
first: what is left of it is the credit minus all usage charged since, at most the balance.
"""

from django.conf import settings
from django.utils import timezone

from .. import errors
from ..models import Account, LedgerEntry
from ..selectors.ledger import trial_credit_remaining
from . import accounts, balances
from .events import change, events_record, service

Kind = LedgerEntry.Kind
TRIAL_CREDIT_KEY = "trial-credit"
TRIAL_CREDIT_DESCRIPTION = "Trial credit"
TRIAL_CREDIT_REMOVED = "Trial credit removed: the account was upgraded to Full"


@service
def trial_credit_grant(*, account, actor):
    """A new trial account's trial credit (once; none when TRIAL_CREDIT is 0)."""
    amount = settings.TRIAL_CREDIT
    if amount <= 0 or account.parent_id is not None or not account.is_trial:
        return None
    return balances.balance_post(
        account=account,
        amount=amount,
        kind=Kind.TRIAL_CREDIT,
        description=TRIAL_CREDIT_DESCRIPTION,
        actor=actor,
        idempotency_key=TRIAL_CREDIT_KEY,
    )


@service
def account_upgrade(*, account, actor):
    """Trial → Full, for the main account and its subaccounts, and the trial credit left is
    removed: the balance is then what was paid. Support upgrades this way; a first payment
    does too. Removing the credit is not a charge: a balance it leaves at zero does not
    suspend the account (its next charge would)."""
    account, _parent = accounts.lock(account)
    main = account.main_account
    if main.status == Account.Status.CLOSED:
        raise errors.AccountClosed()
    left = trial_credit_remaining(main) if main.is_trial else balances.ZERO
    subaccounts = Account.objects.subaccounts_of(main).only("pk", "sid", "parent_id", "type")
    family = [main, *subaccounts.order_by("pk")]
    upgraded = [member for member in family if member.type != Account.Type.FULL]
    now = timezone.now()
    Account.objects.filter(pk__in=[member.pk for member in upgraded]).update(
        type=Account.Type.FULL, date_updated=now
    )
    events_record(
        actor=actor,
        event_type="account.updated",
        items=[
            (member, member.sid, {"type": change(member.type, Account.Type.FULL)})
            for member in upgraded
        ],
        date=now,
    )
    if left > 0:
        balances.balance_post(
            account=main,
            amount=-left,
            kind=Kind.TRIAL_CREDIT,
            description=TRIAL_CREDIT_REMOVED,
            actor=actor,
            idempotency_key="trial-credit-removed",
            suspend=False,
        )
    main.refresh_from_db()
    return main
