"""Shared pieces of the ``access_*`` helpers: role checks and the access log.

Each app's ``access.py`` defines ``access_<entity>(actor, id)``, the only way a view fetches an
object. Anything the actor may not see is a 404, never a 403, so that its existence is not revealed.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404

from thukkhon.core.actor import Actor
from thukkhon.core.models import AccessLog, Job


def require_role(actor: Actor | None, roles: frozenset[str] | set[str]) -> Actor:
    if actor is None or not actor.roles.intersection(roles):
        raise Http404
    return actor


def log_sensitive_read(actor: Actor, obj: models.Model, *, what: str, via: str = "") -> None:
    """Record that a person read a sensitive record (PDPA s.26 data)."""
    AccessLog.objects.create(
        municipality=actor.municipality,
        user=actor.user,
        role=actor.primary_role,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        what=what,
        via=via[:200],
    )


def access_job(actor: Actor | None, job_id: int) -> Job:
    """A background job: visible to the person who started it and to administrators."""
    if actor is None:
        raise Http404
    job = Job.objects.filter(pk=job_id, municipality=actor.municipality).first()
    if job is None or (job.created_by_id != actor.user.pk and not actor.has_role("admin")):
        raise Http404
    return job
