"""An invitation to an account that is closed, or closing, cannot be accepted."""

import re

import pytest
from django.core import mail

from accounts import errors, roles
from accounts.models import Account, AccountMembership
from accounts.services import accounts as account_services
from accounts.services import invitations as invitation_services
from accounts.services.events import Actor
from tests.locks import lock_held, start, wait_until_blocked


def _invite(account, capture):
    """The token of the link emailed to invitee@example.com."""
    with capture(execute=True):
        invitation_services.invitation_create(
            account=account,
            email="invitee@example.com",
            roles_=[roles.DEVELOPER],
            actor=Actor.for_user(account.owner),
            base_url="http://testserver/",
        )
    return re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)


@pytest.fixture
def invited(make_account, make_user, django_capture_on_commit_callbacks):
    account = make_account(friendly_name="Closing soon")
    token = _invite(account, django_capture_on_commit_callbacks)
    return account, token, make_user(email="invitee@example.com")


@pytest.mark.django_db
def test_an_invitation_to_a_closed_account_cannot_be_accepted(invited):
    account, token, invitee = invited
    account_services.account_close(account=account, actor=Actor.for_user(account.owner))

    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(token=token, user=invitee, actor=Actor.system())

    assert refusal.value.message == errors.INVITATION_ACCOUNT_CLOSED
    assert not AccountMembership.objects.filter(account=account, user=invitee).exists()


@pytest.mark.django_db
def test_an_invitation_to_a_closed_subaccount_cannot_be_accepted(
    make_account, make_subaccount, make_user, django_capture_on_commit_callbacks
):
    parent = make_account()
    subaccount = make_subaccount(parent, "Sub")
    token = _invite(subaccount, django_capture_on_commit_callbacks)
    account_services.account_close(account=parent, actor=Actor.for_user(parent.owner))

    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=token, user=make_user(email="invitee@example.com"), actor=Actor.system()
        )
    assert refusal.value.message == errors.INVITATION_ACCOUNT_CLOSED


@pytest.mark.django_db
def test_the_link_of_a_closed_account_says_so(client, invited):
    account, token, invitee = invited
    account_services.account_close(account=account, actor=Actor.for_user(account.owner))
    client.force_login(invitee)

    page = client.get(f"/invitations/{token}/")
    posted = client.post(f"/invitations/{token}/")

    for response in (page, posted):
        assert response.status_code == 410
        assert errors.INVITATION_ACCOUNT_CLOSED in response.content.decode()
    assert not AccountMembership.objects.filter(account=account, user=invitee).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_accepting_while_the_account_is_being_closed_is_refused(postgres_only, invited):
    account, token, invitee = invited
    # The close waits behind a held lock on the account; the acceptance arrives meanwhile.
    with lock_held("SELECT 1 FROM accounts_account WHERE id = %s FOR UPDATE", [account.pk]):
        closing = start(
            lambda: account_services.account_close(
                account=account, actor=Actor.for_user(account.owner)
            )
        )
        wait_until_blocked(1)
        accepting = start(
            lambda: invitation_services.invitation_accept(
                token=token, user=invitee, actor=Actor.for_user(invitee)
            )
        )
        wait_until_blocked(2, unless_finished=accepting)
    closed, accepted = closing.outcome(), accepting.outcome()

    assert isinstance(closed, Account) and closed.status == Account.Status.CLOSED, closed
    assert isinstance(accepted, errors.InvitationError), accepted
    assert accepted.message == errors.INVITATION_ACCOUNT_CLOSED
    assert not AccountMembership.objects.filter(account=account, user=invitee).exists()
