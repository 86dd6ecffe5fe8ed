"""Forms shared by the console (and the rules the API applies too)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.core.cache import cache

from . import errors, people, roles, services
from .models import User


class FriendlyNameForm(forms.Form):
    # No max_length: the browser would cut a pasted name silently; the service's check says
    # what is wrong instead.
    friendly_name = forms.CharField(
        label="Friendly name",
        strip=True,
        error_messages={"required": errors.FRIENDLY_NAME_REQUIRED},
    )

    def clean_friendly_name(self):
        try:
            return services.friendly_name_clean(self.cleaned_data["friendly_name"])
        except errors.InvalidFriendlyName as error:
            raise forms.ValidationError(error.message) from None


SIGN_IN_ATTEMPTS = 5
SIGN_IN_LOCKOUT_SECONDS = 15 * 60


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That email and password do not match an account. Check them and try again."
        ),
        "throttled": (
            "Too many failed attempts to sign in with this email. Wait 15 minutes, or reset "
            "your password."
        ),
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
            raise forms.ValidationError(
                "An account with this email already exists. Sign in instead."
            )
        return email

    def clean_account_name(self):
        try:
            return services.friendly_name_clean(self.cleaned_data["account_name"])
        except errors.InvalidFriendlyName as error:
            raise forms.ValidationError(error.message) from None


ASSIGNABLE_ROLE_CHOICES = [
    (role, label) for role, label in roles.ROLE_CHOICES if role != roles.OWNER
]


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", ASSIGNABLE_ROLE_CHOICES)
        kwargs.setdefault(
            "help_text",
            "Administrator includes everything but closing the account and transferring "
            "ownership, and cannot be combined. Developer, Billing Manager and Support combine.",
        )
        kwargs.setdefault("error_messages", {"required": errors.ROLES_REQUIRED})
        super().__init__(**kwargs)

    def clean(self, value):
        chosen = super().clean(value)
        try:
            return people.roles_clean(chosen)
        except errors.PeopleError as error:
            raise forms.ValidationError(error.message) from None


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    roles = RolesField(label="Roles")


class RolesForm(forms.Form):
    roles = RolesField(label="Roles")


class InvitationSignUpForm(BaseUserCreationForm):
    full_name = forms.CharField(label="Your name", max_length=150, required=False)

    class Meta:
        model = User
        fields = ["full_name"]

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.email = email  # so the similarity check knows it


class SpendCapForm(forms.Form):
    monthly_spend_cap = forms.DecimalField(
        label="Monthly spend cap (USD)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Usage charges that would take this subaccount past it in a calendar month "
        "(UTC) are refused. Leave empty for no cap.",
    )
