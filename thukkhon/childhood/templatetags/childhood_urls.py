"""URLs of observations and media for long lists: reversed once, then formatted per item (a
classroom's documentation page has a term of observations, each with its photos)."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()

_MARK = 987654321


@lru_cache(maxsize=32)
def _pattern(name: str, variant: str, prefix: str) -> tuple[str, str]:
    url = reverse(name, args=[_MARK, variant] if variant else [_MARK])
    head, tail = url.split(str(_MARK), 1)
    return head, tail


def _url(name: str, pk: object, variant: str = "") -> str:
    head, tail = _pattern(name, variant, get_script_prefix())
    return f"{head}{int(pk)}{tail}"  # type: ignore[call-overload]


@register.filter
def observation_url(pk: object) -> str:
    return _url("childhood:observation", pk)


@register.filter
def thumb_url(pk: object) -> str:
    return _url("childhood:media", pk, "thumb")
