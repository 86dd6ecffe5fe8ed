"""Auth-token rotation, as accounts.twilio.com's v1 AuthTokens API (ISO 8601 dates).

`POST /v1/AuthTokens/Secondary` makes a secondary token (201), `DELETE` removes it (204),
`POST /v1/AuthTokens/Promote` makes it the primary: the old primary fails with 20003 from
the next request on. They act on the authenticating account (a subaccount rotates its own
token with its own credentials); a Standard API key cannot use them.
"""

from django.http import HttpResponse, JsonResponse

from ...services import credentials as credential_services
from .. import serializers
from ..auth import api_view


@api_view("POST", "DELETE", standard_keys=False)
def secondary_auth_token(request, caller):
    if request.method == "DELETE":
        credential_services.auth_token_secondary_delete(account=caller, actor=request.actor)
        return HttpResponse(status=204)
    account = credential_services.auth_token_secondary_create(account=caller, actor=request.actor)
    body = serializers.secondary_auth_token_json(account, url=request.build_absolute_uri())
    return JsonResponse(body, status=201)


@api_view("POST", standard_keys=False)
def auth_token_promotion(request, caller):
    account = credential_services.auth_token_promote(account=caller, actor=request.actor)
    body = serializers.auth_token_promotion_json(account, url=request.build_absolute_uri())
    return JsonResponse(body)
