"""Background jobs of the early childhood app (idempotent; they report progress)."""

from __future__ import annotations

from typing import Any

from thukkhon.childhood.media import resized_versions, stored_name
from thukkhon.childhood.models import Media, MediaKind, MediaState
from thukkhon.core.daily import daily_job, job_day
from thukkhon.core.jobs import job_kind, job_progress
from thukkhon.core.models import Job


@job_kind("childhood.resize_media")
def resize_media(job: Job) -> dict[str, Any]:
    """Make the web copy and thumbnail of each photo. A photo already done is skipped."""
    ids = list(job.params.get("media_ids", []))
    done = failed = 0
    for n, media in enumerate(Media.objects.filter(pk__in=ids, kind=MediaKind.PHOTO), start=1):
        if media.state == MediaState.READY and media.web:
            continue
        try:
            with media.original.open("rb") as fh:
                web, thumb, size = resized_versions(fh.read())
            media.web.save(stored_name("x.jpg", "-web"), web, save=False)
            media.thumb.save(stored_name("x.jpg", "-thumb"), thumb, save=False)
            media.width, media.height = size
            media.state = MediaState.READY
            done += 1
        except Exception:
            media.state = MediaState.FAILED
            failed += 1
        media.save(update_fields=["web", "thumb", "width", "height", "state"])
        job_progress(job, n, len(ids))
    return {"resized": done, "failed": failed}


@daily_job("childhood.dspm_reminders")
def dspm_reminders_job(job: Job) -> dict[str, Any]:
    """The DSPM reminders of a day (``params["day"]``, default today); each is written once."""
    from thukkhon.childhood.services import dspm_reminders

    return dspm_reminders(municipality=job.municipality, today=job_day(job))
