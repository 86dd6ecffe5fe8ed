"""Forms for signing in and signing up: allauth's, with the console's labels, fields and
messages. Signing up also names the user's first account."""

from allauth.account.forms import LoginForm, SignupForm
from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.db import IntegrityError

from .. import errors
from ..models import User
from ..services.accounts import friendly_name_clean


class SignInForm(LoginForm):
    """Email and password. Failed attempts are counted by allauth's rate limit
    (`ACCOUNT_RATE_LIMITS["login_failed"]`) in the shared cache, so every server process
    counts the same attempts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)
        # After a failed attempt the email is kept: the password is what to type again.
        retry = self.is_bound
        self.fields["login"].widget.attrs.update(autofocus=not retry, autocomplete="email")
        if retry:
            self.fields["password"].widget.attrs["autofocus"] = True


class SignUpForm(SignupForm):
    full_name = forms.CharField(label="Your name", max_length=150, required=False)
    account_name = forms.CharField(
        label="Name of your first account",
        initial="My first account",
        help_text="You can rename it later.",
    )
    field_order = ["email", "full_name", "password1", "password2", "account_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email"
        self.fields["password2"].label = "Password confirmation"
        for name in ("email", "password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)

    def clean_account_name(self):
        try:
            return friendly_name_clean(self.cleaned_data["account_name"])
        except errors.InvalidFriendlyName as error:
            raise forms.ValidationError(error.message) from None

    def try_save(self, request):
        try:
            return super().try_save(request)
        except (IntegrityError, errors.EmailTaken):
            # Someone signed up with this email at the same moment: answer as for any taken
            # address (which allauth does without telling which it was).
            self.account_already_exists = True
            return super().try_save(request)


class InvitationSignUpForm(BaseUserCreationForm):
    full_name = forms.CharField(label="Your name", max_length=150, required=False)

    class Meta:
        model = User
        fields = ["full_name"]

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.email = email  # so the similarity check knows it
