"""Money pages of one account, mounted at console/<sid>/ (see accounts/urls.py)."""

from django.urls import path

from .views import billing

urlpatterns = [
    path("billing/", billing.billing, name="billing"),
    path("usage/", billing.usage, name="usage"),
    path("phone-numbers/", billing.phone_number_list, name="phone_number_list"),
    path("phone-numbers/buy/", billing.phone_number_buy, name="phone_number_buy"),
    path(
        "phone-numbers/<str:number_sid>/rename/",
        billing.phone_number_rename,
        name="phone_number_rename",
    ),
    path(
        "phone-numbers/<str:number_sid>/release/",
        billing.phone_number_release,
        name="phone_number_release",
    ),
    path(
        "phone-numbers/<str:number_sid>/transfer/",
        billing.phone_number_transfer,
        name="phone_number_transfer",
    ),
]
