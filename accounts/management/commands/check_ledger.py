from django.core.management.base import BaseCommand, CommandError

from accounts.selectors.ledger import ledger_differences


class Command(BaseCommand):
    help = (
        "Check that every balance (top-level accounts', subaccounts' own) equals the sum of its "
        "ledger entries, and report any difference (exit status 1 if there is one)."
    )

    def handle(self, *args, **options):
        differences = ledger_differences()
        for account, balance, total in differences:
            self.stdout.write(
                f"{account.sid}: balance {balance} but its ledger entries sum to {total} "
                f"(difference {balance - total})"
            )
        if differences:
            raise CommandError(f"{len(differences)} account(s) do not match their ledger.")
        self.stdout.write("Every balance matches its ledger.")
