"""The inbox API of `contracts/backoffice.md`, as a sanic 21.12 blueprint.

Caseworker tools read submissions and set their status here. Every call needs
the bearer token; without it the answer is 401 and nothing else. Bad input is
a 400 with a JSON error, never a 500.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.backoffice.inbox import (
    ACCEPTED,
    REJECTED,
    STATUSES,
    Inbox,
    InboxEntry,
    UnknownReference,
)
from bot.backoffice.pdf import render_pdf
from bot.submission.reference import REFERENCE_PATTERN

TOKEN_ENV = "ANTRAGSLOTSE_BACKOFFICE_TOKEN"
MAX_NOTE_CHARS = 2000
_APPLICATION = re.compile(r"^[a-z_]{1,64}$")
_NO_STORE = {"Cache-Control": "no-store"}
_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))

Handler = Callable[..., Awaitable[HTTPResponse]]


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HTTPResponse:
    # stdlib json, not ujson: the payload must come back exactly as delivered
    return response.json(
        body, status=status, headers={**_NO_STORE, **(headers or {})}, dumps=_dumps
    )


def _error(status: int, message: str) -> HTTPResponse:
    return _json({"error": message}, status=status)


def _not_found() -> HTTPResponse:
    return _error(404, "not found")


def bearer_ok(header: str | None, expected: str | None) -> bool:
    """Constant-time check of `Authorization: Bearer <token>`; no token configured = no access."""
    if not expected or not header:
        return False
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))


def _summary(entry: InboxEntry) -> dict[str, Any]:
    return {
        "reference": entry.reference,
        "application": entry.application,
        "status": entry.status,
        "received_at": entry.received_at.isoformat(timespec="seconds"),
    }


class BadRequest(ValueError):
    """Input the API refuses; the message is safe to send back (it quotes no values)."""


def parse_status_body(body: bytes) -> tuple[str, str | None]:
    """`{"status": "accepted"|"rejected", "note": "..."}`; raises BadRequest with a safe message."""
    try:
        data = json.loads(body or b"")
    except ValueError:
        raise BadRequest("body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    unknown = set(data) - {"status", "note"}
    if unknown:
        raise BadRequest("unknown field(s): " + ", ".join(sorted(str(k)[:40] for k in unknown)[:5]))
    status, note = data.get("status"), data.get("note")
    if status not in (ACCEPTED, REJECTED):
        raise BadRequest("status must be 'accepted' or 'rejected'")
    if note is not None and not isinstance(note, str):
        raise BadRequest("note must be a string")
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise BadRequest(f"note must have at most {MAX_NOTE_CHARS} characters")
    return status, note or None


def inbox_blueprint(
    inbox: Inbox,
    token_getter: Callable[[], str | None],
    name: str = "backoffice_inbox_api",
) -> Blueprint:
    """Routes under `/backoffice/api`; `token_getter` is asked on every call (rotation works)."""
    bp = Blueprint(name, url_prefix="/backoffice/api")

    def authorized(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            if not bearer_ok(request.headers.get("authorization"), token_getter()):
                return _json(
                    {"error": "unauthorized"},
                    status=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            return await handler(request, *args, **kwargs)

        return guarded

    @bp.get("/submissions")
    @authorized
    async def list_submissions(request: Request) -> HTTPResponse:
        status = request.args.get("status") or None
        application = request.args.get("application") or None
        if status is not None and status not in STATUSES:
            return _error(400, "status must be one of " + ", ".join(STATUSES))
        if application is not None and not _APPLICATION.match(application):
            return _error(400, "application must be an application id")
        entries = await asyncio.to_thread(inbox.list, status, application)
        return _json({"items": [_summary(e) for e in entries]})

    @bp.get("/submissions/<reference>")
    @authorized
    async def get_submission(request: Request, reference: str) -> HTTPResponse:
        if not REFERENCE_PATTERN.match(reference):
            return _not_found()
        submission = await asyncio.to_thread(inbox.get, reference)
        if submission is None:
            return _not_found()
        files = await asyncio.to_thread(inbox.attachments, reference)
        return _json(
            {
                **_summary(submission),
                "payload": submission.payload,
                "attachments": [
                    {
                        "id": f.id,
                        "kind": f.kind,
                        "filename": f.filename,
                        "media_type": f.media_type,
                        "size_bytes": f.size_bytes,
                        "sha256": f.sha256,
                    }
                    for f in files
                ],
            }
        )

    @bp.get("/submissions/<reference>/attachments/<attachment_id>")
    @authorized
    async def get_attachment(request: Request, reference: str, attachment_id: str) -> HTTPResponse:
        if not REFERENCE_PATTERN.match(reference):
            return _not_found()
        files = await asyncio.to_thread(inbox.attachments, reference)
        found = next((f for f in files if f.id == attachment_id), None)
        if found is None:
            return _not_found()
        return response.raw(
            found.data,
            content_type=found.media_type,
            headers={
                **_NO_STORE,
                "Content-Disposition": f'attachment; filename="{reference}-{found.filename}"',
            },
        )

    @bp.get("/submissions/<reference>/pdf")
    @authorized
    async def get_pdf(request: Request, reference: str) -> HTTPResponse:
        if not REFERENCE_PATTERN.match(reference):
            return _not_found()
        submission = await asyncio.to_thread(inbox.get, reference)
        if submission is None:
            return _not_found()
        pdf = await asyncio.to_thread(
            functools.partial(
                render_pdf,
                reference=submission.reference,
                application=submission.application,
                status=submission.status,
                received_at=submission.received_at,
                payload=submission.payload,
            )
        )
        return response.raw(
            pdf,
            content_type="application/pdf",
            headers={
                **_NO_STORE,
                "Content-Disposition": f'inline; filename="{reference}.pdf"',
            },
        )

    @bp.post("/submissions/<reference>/status")
    @authorized
    async def set_status(request: Request, reference: str) -> HTTPResponse:
        try:
            status, note = parse_status_body(request.body)
        except BadRequest as exc:
            return _error(400, str(exc))
        if not REFERENCE_PATTERN.match(reference):
            return _not_found()
        try:
            submission = await asyncio.to_thread(inbox.set_status, reference, status, note)
        except UnknownReference:
            return _not_found()
        return _json(
            {
                **_summary(submission),
                "status_changed_at": submission.status_changed_at.isoformat(timespec="seconds")
                if submission.status_changed_at
                else None,
            }
        )

    return bp
