import json

from django.core.management.base import BaseCommand, CommandError

from accounts import errors
from accounts.models import Account, sid_is_valid
from accounts.services import ledger
from accounts.services.events import Actor

NO_SUCH_ACCOUNT = "No account {sid}."


class Command(BaseCommand):
    help = (
        "Add funds to the balance an account spends through the ledger (a subaccount's go to "
        "its parent, unless it has its own balance), recorded as the system's, without the "
        "payments backend. A Full account starts at $0: scripts that record usage or buy "
        "numbers need funds first. Prints one line of JSON with the ledger entry and the new "
        "balance."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sid", required=True, help="The account's SID (AC…).")
        parser.add_argument("--amount", required=True, help="Dollars, e.g. 25 or 12.50.")
        parser.add_argument("--reason", required=True, help="Kept with the ledger entry.")
        parser.add_argument(
            "--idempotency-key", help="Running again with the same key adds nothing more."
        )

    def handle(self, *args, sid, amount, reason, idempotency_key=None, **options):
        sid = sid.strip()
        account = Account.objects.filter(sid=sid).first() if sid_is_valid(sid, "AC") else None
        if account is None:
            raise CommandError(NO_SUCH_ACCOUNT.format(sid=sid))
        try:
            entry = ledger.funds_add(
                account=account,
                amount=amount,
                actor=Actor.system(),
                reason=reason,
                idempotency_key=idempotency_key,
            )
        except errors.AccountError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            json.dumps(
                {
                    "sid": account.sid,
                    "paying_account_sid": entry.paying_account.sid,
                    "ledger_entry_sid": entry.sid,
                    "amount": f"{entry.amount:f}",
                    "balance": f"{entry.balance_after:f}",
                }
            )
        )
