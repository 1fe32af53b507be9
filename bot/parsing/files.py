"""What an uploaded file really is, judged by its content, not its name.

An executable renamed "bescheid.pdf" must not reach a caseworker's PC; only
PDF, JPEG and PNG pass, and images must decode.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from PIL import Image, UnidentifiedImageError

from .choices import parse_choice
from .errors import ParseError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
_PDF_TAIL = 2048  # "%%EOF" must be near the end of a complete PDF


def _is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-_PDF_TAIL:]


def _image_type(data: bytes) -> str | None:
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return {"JPEG": JPEG, "PNG": PNG}.get(kind or "")


def media_type_of(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The media type of an acceptable upload; ParseError(upload.*) otherwise."""
    if not data:
        raise ParseError("upload.empty")
    if len(data) > max_bytes:
        raise ParseError("upload.too_large", max=f"{max_bytes // (1024 * 1024)} MB")
    if _is_pdf(data):
        return PDF
    found = _image_type(data)
    if found is None:
        raise ParseError("upload.type")
    return found


def parse_document_answer(text: str, lang: str, options: Mapping[str, Any]) -> dict[str, str]:
    """The answer to "upload document X": an upload of this conversation, "later" or "none".

    options: document (the code asked for), attachments ({id: document code} of
    this conversation's uploads), choices ([(code, words)] for later/not_available).
    """
    attachments: Mapping[str, str] = options.get("attachments") or {}
    value = (text or "").strip()
    if value in attachments:
        if attachments[value] != options.get("document"):
            raise ParseError("upload.wrong_document")
        return {"status": "attached", "attachment_id": value}
    try:
        return {"status": parse_choice(value, options.get("choices") or [])}
    except ParseError:
        raise ParseError("upload.expected") from None
