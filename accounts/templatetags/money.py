"""Money as people read it: "$1,234.50", charges with a minus sign ("−$3.00")."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()

CENT = Decimal("0.01")
MINUS = "\u2212"


@register.filter
def usd(value, places=2):
    """Dollars with `places` decimals; negative amounts get a real minus sign."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    # Python's own thousands separator (a Usage page prints hundreds of amounts; humanize's
    # intcomma costs some forty calls each).
    rounded = amount.quantize(Decimal(1).scaleb(-int(places)))
    sign = MINUS if rounded < 0 else ""
    return f"{sign}${abs(rounded):,f}"


@register.filter
def signed_usd(value):
    """Credits as "+$5.00" and charges as "−$5.00", as a ledger shows amounts."""
    formatted = usd(value)
    if formatted and not formatted.startswith(MINUS) and Decimal(value) > 0:
        return f"+{formatted}"
    return formatted


@register.filter
def quantity(value):
    """A usage quantity without trailing zeros: 12, 3.5, 0.25."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    text = f"{amount:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def measured(value, unit):
    """A usage value in its unit: "$12.50" for usd, "35 minutes" otherwise."""
    if unit == "usd":
        return usd(value, 4 if Decimal(value) != Decimal(value).quantize(CENT) else 2)
    amount = quantity(value)
    return f"{amount} {unit}".strip() if amount else ""
