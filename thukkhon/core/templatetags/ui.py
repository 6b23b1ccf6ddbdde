"""Template helpers for the page frame: the navigation by role, role labels, query strings.

The role sets below mirror the checks in each app's views (core may not import the apps built on
it). ``tests/test_navigation.py`` opens every menu entry as every role, so a drift shows up there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from thukkhon.core.roles import REGISTRY_ALL, REGISTRY_SCOPED, REGISTRY_WRITE, Role

register = template.Library()

# Django's label for an empty choice, which Django's own Thai catalogue does not translate yet;
# marked here so that it is in ours.
DJANGO_STRINGS = (gettext_noop("- Select an option -"),)

A, E, W, D = Role.ADMIN, Role.EXECUTIVE, Role.WELFARE, Role.DISPATCHER
RIDES_STAFF = frozenset({A, W, D})  # the municipality's ride requests (rides.selectors.STAFF_BOOK)
PLANNERS = frozenset({A, D})  # daily plans and the fleet
FUNERAL_STAFF = frozenset({Role.FUNERAL, W, A})  # funeral cases (funerals.services.MANAGE)
CHILDHOOD_STAFF = frozenset({A, Role.TEACHER})
REPORT_READERS = frozenset({A, E, W, D, Role.FUNERAL})


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    current: bool


@dataclass(frozen=True)
class Report:
    key: str
    url: str
    title: str
    text: str


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _entries(
    roles: frozenset[str] | set[str], is_staff: bool
) -> list[tuple[str, Callable[[], str], tuple[str, ...]]]:
    """(URL name, label, other URL names that also make this entry current) for these roles."""
    out: list[tuple[str, Callable[[], str], tuple[str, ...]]] = [
        ("home", lambda: pgettext("navigation", "Home"), ())
    ]
    if roles & (REGISTRY_ALL | REGISTRY_SCOPED):
        out.append(("people:resident-list", lambda: _("Residents"), ()))
        out.append(("people:community-list", lambda: _("Communities"), ()))
    if roles & RIDES_STAFF:
        out.append(("rides:request-list", lambda: _("Rides"), ()))
    elif Role.VOLUNTEER in roles:
        out.append(("rides:community-rides", lambda: _("Rides"), ()))
        out.append(("rides:pick-resident", lambda: _("Book a ride"), ()))
    elif Role.RESIDENT in roles:
        out.append(("rides:request-list", lambda: _("My rides"), ()))
    if roles & PLANNERS:
        out.append(("rides:plan-index", lambda: _("Daily plans"), ()))
    if Role.DRIVER in roles:
        out.append(("rides:manifest", lambda: _("Today's manifest"), ()))
    if roles & PLANNERS:
        out.append(("fleet:vehicle-list", lambda: _("Fleet"), ()))
    if roles & FUNERAL_STAFF:
        out.append(("funerals:case-list", lambda: _("Funerals"), ()))
    elif Role.RESIDENT in roles:
        out.append(("funerals:case-create", lambda: _("Report a death"), ()))
    if Role.ADMIN in roles:
        out.append(("childhood:home", lambda: _("Early childhood"), ()))
    elif Role.TEACHER in roles:
        out.append(("childhood:home", lambda: _("Classrooms"), ()))
    elif Role.PARENT in roles:
        out.append(("childhood:home", lambda: _("My child"), ()))
    if roles & REGISTRY_WRITE:
        out.append(("people:import-upload", lambda: _("Import"), ()))
    if roles & REPORT_READERS:
        out.append(
            ("reports", lambda: _("Reports"), ("rides:reports", "funerals:reports", "childhood:equity"))
        )
    if is_staff:
        out.append(("admin:index", lambda: _("Administration"), ()))
    return out


@register.simple_tag(takes_context=True)
def nav_items(context: dict[str, Any]) -> list[NavItem]:
    """The main navigation for the signed-in actor's roles (what they may open, nothing else)."""
    actor = context.get("actor")
    request = context.get("request")
    if not actor:
        return []
    path = request.path if request is not None else ""
    user = getattr(request, "user", None)
    found: list[tuple[str, str, int]] = []
    for name, label, also in _entries(actor.roles, bool(getattr(user, "is_staff", False))):
        url = _url(name)
        if url is None:
            continue
        match = 0
        for prefix in (url, *(p for p in map(_url, also) if p)):
            hit = path == prefix if prefix == "/" else path.startswith(prefix)
            if hit:
                match = max(match, len(prefix))
        found.append((url, label(), match))
    # Only the longest matching entry is "current".
    best = max(range(len(found)), key=lambda i: found[i][2], default=None)
    if best is not None and found[best][2] == 0:
        best = None
    return [NavItem(url, label, i == best) for i, (url, label, _m) in enumerate(found)]


def reports_for(roles: frozenset[str] | set[str]) -> list[Report]:
    """The reports and dashboards these roles may open, in the order an executive reads them."""
    wanted = [
        (
            "rides",
            "rides:reports",
            frozenset({A, E, W, D}),
            _("People Assistance Vehicle"),
            _("Trips, who they served, denials and unmet need, on-time pickups and cost."),
        ),
        (
            "funerals",
            "funerals:reports",
            frozenset({A, E, W, Role.FUNERAL}),
            _("Funeral assistance"),
            _("Cases, cremations, fee waivers and grants, and the follow-up after a death."),
        ),
        (
            "childhood",
            "childhood:equity",
            frozenset({A, E, Role.TEACHER}),
            _("Early childhood: who is left behind"),
            _("Attendance, development screening and learning of disadvantaged children against the others."),
        ),
        (
            "registry",
            "people:community-list",
            REGISTRY_ALL,
            _("Communities at a glance"),
            _("Residents, elderly, disabled, bed-bound and welfare-card holders in each community."),
        ),
    ]
    out = []
    for key, name, allowed, title, text in wanted:
        url = _url(name)
        if url is not None and roles & allowed:
            out.append(Report(key=key, url=url, title=title, text=text))
    return out


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
