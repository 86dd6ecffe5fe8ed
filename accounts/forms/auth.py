"""Forms for signing in and signing up."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.core.cache import cache

from .. import errors
from ..models import User
from ..services.accounts import friendly_name_clean

SIGN_IN_ATTEMPTS = 5
SIGN_IN_LOCKOUT_SECONDS = 15 * 60


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": errors.SIGN_IN_INVALID,
        "throttled": errors.SIGN_IN_THROTTLED,
    }

    def _throttle_key(self):
        email = User.objects.normalize_email(self.data.get("username", ""))
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        return f"sign-in-failures:{email}:{address}"

    def clean(self):
        # Failed attempts are counted per email and address in the cache (a shared cache in
        # production, so every process counts the same attempts).
        key = self._throttle_key()
        if cache.get(key, 0) >= SIGN_IN_ATTEMPTS:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                cache.add(key, 0, SIGN_IN_LOCKOUT_SECONDS)
                cache.incr(key)
            raise
        cache.delete(key)
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email"
        # After a failed attempt the email is kept: the password is what to type again.
        retry = self.is_bound
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autofocus": not retry, "autocomplete": "email"}
        )
        if retry:
            self.fields["password"].widget.attrs["autofocus"] = True


class SignUpForm(BaseUserCreationForm):
    full_name = forms.CharField(label="Your name", max_length=150, required=False)
    account_name = forms.CharField(
        label="Name of your first account",
        initial="My first account",
        help_text="You can rename it later.",
    )

    class Meta:
        model = User
        fields = ["email", "full_name"]
        field_classes = {"email": forms.EmailField}

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(errors.EMAIL_TAKEN)
        return email

    def clean_account_name(self):
        try:
            return friendly_name_clean(self.cleaned_data["account_name"])
        except errors.InvalidFriendlyName as error:
            raise forms.ValidationError(error.message) from None


class InvitationSignUpForm(BaseUserCreationForm):
    full_name = forms.CharField(label="Your name", max_length=150, required=False)

    class Meta:
        model = User
        fields = ["full_name"]

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.email = email  # so the similarity check knows it
