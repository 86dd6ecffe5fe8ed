"""Forms about accounts: creating, renaming, spend caps."""

from django import forms

from .. import errors
from ..selectors import accounts as account_selectors
from ..services import accounts as account_services
from ..services import deletion as deletion_services
from ..services import ledger as ledger_services
from ..services import transfers as transfer_services
from ..services.accounts import friendly_name_clean
from .base import ServiceForm


class FriendlyNameForm(ServiceForm):
    # No max_length: the browser would cut a pasted name silently; the service's check says
    # what is wrong instead.
    friendly_name = forms.CharField(
        label="Friendly name",
        strip=True,
        error_messages={"required": errors.FRIENDLY_NAME_REQUIRED},
    )

    def clean_friendly_name(self):
        try:
            return friendly_name_clean(self.cleaned_data["friendly_name"])
        except errors.InvalidFriendlyName as error:
            raise forms.ValidationError(error.message) from None


class AccountCreateForm(FriendlyNameForm):
    def perform(self, *, owner, actor):
        return account_services.account_create(
            owner=owner, friendly_name=self.cleaned_data["friendly_name"], actor=actor
        )


class AccountRenameForm(FriendlyNameForm):
    refusal_field = "friendly_name"

    def __init__(self, *args, saved_name=None, **kwargs):
        super().__init__(*args, **kwargs)
        if saved_name is not None:
            # What Cancel puts back in an inline editor (console.js), whatever was typed.
            self.fields["friendly_name"].widget.attrs["data-saved-value"] = saved_name

    def perform(self, *, account, actor):
        return account_services.account_rename(
            account=account, friendly_name=self.cleaned_data["friendly_name"], actor=actor
        )


SHARED, OWN = "shared", "own"


class SubaccountCreateForm(FriendlyNameForm):
    balance = forms.ChoiceField(
        label="Balance",
        choices=[
            (SHARED, "Share this account's balance"),
            (OWN, "Its own balance, funded by transfers from this account"),
        ],
        initial=SHARED,
        required=False,
        widget=forms.RadioSelect,
        help_text="One-way: a subaccount that shares the balance can get its own later, never "
        "the other way round.",
    )

    def perform(self, *, parent, actor):
        return account_services.subaccount_create(
            parent=parent,
            friendly_name=self.cleaned_data["friendly_name"],
            own_balance=self.cleaned_data.get("balance") == OWN,
            actor=actor,
        )


class OwnBalanceForm(ServiceForm):
    """A subaccount that shares its parent's balance gets its own (one-way)."""

    def perform(self, *, subaccount, actor):
        return transfer_services.subaccount_balance_separate(subaccount=subaccount, actor=actor)


class AutoDeletionForm(ServiceForm):
    delete_closed_subaccounts = forms.BooleanField(
        label="Delete closed subaccounts automatically", required=False
    )

    def perform(self, *, account, actor):
        return deletion_services.account_auto_deletion_set(
            account=account,
            enabled=self.cleaned_data["delete_closed_subaccounts"],
            actor=actor,
        )


class SpendCapForm(ServiceForm):
    refusal_field = "monthly_spend_cap"
    monthly_spend_cap = forms.DecimalField(
        label="Monthly spend cap (USD)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Usage charges that would take this subaccount past it in a calendar month "
        "(UTC) are refused. Leave empty for no cap.",
    )

    def perform(self, *, subaccount, actor):
        return ledger_services.spend_cap_set(
            subaccount=subaccount, cap=self.cleaned_data["monthly_spend_cap"], actor=actor
        )


class ReasonField(forms.CharField):
    """The optional reason for a status change, kept as typed but without what PostgreSQL
    refuses (NUL characters) and within the history's room: a stray character never stops
    the change."""

    def to_python(self, value):
        return super().to_python((value or "").replace("\x00", ""))[:500]


class StatusChangeForm(ServiceForm):
    """A status change, with the optional reason the history keeps."""

    reason = ReasonField(required=False, strip=True)


