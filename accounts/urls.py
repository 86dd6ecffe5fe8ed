from django.contrib.auth import views as auth_views
from django.urls import include, path

from .forms import SignInForm
from .views import auth, console, subaccounts, users

urlpatterns = [
    path("", console.home, name="home"),
    path(
        "signin/",
        auth_views.LoginView.as_view(
            template_name="registration/signin.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("signup/", auth.sign_up, name="signup"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change.html",
            success_url="/password/done/",
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("invitations/<str:token>/", users.invitation_accept, name="invitation_accept"),
    path("console/accounts/", console.account_list, name="account_list"),
    path("orgs/", include("accounts.urls_organizations")),
    path("console/<str:sid>/", console.account_dashboard, name="account_dashboard"),
    path("console/<str:sid>/switcher/", console.account_switcher, name="account_switcher"),
    path("console/<str:sid>/rename/", console.account_rename, name="account_rename"),
    path("console/<str:sid>/settings/", console.account_settings, name="account_settings"),
    path("console/<str:sid>/close/", console.account_close, name="account_close"),
    path("console/<str:sid>/spend-cap/", console.account_spend_cap, name="account_spend_cap"),
    path("console/<str:sid>/subaccounts/", subaccounts.subaccount_list, name="subaccount_list"),
    path(
        "console/<str:sid>/subaccounts/<str:subaccount_sid>/rename/",
        subaccounts.subaccount_rename,
        name="subaccount_rename",
    ),
    path(
        "console/<str:sid>/subaccounts/<str:subaccount_sid>/status/",
        subaccounts.subaccount_status,
        name="subaccount_status",
    ),
    path(
        "console/<str:sid>/subaccounts/<str:subaccount_sid>/close/",
        subaccounts.subaccount_close_confirm,
        name="subaccount_close_confirm",
    ),
    path("console/<str:sid>/users/", users.user_list, name="user_list"),
    path("console/<str:sid>/users/transfer/", users.ownership_transfer, name="ownership_transfer"),
    path("console/<str:sid>/users/<int:user_id>/roles/", users.user_roles, name="user_roles"),
    path("console/<str:sid>/users/<int:user_id>/remove/", users.user_remove, name="user_remove"),
    path(
        "console/<str:sid>/invitations/<int:pk>/resend/",
        users.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "console/<str:sid>/invitations/<int:pk>/revoke/",
        users.invitation_revoke,
        name="invitation_revoke",
    ),
    path("console/<str:sid>/", include("accounts.urls_billing")),
]
