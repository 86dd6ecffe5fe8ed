"""The Twilio-compatible 2010-04-01 REST API (see issue 4)."""

urlpatterns = []
