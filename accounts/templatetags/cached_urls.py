"""`{% url %}` with its answers remembered: a console page reverses 30 to 60 URLs (the
navigation alone is a dozen per page, the same ones on every request for an account), and
Django's reverse, which matches the pattern and quotes the arguments each time, was close to
half of the dashboard's template time. A URL depends only on its name, arguments, namespace,
script prefix and URLconf, so those are the key. Loaded as a template builtin (settings), it
replaces Django's tag everywhere with the same syntax and the same results.
"""

import functools

from django.template import Library, defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = Library()

CACHEABLE = (str, int)


@functools.lru_cache(maxsize=16384)
def _reverse(view_name, args, kwargs, current_app, prefix, urlconf):
    """The URL, and the URL escaped for HTML (what the tag writes when autoescaping)."""
    url = reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)
    return url, conditional_escape(url)


# The script prefix and URLconf, looked up once per request: both are set before the request
# reaches the view (the handler sets them) and stay for its whole answer, and each lookup
# reads a context-local variable, which cost more than the rest of the tag.
_PREFIX_AND_URLCONF = "_cached_urls_prefix_and_urlconf"
_MISSING = object()


def _current_app(request):
    current_app = getattr(request, "current_app", _MISSING)
    if current_app is _MISSING:
        current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
    return current_app


def _prefix_and_urlconf(request):
    if request is None:
        return get_script_prefix(), get_urlconf()
    known = request.__dict__.get(_PREFIX_AND_URLCONF)
    if known is None:
        known = request.__dict__[_PREFIX_AND_URLCONF] = (get_script_prefix(), get_urlconf())
    return known


def cached_reverse(view_name, args=(), *, request=None):
    """`reverse(view_name, args=args)`, remembered as the tag remembers it (the script prefix
    and URLconf looked up once per `request`, when given)."""
    return _reverse(view_name, tuple(args), (), None, *_prefix_and_urlconf(request))[0]


class CachedURLNode(defaulttags.URLNode):
    def render(self, context):
        values = [arg.resolve(context) for arg in self.args]
        if self.kwargs:
            kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
            values += [value for _, value in kwargs]
        else:
            kwargs = ()
        view_name = self.view_name.resolve(context)
        if not isinstance(view_name, str) or any(type(v) not in CACHEABLE for v in values):
            return super().render(context)  # a model or lazy object: its str() may change
        request = getattr(context, "request", None)
        try:
            url, escaped = _reverse(
                view_name,
                tuple(values[: len(self.args)]),
                kwargs,
                _current_app(request),
                *_prefix_and_urlconf(request),
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = escaped = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return escaped if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
