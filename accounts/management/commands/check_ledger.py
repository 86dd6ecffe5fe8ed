from django.core.management.base import BaseCommand, CommandError

from accounts.selectors.ledger import ledger_differences
from accounts.selectors.usage import usage_month_differences


class Command(BaseCommand):
    help = (
        "Check that every balance (top-level accounts', subaccounts' own) equals the sum of its "
        "ledger entries, and that the monthly usage roll-up equals the daily one; report any "
        "difference (exit status 1 if there is one)."
    )

    def handle(self, *args, **options):
        differences = ledger_differences()
        for account, balance, total in differences:
            self.stdout.write(
                f"{account.sid}: balance {balance} but its ledger entries sum to {total} "
                f"(difference {balance - total})"
            )
        months = usage_month_differences()
        for (account_id, sid, family, category, month), expected, actual in months:
            whose = f"account {account_id}" if account_id else f"deleted {sid}"
            self.stdout.write(
                f"usage of {whose}{' (family)' if family else ''}, {category}, {month:%Y-%m}: "
                f"the monthly roll-up has {_figures(actual)}, the daily rows make "
                f"{_figures(expected)}"
            )
        if differences:
            raise CommandError(f"{len(differences)} account(s) do not match their ledger.")
        if months:
            raise CommandError(f"{len(months)} monthly usage row(s) do not match the daily rows.")
        self.stdout.write("Every balance matches its ledger.")
        self.stdout.write("The monthly usage roll-up matches the daily one.")


def _figures(row):
    if row is None:
        return "no row"
    return ", ".join(
        f"{name} {row[name]}" for name in ("count", "usage", "price", "accounts", "name")
    )
