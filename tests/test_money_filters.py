"""Money and quantities as the pages print them: thousands separated, a real minus sign,
no trailing zeros on quantities, and nothing for what is not a number."""

from decimal import Decimal

import pytest

from accounts.templatetags.money import measured, quantity, signed_usd, usd


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Decimal("1234.5"), 2, "$1,234.50"),
        (Decimal("0"), 2, "$0.00"),
        (Decimal("-0.004"), 2, "$0.00"),  # rounds to zero: no minus sign
        (Decimal("-1234567.891"), 2, "\u2212$1,234,567.89"),
        (Decimal("999.995"), 2, "$1,000.00"),
        ("12", 2, "$12.00"),
        (Decimal("0.0512"), 4, "$0.0512"),
        (Decimal("1E+3"), 2, "$1,000.00"),
        (7, 0, "$7"),
        ("not money", 2, ""),
        (None, 2, ""),
    ],
)
def test_usd(value, places, shown):
    assert usd(value, places) == shown


def test_signed_usd_marks_credits_and_charges():
    assert signed_usd(Decimal("5")) == "+$5.00"
    assert signed_usd(Decimal("-1500")) == "\u2212$1,500.00"
    assert signed_usd(Decimal("0")) == "$0.00"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("12.000"), "12"),
        (Decimal("3.50"), "3.5"),
        (Decimal("1234567.25"), "1,234,567.25"),
        (Decimal("1E+4"), "10,000"),
        (Decimal("-2500"), "-2,500"),
        (Decimal("0"), "0"),
        ("x", ""),
    ],
)
def test_quantity(value, shown):
    assert quantity(value) == shown


def test_measured_in_its_unit():
    assert measured(Decimal("12.5"), "usd") == "$12.50"
    assert measured(Decimal("0.0125"), "usd") == "$0.0125"
    assert measured(Decimal("3500"), "minutes") == "3,500 minutes"
