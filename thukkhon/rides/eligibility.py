"""Eligibility for the People Assistance Vehicle and the priority of a request, each with reasons.

The rules are the municipality's :class:`~thukkhon.rides.models.RideSettings`: a resident qualifies
by *any* of age ≥ ``min_age``, a registered disability, being home- or bed-bound (Barthel), or a
state welfare card (each rule can be switched off), and, when ``medical_purposes_only`` is set, only
for a medical purpose.

The priority score adds points for what makes a ride more needed (see ``POINTS``); residents who
were refused in the last 30 days rise (``DENIED_RECENTLY`` each, up to ``DENIED_CAP``).

What follows when a resident does not qualify is the municipality's choice
(``RideSettings.ineligible_requests``, decision record 0010): *inform* books the ride and shows that
the resident is not eligible; *refuse* denies the request at booking — recorded as unmet need like
any denial — unless a staff member books it anyway with a reason (:func:`refusal`, :func:`may_override`).

Reading the vulnerability profile here is a read by a service, not by a person: no access log.
A page that shows the result to a person goes through :func:`assessment_for_person`, which logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from thukkhon.core.access import log_sensitive_read
from thukkhon.core.actor import Actor
from thukkhon.people.models import Dependency, Resident, Vulnerability
from thukkhon.rides import selectors
from thukkhon.rides.models import (
    MEDICAL_PURPOSES,
    IneligibleRequests,
    Purpose,
    RideRequest,
    RideSettings,
    Status,
)

POINTS = {
    "bed": 40,
    "home": 20,
    "dialysis": 30,
    "medical": 10,
    "welfare_card": 15,
    "lives_alone": 10,
    "disability": 10,
    "age_80": 10,
}
DENIED_RECENTLY = 20
DENIED_CAP = 60
DENIED_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Reason:
    text: str
    points: int = 0


@dataclass
class Assessment:
    eligible: bool
    eligibility_reasons: list[str] = field(default_factory=list)
    priority: int = 0
    priority_reasons: list[Reason] = field(default_factory=list)

    def reasons_json(self) -> list[dict[str, object]]:
        return [{"text": r.text, "points": r.points} for r in self.priority_reasons]


def settings_for(municipality_id: int) -> RideSettings:
    """The municipality's ride settings, created with the defaults on first use."""
    found, created = RideSettings.objects.get_or_create(municipality_id=municipality_id)
    if created:
        found.refresh_from_db()  # the defaults as their Python types ("07:00" → time)
    return found


def _vulnerability(resident: Resident) -> Vulnerability | None:
    return Vulnerability.objects.filter(resident=resident).first()


def eligibility(
    resident: Resident,
    purpose: str,
    rules: RideSettings,
    *,
    on: date,
    vulnerability: Vulnerability | None,
) -> tuple[bool, list[str]]:
    """Whether the resident qualifies for a ride with this purpose, and why (or why not)."""
    met: list[str] = []
    age = resident.age_on(on)
    if age is not None and age >= rules.min_age:
        met.append(_("Aged %(age)s (from %(min)s)") % {"age": age, "min": rules.min_age})
    if vulnerability is not None:
        if rules.disability_eligible and vulnerability.disability_type:
            met.append(_("Registered disability"))
        if rules.dependency_eligible and vulnerability.dependency in (Dependency.HOME, Dependency.BED):
            met.append(str(Dependency(vulnerability.dependency).label))
        if rules.welfare_card_eligible and vulnerability.welfare_card:
            met.append(_("State welfare card"))
    if rules.medical_purposes_only and purpose not in MEDICAL_PURPOSES:
        return False, [_("Only medical trips are offered.")]
    if not met:
        return False, [_("Meets none of the criteria (age, disability, dependency, welfare card).")]
    return True, met


def priority(
    resident: Resident,
    purpose: str,
    *,
    on: date,
    vulnerability: Vulnerability | None,
    exclude_request_id: int | None = None,
) -> tuple[int, list[Reason]]:
    """The priority score and its reasons, largest first."""
    reasons: list[Reason] = []
    if vulnerability is not None:
        if vulnerability.dependency == Dependency.BED:
            reasons.append(Reason(_("Bed-bound"), POINTS["bed"]))
        elif vulnerability.dependency == Dependency.HOME:
            reasons.append(Reason(_("Home-bound"), POINTS["home"]))
        if vulnerability.welfare_card:
            reasons.append(Reason(_("State welfare card"), POINTS["welfare_card"]))
        if vulnerability.lives_alone:
            reasons.append(Reason(_("Lives alone"), POINTS["lives_alone"]))
        if vulnerability.disability_type:
            reasons.append(Reason(_("Registered disability"), POINTS["disability"]))
    if purpose == Purpose.DIALYSIS:
        reasons.append(Reason(_("Dialysis"), POINTS["dialysis"]))
    elif purpose in MEDICAL_PURPOSES:
        reasons.append(Reason(_("Medical trip"), POINTS["medical"]))
    age = resident.age_on(on)
    if age is not None and age >= 80:
        reasons.append(Reason(_("Aged 80 or over"), POINTS["age_80"]))
    since = timezone.now() - timedelta(days=DENIED_WINDOW_DAYS)
    denied = RideRequest.objects.filter(
        resident=resident, status=Status.DENIED, events__status=Status.DENIED, events__at__gte=since
    )
    if exclude_request_id is not None:
        denied = denied.exclude(pk=exclude_request_id)
    n_denied = denied.distinct().count()
    if n_denied:
        points = min(DENIED_RECENTLY * n_denied, DENIED_CAP)
        reasons.append(Reason(_("Refused %(n)s times in the last 30 days") % {"n": n_denied}, points))
    reasons.sort(key=lambda r: -r.points)
    return sum(r.points for r in reasons), reasons


def assess(
    resident: Resident, purpose: str, *, on: date, exclude_request_id: int | None = None
) -> Assessment:
    """Eligibility and priority, read by a service (no access log)."""
    rules = settings_for(resident.municipality_id)
    vuln = _vulnerability(resident)
    ok, why = eligibility(resident, purpose, rules, on=on, vulnerability=vuln)
    score, reasons = priority(
        resident, purpose, on=on, vulnerability=vuln, exclude_request_id=exclude_request_id
    )
    return Assessment(eligible=ok, eligibility_reasons=why, priority=score, priority_reasons=reasons)


def refuses(rules: RideSettings) -> bool:
    """Whether the municipality refuses the requests of residents who are not eligible."""
    return rules.ineligible_requests == IneligibleRequests.REFUSE


def may_override(actor: Actor) -> bool:
    """Staff who book (admin, welfare, dispatcher) may book a refused request anyway, with a reason."""
    return actor.has_role(*selectors.STAFF_BOOK)


def refusal(assessment: Assessment, rules: RideSettings) -> str | None:
    """The reason a request is refused, in the user's language, or None when it is not."""
    if assessment.eligible or not refuses(rules):
        return None
    return _("Not eligible for the People Assistance Vehicle: %(reasons)s") % {
        "reasons": " ".join(assessment.eligibility_reasons)
    }


def assessment_for_person(actor: Actor, ride: RideRequest, *, via: str = "") -> Assessment:
    """The assessment shown to a person on a page: the vulnerability read is logged."""
    result = assess(ride.resident, ride.purpose, on=ride.service_date, exclude_request_id=ride.pk)
    vuln = _vulnerability(ride.resident)
    if vuln is not None:
        log_sensitive_read(actor, vuln, what="vulnerability:ride-eligibility", via=via)
    return result
