"""Funeral pages: thin views that parse, call one service or selector, and render. What the actor
may not see, and writes they may not make, are 404s."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thukkhon.core.actor import Actor, request_actor
from thukkhon.core.pdf import render_pdf
from thukkhon.core.thai import be_year
from thukkhon.funerals import selectors, services
from thukkhon.funerals.access import (
    access_booking,
    access_case,
    access_case_for_edit,
    access_cremator,
    access_relative,
    access_step,
    can_manage,
    can_read_reports,
)
from thukkhon.funerals.forms import (
    AshesForm,
    BookingForm,
    CaseForm,
    DoneForm,
    ReasonForm,
    ReceiptForm,
    RegistrationForm,
    RelativeForm,
    ReportForm,
    RiteForm,
    StepSignForm,
    StreamForm,
    TransportForm,
    at,
)
from thukkhon.funerals.models import CaseStatus, FuneralCase
from thukkhon.funerals.reports import report_xlsx
from thukkhon.people.access import access_resident
from thukkhon.people.models import Resident

# Service field names → the form fields that hold them.
FIELD_ALIASES = {
    "died_at": "died_on",
    "registered_at": "registered_on",
    "deceased": "deceased_id_number",
    "relatives": "relative_1_name",
    "starts_at": "slot",
    "at": "on",
    "handed_at": "on",
    "done_at": "done_on",
    "ends_at": "ends",
    "stream_url": "stream_url",
}


def _service_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            target = FIELD_ALIASES.get(name, name)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _user_of_cases(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if actor is None or not (can_manage(actor) or actor.has_role("resident")):
        raise Http404
    return actor


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    actor = _user_of_cases(request)
    status = request.GET.get("status", "")
    cases = selectors.case_list(
        actor, status=status if status in CaseStatus.values else "", query=request.GET.get("q", "")
    )
    context = {
        "cases": cases[:200],
        "statuses": CaseStatus.choices,
        "status": status,
        "q": request.GET.get("q", ""),
        "can_manage": can_manage(actor),
        "follow_ups": selectors.open_follow_ups(actor)[:50],
        "now": timezone.now(),
    }
    return render(request, "funerals/case_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    actor = _user_of_cases(request)
    deceased: Resident | None = None
    resident_id = request.GET.get("resident", "")
    if resident_id.isdigit() and can_manage(actor):
        deceased = access_resident(actor, int(resident_id))
    if request.method == "POST":
        form = CaseForm(request.POST, actor=actor, deceased=deceased)
        if form.is_valid():
            try:
                case = services.case_create(actor=actor, data=form.to_data())
            except ValidationError as error:
                _service_errors(form, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("Case %(number)s was opened.") % {"number": case.number})
                return redirect("funerals:case-detail", case.pk)
    else:
        initial: dict[str, Any] = {}
        if deceased is not None:
            initial = {
                "deceased_name": deceased.full_name,
                "deceased_id_number": deceased.national_id,
                "deceased_birth_date": deceased.birth_date,
                "community": deceased.community,
                "religion": deceased.religion,
            }
        form = CaseForm(actor=actor, deceased=deceased, initial=initial)
    return render(request, "funerals/case_form.html", {"form": form, "deceased": deceased})


def _detail(request: HttpRequest, case: FuneralCase, status: int = 200, **forms_: forms.Form) -> HttpResponse:
    actor = request_actor(request)
    assert actor is not None
    manage = can_manage(actor)
    now = timezone.now()
    context: dict[str, Any] = {
        "case": case,
        "can_manage": manage,
        "clock": services.case_clock(case, now),
        "registration": services.registration_clock(case, now),
        "steps": list(case.protocol_steps.all()),
        "open_steps": services.open_mandatory_steps(case),
        "bookings": case.bookings.select_related("cremator__crematorium"),
        "transports": case.transports.select_related("vehicle", "driver__membership__user"),
        "rites": case.rites.all(),
        "relatives": case.relatives.all(),
        "ashes": getattr(case, "ashes", None) if hasattr(case, "ashes") else None,
        "receipts": case.receipts.all(),
        "grant": getattr(case, "grant", None) if hasattr(case, "grant") else None,
        "follow_ups": case.follow_ups.select_related("resident"),
        "now": now,
        "today": timezone.localdate(now),
    }
    if manage:
        context.update(
            booking_form=forms_.get("booking_form")
            or BookingForm(actor=actor, initial={"day": timezone.localdate(now)}),
            sign_form=forms_.get("sign_form") or StepSignForm(),
            done_form=forms_.get("done_form") or DoneForm(initial={"on": timezone.localdate(now)}),
            transport_form=forms_.get("transport_form") or TransportForm(actor=actor),
            rite_form=forms_.get("rite_form") or RiteForm(),
            relative_form=forms_.get("relative_form") or RelativeForm(),
            stream_form=forms_.get("stream_form") or StreamForm(initial={"stream_url": case.stream_url}),
            ashes_form=forms_.get("ashes_form") or AshesForm(initial={"on": timezone.localdate(now)}),
            receipt_form=forms_.get("receipt_form")
            or ReceiptForm(initial={"payer_name": case.informant_name}),
            registration_form=forms_.get("registration_form") or RegistrationForm(),
            waiver_form=forms_.get("waiver_form") or ReasonForm(prefix="waiver"),
            cancel_form=forms_.get("cancel_form") or ReasonForm(prefix="cancel"),
            sign_step=forms_.get("sign_step"),
        )
    return render(request, "funerals/case_detail.html", context, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request_actor(request), case_id, via=request.path)
    return _detail(request, case)


def _act(
    request: HttpRequest,
    case_id: int,
    form_name: str,
    make_form: Callable[[Actor], forms.Form],
    call: Callable[[Actor, FuneralCase, Any], object],
    success: str,
) -> HttpResponse:
    """Parse a form posted from the case page, call one service, and redirect or show the errors."""
    actor = request_actor(request)
    case = access_case_for_edit(actor, case_id, via=request.path)
    assert actor is not None
    form = make_form(actor)
    if form.is_valid():
        try:
            call(actor, case, form)
        except ValidationError as error:
            _service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, success)
            return redirect("funerals:case-detail", case.pk)
    case.refresh_from_db()
    return _detail(request, case, status=400, **{form_name: form})


@login_required
@require_POST
def case_accept(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = request_actor(request)
    case = access_case_for_edit(actor, case_id, via=request.path)
    assert actor is not None
    try:
        services.case_accept(actor=actor, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The case was accepted."))
    return redirect("funerals:case-detail", case.pk)


@login_required
@require_POST
def case_register(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(actor: Actor, case: FuneralCase, form: Any) -> object:
        return services.case_register_death(
            actor=actor,
            case=case,
            registration_no=form.cleaned_data["registration_no"],
            registered_at=at(form.cleaned_data["on"], form.cleaned_data["time"]),  # type: ignore[arg-type]
        )

    return _act(
        request,
        case_id,
        "registration_form",
        lambda a: RegistrationForm(request.POST),
        call,
        _("The death registration was recorded."),
    )


@login_required
@require_POST
def booking_create(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(actor: Actor, case: FuneralCase, form: Any) -> object:
        return services.cremation_book(
            actor=actor, case=case, cremator=form.cleaned_data["cremator"], starts_at=form.starts_at
        )

    return _act(
        request,
        case_id,
        "booking_form",
        lambda a: BookingForm(request.POST, actor=a),
        call,
        _("The cremation slot was booked."),
    )


@login_required
@require_POST
def booking_cancel(request: HttpRequest, case_id: int, booking_id: int) -> HttpResponse:
    def call(actor: Actor, case: FuneralCase, form: Any) -> object:
        booking = access_booking(actor, case, booking_id)
        return services.cremation_cancel(actor=actor, booking=booking, reason=form.cleaned_data["reason"])

    return _act(
        request,
        case_id,
        "cancel_form",
        lambda a: ReasonForm(request.POST, prefix="cancel"),
        call,
        _("The booking was cancelled."),
    )


@login_required
@require_POST
def step_sign(request: HttpRequest, case_id: int, step_id: int) -> HttpResponse:
    def call(actor: Actor, case: FuneralCase, form: Any) -> object:
        step = access_step(actor, case, step_id)
        return services.protocol_step_sign(
            actor=actor,
            step=step,
            handler_name=form.cleaned_data["handler_name"],
            at=form.done_at,
            note=form.cleaned_data["note"],
        )

    response = _act(
        request, case_id, "sign_form", lambda a: StepSignForm(request.POST), call, _("The step was signed.")
    )
    return response


@login_required
@require_POST
def case_done(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(actor: Actor, case: FuneralCase, form: Any) -> object:
        return services.case_mark_done(
            actor=actor, case=case, at=form.at, override_reason=form.cleaned_data["override_reason"]
        )

    return _act(
        request, case_id, "done_form", lambda a: DoneForm(request.POST), call, _("The case was marked done.")
    )


@login_required
@require_POST
def transport_create(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(actor: Actor, case: FuneralCase, form: Any) -> object:
        c = form.cleaned_data
        return services.transport_book(
            actor=actor,
            case=case,
            vehicle=c["vehicle"],
            driver=c["driver"],
            starts_at=at(c["day"], c["starts"]),  # type: ignore[arg-type]
            ends_at=at(c["day"], c["ends"]),  # type: ignore[arg-type]
            pickup=c["pickup"],
            dropoff=c["dropoff"],
        )

    return _act(
        request,
        case_id,
        "transport_form",
        lambda a: TransportForm(request.POST, actor=a),
        call,
        _("The body transport was booked."),
    )


@login_required
@require_POST
def rite_create(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(actor: Actor, case: FuneralCase, form: Any) -> object:
        c = form.cleaned_data
        return services.rite_add(
            actor=actor,
            case=case,
            kind=c["kind"],
            starts_at=at(c["day"], c["time"]),  # type: ignore[arg-type]
            place=c["place"],
            stream_url=c["stream_url"],
        )

    return _act(
        request, case_id, "rite_form", lambda a: RiteForm(request.POST), call, _("The rite was added.")
    )


@login_required
@require_POST
def stream_set(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(actor: Actor, case: FuneralCase, form: Any) -> object:
        return services.case_set_stream(actor=actor, case=case, url=form.cleaned_data["stream_url"])

    return _act(
        request, case_id, "stream_form", lambda a: StreamForm(request.POST), call, _("The link was saved.")
    )


@login_required
@require_POST
def relative_add(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(actor: Actor, case: FuneralCase, form: Any) -> object:
        return services.relative_save(
            actor=actor, case=case, data=form.to_data(), notify=form.cleaned_data["notify"]
        )

    return _act(
        request,
        case_id,
        "relative_form",
        lambda a: RelativeForm(request.POST),
        call,
        _("The relative was added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def relative_edit(request: HttpRequest, case_id: int, relative_id: int) -> HttpResponse:
    """Correct a relative's details, or take them off the case (the ``remove`` button)."""
    actor = request_actor(request)
    case = access_case_for_edit(actor, case_id, via=request.path)
    relative = access_relative(case, relative_id)
    assert actor is not None
    if request.method == "POST":
        form = RelativeForm(request.POST)
        try:
            if "remove" in request.POST:
                services.relative_remove(actor=actor, case=case, relative=relative)
                messages.success(request, _("%(name)s was taken off the case.") % {"name": relative.name})
                return redirect("funerals:case-detail", case.pk)
            if form.is_valid():
                services.relative_save(
                    actor=actor,
                    case=case,
                    relative=relative,
                    data=form.to_data(),
                    notify=form.cleaned_data["notify"],
                )
                messages.success(request, _("The relative's details were saved."))
                return redirect("funerals:case-detail", case.pk)
        except ValidationError as error:
            _service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        status = 400
    else:
        form = RelativeForm(
            initial={
                "name": relative.name,
                "relation": relative.relation,
                "phone": relative.phone,
                "id_number": relative.id_number,
                "notify": relative.notify,
            }
        )
        status = 200
    return render(
        request,
        "funerals/relative_form.html",
        {"case": case, "relative": relative, "form": form},
        status=status,
    )


