"""Booking pages: thin views that parse, call one service, selector or access helper, and render.

Staff (admin, executive, welfare, dispatcher) see the municipality's requests; a health volunteer
those of their communities; a resident their own. Drivers and other roles get a 404 everywhere here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thukkhon.core.actor import Actor, request_actor
from thukkhon.core.http import is_htmx
from thukkhon.core.roles import Role
from thukkhon.people.models import Resident, ResidentStatus
from thukkhon.people.selectors import paginate
from thukkhon.rides import booking, eligibility, outcomes, selectors
from thukkhon.rides.access import (
    access_bookable_resident,
    access_ride_request,
    access_ride_series,
    can_book,
    can_cancel,
    can_decide,
    can_record_outcome,
)
from thukkhon.rides.forms import BookingForm, ReasonForm, RequestFilterForm
from thukkhon.rides.models import RideRequest, Status

# Decided or cancelled with their own forms, not with an outcome button.
RECORDED_ELSEWHERE = frozenset({Status.DENIED, Status.CANCELLED, Status.LATE_CANCELLED})


def _user(request: HttpRequest) -> Actor:
    actor: Actor | None = request_actor(request)
    if actor is None or not selectors.can_use_rides(actor):
        raise Http404
    return actor


def _booker(request: HttpRequest) -> Actor:
    actor = _user(request)
    if not can_book(actor):
        raise Http404
    return actor


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    form = RequestFilterForm(request.GET or None, actor=actor)
    page = paginate(selectors.request_search(actor, form.filters()), request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "can_book": can_book(actor),
        "scoped": not actor.has_role(*selectors.STAFF_READ),
        "title": _("Rides"),
    }
    if is_htmx(request):
        return render(request, "rides/booking/includes/results.html", context)
    return render(request, "rides/booking/list.html", context)


@login_required
@require_GET
def community_rides(request: HttpRequest) -> HttpResponse:
    """A health volunteer's rides of their communities (the list, scoped)."""
    actor = _user(request)
    if not actor.has_role(Role.VOLUNTEER):
        raise Http404
    form = RequestFilterForm(request.GET or None, actor=actor)
    qs = selectors.request_search(actor, form.filters()).filter(
        resident__community_id__in=selectors.volunteer_community_ids(actor)
    )
    context = {
        "form": form,
        "page": paginate(qs, request.GET.get("page")),
        "can_book": True,
        "scoped": True,
        "title": _("My communities' rides"),
    }
    return render(request, "rides/booking/list.html", context)


@login_required
@require_GET
def request_detail(request: HttpRequest, ride_id: int) -> HttpResponse:
    actor = _user(request)
    ride = access_ride_request(actor, ride_id)
    # Eligibility reads health and disability data: only staff and the resident's volunteer see it,
    # and the read is logged.
    sees_needs = actor.has_role(*selectors.STAFF_READ, Role.VOLUNTEER)
    context = {
        "ride": ride,
        "events": selectors.request_events(ride),
        "assessment": eligibility.assessment_for_person(actor, ride, via=request.path)
        if sees_needs
        else None,
        "return_leg": RideRequest.objects.filter(outbound=ride).first(),
        "can_decide": can_decide(actor) and ride.status == Status.REQUESTED,
        "can_cancel": can_cancel(actor, ride) and Status.CANCELLED in outcomes.allowed_next(ride),
        "can_edit": can_cancel(actor, ride)
        and ride.outbound_id is None
        and ride.status in (Status.REQUESTED, Status.ACCEPTED),
        "can_call": ride.outbound_id is not None
        and ride.return_mode == "call"
        and ride.pickup_earliest is None
        and ride.status in (Status.REQUESTED, Status.ACCEPTED),
        "can_record": can_record_outcome(actor),
        "record_statuses": [
            Status(s)
            for s in sorted(outcomes.allowed_next(ride) - RECORDED_ELSEWHERE)
            if s != Status.ACCEPTED or ride.status == Status.SCHEDULED
        ],
        "reason_form": ReasonForm(),
    }
    return render(request, "rides/booking/detail.html", context)


