"""Public reference data for cascading address selects (htmx): no login, cacheable.

Each endpoint returns ``<option>`` elements for the select it fills, and, for the ids named in the
``reset`` parameter (``"id_tambon:tambon id_postcode:postcode"``), out-of-band swaps that empty the
selects further down the cascade. Parameters may carry a form prefix (``household-changwat``).
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from thukkhon.core import address

#: Browsers and shared caches may keep the lists for a day; the list changes with a release.
CACHE_SECONDS = 24 * 60 * 60
PLACEHOLDERS = {
    "changwat": _("— choose a changwat —"),
    "amphoe": _("— choose an amphoe —"),
    "tambon": _("— choose a tambon —"),
    "postcode": _("— postcode —"),
}
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,99}$")


def param(request: HttpRequest, name: str) -> str:
    """The value of ``name`` in the query string, also when a form prefix was put before it."""
    if name in request.GET:
        return request.GET.get(name, "").strip()
    for key in request.GET:
        if key.endswith("-" + name):
            return request.GET.get(key, "").strip()
    return ""


def _resets(request: HttpRequest) -> list[tuple[str, object]]:
    resets: list[tuple[str, object]] = []
    for item in request.GET.get("reset", "").split()[:5]:
        element_id, _sep, level = item.partition(":")
        if _ID_RE.match(element_id) and level in PLACEHOLDERS:
            resets.append((element_id, PLACEHOLDERS[level]))
    return resets


def _options(
    request: HttpRequest,
    choices: list[tuple[str, str]],
    placeholder: object | None,
    selected: str = "",
) -> HttpResponse:
    response = render(
        request,
        "core/address/options.html",
        {"choices": choices, "placeholder": placeholder, "selected": selected, "resets": _resets(request)},
    )
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_GET
def changwat_options(request: HttpRequest) -> HttpResponse:
    return _options(request, address.changwat_choices(), PLACEHOLDERS["changwat"])


@require_GET
def amphoe_options(request: HttpRequest) -> HttpResponse:
    """The amphoes of ``changwat``."""
    return _options(request, address.amphoe_choices(param(request, "changwat")), PLACEHOLDERS["amphoe"])


@require_GET
def tambon_options(request: HttpRequest) -> HttpResponse:
    """The tambons of ``amphoe`` in ``changwat``."""
    choices = address.tambon_choices(param(request, "changwat"), param(request, "amphoe"))
    return _options(request, choices, PLACEHOLDERS["tambon"])


@require_GET
def postcode_options(request: HttpRequest) -> HttpResponse:
    """The postcodes of ``tambon`` (in ``amphoe``, ``changwat``); the only one is selected."""
    codes = address.postcodes(param(request, "changwat"), param(request, "amphoe"), param(request, "tambon"))
    if len(codes) == 1:
        return _options(request, [(codes[0], codes[0])], None, selected=codes[0])
    return _options(request, [(c, c) for c in codes], PLACEHOLDERS["postcode"])
