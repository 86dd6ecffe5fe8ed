"""Messages of the typed errors: limits are written the way people read numbers."""

from accounts import errors


def test_limit_text_groups_thousands():
    assert errors.limit_text(10) == "10"
    assert errors.limit_text(1000) == "1,000"
