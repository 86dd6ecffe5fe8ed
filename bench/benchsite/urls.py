"""The load benchmark's URL configuration: the console's own (console/urls.py) and the two
baseline views under bench/. Production (console.settings) never includes this module."""

from django.urls import path

from console import urls as console_urls

from . import views

urlpatterns = [
    path("bench/bare/", views.bare, name="bench_bare"),
    path("bench/bare-db/<int:pk>/", views.bare_db, name="bench_bare_db"),
    *console_urls.urlpatterns,
]

handler400 = console_urls.handler400
handler500 = console_urls.handler500
