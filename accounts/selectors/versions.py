"""The version of a family's data that remembered pages are keyed by (`FamilyVersion`)."""

from ..models import FamilyVersion
from .prepared import PreparedQuery

_version_of = PreparedQuery(
    lambda main_account_id: FamilyVersion.objects.filter(
        main_account_id=main_account_id
    ).values_list("version", flat=True),
    main_account_id=-424242,
)


def family_version(account):
    """The version of `account`'s family as committed now (0 before its first write)."""
    return _version_of.first(main_account_id=account.main_account_id) or 0


def family_version_as_read(account):
    """The version of `account`'s family as it was read with the account, at the start of
    the request (`accounts.account_and_parent_by_sid`); as committed now for an account read
    otherwise. Read before anything else of the family, a version is never newer than what
    the page then reads (a page remembered under it is never older than the version)."""
    if hasattr(account, "family_version_read"):
        return account.family_version_read or 0
    return family_version(account)
