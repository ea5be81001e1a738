"""Service photos: stored under a server-chosen name with the type sniffed from the content (JPEG, PNG or
WebP only — never the client's extension or Content-Type), kept outside any public URL, and served by
``orders.views.photos.photo_view`` to those who may see the order (its region scope, or the caregiver's and family's own)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

# extension → (content type, magic test on the first bytes)
IMAGE_TYPES: dict[str, str] = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def sniff_image(head: bytes) -> str | None:
    """The extension for an image's first bytes, or None if it is not JPEG, PNG or WebP."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def max_photo_bytes() -> int:
    return int(getattr(settings, "YIYANG_PHOTO_MAX_BYTES", 8 * 1024 * 1024))


def check_photo(upload: Any) -> str:
    """Validate an uploaded photo by its content; returns the extension to store it under."""
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationError("请选择照片", code="required")
    if size > max_photo_bytes():
        raise ValidationError(f"照片不能超过 {max_photo_bytes() // (1024 * 1024)} MB", code="too_large")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    ext = sniff_image(head)
    if ext is None:
        raise ValidationError("只能上传 JPEG、PNG 或 WebP 格式的照片", code="invalid_type")
    return ext


def photo_url(photo: Any) -> str:
    """The URL that serves ``photo`` through the scope check (the file name is random and unguessable)."""
    return photo_url_for(photo.order.public_id, str(photo.image.name))


def photo_url_for(order_public_id: Any, stored_name: str) -> str:
    """The URL of the photo stored as ``stored_name`` (the FileField's name) of the order."""
    return reverse(
        "orders:photo", kwargs={"order_id": order_public_id, "name": stored_name.rsplit("/", 1)[-1]}
    )
