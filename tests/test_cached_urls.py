"""The console's `{% url %}` remembers what it reversed, and still answers exactly what
Django's own tag answers: per account, per script prefix (a console served under a path),
with `as`, and the same error for a name that does not exist."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

DASHBOARD = "{% url 'console:account_dashboard' sid %}"
SIDS = ("AC" + "1" * 32, "AC" + "2" * 32)


def render(source, **context):
    return Template(source).render(Context(context))


def test_each_account_gets_its_own_link():
    first, second = (render(DASHBOARD, sid=sid) for sid in SIDS)
    assert first == reverse("console:account_dashboard", args=[SIDS[0]])
    assert second == reverse("console:account_dashboard", args=[SIDS[1]])
    assert render(DASHBOARD, sid=SIDS[0]) == first


def test_links_follow_the_script_prefix():
    plain = render(DASHBOARD, sid=SIDS[0])
    set_script_prefix("/ops/")
    try:
        assert render(DASHBOARD, sid=SIDS[0]) == "/ops" + plain
    finally:
        set_script_prefix("/")
    assert render(DASHBOARD, sid=SIDS[0]) == plain


def test_as_a_variable_and_escaped_query_arguments():
    assert render("{% url 'console:account_list' as link %}[{{ link }}]") == (
        f"[{reverse('console:account_list')}]"
    )
    assert (
        render("{% url 'console:account_list' as link %}{% url 'nope' as missing %}[{{ missing }}]")
        == "[]"
    )


def test_an_unknown_name_is_still_an_error():
    with pytest.raises(NoReverseMatch):
        render("{% url 'console:no_such_page' %}")
