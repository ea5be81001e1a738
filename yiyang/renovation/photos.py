"""Renovation photos: the type sniffed from the content (JPEG, PNG or WebP — never the client's name or
Content-Type, as for service photos in ``yiyang.orders.photos``), stored through Django's storage API
(local disk by default, any S3-compatible store by configuration) under a random name, a thumbnail made
with Pillow, and the EXIF time and GPS position kept. Served by ``renovation.views.photo_view`` to those
who may see the application."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from yiyang.core.errors import DomainError

IMAGE_TYPES: dict[str, str] = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
THUMBNAIL_SIZE = (320, 320)
MAX_PIXELS = 40_000_000

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 36867
_DATETIME = 306


def sniff_image(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def max_photo_bytes() -> int:
    return int(getattr(settings, "YIYANG_PHOTO_MAX_BYTES", 8 * 1024 * 1024))


@dataclass
class Processed:
    ext: str
    content: bytes
    thumbnail: bytes
    taken_at: datetime | None
    lat: float | None
    lng: float | None


def _rational(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        num, den = value
        return float(num) / float(den)


def _gps(gps: Any) -> tuple[float | None, float | None]:
    try:
        lat_dms, lat_ref, lng_dms, lng_ref = gps[2], gps.get(1, "N"), gps[4], gps.get(3, "E")
        lat = sum(_rational(x) / f for x, f in zip(lat_dms, (1, 60, 3600), strict=True))
        lng = sum(_rational(x) / f for x, f in zip(lng_dms, (1, 60, 3600), strict=True))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if str(lat_ref).upper().startswith("S"):
        lat = -lat
    if str(lng_ref).upper().startswith("W"):
        lng = -lng
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None, None
    return round(lat, 6), round(lng, 6)


def _taken_at(exif: Any) -> datetime | None:
    raw = None
    try:
        raw = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    except (KeyError, AttributeError, ValueError):
        raw = exif.get(_DATETIME) if exif else None
    if not raw:
        return None
    try:
        naive = datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return timezone.make_aware(naive)


def process_photo(upload: Any) -> Processed:
    """Check an upload by its content and make its thumbnail; ``DomainError`` (400) when it is not a photo."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if upload is None:
        raise DomainError("请选择照片", errors={"image": ["请选择照片"]})
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise DomainError("请选择照片", errors={"image": ["请选择照片"]})
    if size > max_photo_bytes():
        limit = max_photo_bytes() // (1024 * 1024)
        raise DomainError(f"照片不能超过 {limit} MB", errors={"image": [f"照片不能超过 {limit} MB"]})
    upload.seek(0)
    content = upload.read()
    ext = sniff_image(content[:16])
    if ext is None:
        message = "只能上传 JPEG、PNG 或 WebP 格式的照片"
        raise DomainError(message, errors={"image": [message]})
    try:
        with Image.open(io.BytesIO(content)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise DomainError("照片像素过大", errors={"image": ["照片像素过大"]})
            exif = img.getexif()
            taken_at = _taken_at(exif)
            lat, lng = (None, None)
            try:
                gps = exif.get_ifd(_GPS_IFD)
                if gps:
                    lat, lng = _gps(gps)
            except (KeyError, AttributeError, ValueError):
                pass
            thumb = ImageOps.exif_transpose(img)
            thumb = thumb.convert("RGB")
            thumb.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            thumb.save(out, format="JPEG", quality=80)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        message = "照片无法识别或已损坏"
        raise DomainError(message, errors={"image": [message]}) from exc
    return Processed(ext, content, out.getvalue(), taken_at, lat, lng)


def store(photo: Any, processed: Processed) -> None:
    """Save the image and its thumbnail through the storage API under random names."""
    import uuid

    stem = uuid.uuid4().hex
    photo.image.save(f"{stem}.{processed.ext}", ContentFile(processed.content), save=False)
    photo.thumbnail.save(f"{stem}_t.jpg", ContentFile(processed.thumbnail), save=False)
