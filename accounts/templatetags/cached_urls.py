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
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


class CachedURLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
        values = args + tuple(value for _, value in kwargs)
        view_name = self.view_name.resolve(context)
        if not (isinstance(view_name, str) and all(type(v) in CACHEABLE for v in values)):
            return super().render(context)  # a model or lazy object: its str() may change
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        try:
            url = _reverse(view_name, args, kwargs, current_app, get_script_prefix(), get_urlconf())
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
