"""Roles as data: each role is a set of scopes, and roles held together add up."""

from accounts import roles


def test_roles_combine_scopes():
    scopes = roles.scopes_for([roles.DEVELOPER, roles.BILLING_MANAGER])

    assert roles.CREDENTIALS_READ in scopes
    assert roles.BILLING_WRITE in scopes
    assert roles.ACCOUNT_CLOSE not in scopes
    assert roles.SUBACCOUNTS_WRITE in roles.scopes_for([roles.ADMINISTRATOR])
    assert roles.ACCOUNT_CLOSE not in roles.scopes_for([roles.ADMINISTRATOR])
