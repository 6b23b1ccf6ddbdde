"""Registry pages: thin views that parse, call one service, selector or access helper, and render.

What the actor may not see is a 404 (the access helpers raise it); writes the actor may not make
are a 404 too, so that a page's existence says nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from thukkhon.core.actor import Actor, request_actor
from thukkhon.core.http import is_htmx
from thukkhon.people import selectors, services
from thukkhon.people.access import (
    access_community,
    access_household,
    access_resident,
    access_resident_for_edit,
    access_vulnerability,
    can_edit_registry,
    can_edit_vulnerability,
)
from thukkhon.people.forms import (
    HouseholdForm,
    ResidentForm,
    ResidentSearchForm,
    VulnerabilityForm,
    add_service_errors,
    household_label,
)


def _reader(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if actor is None or not selectors.can_read_registry(actor):
        raise Http404
    return actor


def _writer(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if actor is None or not can_edit_registry(actor):
        raise Http404
    return actor


# --- Residents ---------------------------------------------------------------------------------------


@login_required
@require_GET
def resident_list(request: HttpRequest) -> HttpResponse:
    actor = _reader(request)
    form = ResidentSearchForm(request.GET or None, actor=actor)
    page = selectors.paginate(selectors.resident_search(actor, form.filters()), request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "searched": bool(request.GET),
        "can_edit": can_edit_registry(actor),
    }
    if is_htmx(request):
        return render(request, "people/includes/resident_results.html", context)
    return render(request, "people/resident_list.html", context)


@login_required
@require_GET
def resident_detail(request: HttpRequest, resident_id: int) -> HttpResponse:
    actor = request_actor(request)
    resident = access_resident(actor, resident_id)
    assert actor is not None
    context = {
        "resident": resident,
        "vulnerability": access_vulnerability(actor, resident, via=request.path),
        "timeline": selectors.resident_timeline(resident),
        "can_edit": can_edit_registry(actor),
        "can_edit_needs": can_edit_vulnerability(actor, resident),
    }
    return render(request, "people/resident_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request: HttpRequest) -> HttpResponse:
    actor = _writer(request)
    if request.method == "POST":
        form = ResidentForm(request.POST, actor=actor)
        if form.is_valid():
            try:
                resident = services.resident_create(actor=actor, data=form.to_data())
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("%(name)s was registered.") % {"name": resident.full_name})
                return redirect("people:resident-detail", resident.pk)
    else:
        initial: dict[str, object] = {}
        if request.GET.get("household", "").isdigit():
            household = access_household(actor, int(request.GET["household"]))
            initial = {"household": household, "community": household.community}
        elif request.GET.get("community", "").isdigit():
            initial = {"community": access_community(actor, int(request.GET["community"]))}
        form = ResidentForm(actor=actor, initial=initial)
    return render(request, "people/resident_form.html", {"form": form, "resident": None})


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request: HttpRequest, resident_id: int) -> HttpResponse:
    actor = request_actor(request)
    resident = access_resident_for_edit(actor, resident_id)
    assert actor is not None
    if request.method == "POST":
        form = ResidentForm(request.POST, actor=actor, instance=resident)
        if form.is_valid():
            try:
                services.resident_update(actor=actor, resident=resident, data=form.to_data())
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("people:resident-detail", resident.pk)
    else:
        form = ResidentForm(actor=actor, instance=resident)
    return render(request, "people/resident_form.html", {"form": form, "resident": resident})


@login_required
@require_http_methods(["GET", "POST"])
def vulnerability_edit(request: HttpRequest, resident_id: int) -> HttpResponse:
    """The needs assessment: welfare officers and administrators, and volunteers in their communities."""
    actor = request_actor(request)
    resident = access_resident(actor, resident_id)
    assert actor is not None
    if not can_edit_vulnerability(actor, resident):
        raise Http404
    current = access_vulnerability(actor, resident, via=request.path)
    if request.method == "POST":
        form = VulnerabilityForm(request.POST, instance=current)
        if form.is_valid():
            try:
                services.vulnerability_update(actor=actor, resident=resident, data=form.to_data())
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("The assessment was saved."))
                return redirect("people:resident-detail", resident.pk)
    else:
        form = VulnerabilityForm(instance=current)
    return render(request, "people/vulnerability_form.html", {"form": form, "resident": resident})


# --- Households --------------------------------------------------------------------------------------


@login_required
@require_GET
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    actor = request_actor(request)
    household = access_household(actor, household_id)
    context = {
        "household": household,
        # The house owner first, then the others as the selector orders them.
        "members": sorted(
            selectors.household_members(household), key=lambda r: r.relation_to_owner != "owner"
        ),
        "can_edit": can_edit_registry(actor),
    }
    return render(request, "people/household_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    actor = _writer(request)
    if request.method == "POST":
        form = HouseholdForm(request.POST, actor=actor)
        if form.is_valid():
            try:
                household = services.household_create(actor=actor, data=form.to_data())
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(
                    request, _("The household was registered. Now add the people who live there.")
                )
                return redirect("people:household-detail", household.pk)
    else:
        initial: dict[str, object] = {}
        if request.GET.get("community", "").isdigit():
            initial = {"community": access_community(actor, int(request.GET["community"]))}
        form = HouseholdForm(actor=actor, initial=initial)
    return render(request, "people/household_form.html", {"form": form, "household": None})


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, household_id: int) -> HttpResponse:
    actor = _writer(request)
    household = access_household(actor, household_id)
    if request.method == "POST":
        form = HouseholdForm(request.POST, actor=actor, instance=household)
        if form.is_valid():
            try:
                services.household_update(actor=actor, household=household, data=form.to_data())
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("people:household-detail", household.pk)
    else:
        form = HouseholdForm(actor=actor, instance=household)
    return render(request, "people/household_form.html", {"form": form, "household": household})


@login_required
@require_GET
def household_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s of the households of one community (htmx, for the resident form)."""
    actor = _reader(request)
    raw = request.GET.get("community", "")
    choices: list[tuple[int, str]] = []
    if raw.isdigit():
        community = access_community(actor, int(raw))
        choices = [
            (h.pk, household_label(h))
            for h in selectors.households_visible(actor).filter(community=community)
        ]
    return render(request, "people/includes/household_options.html", {"choices": choices})


# --- Communities -------------------------------------------------------------------------------------


@login_required
@require_GET
def community_list(request: HttpRequest) -> HttpResponse:
    actor = _reader(request)
    communities = list(selectors.community_list_with_counts(actor))
    return render(
        request,
        "people/community_list.html",
        {"communities": communities, "can_edit": can_edit_registry(actor)},
    )


@login_required
@require_GET
def community_detail(request: HttpRequest, community_id: int) -> HttpResponse:
    actor = request_actor(request)
    community = access_community(actor, community_id)
    assert actor is not None
    counts = selectors.community_list_with_counts(actor).get(pk=community.pk)
    households = selectors.paginate(
        selectors.households_visible(actor).filter(community=community), request.GET.get("page")
    )
    context = {
        "community": counts,
        "households": households,
        "can_edit": can_edit_registry(actor),
    }
    return render(request, "people/community_detail.html", context)
