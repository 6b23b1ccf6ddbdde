"""PDFs from HTML templates with WeasyPrint, Thai shaped by HarfBuzz with the vendored Sarabun font.

Nothing is downloaded while rendering: the URL fetcher reads only files under the static directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string

STATIC_DIR = Path(settings.BASE_DIR) / "thukkhon" / "static"
FONT_DIR = STATIC_DIR / "vendor" / "sarabun-5.3.0" / "files"


def local_only_fetcher(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    """Serve file:// URLs inside the static directory; refuse everything else."""
    from weasyprint.urls import default_url_fetcher

    parsed = urlparse(url)
    if parsed.scheme == "data":
        return default_url_fetcher(url)
    if parsed.scheme != "file":
        raise ValueError(f"refusing to fetch {url!r}: only local static files are allowed")
    path = Path(unquote(parsed.path)).resolve()
    if not path.is_relative_to(STATIC_DIR.resolve()):
        raise ValueError(f"refusing to read {path}: outside the static directory")
    return {"file_obj": path.open("rb"), "filename": path.name}


def font_faces() -> str:
    """The vendored Sarabun @font-face rules (Thai and Latin subsets) pointing at local files."""
    css = (FONT_DIR.parent / "sarabun.css").read_text(encoding="utf-8")
    return css.replace("url(files/", "url(" + FONT_DIR.as_uri() + "/")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font_faces": font_faces()})
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=local_only_fetcher).write_pdf()
