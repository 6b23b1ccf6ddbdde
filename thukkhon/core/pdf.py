"""PDFs from HTML templates (WeasyPrint), Thai shaped by HarfBuzz with the vendored Sarabun font.

The one way to render a PDF: ``render_pdf(template, context)``. The template puts
``{{ font_faces|safe }}`` in its ``<style>`` and uses ``font-family: 'SarabunLatin', 'SarabunThai'``.
The Latin and Thai subsets get their own family names, Latin first: under one family name
WeasyPrint would take digits and punctuation from the Thai subset, which lacks them.

Nothing is downloaded while rendering: the URL fetcher reads only ``data:`` URLs and files under
the static directory, and refuses everything else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string

STATIC_DIR = Path(settings.BASE_DIR) / "thukkhon" / "static"
FONT_DIR = STATIC_DIR / "vendor" / "sarabun-5.3.0" / "files"
FONT_FAMILY = "'SarabunLatin', 'SarabunThai', sans-serif"


def local_fetcher() -> Any:
    """A WeasyPrint URL fetcher confined to the static directory and ``data:`` URLs."""
    from weasyprint.urls import URLFetcher

    root = STATIC_DIR.resolve()

    class LocalStaticFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if not path.is_relative_to(root):
                    raise ValueError(f"refusing to read {path}: outside the static directory")
            elif parsed.scheme != "data":
                raise ValueError(f"refusing to fetch {url!r}: only local static files are allowed")
            return super().fetch(url, headers)

    return LocalStaticFetcher(allowed_protocols={"file", "data"}, fail_on_errors=False)


def font_faces() -> str:
    """@font-face rules for the vendored Sarabun files (weights 400, 600, 700)."""
    rules = []
    for weight in (400, 600, 700):
        for subset in ("latin", "thai"):
            url = (FONT_DIR / f"sarabun-{subset}-{weight}-normal.woff2").as_uri()
            rules.append(
                f"@font-face{{font-family:'Sarabun{subset.title()}';font-style:normal;"
                f"font-weight:{weight};src:url('{url}') format('woff2');}}"
            )
    return "\n".join(rules)


def pdf_document(template: str, context: dict[str, Any]) -> Any:
    """The template rendered as a WeasyPrint document, ready to write."""
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font_faces": font_faces()})
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=local_fetcher())


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    pdf: bytes = pdf_document(template, context).write_pdf()
    return pdf
