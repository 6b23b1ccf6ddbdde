"""Uploads: what a file really is (by its content, not its name), size limits, and resizing.

A photo is stored as sent and resized later by the ``childhood.resize_media`` job into a web copy
(longest side 1600 px) and a thumbnail (400 px), so a 5 MB phone photo is accepted at once.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageFilter, ImageOps

from thukkhon.childhood.models import MediaKind

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
WEB_SIZE = 1600
THUMB_SIZE = 400
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    kind: str
    content_type: str
    width: int | None = None
    height: int | None = None


def _sniff_other(head: bytes) -> tuple[str, str] | None:
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return MediaKind.AUDIO, "audio/mp4"
        if brand == b"qt  ":
            return MediaKind.VIDEO, "video/quicktime"
        return MediaKind.VIDEO, "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return MediaKind.VIDEO, "video/webm"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MediaKind.AUDIO, "audio/mpeg"
    if head.startswith(b"OggS"):
        return MediaKind.AUDIO, "audio/ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return MediaKind.AUDIO, "audio/wav"
    if head.startswith(b"#!AMR"):
        return MediaKind.AUDIO, "audio/amr"
    if head.startswith(b"%PDF-"):
        return MediaKind.FILE, "application/pdf"
    return None


def check_upload(upload: UploadedFile) -> tuple[CheckedUpload | None, str | None]:
    """What the file is, or a message in the user's language saying why it is refused."""
    name = upload.name or _("file")
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        return None, _("“%(name)s” is %(size).1f MB; files may be at most 20 MB.") % {
            "name": name,
            "size": upload.size / 1024 / 1024,
        }
    if not upload.size:
        return None, _("“%(name)s” is empty.") % {"name": name}
    upload.seek(0)
    head = upload.read(32)
    upload.seek(0)
    other = _sniff_other(head)
    if other is not None:
        return CheckedUpload(upload, other[0], other[1]), None
    try:
        with Image.open(upload) as img:
            fmt = img.format or ""
            size = img.size
            img.verify()
    except Image.DecompressionBombError:
        return None, _("“%(name)s” is too large a picture to open.") % {"name": name}
    except Exception:
        return None, _(
            "“%(name)s” is not a photo, video, sound recording or PDF that can be opened. "
            "Choose a JPEG, PNG or WebP photo, an MP4 or WebM video, an MP3, M4A, OGG or WAV "
            "recording, or a PDF."
        ) % {"name": name}
    finally:
        upload.seek(0)
    if fmt not in IMAGE_FORMATS:
        return None, _("“%(name)s” is a picture in a format that cannot be shown (%(format)s).") % {
            "name": name,
            "format": fmt,
        }
    return CheckedUpload(upload, MediaKind.PHOTO, IMAGE_FORMATS[fmt], size[0], size[1]), None


def stored_name(original: str, suffix: str = "") -> str:
    ext = original.rsplit(".", 1)[-1].lower() if "." in original else "bin"
    ext = "".join(ch for ch in ext if ch.isalnum())[:5] or "bin"
    return f"{uuid.uuid4().hex}{suffix}.{ext}"


def _jpeg(img: Image.Image, longest: int) -> ContentFile[bytes]:
    copy = img.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    copy.save(buf, "JPEG", quality=82, optimize=True, progressive=True)
    return ContentFile(buf.getvalue())


def resized_versions(data: bytes) -> tuple[ContentFile[bytes], ContentFile[bytes], tuple[int, int]]:
    """The web copy and thumbnail of an image (EXIF orientation applied, metadata dropped)."""
    with Image.open(io.BytesIO(data)) as opened:
        img = ImageOps.exif_transpose(opened).convert("RGB")
        return _jpeg(img, WEB_SIZE), _jpeg(img, THUMB_SIZE), img.size


def blurred_jpeg(data: bytes, longest: int = 1200, radius: int = 24) -> bytes:
    """A photo blurred beyond recognition (for children without panel consent)."""
    with Image.open(io.BytesIO(data)) as opened:
        img = ImageOps.exif_transpose(opened).convert("RGB")
        img.thumbnail((longest, longest))
        if radius:
            img = img.filter(ImageFilter.GaussianBlur(radius=max(radius, img.width // 25)))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=70)
        return buf.getvalue()
