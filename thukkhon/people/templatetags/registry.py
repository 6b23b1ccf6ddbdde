"""Registry figures and permissions for templates (home pages, navigation, profiles)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from thukkhon.core.thai import format_national_id, mask_national_id
from thukkhon.people import access, selectors
from thukkhon.people.models import Community

register = template.Library()


@dataclass(frozen=True)
class RegistrySummary:
    communities: list[Community]
    residents: int
    households: int
    elderly: int
    disabled: int
    bedbound: int
    welfare: int


def summarize(communities: list[Any]) -> RegistrySummary:
    return RegistrySummary(
        communities=communities,
        residents=sum(c.n_residents for c in communities),
        households=sum(c.n_households for c in communities),
        elderly=sum(c.n_elderly for c in communities),
        disabled=sum(c.n_disabled for c in communities),
        bedbound=sum(c.n_bedbound for c in communities),
        welfare=sum(c.n_welfare for c in communities),
    )


@register.simple_tag(takes_context=True)
def registry_summary(context: dict[str, Any]) -> RegistrySummary | None:
    """Headline counts of the communities the actor may see (None if they may not read the registry)."""
    actor = context.get("actor") or None
    if actor is None or not selectors.can_read_registry(actor):
        return None
    return summarize(list(selectors.community_list_with_counts(actor)))


@register.simple_tag(takes_context=True)
def registry_perms(context: dict[str, Any]) -> dict[str, bool]:
    actor = context.get("actor") or None
    return {
        "read": selectors.can_read_registry(actor),
        "edit": access.can_edit_registry(actor),
        "full_id": access.sees_full_national_id(actor),
    }


@register.simple_tag(takes_context=True)
def show_id(context: dict[str, Any], number: str) -> str:
    """A national ID, in full for roles that need it and masked for everyone else."""
    if not number:
        return ""
    if access.sees_full_national_id(context.get("actor") or None):
        return format_national_id(number)
    return mask_national_id(number)


@register.filter
def condition_labels(codes: list[str] | None) -> list[str]:
    """Chronic condition codes as their labels in the active language."""
    from thukkhon.people.models import ChronicCondition

    labels = dict(ChronicCondition.choices)
    return [str(labels.get(code, code)) for code in codes or []]
