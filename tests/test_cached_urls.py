"""The console's `{% url %}` remembers what it reversed, and still answers exactly what
Django's own tag answers: per account, per script prefix (a console served under a path),
with `as`, and the same error for a name that does not exist."""

import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils.html import conditional_escape

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


def test_each_request_links_under_its_own_script_prefix():
    """A page's links are looked up once per request, never from another request's prefix."""
    factory = RequestFactory()
    plain = reverse("console:account_dashboard", args=[SIDS[0]])
    first = factory.get("/")
    assert Template(DASHBOARD).render(RequestContext(first, {"sid": SIDS[0]})) == plain
    set_script_prefix("/ops/")
    try:
        second = factory.get("/")
        links = Template(DASHBOARD * 2).render(RequestContext(second, {"sid": SIDS[0]}))
        assert links == ("/ops" + plain) * 2
    finally:
        set_script_prefix("/")


def test_links_are_escaped_as_djangos_tag_escapes_them():
    awkward = "a'b&c"
    for source in (DASHBOARD, "{% autoescape off %}" + DASHBOARD + "{% endautoescape %}"):
        ours = render(source, sid=awkward)
        assert ours == render(source, sid=awkward)  # the remembered answer is the same
        url = reverse("console:account_dashboard", args=[awkward])
        assert ours == (url if "autoescape off" in source else conditional_escape(url))
    assert "&amp;" in render(DASHBOARD, sid=awkward) and "&#x27;" in render(DASHBOARD, sid=awkward)
