"""The only way views fetch funeral objects. What the actor may not see is a 404.

Funeral officers, welfare officers and administrators manage every case of their municipality; a
relative (a resident user) sees only the cases they reported or are named on; everyone else sees
nothing. Each read of a case by a person is logged: relatives' data is personal data (PDPA).
"""

from __future__ import annotations

from django.http import Http404

from thukkhon.core.access import log_sensitive_read
from thukkhon.core.actor import Actor
from thukkhon.funerals import selectors
from thukkhon.funerals.models import CremationBooking, Cremator, FuneralCase, ProtocolStep, Relative
from thukkhon.funerals.services import MANAGE, REPORTS


def can_manage(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*MANAGE)


def can_read_reports(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*REPORTS)


def access_case(actor: Actor | None, case_id: int, *, via: str = "") -> FuneralCase:
    if actor is None:
        raise Http404
    case = (
        selectors.cases_visible(actor)
        .select_related("deceased", "community", "reported_by", "municipality")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    log_sensitive_read(actor, case, what="funeral case", via=via)
    return case


def access_case_for_edit(actor: Actor | None, case_id: int, *, via: str = "") -> FuneralCase:
    if not can_manage(actor):
        raise Http404
    return access_case(actor, case_id, via=via)


def access_relative(case: FuneralCase, relative_id: int) -> Relative:
    """A relative of a case the actor may already edit (see :func:`access_case_for_edit`)."""
    relative = Relative.objects.filter(case=case, pk=relative_id).first()
    if relative is None:
        raise Http404
    return relative


def access_step(actor: Actor | None, case: FuneralCase, step_id: int) -> ProtocolStep:
    if not can_manage(actor):
        raise Http404
    step = ProtocolStep.objects.filter(case=case, pk=step_id).select_related("case").first()
    if step is None:
        raise Http404
    return step


def access_booking(actor: Actor | None, case: FuneralCase, booking_id: int) -> CremationBooking:
    if not can_manage(actor):
        raise Http404
    booking = CremationBooking.objects.filter(case=case, pk=booking_id).select_related("case").first()
    if booking is None:
        raise Http404
    return booking


def access_cremator(actor: Actor | None, cremator_id: int) -> Cremator:
    if actor is None or not can_manage(actor):
        raise Http404
    cremator = selectors.cremators_visible(actor).filter(pk=cremator_id).first()
    if cremator is None:
        raise Http404
    return cremator
