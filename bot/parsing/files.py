"""What an uploaded file really is, judged by its content, not its name, and how much fits.

An executable renamed "bescheid.pdf" must not reach a caseworker's PC; only
PDF, JPEG and PNG pass. PDFs are opened with a PDF library and refused if they
carry anything active (pdfs.py); images are decoded and re-encoded without
metadata (images.py). A conversation may hold only so many files, so one
browser cannot fill the disk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .choices import parse_choice
from .errors import ParseError
from .images import JPEG, PNG, clean_image, looks_like_image
from .pdfs import check_pdf, is_pdf

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 10 * MB
MAX_FILES_PER_CONVERSATION = 30
MAX_BYTES_PER_CONVERSATION = 60 * MB
PDF = "application/pdf"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}


@dataclass(frozen=True)
class CheckedFile:
    """What may be stored: the media type and the bytes (re-encoded for images)."""

    media_type: str
    data: bytes


def _check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise ParseError("upload.empty")
    if len(data) > max_bytes:
        raise ParseError("upload.too_large", max=f"{max_bytes // MB} MB")


def checked_upload(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedFile:
    """The file as it may be stored; ParseError(upload.*) if it is not acceptable."""
    _check_size(data, max_bytes)
    if is_pdf(data):
        check_pdf(data)
        return CheckedFile(PDF, data)
    if looks_like_image(data):
        return CheckedFile(*clean_image(data))
    raise ParseError("upload.type")


def media_type_of(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The media type of an acceptable upload; ParseError(upload.*) otherwise."""
    return checked_upload(data, max_bytes).media_type


def check_quota(files_held: int, bytes_held: int, size: int) -> None:
    """ParseError(upload.quota) if one more file of `size` bytes would exceed the allowance."""
    if files_held + 1 > MAX_FILES_PER_CONVERSATION or (
        bytes_held + size > MAX_BYTES_PER_CONVERSATION
    ):
        raise ParseError(
            "upload.quota",
            files=str(MAX_FILES_PER_CONVERSATION),
            size=f"{MAX_BYTES_PER_CONVERSATION // MB} MB",
        )


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
