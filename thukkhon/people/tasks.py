"""Background jobs of the registry: checking and applying an import file.

Both jobs read the uploaded file from storage (``MEDIA_ROOT/imports/``) and run the same code
(:mod:`thukkhon.people.importing`) whether they run during the request (small files) or on a worker.
They speak the language the user had when uploading. A job runs once (``run_job`` claims it); running
the import of the same file again changes nothing more, because rows match what is already there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from thukkhon.core.actor import Actor, actor_for
from thukkhon.core.jobs import enqueue, job_kind, job_progress, run_job
from thukkhon.core.models import Job
from thukkhon.core.roles import Role
from thukkhon.people.importing import (
    ALL_ROWS,
    ImportFileError,
    Problem,
    Table,
    apply_plan,
    check_file,
    inline_rows,
    read_table,
)

IMPORT_CHECK = "people.import_check"
IMPORT_APPLY = "people.import_apply"
IMPORT_ROLES = frozenset({Role.ADMIN, Role.WELFARE})


def _table(job: Job) -> Table:
    with default_storage.open(job.params["path"], "rb") as f:
        data = f.read()
    return read_table(job.params["name"], data)


def _file_failure(exc: ImportFileError) -> dict[str, Any]:
    return {
        "valid": False,
        "file_ok": False,
        "counts": {},
        "warnings": [],
        "problems": [Problem(None, "", "", str(exc)).as_dict()],
        "problem_count": 1,
        "preview": [],
    }


@job_kind(IMPORT_CHECK)
def import_check(job: Job) -> dict[str, Any]:
    """Read and judge every row; write nothing. The result is what the preview page shows."""
    with translation.override(job.params.get("language") or "th"):
        try:
            table = _table(job)
        except ImportFileError as exc:
            return _file_failure(exc)
        job_progress(job, 0, len(table.rows))
        plan = check_file(job.municipality, table, progress=lambda n, total: job_progress(job, n, total))
        return plan.summary()


def _importer(job: Job) -> Actor:
    actor = actor_for(job.created_by, job.municipality_id) if job.created_by else None
    if actor is None or not actor.has_role(*IMPORT_ROLES):
        raise PermissionDenied(_("You may not change the registry."))
    return actor


@contextmanager
def _history_user(user: Any) -> Iterator[None]:
    """Record ``user`` as the author of the history versions the import writes (outside a request
    there is no request for django-simple-history to take the user from)."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    if previous is None:
        context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request


@job_kind(IMPORT_APPLY)
def import_apply(job: Job) -> dict[str, Any]:
    """Check the file again (the registry may have changed since the preview), then write it in one
    transaction: all rows, or only the valid ones when the user chose so."""
    with translation.override(job.params.get("language") or "th"):
        actor = _importer(job)
        try:
            table = _table(job)
        except ImportFileError as exc:
            return {"summary": _file_failure(exc), "result": {"written": False}}
        n = len(table.rows)
        job_progress(job, 0, 2 * n)
        plan = check_file(job.municipality, table, progress=lambda done, _t: job_progress(job, done, 2 * n))
        with _history_user(actor.user):
            result = apply_plan(
                actor,
                plan,
                mode=job.params.get("mode", ALL_ROWS),
                progress=lambda done, _t: job_progress(job, n + done, 2 * n),
            )
        return {"summary": plan.summary(), "result": result.as_dict()}


def start_job(*, actor: Actor, kind: str, params: dict[str, Any], rows: int) -> Job:
    """A job for ``rows`` rows: run now during the request when the file is small, otherwise
    enqueued to run after the surrounding transaction commits. Either way through ``run_job``."""
    if rows <= inline_rows():
        job = Job.objects.create(
            municipality=actor.municipality, kind=kind, params=params, created_by=actor.user, total=rows
        )
        transaction.on_commit(lambda: run_job(job.pk))
        return job
    return enqueue(municipality=actor.municipality, kind=kind, params=params, user=actor.user, total=rows)
