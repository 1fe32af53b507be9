"""The inbox API of `contracts/backoffice.md`, as a sanic 21.12 blueprint.

Caseworker tools read submissions and set their status here. Every call goes
through the `Gate` (machine token or caseworker session; without either: 401
and nothing else) and leaves an audit entry naming the actor. Bad input is a
400 with a JSON error, never a 500.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.backoffice.audit import AuditAction, AuditLog
from bot.backoffice.auth import TOKEN_ENV, Gate, bearer_ok
from bot.backoffice.inbox import (
    ACCEPTED,
    REJECTED,
    STATUSES,
    Inbox,
    InboxEntry,
    UnknownReference,
)
from bot.backoffice.pdf import render_pdf
from bot.contracts import REFERENCE_PATTERN
from bot.storage.database import utcnow

__all__ = ["TOKEN_ENV", "bearer_ok", "inbox_blueprint"]

MAX_NOTE_CHARS = 2000
_APPLICATION = re.compile(r"^[a-z_]{1,64}$")
_NO_STORE = {"Cache-Control": "no-store"}
_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HTTPResponse:
    # stdlib json, not ujson: the payload must come back exactly as delivered
    return response.json(
        body, status=status, headers={**_NO_STORE, **(headers or {})}, dumps=_dumps
    )


def _error(status: int, message: str) -> HTTPResponse:
    return _json({"error": message}, status=status)


def _not_found() -> HTTPResponse:
    return _error(404, "not found")


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
    gate: Gate,
    audit: AuditLog,
    name: str = "backoffice_inbox_api",
) -> Blueprint:
    """Routes under `/backoffice/api/submissions`; each one guarded and audited."""
    bp = Blueprint(name, url_prefix="/backoffice/api")
    authorized = gate.guard

    async def record(
        request: Request,
        action: AuditAction,
        reference: str | None = None,
        file_id: str | None = None,
    ) -> None:
        await asyncio.to_thread(audit.record, request.ctx.actor, action, reference, file_id)

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
        await record(request, AuditAction.LIST)
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
        await record(request, AuditAction.READ, reference)
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
        await record(request, AuditAction.READ_FILE, reference, found.id)
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
        await record(request, AuditAction.READ_PDF, reference)
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
        await record(request, AuditAction.SET_STATUS, reference)
        return _json(
            {
                **_summary(submission),
                "status_changed_at": submission.status_changed_at.isoformat(timespec="seconds")
                if submission.status_changed_at
                else None,
            }
        )

    @bp.delete("/submissions/<reference>")
    @authorized
    async def erase_submission(request: Request, reference: str) -> HTTPResponse:
        """Art. 17 GDPR: the submission and its files go; the audit entry stays."""
        if not REFERENCE_PATTERN.match(reference):
            return _not_found()
        now = utcnow()
        entry = functools.partial(
            audit.record, request.ctx.actor, AuditAction.ERASE, reference, now=now
        )
        erased = await asyncio.to_thread(inbox.erase, reference, lambda conn: entry(conn=conn))
        if not erased:
            return _not_found()
        return _json({"reference": reference, "erased_at": now.isoformat(timespec="seconds")})

    return bp
