from django.db import models

from .accounts import Account


class FamilyVersion(models.Model):
    """A number that changes whenever a write in a main account's family (the main account
    and its subaccounts) commits: every service that records an event in the family sets it
    anew, in the same transaction, as the last thing before committing (see
    `services.events.service_transaction`).

    Pages that are costly to build and change only with the family's data (the Usage and
    Billing reports) are remembered under it (`templatetags/memo.py`): the same version, the
    same report. A new random number rather than a count, so that setting it is one upsert
    and never a read."""

    main_account = models.OneToOneField(
        Account, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.BigIntegerField()

    def __str__(self):
        return f"{self.main_account_id}: {self.version}"
