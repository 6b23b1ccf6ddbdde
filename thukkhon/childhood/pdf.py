"""Documentation panels, portfolios and transition summaries as PDF (WeasyPrint, Thai shaped
with the vendored Sarabun).

Nothing is downloaded: the URL fetcher serves only files under the static directory and ``data:``
URLs; photos are embedded as data URLs after the consent rules have been applied (a photo showing
a child without PHOTO_PANEL consent is blurred; such a child's name and words are anonymised).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import segno
from django.utils.translation import gettext as _

from thukkhon.childhood.consent import consented, panel_blurs, portfolio_blurs, shown_ids
from thukkhon.childhood.media import blurred_jpeg
from thukkhon.childhood.models import (
    Centre,
    DevelopmentCase,
    DspmDomain,
    Enrolment,
    Media,
    MediaKind,
    Observation,
    Project,
    Screening,
    TransitionSummary,
)
from thukkhon.core.models import Consent, ConsentPurpose
from thukkhon.core.pdf import render_pdf
from thukkhon.core.templatetags.thai import be_date
from thukkhon.people.models import Resident

PAGE_SIZES = {"A4": "A4 portrait", "A3": "A3 portrait"}


def _data_url(data: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def _image_bytes(media: Media) -> bytes:
    f = media.web if media.web else media.original
    with f.open("rb") as fh:
        return fh.read()


def qr_data_url(url: str) -> str:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=6, border=2)
    return _data_url(buf.getvalue(), "image/png")


@dataclass
class PanelPhoto:
    src: str
    blurred: bool


@dataclass
class PanelItem:
    observation: Observation
    names: list[str]
    quotes: list[tuple[str, str]]
    photos: list[PanelPhoto]


def panel_items(
    observations: list[Observation], max_photos: int = 2, child: Resident | None = None
) -> tuple[list[PanelItem], int]:
    """The observations with consent applied, for a group panel or, with ``child``, for that
    child's portfolio (only the photos the child is in). Returns the items and how many photos
    were blurred. Blurring is decided by the children each photo shows, not the observation's."""
    photos_of = {
        obs.pk: [
            (m, shown_ids(m))
            for m in obs.media.all()
            if m.kind == MediaKind.PHOTO and (child is None or child.pk in shown_ids(m))
        ][:max_photos]
        for obs in observations
    }
    child_ids = {oc.child_id for o in observations for oc in o.children.all()}
    child_ids |= {cid for pairs in photos_of.values() for _m, shown in pairs for cid in shown}
    ok = consented(child_ids, ConsentPurpose.PHOTO_PANEL)
    portfolio_ok = consented([child.pk], ConsentPurpose.PHOTO_PORTFOLIO) if child is not None else set()
    items, blurred = [], 0
    for obs in observations:
        kids = list(obs.children.all())
        names = [
            oc.child.nickname or oc.child.first_name if oc.child_id in ok else _("a child") for oc in kids
        ]
        quotes = [
            (oc.child.nickname or oc.child.first_name if oc.child_id in ok else _("a child"), oc.quote)
            for oc in kids
            if oc.quote
        ]
        photos = []
        for media, shown in photos_of[obs.pk]:
            blur = (
                portfolio_blurs(shown, child.pk, portfolio_ok, ok)
                if child is not None
                else panel_blurs(shown, ok)
            )
            data = _image_bytes(media)
            if blur:
                photos.append(PanelPhoto(_data_url(blurred_jpeg(data)), True))
                blurred += 1
            else:
                photos.append(
                    PanelPhoto(_data_url(data if media.web else blurred_jpeg(data, radius=0)), False)
                )
        items.append(PanelItem(obs, names, quotes, photos))
    return items, blurred


def project_panel_pdf(project: Project, *, size: str, media_url: str) -> tuple[bytes, int]:
    observations = list(
        project.observations.order_by("observed_on", "id").prefetch_related(
            "children__child", "media__children"
        )
    )
    items, blurred = panel_items(observations)
    pdf = render_pdf(
        "childhood/pdf/panel.html",
        {
            "project": project,
            "items": items,
            "phases": list(project.phases.all()),
            "page_size": PAGE_SIZES.get(size, PAGE_SIZES["A3"]),
            "size": size,
            "qr": qr_data_url(media_url),
            "media_url": media_url,
        },
    )
    return pdf, blurred


# --- Transition summary ------------------------------------------------------------------------------