class AccountCloseForm(StatusChangeForm):
    """Closing an account. A main account (and with it every subaccount) closes only once its
    name is typed: a permanent change that two clicks should never make."""

    confirm_name = forms.CharField(
        label="Type the account's name to confirm",
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.needs_name = not account.is_subaccount

    def clean_confirm_name(self):
        typed = self.cleaned_data["confirm_name"]
        if not self.needs_name:
            return typed
        if not typed:
            raise forms.ValidationError(errors.CONFIRM_NAME_REQUIRED)
        if typed != self.account.friendly_name:
            raise forms.ValidationError(
                errors.CONFIRM_NAME_MISMATCH.format(name=self.account.friendly_name)
            )
        return typed

    def perform(self, *, account, actor):
        # A subaccount with its own balance returns it to its parent as it closes.
        return transfer_services.account_close(
            account=account, actor=actor, reason=self.cleaned_data["reason"]
        )


ACTION_CHOICES = [
    ("suspend", "Suspend"),
    ("reactivate", "Reactivate"),
    ("close", "Close"),
]
SUBACCOUNT_STATUS_ACTIONS = {
    "suspend": (account_services.account_suspend, "Suspended"),
    "reactivate": (account_services.account_reactivate, "Reactivated"),
    "close": (transfer_services.account_close, "Closed"),
}


class SubaccountStatusForm(StatusChangeForm):
    action = forms.ChoiceField(
        choices=[(action, action) for action in SUBACCOUNT_STATUS_ACTIONS],
        error_messages={
            "required": errors.CHOOSE_STATUS_ACTION,
            "invalid_choice": errors.CHOOSE_STATUS_ACTION,
        },
    )

    @property
    def verb(self):
        """What was done, in the past tense ("Suspended")."""
        return SUBACCOUNT_STATUS_ACTIONS[self.cleaned_data["action"]][1]

    def perform(self, *, subaccount, actor):
        service, _verb = SUBACCOUNT_STATUS_ACTIONS[self.cleaned_data["action"]]
        return service(account=subaccount, actor=actor, reason=self.cleaned_data["reason"])


class SubaccountSelectionForm(forms.Form):
    """Which subaccounts a bulk action is about, and the action: rows ticked on the page
    (`sid`, repeated), the SIDs a preview confirmed (`sids`, comma-separated), or everything
    that matches the page's filters (`all`, with `q` and `status`)."""

    action = forms.ChoiceField(
        choices=ACTION_CHOICES,
        error_messages={
            "required": errors.CHOOSE_STATUS_ACTION,
            "invalid_choice": errors.CHOOSE_STATUS_ACTION,
        },
    )
    sids = forms.CharField(required=False)
    all = forms.BooleanField(required=False)
    q = forms.CharField(required=False, strip=True)
    status = forms.CharField(required=False)

    def clean(self):
        cleaned = super().clean()
        listed = self.data.getlist("sid") if hasattr(self.data, "getlist") else []
        listed += [sid.strip() for sid in cleaned.get("sids", "").split(",") if sid.strip()]
        cleaned["sid_list"] = list(dict.fromkeys(sid.replace("\x00", "") for sid in listed))
        if not cleaned["sid_list"] and not cleaned.get("all"):
            raise forms.ValidationError(errors.CHOOSE_SUBACCOUNTS)
        return cleaned

    def selection(self, *, parent):
        data = self.cleaned_data
        return account_selectors.subaccount_selection(
            parent=parent,
            sids=data["sid_list"],
            query=data["q"].replace("\x00", ""),
            status=data["status"],
            everything=data["all"],
        )

    @property
    def verb(self):
        return SUBACCOUNT_STATUS_ACTIONS[self.cleaned_data["action"]][1]


class SubaccountBulkForm(SubaccountSelectionForm, StatusChangeForm):
    """The confirmed bulk action: the per-subaccount service for each, in order."""

    def perform(self, *, parent, actor):
        return account_services.subaccounts_status_set_each(
            parent=parent,
            subaccounts=list(self.selection(parent=parent)),
            action=self.cleaned_data["action"],
            actor=actor,
            reason=self.cleaned_data["reason"],
        )
