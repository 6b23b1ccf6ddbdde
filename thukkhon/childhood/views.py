"""Early childhood pages: thin views that parse, call one service, selector or access helper, and
render. Anything the actor may not see is a 404."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thukkhon.childhood import access, pdf, selectors, services
from thukkhon.childhood.consent import family_visible_media, shown_ids
from thukkhon.childhood.forms import (
    ABSENCE_CHOICES,
    CommentForm,
    ConsentForm,
    GuardianForm,
    HomeObservationForm,
    ObservationForm,
    ProjectForm,
    ScreeningForm,
    TransitionForm,
)
from thukkhon.childhood.models import (
    AttendanceStatus,
    Classroom,
    Comment,
    Framework,
    MediaKind,
    MediaState,
    Observation,
    ObservationSource,
    Project,
    Standard,
    Term,
    TransitionSummary,
)
from thukkhon.core.actor import Actor, request_actor
from thukkhon.core.http import is_htmx
from thukkhon.core.models import Consent, ConsentPurpose
from thukkhon.core.services import consent_active, consent_give, consent_withdraw
from thukkhon.core.thai import parse_be_date
from thukkhon.people.forms import add_service_errors
from thukkhon.people.models import Resident


def _day(request: HttpRequest, name: str = "day") -> date:
    """The day typed in the address or a form: B.E. (``16/05/2569``) or ISO (``2026-05-16``, as
    the pages' own links carry it); today when nothing is typed. Anything else raises
    ValidationError "วันที่ไม่ถูกต้อง: …" with the value and why: never silently today.

    A bad day in a page's address answers 400 (:func:`_bad_day`); a bad date typed in a form is a
    message on the page and nothing is saved."""
    raw = (request.GET.get(name) or request.POST.get(name) or "").strip()
    if not raw:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    try:
        return parse_be_date(raw)
    except ValueError as error:
        raise ValidationError(
            _("Invalid date: “%(value)s”. %(reason)s") % {"value": raw[:40], "reason": error},
            code="bad_day",
        ) from None


def _bad_day(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """The answer to a page asked for with a day that is not a date: 400, the message, and a link
    to the same page for today."""
    return render(
        request, "childhood/bad_day.html", {"errors": error.messages, "today_url": request.path}, status=400
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if actor is None:
        raise Http404
    context: dict[str, object] = {}
    if access.is_staff(actor):
        context["classrooms"] = list(selectors.classrooms_visible(actor))
    if access.is_family(actor):
        context["children"] = list(selectors.family_children(actor))
    if actor.has_role(*access.EQUITY_ALL):
        context["equity"] = True
    if not context:
        raise Http404
    return render(request, "childhood/home.html", context)


# --- Classroom ---------------------------------------------------------------------------------------


@login_required
@require_GET
def classroom(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """The classroom's documentation page: this term's observations and who is seen least."""
    actor = request_actor(request)
    room = access.access_classroom(actor, classroom_id)
    try:
        day = _day(request)
    except ValidationError as error:
        return _bad_day(request, error)
    term = selectors.current_term(room.municipality, day)
    observations = selectors.observation_cards(
        room.observations.filter(observed_on__range=(term.starts_on, term.ends_on))
    )
    context = {
        "room": room,
        "term": term,
        "observations": observations,
        "counts": selectors.documentation_counts(room, term.starts_on, term.ends_on),
        "projects": room.projects.all(),
    }
    return render(request, "childhood/classroom.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, classroom_id: int) -> HttpResponse:
    actor = request_actor(request)
    room = access.access_classroom(actor, classroom_id)
    assert actor is not None
    try:
        day = _day(request)
    except ValidationError as error:
        return _bad_day(request, error)
    if request.method == "POST":
        marks = {}
        for child in selectors.children_of(room):
            status = request.POST.get(f"s{child.pk}", AttendanceStatus.PRESENT)
            marks[child.pk] = services.Mark(status, request.POST.get(f"r{child.pk}", ""))
        try:
            services.attendance_record(actor=actor, classroom=room, day=day, marks=marks)
        except ValidationError as error:
            for m in error.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("The register was saved."))
            return redirect(f"{reverse('childhood:attendance', args=[room.pk])}?day={day.isoformat()}")
    term = selectors.current_term(room.municipality, day)
    context = {
        "room": room,
        "day": day,
        "prev": day - timedelta(days=1),
        "next": day + timedelta(days=1) if day < timezone.localdate() else None,
        "register": selectors.register_for(room, day),
        "reasons": ABSENCE_CHOICES,
        "statuses": AttendanceStatus.choices,
        "summary": [r for r in selectors.attendance_summary(room, term.starts_on, term.ends_on) if r.chronic],
        "term": term,
    }
    return render(request, "childhood/attendance.html", context)


def _standard_choices() -> list[tuple[str, str]]:
    framework = Framework.objects.filter(is_current=True).first()
    return [(str(s.pk), str(s)) for s in Standard.objects.filter(framework=framework)]


def _shown(request: HttpRequest, n_files: int) -> list[list[int]] | None:
    """Who is in each uploaded file, as ticked under it (``shown_<i>``); None when the page sent
    no ticks (no JavaScript), which means all the observation's children."""
    if request.POST.get("tagged") != "1":
        return None
    return [[int(v) for v in request.POST.getlist(f"shown_{i}") if v.isdigit()] for i in range(n_files)]


@login_required
@require_http_methods(["GET", "POST"])
def observation_create(request: HttpRequest, classroom_id: int) -> HttpResponse:
    actor = request_actor(request)
    room = access.access_classroom(actor, classroom_id)
    assert actor is not None
    children = selectors.children_of(room)
    form = ObservationForm(request.POST or None, request.FILES or None)
    form.fields["children"].choices = [(str(c.pk), c.nickname or c.full_name) for c in children]  # type: ignore[attr-defined]
    form.fields["standards"].choices = _standard_choices()  # type: ignore[attr-defined]
    form.fields["indicators"].choices = selectors.indicator_choices()  # type: ignore[attr-defined]
    form.fields["project"].choices = [("", "—")] + [(str(p.pk), p.title) for p in room.projects.all()]  # type: ignore[attr-defined]
    if request.method == "GET":
        form.initial = {"observed_on": timezone.localdate(), "visibility": "team"}
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        data = services.ObservationData(
            observed_on=cd["observed_on"],
            title=cd["title"],
            children={int(c): request.POST.get(f"quote_{c}", "") for c in cd["children"]},
            description=cd["description"],
            interpretation=cd["interpretation"],
            languages=cd["languages"],
            visibility=cd["visibility"],
            standard_ids=[int(s) for s in cd["standards"]],
            indicator_ids=[int(i) for i in cd["indicators"]],
            project_id=int(cd["project"]) if cd["project"] else None,
        )
        files = request.FILES.getlist("attachments")
        try:
            obs = services.observation_create(
                actor=actor, classroom=room, data=data, files=files, shown=_shown(request, len(files))
            )
        except ValidationError as error:
            add_service_errors(form, error)
            if "files" in getattr(error, "message_dict", {}):
                for m in error.message_dict["files"]:
                    form.add_error("attachments", m)
        else:
            messages.success(request, _("The observation was saved. Photos are being resized."))
            return redirect("childhood:observation", obs.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "childhood/observation_form.html",
        {"room": room, "form": form, "children": children},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def observation_detail(request: HttpRequest, observation_id: int) -> HttpResponse:
    actor = request_actor(request)
    obs = access.access_observation(actor, observation_id)
    assert actor is not None
    staff = access.is_staff(actor) and (
        (scope := access.classroom_ids_for(actor)) is None or obs.classroom_id in scope
    )
    own = set() if staff else access.child_ids_for_family(actor)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        child_id = int(request.POST.get("child", "0") or 0)
        child = Resident.objects.filter(pk=child_id, municipality=actor.municipality).first()
        try:
            if child is None:
                raise ValidationError(_("Choose the child."))
            services.comment_add(actor=actor, observation=obs, child=child, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your comment was added."))
            return redirect("childhood:observation", obs.pk)
    kids = list(obs.children.select_related("child"))
    all_media = list(obs.media.prefetch_related("children"))
    if staff:
        media = all_media
        comments = list(obs.comments.select_related("author"))
        shown = kids
    else:
        media, _withheld = family_visible_media(all_media, own)
        comments = list(Comment.objects.filter(observation=obs, child_id__in=own).select_related("author"))
        shown = [k for k in kids if k.child_id in own]
    context = {
        "obs": obs,
        "staff": staff,
        "kids": shown,
        "others": len(kids) - len(shown),
        "media": media,
        "media_rows": [(m, shown_ids(m)) for m in media],
        "comments": comments,
        "form": form,
        "own_children": [k.child for k in kids if k.child_id in own]
        if not staff
        else [k.child for k in kids],
    }
    return render(request, "childhood/observation_detail.html", context)


@login_required
@require_POST
def media_children(request: HttpRequest, media_id: int) -> HttpResponse:
    """Change who is in a photo or recording (teachers of the classroom)."""
    actor = request_actor(request)
    media = access.access_media(actor, media_id)
    assert actor is not None
    if not access.is_staff(actor):
        raise Http404
    ids = [int(v) for v in request.POST.getlist("children") if v.isdigit()]
    page = reverse("childhood:observation", args=[media.observation_id])
    try:
        services.media_children_set(actor=actor, media=media, child_ids=ids)
    except ValidationError as error:
        for m in error.messages:
            messages.error(request, m)
        return redirect(page)  # the message shows at the top of the page
    messages.success(request, _("Saved who is in “%(name)s”.") % {"name": media.name or media.pk})
    return redirect(f"{page}#media-{media.pk}")


@login_required
@require_GET
def media_file(request: HttpRequest, media_id: int, variant: str) -> FileResponse:
    media = access.access_media(request_actor(request), media_id)
    f = {"thumb": media.thumb, "web": media.web}.get(variant) or media.original
    if media.kind == MediaKind.PHOTO and variant in ("thumb", "web") and media.state != MediaState.READY:
        f = media.original
    if not f:
        raise Http404
    response = FileResponse(
        f.open("rb"), content_type="image/jpeg" if f is not media.original else media.content_type
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Projects ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest, classroom_id: int) -> HttpResponse:
    actor = request_actor(request)
    room = access.access_classroom(actor, classroom_id)
    assert actor is not None
    form = ProjectForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=actor, classroom=room, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("childhood:project", project.pk)
    return render(request, "childhood/project_form.html", {"room": room, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = request_actor(request)
    project = access.access_project(actor, project_id)
    assert actor is not None
    if request.method == "POST":
        try:
            when = _day(request, "starts_on")
            if request.POST.get("what") == "phase":
                services.project_phase_add(
                    actor=actor, project=project, title=request.POST.get("title", ""), starts_on=when
                )
            elif request.POST.get("what") == "session":
                raw_group = request.POST.get("group", "")
                group = access.access_group(actor, int(raw_group)) if raw_group.isdigit() else None
                services.atelier_session_add(
                    actor=actor,
                    project=project,
                    day=when,
                    materials=request.POST.get("materials", ""),
                    group=group,
                    is_revisit=bool(request.POST.get("is_revisit")),
                    notes=request.POST.get("notes", ""),
                )
            elif request.POST.get("what") in ("group", "group-edit", "group-delete"):
                _project_group_post(request, actor, project)
        except ValidationError as error:
            for m in error.messages:
                messages.error(request, m)
        return redirect("childhood:project", project.pk)
    context = {
        "project": project,
        "phases": project.phases.all(),
        "children": selectors.children_of(project.classroom),
        "groups": project.groups.prefetch_related("children").order_by("id"),
        "sessions": project.sessions.select_related("group"),
        "observations": selectors.observation_cards(project.observations.order_by("observed_on", "id")),
    }
    return render(request, "childhood/project_detail.html", context)


def _project_group_post(request: HttpRequest, actor: Actor, project: Project) -> None:
    """Add, change or remove a small group of the project (raises ValidationError)."""
    what = request.POST.get("what")
    child_ids = [int(v) for v in request.POST.getlist("children") if v.isdigit()]
    name = request.POST.get("name", "")
    if what == "group":
        services.project_group_add(actor=actor, project=project, name=name, child_ids=child_ids)
        messages.success(request, _("The group was added."))
        return
    group = access.access_group(actor, int(request.POST.get("group", "0") or 0))
    if group.project_id != project.pk:
        raise Http404
    if what == "group-delete":
        services.project_group_delete(actor=actor, group=group)
        messages.success(request, _("The group was removed."))
    else:
        services.project_group_update(actor=actor, group=group, name=name, child_ids=child_ids)
        messages.success(request, _("The group was saved."))


@login_required
@require_GET
def project_panel(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.access_project(request_actor(request), project_id)
    size = request.GET.get("size", "A3").upper()
    url = request.build_absolute_uri(reverse("childhood:project", args=[project.pk]))
    data, _blurred = pdf.project_panel_pdf(project, size=size, media_url=url)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="panel-{project.pk}-{size}.pdf"'
    return response


# --- Children ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def child_portfolio(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = request_actor(request)
    if actor is not None and not access.is_staff(actor) and access.is_family(actor):
        return redirect("childhood:family-child", child_id)
    child = access.access_child_as_staff(actor, child_id)
    assert actor is not None
    if request.method == "POST":
        form = ScreeningForm(request.POST)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                services.screening_record(
                    actor=actor,
                    child=child,
                    screened_on=cd["screened_on"],
                    age_band=cd["age_band"] or None,
                    result=services.DspmResult(cd["gm"], cd["fm"], cd["rl"], cd["el"], cd["ps"]),
                    plan=cd["plan"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The screening was saved."))
                return redirect("childhood:child", child.pk)
    else:
        form = ScreeningForm(initial={"screened_on": timezone.localdate()})
    from thukkhon.childhood.models import DevelopmentCase, Screening

    scope = access.classroom_ids_for(actor)
    context = {
        "child": child,
        "observations": selectors.child_observation_cards(child, scope),
        "ratings": selectors.child_ratings(child),
        "screenings": Screening.objects.filter(child=child),
        "cases": DevelopmentCase.objects.filter(child=child),
        "guardians": child.guardianships.select_related("guardian", "membership__user"),
        "summaries": TransitionSummary.objects.filter(child=child).order_by("-created_at"),
        "rooms": [
            e.classroom
            for e in child.enrolments.filter(left_on__isnull=True).select_related("classroom")
            if scope is None or e.classroom_id in scope
        ],
        "transition_consent": consent_active(child, ConsentPurpose.TRANSITION_SUMMARY),
        "form": form,
    }
    return render(request, "childhood/child.html", context)


@login_required
@require_GET
def child_portfolio_pdf(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = request_actor(request)
    child = access.access_child_as_staff(actor, child_id)
    assert actor is not None
    observations = list(selectors.child_observations(child, access.classroom_ids_for(actor))[:40])
    items, _blurred = pdf.panel_items(observations, max_photos=1, child=child)
    data = pdf.render_pdf(
        "childhood/pdf/portfolio.html",
        {
            "child": child,
            "items": items,
            "ratings": selectors.child_ratings(child),
            "page_size": "A4 portrait",
        },
    )
    return HttpResponse(data, content_type="application/pdf")


@login_required
@require_POST
def transition_share(request: HttpRequest, summary_id: int) -> HttpResponse:
    actor = request_actor(request)
    summary = TransitionSummary.objects.filter(pk=summary_id).first()
    if summary is None:
        raise Http404
    access.access_child_as_staff(actor, summary.child_id)
    assert actor is not None
    try:
        services.transition_summary_share(actor=actor, summary=summary)
    except ValidationError as error:
        for m in error.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("The transition summary is marked as shared."))
    return redirect("childhood:child", summary.child_id)


@login_required
@require_GET
def transition_pdf(request: HttpRequest, summary_id: int) -> HttpResponse:
    """The transition summary as a PDF for the primary school: staff of the child's centre and the
    child's guardians, only while the guardian's consent to share it is active."""
    actor = request_actor(request)
    summary = access.access_summary_document(actor, summary_id)
    consent = pdf.transition_consent(summary.child)
    if consent is None:
        context = {"child": summary.child, "family": actor is not None and not access.is_staff(actor)}
        return render(request, "childhood/transition_refused.html", context, status=403)
    data = pdf.transition_summary_pdf(summary, consent)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="transition-{summary.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def screening_list(request: HttpRequest, classroom_id: int) -> HttpResponse:
    actor = request_actor(request)
    room = access.access_classroom(actor, classroom_id)
    ids = {c.pk for c in selectors.children_of(room)}
    today = timezone.localdate()
    due = [
        (c, band)
        for c in selectors.children_of(room)
        if c.birth_date and (band := services.dspm_band_due(c.birth_date, today))
    ]
    context = {
        "room": room,
        "share": selectors.age_appropriate_share(ids, room.municipality),
        "cases": selectors.open_cases(ids, room.municipality),
        "due": due,
    }
    return render(request, "childhood/screening.html", context)


# --- End-of-term ratings -----------------------------------------------------------------------------------


def _term(request: HttpRequest, room: Classroom) -> tuple[Term, list[Term]]:
    """The term asked for (``?term=<id>``), else the one containing today, among the classroom's."""
    terms = selectors.terms_of(room)
    raw = request.GET.get("term") or request.POST.get("term") or ""
    chosen = next((t for t in terms if str(t.pk) == raw), None)
    if chosen is None:
        today = timezone.localdate()
        chosen = next((t for t in reversed(terms) if t.starts_on <= today), terms[0])
    return chosen, terms


def _score(raw: str | None) -> int | None:
    """A posted 3/2/1: "" clears the cell (None); anything else that is not 1, 2 or 3 becomes 0 so
    the service refuses it with its message instead of it being dropped silently."""
    raw = (raw or "").strip()
    if raw == "":
        return None
    return int(raw) if raw in ("1", "2", "3") else 0


def _scores() -> list[tuple[int, str]]:
    return [(3, _("good")), (2, _("fair")), (1, _("needs support"))]


@login_required
@require_http_methods(["GET", "POST"])
def classroom_ratings(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """The class grid: one standard at a time, every child a row of its indicators' 3 / 2 / 1 and
    the standard's rating that follows (on a phone each child is a card); below it the whole term
    at a glance."""
    actor = request_actor(request)
    room = access.access_classroom(actor, classroom_id)
    assert actor is not None
    term, terms = _term(request, room)
    standards = selectors.current_standards()
    if not standards:
        raise Http404
    raw_std = request.GET.get("standard") or request.POST.get("standard") or ""
    standard = next((s for s in standards if str(s.pk) == raw_std), standards[0])
    position = standards.index(standard)
    following = standards[position + 1] if position + 1 < len(standards) else None
    indicators = standard.indicator_list  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        entries = [
            services.IndicatorEntry(child_id=c.pk, indicator_id=ind.pk, score=_score(raw))
            for c in selectors.children_of(room)
            for ind in indicators
            if (raw := request.POST.get(f"i{c.pk}_{ind.pk}")) is not None
        ]
        try:
            services.indicator_ratings_record(actor=actor, classroom=room, term=term, entries=entries)
        except ValidationError as error:
            for m in error.messages:
                messages.error(request, m)
            status = 400
        else:
            messages.success(
                request,
                _("Standard %(n)d was saved for %(count)d children.")
                % {"n": standard.number, "count": len({e.child_id for e in entries if e.score})},
            )
            target = following or standard
            return redirect(
                f"{reverse('childhood:ratings', args=[room.pk])}?term={term.pk}&standard={target.pk}"
            )
    grid = selectors.rating_grid(room, term)
    rows = []
    for r in grid:
        cells = [
            (
                ind,
                r.indicators.get(ind.pk),
                r.tagged.get(ind.pk, 0),
                request.POST.get(f"i{r.child.pk}_{ind.pk}"),
            )
            for ind in indicators
        ]
        rows.append((r.child, cells, r.standards.get(standard.pk), r.cells(standards)))
    context = {
        "room": room,
        "term": term,
        "terms": terms,
        "standards": standards,
        "standard": standard,
        "indicators": indicators,
        "following": following,
        "rows": rows,
        "done": sum(1 for r in grid if standard.pk in r.standards),
        "scores": _scores(),
    }
    return render(request, "childhood/ratings_grid.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def child_ratings(request: HttpRequest, classroom_id: int, child_id: int) -> HttpResponse:
    """One child's twelve standards for a term, each with its indicators and the observations that
    show them: the way to rate on a phone, one child at a time."""
    actor = request_actor(request)
    room = access.access_classroom(actor, classroom_id)
    assert actor is not None
    child = access.access_child_as_staff(actor, child_id)
    if not room.enrolments.filter(child=child).exists():
        raise Http404
    term, terms = _term(request, room)
    status = 200
    if request.method == "POST":
        indicators, standards = [], []
        for st in selectors.current_standards():
            for ind in st.indicator_list:  # type: ignore[attr-defined]
                raw = request.POST.get(f"i{ind.pk}")
                if raw is None:
                    continue
                evidence = tuple(int(v) for v in request.POST.getlist(f"ie{ind.pk}") if v.isdigit())
                indicators.append(
                    services.IndicatorEntry(
                        child_id=child.pk, indicator_id=ind.pk, score=_score(raw), evidence_ids=evidence
                    )
                )
            raw = request.POST.get(f"s{st.pk}")
            if raw is None or (score := _score(raw)) is None:
                continue
            evidence = tuple(int(v) for v in request.POST.getlist(f"e{st.pk}") if v.isdigit())
            standards.append(
                services.RatingEntry(child_id=child.pk, standard_id=st.pk, score=score, evidence_ids=evidence)
            )
        try:
            services.term_ratings_record(
                actor=actor, classroom=room, term=term, indicators=indicators, standards=standards
            )
        except ValidationError as error:
            for m in error.messages:
                messages.error(request, m)
            status = 400
        else:
            messages.success(request, _("The ratings were saved."))
            return redirect(f"{reverse('childhood:child-ratings', args=[room.pk, child.pk])}?term={term.pk}")
    children = selectors.children_of(room)
    at = next((i for i, c in enumerate(children) if c.pk == child.pk), None)
    context = {
        "room": room,
        "child": child,
        "term": term,
        "terms": terms,
        "sheet": selectors.child_rating_sheet(room, child, term),
        "scores": _scores(),
        "previous": children[at - 1] if at else None,
        "next": children[at + 1] if at is not None and at + 1 < len(children) else None,
    }
    return render(request, "childhood/child_ratings.html", context, status=status)


# --- Enrolments and guardians ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def classroom_children(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """Who is in the classroom: enrol a child from the registry, or record that a child left."""
    actor = request_actor(request)
    room = access.access_classroom(actor, classroom_id)
    assert actor is not None
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "enrol":
                child = Resident.objects.filter(
                    pk=int(request.POST.get("child", "0") or 0), municipality=actor.municipality
                ).first()
                if child is None:
                    raise ValidationError(_("Choose the child."))
                services.enrol(
                    actor=actor, classroom=room, child=child, enrolled_on=_day(request, "enrolled_on")
                )
                messages.success(request, _("%(name)s was enrolled.") % {"name": child.full_name})
            elif what == "withdraw":
                enrolment = access.access_enrolment(actor, int(request.POST.get("enrolment", "0") or 0))
                if enrolment.classroom_id != room.pk:
                    raise Http404
                services.enrolment_withdraw(
                    actor=actor, enrolment=enrolment, left_on=_day(request, "left_on")
                )
                messages.success(
                    request, _("%(name)s has left the classroom.") % {"name": enrolment.child.full_name}
                )
        except ValidationError as error:
            for m in error.messages:
                messages.error(request, m)
        return redirect("childhood:children", room.pk)
    q = request.GET.get("q", "").strip()
    context = {
        "room": room,
        "enrolments": selectors.enrolments_of(room),
        "q": q,
        "candidates": selectors.enrol_candidates(actor, room, q),
        "today": timezone.localdate(),
    }
    if is_htmx(request) and request.GET.get("partial"):
        return render(request, "childhood/includes/enrol_candidates.html", context)
    return render(request, "childhood/classroom_children.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def child_guardians(request: HttpRequest, child_id: int) -> HttpResponse:
    """A child's guardians and caregivers: link a registry resident (grandparents included) with
    their relation, or enter a name; remove a link."""
    actor = request_actor(request)
    child = access.access_child_as_staff(actor, child_id)
    assert actor is not None
    form = GuardianForm(request.POST or None, initial={"lives_with_child": True})
    if request.method == "POST" and request.POST.get("what") == "remove":
        g = access.access_guardianship(actor, int(request.POST.get("guardianship", "0") or 0))
        if g.child_id != child.pk:
            raise Http404
        try:
            services.guardian_remove(actor=actor, guardianship=g)
        except ValidationError as error:
            for m in error.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("The guardian was removed."))
        return redirect("childhood:guardians", child.pk)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        raw = request.POST.get("guardian", "")
        person = (
            Resident.objects.filter(pk=int(raw), municipality=actor.municipality).first()
            if raw.isdigit()
            else None
        )
        try:
            if raw.isdigit() and person is None:
                raise ValidationError(
                    _("Choose the guardian from the registry, a parent account, or enter a name.")
                )
            services.guardian_add(
                actor=actor,
                child=child,
                relation=cd["relation"],
                guardian=person,
                name="" if person else cd["name"],
                phone=cd["phone"],
                lives_with_child=cd["lives_with_child"],
                is_primary=cd["is_primary"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The guardian was added."))
            return redirect("childhood:guardians", child.pk)
    q = request.GET.get("q", "").strip()
    context = {
        "child": child,
        "guardians": selectors.guardians_of(child),
        "form": form,
        "q": q,
        "candidates": selectors.guardian_candidates(actor, child, q),
        "chosen": request.POST.get("guardian", ""),
        "today": timezone.localdate(),
    }
    if is_htmx(request) and request.GET.get("partial"):
        return render(request, "childhood/includes/guardian_candidates.html", context)
    return render(request, "childhood/guardians.html", context, status=400 if form.errors else 200)


# --- Transition to primary school ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transition_write(request: HttpRequest, child_id: int) -> HttpResponse:
    """Write (or, until it is shared, edit) the child's summary for the primary school."""
    actor = request_actor(request)
    child = access.access_child_as_staff(actor, child_id)
    assert actor is not None
    raw = request.GET.get("summary") or request.POST.get("summary") or ""
    summary = access.access_summary(actor, int(raw)) if raw.isdigit() else None
    if summary is not None and summary.child_id != child.pk:
        raise Http404
    initial = (
        {
            "text": summary.text,
            "strengths": summary.strengths,
            "family_words": summary.family_words,
            "receiving_school": summary.receiving_school,
        }
        if summary
        else {}
    )
    form = TransitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            if summary is None:
                services.transition_summary_write(actor=actor, child=child, **cd)
            else:
                services.transition_summary_update(actor=actor, summary=summary, **cd)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The transition summary was saved."))
            return redirect(f"{reverse('childhood:child', args=[child.pk])}#transition")
    context = {
        "child": child,
        "summary": summary,
        "form": form,
        "ratings": selectors.child_ratings(child)[:12],
        "consent": consent_active(child, ConsentPurpose.TRANSITION_SUMMARY),
    }
    return render(request, "childhood/transition_form.html", context, status=400 if form.errors else 200)


# --- Families ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def family_child(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = request_actor(request)
    child = access.access_child_as_family(actor, child_id)
    assert actor is not None
    form = HomeObservationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.home_observation_create(
                actor=actor,
                child=child,
                text=form.cleaned_data["text"],
                files=request.FILES.getlist("attachments"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            for m in getattr(error, "message_dict", {}).get("files", []):
                form.add_error("attachments", m)
        else:
            messages.success(request, _("Thank you: it was added to your child's portfolio."))
            return redirect("childhood:family-child", child.pk)
    purposes = [
        (value, label, consent_active(child, value))
        for value, label in ConsentForm.base_fields["purpose"].choices  # type: ignore[attr-defined]
    ]
    context = {
        "child": child,
        "feed": selectors.family_feed(actor, child),
        "summaries": TransitionSummary.objects.filter(child=child).order_by("-created_at"),
        "transition_consent": consent_active(child, ConsentPurpose.TRANSITION_SUMMARY),
        "form": form,
        "purposes": purposes,
    }
    return render(request, "childhood/family_child.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def family_consent(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = request_actor(request)
    child = access.access_child_as_family(actor, child_id)
    assert actor is not None
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a purpose from the list."))
        return redirect("childhood:family-child", child.pk)
    purpose, give = form.cleaned_data["purpose"], form.cleaned_data["give"]
    active = consent_active(child, purpose)
    if give and not active:
        consent_give(
            actor=actor,
            subject=child,
            purpose=purpose,
            given_by_name=str(actor.user),
            given_by_relation=_("guardian"),
        )
        messages.success(request, _("Your consent was recorded."))
    elif not give and active:
        from django.contrib.contenttypes.models import ContentType

        for c in Consent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Resident),
            subject_id=child.pk,
            purpose=purpose,
            withdrawn_at__isnull=True,
        ):
            consent_withdraw(actor=actor, consent=c, reason=_("Withdrawn by the guardian"))
        messages.success(request, _("Your consent was withdrawn."))
    return redirect("childhood:family-child", child.pk)


# --- Equity ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def equity(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if actor is None or not (access.is_staff(actor) or actor.has_role(*access.EQUITY_ALL)):
        raise Http404
    scope = None if actor.has_role(*access.EQUITY_ALL) else access.classroom_ids_for(actor)
    room = None
    if request.GET.get("classroom", "").isdigit():
        room = access.access_classroom(actor, int(request.GET["classroom"]))
        scope = {room.pk}
    try:
        day = _day(request)
    except ValidationError as error:
        return _bad_day(request, error)
    term = selectors.current_term(actor.municipality, day)
    report = selectors.equity_report(actor.municipality, scope, term.starts_on, term.ends_on)
    counts = selectors.documentation_counts(room, term.starts_on, term.ends_on) if room else []
    ids = (
        None
        if scope is None
        else set(
            selectors.Enrolment.objects.filter(classroom_id__in=scope).values_list("child_id", flat=True)
        )
    )
    share = selectors.age_appropriate_share(ids, actor.municipality)
    context = {
        "report": report,
        "term": term,
        "room": room,
        "counts": counts,
        "share": share,
        "min_cell": selectors.MIN_CELL,
    }
    return render(request, "childhood/equity.html", context)


__all__ = ["Observation", "ObservationSource"]
