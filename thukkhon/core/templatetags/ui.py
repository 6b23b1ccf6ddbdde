"""Template helpers for the page frame: the navigation by role, role labels, query strings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from thukkhon.core.roles import REGISTRY_ALL, REGISTRY_SCOPED, REGISTRY_WRITE, Role

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    current: bool


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@register.simple_tag(takes_context=True)
def nav_items(context: dict[str, Any]) -> list[NavItem]:
    """The main navigation for the signed-in actor's roles (what they may open, nothing else)."""
    actor = context.get("actor")
    request = context.get("request")
    if not actor:
        return []
    path = request.path if request is not None else ""
    roles = actor.roles
    entries: list[tuple[str | None, str]] = [(_url("home"), pgettext("navigation", "Home"))]
    if roles & (REGISTRY_ALL | REGISTRY_SCOPED):
        entries.append((_url("people:resident-list"), _("Residents")))
        entries.append((_url("people:community-list"), _("Communities")))
    if roles & {Role.FUNERAL, Role.WELFARE, Role.ADMIN}:
        entries.append((_url("funerals:case-list"), _("Funerals")))
    if roles & REGISTRY_WRITE:
        entries.append((_url("people:import-upload"), _("Import")))
    items = []
    for url, label in entries:
        if url is None:
            continue
        current = path == url if url == "/" else path.startswith(url)
        items.append(NavItem(url=url, label=label, current=current))
    # Only the longest matching entry is "current".
    best = max((i for i in items if i.current), key=lambda i: len(i.url), default=None)
    return [NavItem(i.url, i.label, i is best) for i in items]


@register.filter
def role_label(value: str) -> str:
    try:
        return str(Role(value).label)
    except ValueError:
        return str(value)


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def service_url(name: str, *args: Any) -> str:
    """The URL of a service page, or "" while that service is not installed in this build."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
