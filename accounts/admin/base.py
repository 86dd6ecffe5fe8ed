"""What every admin page of support staff shares."""

from django.contrib import admin, messages
from django.contrib.admin.options import csrf_protect_m
from django.http import HttpResponseRedirect

from .. import errors
from ..services.events import Actor


def support(request):
    """The staff member acting in the admin, as the events record them."""
    return Actor.support_request(request)


class SearchMixin:
    """Search terms without NUL characters: PostgreSQL refuses them in a query (a 500)."""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))


class ServiceAdmin(SearchMixin, admin.ModelAdmin):
    """A change form whose writes are services. Django wraps the form's POST in a transaction;
    each service is its own durable one instead, so that every change commits with its event
    or not at all, and a refusal is shown rather than half-saved."""

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._changeform_view(request, object_id, form_url, extra_context)

    def run_service(self, request, service, **kwargs):
        """Call `service`, showing a refusal as an error message; the result, or None."""
        try:
            return service(actor=support(request), **kwargs)
        except errors.AccountError as error:
            self.message_user(request, error.message, messages.ERROR)
            request.service_refused = True
            return None

    # After a refusal the page stays open, with why above it: nothing claims it was saved.
    def response_change(self, request, obj):
        if getattr(request, "service_refused", False):
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "service_refused", False):
            return HttpResponseRedirect(request.get_full_path())
        return super().response_add(request, obj, post_url_continue)


class ReadOnlyAdmin(SearchMixin, admin.ModelAdmin):
    """Records nobody edits by hand: history, usage."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
