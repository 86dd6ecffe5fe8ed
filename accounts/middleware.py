"""Console middleware: Django messages delivered to htmx requests as toasts."""

from django.contrib import messages
from django_htmx.http import trigger_client_event

MESSAGES_EVENT = "showMessages"
# Answers that lead to another page: the messages wait for it (it shows them itself).
_LEADS_ELSEWHERE = ("HX-Redirect", "HX-Location", "HX-Refresh")


class HtmxMessagesMiddleware:
    """Messages added while answering an htmx request travel in its `HX-Trigger` header as the
    `showMessages` event (console.js shows them as toasts): the page learns what happened
    without a reload. A redirect keeps them for the page it leads to, which renders them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if not htmx or response.status_code in (301, 302, 303, 307, 308):
            return response
        if any(header in response for header in _LEADS_ELSEWHERE):
            return response
        items = [
            {"message": str(message), "level": message.level_tag, "tags": message.tags}
            for message in messages.get_messages(request)
        ]
        if items:
            # JSON with \u escapes: header values stay ASCII whatever the message says.
            trigger_client_event(response, MESSAGES_EVENT, {"messages": items})
        return response
