from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and subaccounts"

    def ready(self):
        from allauth.mfa import signals as mfa_signals
        from django.contrib.auth.signals import user_logged_in

        from .signin import authenticator_added, authenticator_removed, signed_in

        user_logged_in.connect(signed_in, dispatch_uid="console-signed-in")

        mfa_signals.authenticator_added.connect(authenticator_added, dispatch_uid="mfa-added")
        mfa_signals.authenticator_removed.connect(authenticator_removed, dispatch_uid="mfa-removed")