@login_required
@require_GET
def pick_resident(request: HttpRequest) -> HttpResponse:
    """Step one of booking: whom for. A resident books for themselves and goes straight on."""
    actor = _booker(request)
    residents = selectors.bookable_residents(actor).filter(status=ResidentStatus.ALIVE)
    if not actor.has_role(*selectors.STAFF_BOOK, Role.VOLUNTEER):
        own = residents.first()
        if own is None:
            raise Http404
        return redirect("rides:request-create", own.pk)
    q = request.GET.get("q", "").strip()
    found = []
    if q:
        for term in q.split()[:4]:
            residents = residents.filter(
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(nickname__icontains=term)
                | Q(phone__contains=term)
            )
        found = list(residents.select_related("community").order_by("first_name", "last_name")[:20])
    return render(request, "rides/booking/pick_resident.html", {"q": q, "found": found})


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest, resident_id: int) -> HttpResponse:
    actor = _booker(request)
    resident = access_bookable_resident(actor, resident_id)
    if request.method == "POST":
        form = BookingForm(request.POST, actor=actor, resident=resident)
        if form.is_valid():
            data = form.to_data()
            key = form.cleaned_data.get("idempotency_key") or None
            try:
                if form.cleaned_data.get("repeat"):
                    series = booking.series_create(
                        actor=actor,
                        data=data,
                        weekdays=form.cleaned_data.get("weekdays") or [],
                        ends_on=form.cleaned_data.get("ends_on"),
                        idempotency_key=key,
                        eligibility_override=form.override_reason,
                    )
                    ride = series.requests.filter(outbound__isnull=True).order_by("service_date").first()
                else:
                    ride = booking.request_create(
                        actor=actor, data=data, idempotency_key=key, eligibility_override=form.override_reason
                    )
            except ValidationError as error:
                form.add_service_errors(error)
            except PermissionDenied:
                raise Http404 from None
            else:
                if ride is not None and ride.status == Status.DENIED:
                    # Refused by the municipality's rules: recorded, and the reasons shown.
                    messages.error(request, ride.denial_reason)
                else:
                    messages.success(request, _("The ride was booked."))
                return redirect("rides:request-detail", ride.pk) if ride else redirect("rides:request-list")
    else:
        form = BookingForm(actor=actor, resident=resident)
    return _form_page(request, actor, form, resident, None)


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, ride_id: int) -> HttpResponse:
    actor = _booker(request)
    ride = access_ride_request(actor, ride_id)
    if not can_cancel(actor, ride):
        raise Http404
    if request.method == "POST":
        form = BookingForm(request.POST, actor=actor, resident=ride.resident, instance=ride)
        if form.is_valid():
            try:
                booking.request_update(
                    actor=actor, ride=ride, data=form.to_data(), eligibility_override=form.override_reason
                )
            except ValidationError as error:
                form.add_service_errors(error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("rides:request-detail", ride.pk)
    else:
        form = BookingForm(actor=actor, resident=ride.resident, instance=ride)
    return _form_page(request, actor, form, ride.resident, ride)


def _form_page(
    request: HttpRequest, actor: Actor, form: BookingForm, resident: Resident, ride: RideRequest | None
) -> HttpResponse:
    context = {
        "form": form,
        "resident": resident,
        "home": resident.household,
        "ride": ride,
        "map_data": selectors.booking_map(actor, resident),
    }
    return render(request, "rides/booking/form.html", context)


def _apply(request: HttpRequest, ride: RideRequest, call: object) -> HttpResponse:
    try:
        call()  # type: ignore[operator]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Saved."))
    return redirect("rides:request-detail", ride.pk)


@login_required
@require_POST
def request_cancel(request: HttpRequest, ride_id: int) -> HttpResponse:
    actor = _user(request)
    ride = access_ride_request(actor, ride_id)
    reason = request.POST.get("reason", "")
    key = request.POST.get("idempotency_key") or None
    return _apply(
        request,
        ride,
        lambda: outcomes.request_cancel(actor=actor, ride=ride, reason=reason, idempotency_key=key),
    )


@login_required
@require_POST
def request_decide(request: HttpRequest, ride_id: int) -> HttpResponse:
    actor = _user(request)
    ride = access_ride_request(actor, ride_id)
    if not can_decide(actor):
        raise Http404
    reason = request.POST.get("reason", "")
    if request.POST.get("decision") == "accept":
        return _apply(request, ride, lambda: outcomes.request_accept(actor=actor, ride=ride))
    return _apply(request, ride, lambda: outcomes.request_deny(actor=actor, ride=ride, reason=reason))


@login_required
@require_POST
def request_status(request: HttpRequest, ride_id: int) -> HttpResponse:
    actor = _user(request)
    ride = access_ride_request(actor, ride_id)
    if not can_record_outcome(actor):
        raise Http404
    to = request.POST.get("status", "")
    return _apply(
        request,
        ride,
        lambda: outcomes.request_transition(
            actor=actor,
            ride=ride,
            to=to,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        ),
    )


@login_required
@require_POST
def request_call(request: HttpRequest, ride_id: int) -> HttpResponse:
    actor = _user(request)
    ride = access_ride_request(actor, ride_id)
    return _apply(request, ride, lambda: booking.return_call(actor=actor, ride=ride))


@login_required
@require_POST
def series_cancel(request: HttpRequest, series_id: int) -> HttpResponse:
    actor = _booker(request)
    series = access_ride_series(actor, series_id)
    try:
        n = booking.series_cancel(actor=actor, series=series, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("The series was ended; %(n)s rides were cancelled.") % {"n": n})
    first = series.requests.order_by("service_date").first()
    return redirect("rides:request-detail", first.pk) if first else redirect("rides:request-list")
