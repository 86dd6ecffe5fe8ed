"""The Twilio-compatible 2010-04-01 Usage API: Usage Records and Usage Triggers.

`/Accounts/{AccountSid}/Usage/Records.json` reports one record per category over a range, and
its period lists (`Daily`, `Monthly`, `Yearly`: one per category and period; `AllTime`,
`Today`, `Yesterday`, `ThisMonth`, `LastMonth`: one per category over that fixed range). The
account in the path is the caller or, for a main account, one of its subaccounts (anything
else is 20404); a main account's records include its subaccounts unless
`IncludeSubaccounts=false`.

Parameters (every refusal is HTTP 400 with Twilio's 20001, "invalid parameter"):
- `StartDate` / `EndDate`: `YYYY-MM-DD` (GMT) or an offset from today, `-30days`, `+1day`.
  Defaults: the day the account was created, and today. An end before the start is refused.
  The fixed ranges ignore them (after checking them).
- `Category`: a recorded category or a roll-up (`totalprice`, `calls`, `sms`,
  `phonenumbers`); without it, every category used in the range and the roll-ups over them
  (`totalprice` always).
- `IncludeSubaccounts`: `true` (default) or `false`.
Usage counts on the day it was charged, so these records and the ledger agree.

`/Accounts/{AccountSid}/Usage/Triggers.json` creates (POST) and lists (GET, filters
`Recurring`, `TriggerBy`, `UsageCategory`) triggers; `…/Triggers/{Sid}.json` fetches, updates
(`CallbackUrl`, `CallbackMethod`, `FriendlyName`) and deletes one.
"""

import datetime
import re

from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from ... import errors
from ...models.usage import reported_categories
from ...selectors import accounts as account_selectors
from ...selectors import triggers as trigger_selectors
from ...selectors import usage as usage_selectors
from ...services import triggers as trigger_services
from .. import paging, serializers
from ..auth import api_view

OFFSET_RE = re.compile(r"([+-])(\d{1,5})days?")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

GRANULARITY = {
    "Daily": usage_selectors.DAILY,
    "Monthly": usage_selectors.MONTHLY,
    "Yearly": usage_selectors.YEARLY,
}
FIXED = ("AllTime", "Today", "Yesterday", "ThisMonth", "LastMonth")


def _invalid(message):
    return errors.ApiError(errors.API_INVALID_PARAMETER, message)


def usage_date_parse(value, name, today):
    """A date from `YYYY-MM-DD` or an offset such as `-30days`, or ApiError."""
    offset = OFFSET_RE.fullmatch(value)
    try:
        if offset:
            days = int(offset.group(2))
            return today + datetime.timedelta(days=-days if offset.group(1) == "-" else days)
        if DATE_RE.fullmatch(value):
            return datetime.date.fromisoformat(value)
    except (ValueError, OverflowError):
        pass
    raise _invalid(errors.API_USAGE_DATE_INVALID.format(name=name, value=value))


def _boolean(value, name, default):
    if value is None:
        return default
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _invalid(errors.API_BOOLEAN_INVALID.format(name=name, value=value))


def _fixed_range(period, account, today):
    if period == "Today":
        return today, today
    if period == "Yesterday":
        yesterday = today - datetime.timedelta(days=1)
        return yesterday, yesterday
    if period == "ThisMonth":
        return today.replace(day=1), today
    if period == "LastMonth":
        last = today.replace(day=1) - datetime.timedelta(days=1)
        return last.replace(day=1), last
    return _created_on(account), today


def _created_on(account):
    return account.date_created.astimezone(datetime.UTC).date()


def _usage_record_list(request, caller, account_sid, period):
    account = account_selectors.account_get_for_caller(caller=caller, sid=account_sid)
    now = timezone.now()
    today = now.astimezone(datetime.UTC).date()
    query = request.GET
    category = query.get("Category")
    if category is not None and category not in reported_categories():
        raise _invalid(errors.API_USAGE_CATEGORY_UNKNOWN.format(value=category))
    start = (
        usage_date_parse(query["StartDate"], "StartDate", today) if "StartDate" in query else None
    )
    end = usage_date_parse(query["EndDate"], "EndDate", today) if "EndDate" in query else None
    include_subaccounts = _boolean(query.get("IncludeSubaccounts"), "IncludeSubaccounts", True)
    page_size = paging.page_size_parse(query.get("PageSize"))
    token = paging.page_token_parse(page_token=query.get("PageToken"), page=query.get("Page"))
    if period in FIXED:
        start, end = _fixed_range(period, account, today)
    else:
        start = start or _created_on(account)
        end = end or today
    if end < start:
        raise _invalid(
            errors.API_USAGE_RANGE_REVERSED.format(start=start.isoformat(), end=end.isoformat())
        )
    figures = usage_selectors.usage_figures(
        account=account,
        start=start,
        end=end,
        include_subaccounts=include_subaccounts,
        category=category,
        granularity=GRANULARITY.get(period),
        listed_from=_created_on(account),
        listed_to=today,
    )
    page = paging.sequence_page(figures, page_size=page_size, token=token)
    as_of = serializers.as_of_text(now)
    filters = [
        ("Category", category),
        ("StartDate", query.get("StartDate")),
        ("EndDate", query.get("EndDate")),
        ("IncludeSubaccounts", query.get("IncludeSubaccounts")),
    ]
    return JsonResponse(
        paging.list_envelope(
            key="usage_records",
            records=[
                serializers.usage_record_json(
                    figure, account_sid=account.sid, period=period, as_of=as_of
                )
                for figure in page.records
            ],
            page=page,
            page_size=page_size,
            path=request.path,
            filters=[(name, value) for name, value in filters if value is not None],
        )
    )


