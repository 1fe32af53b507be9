"""File upload for documents: `POST /chat/upload` (multipart), then the client sends the id.

    form fields: sender, token (the page's conversation token), document (the document
    code asked for), lang; file: the file. A trusted REST client sends
    `Authorization: Bearer <ANTRAGSLOTSE_REST_TOKEN>` instead of the token.
    201 {"attachment_id", "document", "media_type", "size_bytes"}
    4xx {"error": "upload.type" | ..., "message": "<localized explanation>"}

    403 upload.forbidden  neither the conversation's token nor the REST channel's
    413 upload.too_large  the file, or the whole request, is over the size limit;
                          the request is refused before its body is read
    413 upload.quota      the conversation already holds its maximum of files or bytes
    415 upload.type       not a readable PDF, JPEG or PNG (also encrypted or broken PDFs)
    415 upload.pixels     an image with more pixels than we decode
    415 upload.pdf_active a PDF with JavaScript, launch actions, embedded files,
                          or one that is also another kind of file (polyglot)

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

from bot.channels import SENDER_RE
from bot.channels.conversation_ids import may_speak_for
from bot.nlg.texts import language_or_default, t
from bot.parsing import ParseError
from bot.parsing.files import MAX_UPLOAD_BYTES, MB
from bot.storage.attachments import AttachmentStore

logger = logging.getLogger(__name__)
DOCUMENT_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
UPLOAD_PATH = "/chat/upload"
ENVELOPE_BYTES = 64 * 1024  # multipart boundaries and form fields around the file
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + ENVELOPE_BYTES  # the service's REQUEST_MAX_SIZE
TOO_BIG = {"upload.too_large", "upload.quota"}  # 413; every other refused file is 415


def _refuse(status: int, reason: str, lang: str, **params: str) -> HTTPResponse:
    return json({"error": reason, "message": t(f"errors.{reason}", lang, **params)}, status=status)


def refuse_oversized_request(request: Request, _error: Exception) -> HTTPResponse:
    """Sanic's PayloadTooLarge, raised before the body is read, as an upload refusal.

    The form (and its lang field) is unread by then; the page names its
    language in the `lang` query parameter.
    """
    try:
        asked = request.args.get("lang")
    except Exception:  # noqa: BLE001 - the request line itself may be what was too large
        asked = None
    lang = language_or_default(asked)
    return _refuse(413, "upload.too_large", lang, max=f"{MAX_UPLOAD_BYTES // MB} MB")


def upload_blueprint(files: AttachmentStore) -> Blueprint:
    blueprint = Blueprint("uploads")

    @blueprint.post(UPLOAD_PATH)
    async def upload(request: Request) -> HTTPResponse:
        form = request.form or {}
        lang = language_or_default(form.get("lang"))
        sender, document = form.get("sender") or "", form.get("document") or ""
        sent = (request.files or {}).get("file")
        if not SENDER_RE.fullmatch(sender) or not DOCUMENT_RE.fullmatch(document) or sent is None:
            return _refuse(400, "upload.expected", lang)
        if not may_speak_for(sender, form.get("token"), request.headers.get("Authorization")):
            message = t("channel.upload_forbidden", lang)
            return json({"error": "upload.forbidden", "message": message}, status=403)
        try:
            stored = await asyncio.to_thread(files.add, sender, document, sent.body)
        except ParseError as refused:
            status = 413 if refused.reason in TOO_BIG else 415
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