@dataclass
class StandardLine:
    """One of the curriculum's standards with the child's latest rating and a sentence of evidence."""

    number: int
    name: str
    score: int | None
    score_label: str
    term: str
    evidence: str


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence (line, or up to a full stop) of a teacher's note, at most ``limit``
    characters. Thai separates sentences with a space, so a long line is cut at a space."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    for stop in (". ", "。"):
        if stop in line:
            line = line.split(stop, 1)[0] + "."
    if len(line) <= limit:
        return line
    cut = line[:limit]
    if line[limit] != " " and " " in cut:  # do not break a word
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def _evidence_sentence(obs: Observation | None, child: Resident) -> str:
    if obs is None:
        return ""
    quote = next((oc.quote for oc in obs.children.all() if oc.child_id == child.pk and oc.quote), "")
    note = first_sentence(obs.interpretation or obs.description)
    sentence = f"{obs.title} ({be_date(obs.observed_on, 'short')})"
    if note:
        sentence += f": {note}"
    if quote:
        sentence += f" “{first_sentence(quote, 100)}”"
    return sentence


def standard_lines(child: Resident) -> list[StandardLine]:
    """The current curriculum's standards, each with the child's most recent rating (worked out from
    its indicators where they are rated) and a sentence from its most recent evidence."""
    from thukkhon.childhood.selectors import StandardScore, current_standards, standard_scores

    labels = {3: _("good"), 2: _("fair"), 1: _("needs support")}
    latest: dict[int, StandardScore] = {}
    for score in standard_scores([child.pk]):  # latest term first
        latest.setdefault(score.standard.pk, score)
    newest = {
        standard_id: max(score.evidence, key=lambda o: (o.observed_on, o.pk))
        for standard_id, score in latest.items()
        if score.evidence
    }
    full = Observation.objects.prefetch_related("children").in_bulk([o.pk for o in newest.values()])
    lines = []
    for st in current_standards():
        rating = latest.get(st.pk)
        shown = newest.get(st.pk)
        lines.append(
            StandardLine(
                number=st.number,
                name=st.name_th,
                score=rating.score if rating else None,
                score_label=labels.get(rating.score, "") if rating else "",
                term=str(rating.term) if rating else "",
                evidence=_evidence_sentence(full.get(shown.pk) if shown else None, child),
            )
        )
    return lines


@dataclass
class Attended:
    centre: Centre | None
    years: list[int]


def years_attended(child: Resident) -> Attended:
    """The centre the child attends (or last attended) and the academic years (B.E.) there."""
    enrolments = list(
        Enrolment.objects.filter(child=child, municipality_id=child.municipality_id)
        .select_related("classroom__centre")
        .order_by("classroom__academic_year", "enrolled_on")
    )
    if not enrolments:
        return Attended(None, [])
    centre = enrolments[-1].classroom.centre
    years = sorted({e.classroom.academic_year for e in enrolments if e.classroom.centre_id == centre.pk})
    return Attended(centre, years)


def screening_status(child: Resident) -> tuple[str, str]:
    """("pass" or "followed_up" or "", a sentence): DSPM screening as the primary school needs it."""
    case = DevelopmentCase.objects.filter(child=child).order_by("-opened_on", "-id").first()
    last = Screening.objects.filter(child=child).order_by("-screened_on", "-id").first()
    if case is not None:
        detail = _("Followed up: %(domains)s; %(stage)s") % {
            "domains": ", ".join(str(DspmDomain(d).label) for d in case.domains if d in DspmDomain.values),
            "stage": case.get_stage_display(),
        }
        if case.outcome:
            detail += f" ({case.outcome})"
        return "followed_up", detail
    if last is None:
        return "", _("No developmental screening recorded.")
    return "pass", _("Passed: development appropriate for age (DSPM, %(band)d months, %(day)s).") % {
        "band": last.age_band,
        "day": be_date(last.screened_on, "short"),
    }


def transition_consent(child: Resident) -> Consent | None:
    """The guardian's active consent to share a transition summary, if there is one."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q
    from django.utils import timezone

    now = timezone.now()
    return (
        Consent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Resident),
            subject_id=child.pk,
            purpose=ConsentPurpose.TRANSITION_SUMMARY,
            given_at__lte=now,
        )
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=now))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-given_at")
        .first()
    )


def transition_context(summary: TransitionSummary, consent: Consent) -> dict[str, object]:
    from django.utils import timezone

    child = summary.child
    attended = years_attended(child)
    status, status_text = screening_status(child)
    return {
        "summary": summary,
        "child": child,
        "centre": attended.centre,
        "years": attended.years,
        "lines": standard_lines(child),
        "strengths": [s.strip(" -•\t") for s in summary.strengths.splitlines() if s.strip(" -•\t")],
        "screening": status,
        "screening_text": status_text,
        "consent": consent,
        "today": timezone.localdate(),
        "page_size": "A4 portrait",
    }


def transition_summary_pdf(summary: TransitionSummary, consent: Consent) -> bytes:
    return render_pdf("childhood/pdf/transition.html", transition_context(summary, consent))