@login_required
@require_POST
def ashes_create(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(actor: Actor, case: FuneralCase, form: Any) -> object:
        c = form.cleaned_data
        return services.ashes_handover(
            actor=actor,
            case=case,
            to_name=c["to_name"],
            to_id_number=c["to_id_number"],
            relation=c["relation"],
            signature_name=c["signature_name"],
            handed_at=at(c["on"], c["time"]),  # type: ignore[arg-type]
        )

    return _act(
        request,
        case_id,
        "ashes_form",
        lambda a: AshesForm(request.POST),
        call,
        _("The handover of the ashes was recorded."),
    )


@login_required
@require_POST
def receipt_create(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(actor: Actor, case: FuneralCase, form: Any) -> object:
        return services.receipt_issue(actor=actor, case=case, payer_name=form.cleaned_data["payer_name"])

    return _act(
        request,
        case_id,
        "receipt_form",
        lambda a: ReceiptForm(request.POST),
        call,
        _("The receipt was issued."),
    )


@login_required
@require_POST
def fee_waive(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(actor: Actor, case: FuneralCase, form: Any) -> object:
        return services.fee_waive(actor=actor, case=case, reason=form.cleaned_data["reason"])

    return _act(
        request,
        case_id,
        "waiver_form",
        lambda a: ReasonForm(request.POST, prefix="waiver"),
        call,
        _("The fee was waived."),
    )


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request_actor(request), case_id, via=request.path)
    if case.status not in (CaseStatus.DONE, CaseStatus.CLOSED):
        raise Http404
    context = {
        "case": case,
        "booking": case.bookings.filter(cancelled_at__isnull=True)
        .select_related("cremator__crematorium")
        .first(),
        "ashes": getattr(case, "ashes", None) if hasattr(case, "ashes") else None,
        "issued": timezone.now(),
    }
    return _pdf_response(
        render_pdf("funerals/pdf/certificate.html", context), f"certificate-{case.number}.pdf"
    )


@login_required
@require_GET
def receipt_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request_actor(request), case_id, via=request.path)
    receipt = case.receipts.first()
    if receipt is None:
        raise Http404
    return _pdf_response(
        render_pdf("funerals/pdf/receipt.html", {"case": case, "receipt": receipt}),
        f"receipt-{receipt.year_be}-{receipt.number}.pdf",
    )


@login_required
@require_GET
def grant_application(request: HttpRequest, case_id: int) -> HttpResponse:
    """The prefilled application for the elderly funeral grant: a page, or a PDF with ?format=pdf."""
    case = access_case(request_actor(request), case_id, via=request.path)
    grant = getattr(case, "grant", None) if hasattr(case, "grant") else None
    if grant is None:
        raise Http404
    context = {"case": case, "grant": grant, "today": timezone.localdate()}
    if request.GET.get("format") == "pdf":
        return _pdf_response(render_pdf("funerals/pdf/grant.html", context), f"grant-{case.number}.pdf")
    return render(request, "funerals/grant.html", context)


@login_required
@require_GET
def slots(request: HttpRequest) -> HttpResponse:
    """htmx: the free slots of a cremator on a day."""
    actor = request_actor(request)
    if not can_manage(actor):
        raise Http404
    cremator_id = request.GET.get("cremator", "")
    form = ReportForm({"start": request.GET.get("day", "")})
    if not cremator_id.isdigit() or not form.is_valid() or form.cleaned_data["start"] is None:
        return render(request, "funerals/includes/slots.html", {"slots": [], "closed": ""})
    cremator = access_cremator(actor, int(cremator_id))
    day: date = form.cleaned_data["start"]
    closed = services.closed_message(cremator, day) or ""
    free: list[datetime] = services.free_slots(cremator, day)
    return render(
        request, "funerals/includes/slots.html", {"slots": free, "closed": closed, "cremator": cremator}
    )


def _report_range(request: HttpRequest) -> tuple[ReportForm, date, date]:
    today = timezone.localdate()
    form = ReportForm(request.GET or None)
    start, end = date(today.year, 1, 1), today
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    return form, start, end


def _reports_actor(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if actor is None or not can_read_reports(actor):
        raise Http404
    return actor


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    actor = _reports_actor(request)
    form, start, end = _report_range(request)
    data = selectors.report(actor, start=start, end=end)
    return render(
        request, "funerals/reports.html", {"form": form, "report": data, "query": request.GET.urlencode()}
    )


@login_required
@require_GET
def reports_xlsx(request: HttpRequest) -> HttpResponse:
    actor = _reports_actor(request)
    _form, start, end = _report_range(request)
    content = report_xlsx(selectors.report(actor, start=start, end=end), actor.municipality.name_th)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="funerals-{be_year(start)}.xlsx"'
    return response


@login_required
@require_GET
def reports_pdf(request: HttpRequest) -> HttpResponse:
    actor = _reports_actor(request)
    _form, start, end = _report_range(request)
    data = selectors.report(actor, start=start, end=end)
    pdf = render_pdf(
        "funerals/pdf/report.html",
        {"report": data, "municipality": actor.municipality, "issued": timezone.now()},
    )
    return _pdf_response(pdf, f"funerals-{be_year(start)}.pdf")
