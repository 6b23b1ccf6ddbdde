"""The "Sign-in and LINE" section of a resident's page (``{% resident_links resident %}``)."""

from __future__ import annotations

from typing import Any

from django import template

from thukkhon.core.models import ConsentPurpose
from thukkhon.core.services import consent_active
from thukkhon.people import line
from thukkhon.people.models import Resident

register = template.Library()


@register.inclusion_tag("people/includes/resident_links.html", takes_context=True)
def resident_links(context: dict[str, Any], resident: Resident) -> dict[str, Any]:
    request = context.get("request")
    actor = getattr(request, "actor", None)
    can_manage = line.can_manage_links(actor)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "resident": resident,
        "can_manage": can_manage,
        "line_linked": line.has_line_user_id(resident),
        "code": line.active_line_code(resident) if can_manage else None,
        "official_account": str((resident.municipality.settings or {}).get("line_official_account", "")),
        "consent": consent_active(resident, ConsentPurpose.NOTIFICATIONS),
    }
