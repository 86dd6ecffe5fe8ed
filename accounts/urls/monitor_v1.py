"""Twilio's Monitor v1 API (monitor.twilio.com/v1/...), mounted at /v1/ (namespace
`monitor:`). Other v1 APIs mount their own modules under /v1/ too, so this one has no
catch-all route."""

from django.urls import path

from ..api.v1 import events

app_name = "monitor"

urlpatterns = [
    path("Events", events.event_list, name="event_list"),
    path("Events/<str:sid>", events.event_detail, name="event_detail"),
]
