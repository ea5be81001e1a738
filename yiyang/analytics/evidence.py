"""Evidence files of departments' entered values (佐证文件): PDF, images and .xlsx workbooks.

The type is sniffed from the content, never the client's name or Content-Type. Images go through the
platform's photo check (``yiyang.renovation.photos.process_photo``: JPEG, PNG or WebP that Pillow can
decode, ``YIYANG_PHOTO_MAX_BYTES``); a PDF must start with ``%PDF-`` and end with ``%%EOF``; an .xlsx must
be a zip holding a workbook (``xl/workbook.xml`` and ``[Content_Types].xml``), with no macros, at most
``MAX_ZIP_ENTRIES`` members and ``MAX_UNZIPPED`` bytes unpacked (no zip bombs). Other files are refused
with a message naming the file. Stored under a random name through the storage API (like the photos)."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from yiyang.core.errors import DomainError
from yiyang.renovation.photos import IMAGE_TYPES, process_photo, sniff_image

CONTENT_TYPES: dict[str, str] = {
    **IMAGE_TYPES,
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_FILES = 10
MAX_ZIP_ENTRIES = 2000
MAX_UNZIPPED = 200 * 1024 * 1024
FIELD = "files"


def max_evidence_bytes() -> int:
    return int(getattr(settings, "YIYANG_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))


@dataclass
class Checked:
    kind: str
    name: str
    content: bytes
    sha256: str


def _clean(raw: Any) -> str:
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[\x00-\x1f\x7f<>\"'&;`]", "", name).strip(" .")[:100]


def display_name(raw: Any, kind: str) -> str:
    """The client's file name kept for display only: the last path part, control and markup characters
    dropped, shortened, with the sniffed type's extension."""
    name = _clean(raw)
    stem = (name.rsplit(".", 1)[0] if "." in name else name).strip(" .") or "佐证文件"
    return f"{stem}.{kind}"


def _fail(label: str, message: str) -> DomainError:
    text = f"{label}：{message}"
    return DomainError(text, code="validation_error", errors={FIELD: [text]})


def _is_pdf(content: bytes) -> bool:
    return content.startswith(b"%PDF-") and b"%%EOF" in content[-2048:]


def _check_xlsx(content: bytes, label: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            infos = book.infolist()
            if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNZIPPED:
                raise _fail(label, "Excel 文件内容过大")
            names = {i.filename for i in infos}
    except zipfile.BadZipFile as exc:
        raise _fail(label, "Excel 文件无法识别或已损坏") from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _fail(label, "只能上传 .xlsx 格式的 Excel 工作簿")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _fail(label, "不能上传含宏的 Excel 文件")


def check_file(upload: Any, position: int) -> Checked:
    """One uploaded file checked by its content; ``DomainError`` on field ``files`` naming the file."""
    raw_name = str(getattr(upload, "name", "") or "")
    label = f"第 {position} 个文件（{_clean(raw_name) or '未命名'}）"
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise _fail(label, "文件为空")
    limit = max_evidence_bytes()
    if size > limit:
        raise _fail(label, f"文件不能超过 {limit // (1024 * 1024)} MB")
    upload.seek(0)
    content = upload.read()
    head = content[:16]
    if sniff_image(head) is not None:
        try:
            kind = process_photo(upload).ext
        except DomainError as exc:
            raise _fail(label, exc.message) from exc
    elif _is_pdf(content):
        kind = "pdf"
    elif head.startswith(b"PK\x03\x04"):
        _check_xlsx(content, label)
        kind = "xlsx"
    else:
        raise _fail(label, "只能上传 PDF、图片（JPEG、PNG、WebP）或 Excel（.xlsx）文件")
    return Checked(kind, display_name(raw_name, kind), content, hashlib.sha256(content).hexdigest())


def check_files(uploads: list[Any]) -> list[Checked]:
    uploads = [u for u in uploads or [] if u is not None]
    if len(uploads) > MAX_FILES:
        message = f"每次最多上传 {MAX_FILES} 个佐证文件"
        raise DomainError(message, code="validation_error", errors={FIELD: [message]})
    return [check_file(u, i) for i, u in enumerate(uploads, 1)]
