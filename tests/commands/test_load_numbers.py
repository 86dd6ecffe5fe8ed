"""load_numbers: the inventory of numbers to buy, loaded once however often it runs."""

import io

import pytest
from django.core.management import call_command

from accounts.models import AvailablePhoneNumber


@pytest.mark.django_db
def test_load_numbers_is_idempotent():
    call_command("load_numbers", "--area-codes", "415", stdout=io.StringIO())
    call_command("load_numbers", "--area-codes", "415", stdout=io.StringIO())
    assert AvailablePhoneNumber.objects.count() == 100
    assert AvailablePhoneNumber.objects.filter(phone_number="+14155550100").exists()
