"""``access_<entity>(actor, id)``: the only way a view fetches an object of this app.

Scopes: a teacher sees the classrooms they are assigned to (:class:`TeacherAssignment`) and the
children enrolled there; an administrator sees every classroom of the municipality; a parent sees
the children they are guardian of (:class:`Guardianship`) and only what is shared with the family.
Anything else is a 404.
"""

from __future__ import annotations

from django.http import Http404

from thukkhon.childhood.models import (
    Classroom,
    DevelopmentCase,
    Enrolment,
    Guardianship,
    Media,
    Observation,
    Project,
    SmallGroup,
    TransitionSummary,
    Visibility,
)
from thukkhon.core.actor import Actor
from thukkhon.core.roles import Role
from thukkhon.people.models import Resident

STAFF_ALL = frozenset({Role.ADMIN})
STAFF = frozenset({Role.ADMIN, Role.TEACHER})
EQUITY_ALL = frozenset({Role.ADMIN, Role.EXECUTIVE})


def is_staff(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*STAFF)


def is_family(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(Role.PARENT)


def classroom_ids_for(actor: Actor) -> set[int] | None:
    """The classrooms a staff actor may see: None means every classroom of the municipality."""
    if actor.has_role(*STAFF_ALL):
        return None
    teacher = [m.pk for m in actor.memberships if m.role == Role.TEACHER]
    if not teacher:
        return set()
    return set(
        Classroom.objects.filter(
            municipality=actor.municipality, assignments__membership_id__in=teacher
        ).values_list("id", flat=True)
    )


def child_ids_for_family(actor: Actor) -> set[int]:
    parent = [m.pk for m in actor.memberships if m.role == Role.PARENT]
    if not parent:
        return set()
    return set(
        Guardianship.objects.filter(municipality=actor.municipality, membership_id__in=parent).values_list(
            "child_id", flat=True
        )
    )


def access_classroom(actor: Actor | None, classroom_id: int) -> Classroom:
    if actor is None or not is_staff(actor):
        raise Http404
    classroom = (
        Classroom.objects.select_related("centre")
        .filter(pk=classroom_id, municipality=actor.municipality)
        .first()
    )
    scope = classroom_ids_for(actor)
    if classroom is None or (scope is not None and classroom.pk not in scope):
        raise Http404
    return classroom


def staff_can_see_child(actor: Actor, child_id: int) -> bool:
    scope = classroom_ids_for(actor)
    enrolments = Enrolment.objects.filter(municipality=actor.municipality, child_id=child_id)
    if scope is not None:
        enrolments = enrolments.filter(classroom_id__in=scope)
    return enrolments.exists()


def access_child(actor: Actor | None, child_id: int) -> Resident:
    """A child: for staff, enrolled in one of their classrooms; for a parent, their own child."""
    if actor is None:
        raise Http404
    allowed = (is_staff(actor) and staff_can_see_child(actor, child_id)) or (
        is_family(actor) and child_id in child_ids_for_family(actor)
    )
    if not allowed:
        raise Http404
    return Resident.objects.get(pk=child_id, municipality=actor.municipality)


def access_child_as_staff(actor: Actor | None, child_id: int) -> Resident:
    if actor is None or not is_staff(actor) or not staff_can_see_child(actor, child_id):
        raise Http404
    return Resident.objects.get(pk=child_id, municipality=actor.municipality)


def access_child_as_family(actor: Actor | None, child_id: int) -> Resident:
    if actor is None or not is_family(actor) or child_id not in child_ids_for_family(actor):
        raise Http404
    return Resident.objects.get(pk=child_id, municipality=actor.municipality)


def family_sees_observation(actor: Actor, observation: Observation) -> bool:
    own = child_ids_for_family(actor)
    in_it = {c.child_id for c in observation.children.all()}
    return observation.visibility == Visibility.FAMILY and bool(own & in_it)


def access_observation(actor: Actor | None, observation_id: int) -> Observation:
    if actor is None:
        raise Http404
    obs = (
        Observation.objects.select_related("classroom", "project", "author")
        .filter(pk=observation_id, municipality=actor.municipality)
        .first()
    )
    if obs is None:
        raise Http404
    if is_staff(actor):
        scope = classroom_ids_for(actor)
        if scope is None or obs.classroom_id in scope:
            return obs
    if is_family(actor) and family_sees_observation(actor, obs):
        return obs
    raise Http404


def access_project(actor: Actor | None, project_id: int) -> Project:
    if actor is None or not is_staff(actor):
        raise Http404
    project = (
        Project.objects.select_related("classroom", "classroom__centre")
        .filter(pk=project_id, municipality=actor.municipality)
        .first()
    )
    scope = classroom_ids_for(actor)
    if project is None or (scope is not None and project.classroom_id not in scope):
        raise Http404
    return project


def access_media(actor: Actor | None, media_id: int) -> Media:
    """A media file. Staff see their classrooms' files; a family sees a file only when consent
    allows it (see :func:`thukkhon.childhood.consent.family_may_see_media`)."""
    from thukkhon.childhood.consent import family_may_see_media

    if actor is None:
        raise Http404
    media = (
        Media.objects.select_related("observation")
        .filter(pk=media_id, municipality=actor.municipality)
        .first()
    )
    if media is None:
        raise Http404
    if is_staff(actor):
        scope = classroom_ids_for(actor)
        if scope is None or media.observation.classroom_id in scope:
            return media
    if (
        is_family(actor)
        and family_sees_observation(actor, media.observation)
        and family_may_see_media(media, child_ids_for_family(actor))
    ):
        return media
    raise Http404


def access_case(actor: Actor | None, case_id: int) -> DevelopmentCase:
    if actor is None:
        raise Http404
    case = DevelopmentCase.objects.filter(pk=case_id, municipality=actor.municipality).first()
    if case is None or not is_staff(actor) or not staff_can_see_child(actor, case.child_id):
        raise Http404
    return case


def access_enrolment(actor: Actor | None, enrolment_id: int) -> Enrolment:
    if actor is None or not is_staff(actor):
        raise Http404
    enrolment = (
        Enrolment.objects.select_related("classroom", "child")
        .filter(pk=enrolment_id, municipality=actor.municipality)
        .first()
    )
    scope = classroom_ids_for(actor)
    if enrolment is None or (scope is not None and enrolment.classroom_id not in scope):
        raise Http404
    return enrolment


def access_guardianship(actor: Actor | None, guardianship_id: int) -> Guardianship:
    if actor is None or not is_staff(actor):
        raise Http404
    g = Guardianship.objects.filter(pk=guardianship_id, municipality=actor.municipality).first()
    if g is None or not staff_can_see_child(actor, g.child_id):
        raise Http404
    return g


def access_group(actor: Actor | None, group_id: int) -> SmallGroup:
    if actor is None or not is_staff(actor):
        raise Http404
    group = (
        SmallGroup.objects.select_related("project", "project__classroom")
        .filter(pk=group_id, project__municipality=actor.municipality)
        .first()
    )
    scope = classroom_ids_for(actor)
    if group is None or (scope is not None and group.project.classroom_id not in scope):
        raise Http404
    return group


def access_summary(actor: Actor | None, summary_id: int) -> TransitionSummary:
    if actor is None or not is_staff(actor):
        raise Http404
    summary = TransitionSummary.objects.filter(pk=summary_id, municipality=actor.municipality).first()
    if summary is None or not staff_can_see_child(actor, summary.child_id):
        raise Http404
    return summary


def staff_of_child_centre(actor: Actor, child_id: int) -> bool:
    """Staff of the centre the child is enrolled in: an administrator of the municipality, or a
    teacher of any classroom of that centre (not only the child's own)."""
    enrolments = Enrolment.objects.filter(municipality=actor.municipality, child_id=child_id)
    if actor.has_role(*STAFF_ALL):
        return enrolments.exists()
    teacher = [m.pk for m in actor.memberships if m.role == Role.TEACHER]
    if not teacher:
        return False
    return enrolments.filter(classroom__centre__classrooms__assignments__membership_id__in=teacher).exists()


def access_summary_document(actor: Actor | None, summary_id: int) -> TransitionSummary:
    """A transition summary to download: for staff of the child's centre and the child's
    guardians (consent is checked by the caller, which says why it refuses)."""
    if actor is None:
        raise Http404
    summary = (
        TransitionSummary.objects.select_related("child")
        .filter(pk=summary_id, municipality=actor.municipality)
        .first()
    )
    if summary is None:
        raise Http404
    staff = is_staff(actor) and staff_of_child_centre(actor, summary.child_id)
    family = is_family(actor) and summary.child_id in child_ids_for_family(actor)
    if not (staff or family):
        raise Http404
    return summary