@api_view("GET")
def usage_record_list(request, caller, account_sid, period=""):
    """The account's usage records: `period` is "" (Records.json) or a period list."""
    return _usage_record_list(request, caller, account_sid, period)


@api_view("GET", "POST")
def usage_trigger_list(request, caller, account_sid):
    """GET: the account's triggers, newest first. POST: a new trigger."""
    account = account_selectors.account_get_for_caller(caller=caller, sid=account_sid)
    if request.method == "POST":
        data = request.POST
        trigger = trigger_services.usage_trigger_create(
            account=account,
            callback_url=data.get("CallbackUrl"),
            trigger_value=data.get("TriggerValue"),
            usage_category=data.get("UsageCategory"),
            callback_method=data.get("CallbackMethod"),
            friendly_name=data.get("FriendlyName", ""),
            recurring=data.get("Recurring"),
            trigger_by=data.get("TriggerBy"),
            actor=request.actor,
        )
        trigger.account = account
        trigger_selectors.current_values_attach([trigger])
        return JsonResponse(serializers.usage_trigger_json(trigger), status=201)

    query = request.GET
    recurring = _filter_choice(query.get("Recurring"), "Recurring", trigger_services.Recurring)
    trigger_by = _filter_choice(query.get("TriggerBy"), "TriggerBy", trigger_services.TriggerBy)
    usage_category = query.get("UsageCategory") or None
    if usage_category is not None and usage_category not in reported_categories():
        raise _invalid(errors.TRIGGER_CATEGORY_UNKNOWN.format(value=usage_category))
    page_size = paging.page_size_parse(query.get("PageSize"))
    token = paging.page_token_parse(page_token=query.get("PageToken"), page=query.get("Page"))
    triggers = trigger_selectors.usage_trigger_list(
        account=account, recurring=recurring, trigger_by=trigger_by, usage_category=usage_category
    )
    page = paging.page_get(head=None, rest=triggers, page_size=page_size, token=token)
    trigger_selectors.current_values_attach(page.records)
    filters = [
        ("Recurring", query.get("Recurring")),
        ("TriggerBy", trigger_by),
        ("UsageCategory", usage_category),
    ]
    return JsonResponse(
        paging.list_envelope(
            key="usage_triggers",
            records=[serializers.usage_trigger_json(trigger) for trigger in page.records],
            page=page,
            page_size=page_size,
            path=request.path,
            filters=[(name, value) for name, value in filters if value is not None],
        )
    )


def _filter_choice(value, name, choices):
    if not value:
        return None
    if value not in choices.values:
        messages = {
            "Recurring": errors.TRIGGER_RECURRING_INVALID,
            "TriggerBy": errors.TRIGGER_BY_INVALID,
        }
        raise _invalid(messages[name].format(value=value))
    return value


@api_view("GET", "POST", "DELETE")
def usage_trigger_detail(request, caller, account_sid, sid):
    """GET: the trigger. POST: change its callback or friendly name. DELETE: delete it."""
    account = account_selectors.account_get_for_caller(caller=caller, sid=account_sid)
    trigger = trigger_selectors.usage_trigger_get(account=account, sid=sid)
    if request.method == "DELETE":
        trigger_services.usage_trigger_delete(trigger=trigger, actor=request.actor)
        return HttpResponse(status=204)
    if request.method == "POST":
        data = request.POST
        trigger = trigger_services.usage_trigger_update(
            trigger=trigger,
            actor=request.actor,
            callback_url=data.get("CallbackUrl"),
            callback_method=data.get("CallbackMethod"),
            friendly_name=data.get("FriendlyName"),
        )
    trigger.account = account
    trigger_selectors.current_values_attach([trigger])
    return JsonResponse(serializers.usage_trigger_json(trigger))
