from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and subaccounts"

    def ready(self):
        from allauth.mfa import signals as mfa_signals
        from django.contrib.auth.signals import user_logged_in
        from django.db.models import signals

        from .models import User
        from .services import events
        from .signin import authenticator_added, authenticator_removed, signed_in

        user_logged_in.connect(signed_in, dispatch_uid="console-signed-in")

        mfa_signals.authenticator_added.connect(authenticator_added, dispatch_uid="mfa-added")
        mfa_signals.authenticator_removed.connect(authenticator_removed, dispatch_uid="mfa-removed")

        # A user's email shows in the logs of other families than their own writes touch.
        signals.pre_save.connect(events.user_saving, sender=User, dispatch_uid="user-saving")
        signals.post_save.connect(events.user_saved, sender=User, dispatch_uid="user-saved")
        signals.pre_delete.connect(events.user_deleting, sender=User, dispatch_uid="user-del")
        signals.post_delete.connect(events.user_deleted, sender=User, dispatch_uid="user-deld")
