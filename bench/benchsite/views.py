"""The load benchmark's two baselines, served by the same server as the pages they are
compared with (bench/benchsite/urls.py; never in production's URL configuration):

- `bare`: Django at its fastest, a view answering "ok" through the whole middleware stack;
- `bare_db`: one primary-key SELECT rendering a tiny template, the least a page can do.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.views.decorators.http import require_GET

from accounts.models import Account

TINY = engines["django"].from_string(
    "<!doctype html><title>{{ account.friendly_name }}</title>"
    "<p>{{ account.friendly_name }} ({{ account.sid }})</p>"
)


@require_GET
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def bare_db(request, pk):
    account = get_object_or_404(Account.objects.only("sid", "friendly_name"), pk=pk)
    return HttpResponse(TINY.render({"account": account}, request))
