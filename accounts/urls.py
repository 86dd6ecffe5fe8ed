from django.contrib.auth import views as auth_views
from django.urls import path

from .forms import SignInForm
from .views import auth, console

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
    path("console/accounts/", console.account_list, name="account_list"),
    path("console/<str:sid>/", console.account_dashboard, name="account_dashboard"),
]
