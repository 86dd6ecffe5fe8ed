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
