"""`{% static %}` with its answers remembered: the layout writes three static URLs on every
page, and each asks the storage (the manifest, `urljoin`, quoting) for an answer that only
changes with the settings or a new deployment (the manifest is read once, when the storage
is made). A builtin (settings), it replaces Django's tag in templates that do not
`{% load static %}` themselves, with the same syntax and the same results; the cache
empties whenever a setting the storage depends on changes (as Django's own storage resets).
"""

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Library
from django.templatetags.static import StaticNode
from django.utils.html import conditional_escape

register = Library()

STORAGE_SETTINGS = {"STATIC_ROOT", "STATIC_URL", "STORAGES", "DEBUG", "INSTALLED_APPS"}


@functools.lru_cache(maxsize=1024)
def _url(path):
    """The URL, and the URL escaped for HTML."""
    url = StaticNode.handle_simple(path)
    return url, conditional_escape(url)


@receiver(setting_changed)
def _storage_changed(*, setting, **kwargs):
    if setting in STORAGE_SETTINGS:
        _url.cache_clear()


class CachedStaticNode(StaticNode):
    def url(self, context):
        path = self.path.resolve(context)
        return _url(path)[0] if isinstance(path, str) else self.handle_simple(path)

    def render(self, context):
        path = self.path.resolve(context)
        if not isinstance(path, str):
            return super().render(context)
        url, escaped = _url(path)
        if self.varname is None:
            return escaped if context.autoescape else url
        context[self.varname] = escaped if context.autoescape else url
        return ""


@register.tag
def static(parser, token):
    return CachedStaticNode.handle_token(parser, token)
