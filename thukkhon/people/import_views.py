"""Import and export pages: upload, preview, apply, result; the template; the resident export.

Import is for administrators and welfare officers (others get a 404). The export is for every role
that may read the registry, scoped as the resident search is.
"""

from __future__ import annotations

import io
import os
import tempfile
import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thukkhon.core.access import access_job, require_role
from thukkhon.core.actor import Actor, request_actor
from thukkhon.core.http import is_htmx
from thukkhon.core.models import Job
from thukkhon.people import importing
from thukkhon.people.exporting import (
    XLSX_TYPE,
    export_residents,
    filters_from_params,
    template_csv,
    template_xlsx,
)
from thukkhon.people.selectors import can_read_registry
from thukkhon.people.tasks import IMPORT_APPLY, IMPORT_CHECK, IMPORT_ROLES, start_job


def _importer(request: HttpRequest) -> Actor:
    return require_role(request_actor(request), IMPORT_ROLES)


def _job(request: HttpRequest, job_id: int, kind: str) -> tuple[Actor, Job]:
    actor = _importer(request)
    job = access_job(actor, job_id)
    if job.kind != kind:
        raise Http404
    return actor, job


# --- Upload ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    actor = _importer(request)
    context: dict[str, Any] = {
        "columns": importing.COLUMNS,
        "max_rows": importing.max_rows(),
        "max_mb": importing.max_bytes() // (1024 * 1024),
    }
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        error = ""
        if uploaded is None:
            error = _("Choose a file to import.")
        elif uploaded.size is not None and uploaded.size > importing.max_bytes():
            error = _("The file is larger than %(size)d MB: split it into smaller files.") % {
                "size": context["max_mb"]
            }
        else:
            data = uploaded.read()
            name = uploaded.name or "import"
            try:
                table = importing.read_table(name, data)
            except importing.ImportFileError as exc:
                error = str(exc)
            else:
                return _start_check(request, actor, name, data, len(table.rows))
        context["error"] = error
        return render(request, "people/import/upload.html", context, status=400)
    return render(request, "people/import/upload.html", context)


def _start_check(request: HttpRequest, actor: Actor, name: str, data: bytes, rows: int) -> HttpResponse:
    extension = ".xlsx" if data.startswith(b"PK") else ".csv"
    day = timezone.localdate()
    path = default_storage.save(
        f"imports/{actor.municipality.pk}/{day:%Y/%m}/{uuid.uuid4().hex}{extension}", ContentFile(data)
    )
    params = {
        "path": path,
        "name": os.path.basename(name)[:200],
        "language": translation.get_language() or "th",
    }
    with transaction.atomic():
        job = start_job(actor=actor, kind=IMPORT_CHECK, params=params, rows=rows)
    return redirect("people:import-preview", job.pk)


# --- Preview and apply ------------------------------------------------------------------------------------


def _progress_context(job: Job) -> dict[str, Any]:
    return {"job": job, "running": job.status in (Job.Status.QUEUED, Job.Status.RUNNING)}


@login_required
@require_GET
def preview(request: HttpRequest, job_id: int) -> HttpResponse:
    _, job = _job(request, job_id, IMPORT_CHECK)
    context = _progress_context(job)
    summary = job.result or {}
    context |= {
        "summary": summary,
        "counts": summary.get("counts") or {},
        "problems": summary.get("problems") or [],
        "more_problems": max(0, (summary.get("problem_count") or 0) - len(summary.get("problems") or [])),
        "apply_job_id": job.params.get("apply_job"),
        "file_name": job.params.get("name", ""),
    }
    return render(request, "people/import/preview.html", context)


@login_required
@require_GET
def progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress fragment the pages poll with htmx; when the job has finished it asks the browser
    to reload the page, which then shows the result."""
    actor = _importer(request)
    job = access_job(actor, job_id)
    if job.kind not in (IMPORT_CHECK, IMPORT_APPLY):
        raise Http404
    response = render(request, "people/import/includes/progress.html", _progress_context(job))
    if job.status in (Job.Status.DONE, Job.Status.FAILED) and is_htmx(request):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def apply(request: HttpRequest, job_id: int) -> HttpResponse:
    """Write the checked file: "all" (only when every row is valid) or "valid" (the valid rows only).
    A second submission of the same preview leads to the first import, not a second one."""
    actor, check = _job(request, job_id, IMPORT_CHECK)
    mode = request.POST.get("mode", "")
    if mode not in (importing.ALL_ROWS, importing.VALID_ONLY):
        return HttpResponseBadRequest(_("Choose how to import."))
    with transaction.atomic():
        check = Job.objects.select_for_update().get(pk=check.pk)
        if check.params.get("apply_job"):
            return redirect("people:import-result", check.params["apply_job"])
        summary = check.result or {}
        if check.status != Job.Status.DONE or not summary.get("file_ok"):
            return HttpResponseBadRequest(_("This file cannot be imported."))
        counts = summary.get("counts") or {}
        if mode == importing.ALL_ROWS and not summary.get("valid"):
            return HttpResponseBadRequest(
                _("The file has problems: correct them, or import the valid rows only.")
            )
        if mode == importing.VALID_ONLY and not counts.get("valid_rows"):
            return HttpResponseBadRequest(_("No row of this file is valid."))
        params = check.params | {"mode": mode, "check_job": check.pk, "language": translation.get_language()}
        params.pop("apply_job", None)
        job = start_job(actor=actor, kind=IMPORT_APPLY, params=params, rows=counts.get("rows", 0))
        check.params = check.params | {"apply_job": job.pk}
        check.save(update_fields=["params"])
    return redirect("people:import-result", job.pk)


@login_required
@require_GET
def result(request: HttpRequest, job_id: int) -> HttpResponse:
    _, job = _job(request, job_id, IMPORT_APPLY)
    outcome = job.result or {}
    summary = outcome.get("summary") or {}
    context = _progress_context(job) | {
        "outcome": outcome.get("result") or {},
        "summary": summary,
        "problems": summary.get("problems") or [],
        "file_name": job.params.get("name", ""),
        "mode": job.params.get("mode"),
        "check_job_id": job.params.get("check_job"),
    }
    return render(request, "people/import/result.html", context)


# --- Template and export ----------------------------------------------------------------------------------


@login_required
@require_GET
def template_download(request: HttpRequest) -> FileResponse:
    _importer(request)
    buffer = io.BytesIO()
    template_xlsx(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename="thukkhon-import-template.xlsx", content_type=XLSX_TYPE
    )


@login_required
@require_GET
def template_csv_download(request: HttpRequest) -> HttpResponse:
    _importer(request)
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="thukkhon-import-template.csv"'
    return response


@login_required
@require_GET
def export(request: HttpRequest) -> FileResponse:
    """The residents the search page would list for the same GET parameters, as an Excel workbook."""
    actor = request_actor(request)
    if actor is None or not can_read_registry(actor):
        raise Http404
    filters = filters_from_params(request.GET)
    # FileResponse closes the file when the response has been sent.
    buffer = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    export_residents(actor, filters, buffer)  # type: ignore[arg-type]
    buffer.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(
        buffer, as_attachment=True, filename=f"residents-{stamp}.xlsx", content_type=XLSX_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response
