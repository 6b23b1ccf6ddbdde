"""Documentation panels and portfolios as PDF (WeasyPrint, Thai shaped with the vendored Sarabun).

Nothing is downloaded: the URL fetcher serves only files under the static directory and ``data:``
URLs; photos are embedded as data URLs after the consent rules have been applied (a photo with a
child lacking PHOTO_PANEL consent is blurred, their name and words anonymised).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import segno
from django.utils.translation import gettext as _

from thukkhon.childhood.consent import consented
from thukkhon.childhood.media import blurred_jpeg
from thukkhon.childhood.models import Media, MediaKind, Observation, Project
from thukkhon.core.models import ConsentPurpose
from thukkhon.core.pdf import render_pdf

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


def panel_items(observations: list[Observation], max_photos: int = 2) -> tuple[list[PanelItem], int]:
    """The panel's observations with consent applied: returns the items and how many photos were
    blurred."""
    child_ids = {oc.child_id for o in observations for oc in o.children.all()}
    ok = consented(child_ids, ConsentPurpose.PHOTO_PANEL)
    items, blurred = [], 0
    for obs in observations:
        kids = list(obs.children.all())
        all_ok = all(oc.child_id in ok for oc in kids)
        names = [
            oc.child.nickname or oc.child.first_name if oc.child_id in ok else _("a child") for oc in kids
        ]
        quotes = [
            (oc.child.nickname or oc.child.first_name if oc.child_id in ok else _("a child"), oc.quote)
            for oc in kids
            if oc.quote
        ]
        photos = []
        for media in [m for m in obs.media.all() if m.kind == MediaKind.PHOTO][:max_photos]:
            data = _image_bytes(media)
            if all_ok:
                photos.append(
                    PanelPhoto(_data_url(data if media.web else blurred_jpeg(data, radius=0)), False)
                )
            else:
                photos.append(PanelPhoto(_data_url(blurred_jpeg(data)), True))
                blurred += 1
        items.append(PanelItem(obs, names, quotes, photos))
    return items, blurred


def project_panel_pdf(project: Project, *, size: str, media_url: str) -> tuple[bytes, int]:
    observations = list(
        project.observations.order_by("observed_on", "id").prefetch_related("children__child", "media")
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
