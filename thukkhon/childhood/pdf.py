"""Documentation panels and portfolios as PDF (WeasyPrint, Thai shaped with the vendored Sarabun).

Nothing is downloaded: the URL fetcher serves only files under the static directory and ``data:``
URLs; photos are embedded as data URLs after the consent rules have been applied (a photo with a
child lacking PHOTO_PANEL consent is blurred, their name and words anonymised).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from thukkhon.childhood.consent import consented
from thukkhon.childhood.media import blurred_jpeg
from thukkhon.childhood.models import Media, MediaKind, Observation, Project
from thukkhon.core.models import ConsentPurpose

STATIC_DIR = Path(settings.BASE_DIR) / "thukkhon" / "static"
FONT_DIR = STATIC_DIR / "vendor" / "sarabun-5.3.0" / "files"
PAGE_SIZES = {"A4": "A4 portrait", "A3": "A3 portrait"}


def local_fetcher() -> Any:
    """A WeasyPrint URL fetcher that reads only ``data:`` URLs and files under the static
    directory (the vendored fonts); anything else fails, so nothing is downloaded."""
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if not path.is_relative_to(STATIC_DIR.resolve()):
                    raise ValueError(f"refusing to read {path}")
            elif parsed.scheme != "data":
                raise ValueError(f"refusing to fetch {url!r}: only local files")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols=("file", "data"))


def font_faces() -> str:
    css = (FONT_DIR.parent / "sarabun.css").read_text(encoding="utf-8")
    return css.replace("url(files/", "url(" + FONT_DIR.as_uri() + "/")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font_faces": font_faces()})
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=local_fetcher()).write_pdf()  # type: ignore[no-any-return]


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
