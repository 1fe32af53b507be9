"""File upload for documents: `POST /chat/upload` (multipart), then the client sends the id.

    form fields: sender, document (the document code asked for), lang; file: the file
    201 {"attachment_id", "document", "media_type", "size_bytes"}
    4xx {"error": "upload.type" | ..., "message": "<localized explanation>"}

The file is checked by content (PDF, JPEG, PNG), size-limited and stored
encrypted for that conversation; the client then answers the document question
with `/inform{"value": "<attachment_id>"}`, which the dialogue accepts only for
that conversation and that document.
"""

from __future__ import annotations

import asyncio
import logging
import re

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from bot.nlg.texts import DEFAULT_LANGUAGE, supported_languages, t
from bot.parsing import ParseError
from bot.storage.attachments import AttachmentStore

logger = logging.getLogger(__name__)
SENDER_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
DOCUMENT_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
UPLOAD_PATH = "/chat/upload"


def _refuse(status: int, reason: str, lang: str, **params: str) -> HTTPResponse:
    return json({"error": reason, "message": t(f"errors.{reason}", lang, **params)}, status=status)


def upload_blueprint(files: AttachmentStore) -> Blueprint:
    blueprint = Blueprint("uploads")

    @blueprint.post(UPLOAD_PATH)
    async def upload(request: Request) -> HTTPResponse:
        form = request.form or {}
        lang = form.get("lang") if form.get("lang") in supported_languages() else DEFAULT_LANGUAGE
        sender, document = form.get("sender") or "", form.get("document") or ""
        sent = (request.files or {}).get("file")
        if not SENDER_RE.fullmatch(sender) or not DOCUMENT_RE.fullmatch(document) or sent is None:
            return _refuse(400, "upload.expected", lang)
        try:
            stored = await asyncio.to_thread(files.add, sender, document, sent.body)
        except ParseError as refused:
            status = 413 if refused.reason == "upload.too_large" else 415
            logger.info("upload refused: %s", refused.reason)
            params = {k: str(v) for k, v in refused.params.items()}
            return _refuse(status, refused.reason, lang, **params)
        return json(
            {
                "attachment_id": stored.id,
                "document": stored.kind,
                "media_type": stored.media_type,
                "size_bytes": stored.size_bytes,
            },
            status=201,
        )

    return blueprint
