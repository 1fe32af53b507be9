"""Login, logout and the audit log: the access part of the back-office API.

Compatible extensions of the inbox API (docs/backoffice-access.md): a
caseworker trades login and password for a session token that the inbox routes
accept like the machine token; wrong passwords count toward the same 429 limit
as wrong tokens.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.backoffice.accounts import MAX_PASSWORD_CHARS, SESSION_PREFIX, Accounts
from bot.backoffice.audit import MAX_ENTRIES, AuditAction, AuditLog
from bot.backoffice.auth import NO_STORE, Gate, bearer_token
from bot.contracts import REFERENCE_PATTERN


class BadRequest(ValueError):
    """Input the API refuses; the message is safe to send back (it quotes no values)."""


def _json(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, headers=NO_STORE)


def parse_login(body: bytes) -> tuple[str, str]:
    """`{"login": "...", "password": "..."}`; raises BadRequest with a safe message."""
    try:
        data = json.loads(body or b"")
    except ValueError:
        raise BadRequest("body is not valid JSON") from None
    if not isinstance(data, dict) or set(data) != {"login", "password"}:
        raise BadRequest('body must be {"login": "...", "password": "..."}')
    login, password = data["login"], data["password"]
    if not isinstance(login, str) or not isinstance(password, str):
        raise BadRequest("login and password must be strings")
    if len(login) > 64 or len(password) > MAX_PASSWORD_CHARS:
        raise BadRequest("login or password too long")
    return login, password


def parse_audit_query(args: Any) -> dict[str, Any]:
    """`reference`, `since` (ISO 8601), `after` (an entry id), `limit` (1-1000)."""
    query: dict[str, Any] = {}
    reference = args.get("reference") or None
    if reference is not None:
        if not REFERENCE_PATTERN.match(reference):
            raise BadRequest("reference must be a reference number")
        query["reference"] = reference
    since = args.get("since") or None
    if since is not None:
        try:
            parsed = datetime.fromisoformat(since.strip().replace("Z", "+00:00"))
        except ValueError:
            raise BadRequest("since must be an ISO 8601 date or date-time") from None
        query["since"] = parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    for name, key, low, high in (
        ("after", "after_id", 0, 2**62),
        ("limit", "limit", 1, MAX_ENTRIES),
    ):
        value = args.get(name) or None
        if value is None:
            continue
        if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
            raise BadRequest(f"{name} must be a whole number from {low} to {high}")
        query[key] = int(value)
    return query


def access_blueprint(
    gate: Gate, accounts: Accounts, audit: AuditLog, name: str = "backoffice_access_api"
) -> Blueprint:
    """`/backoffice/api/session` (POST login, DELETE logout) and `/backoffice/api/audit`."""
    bp = Blueprint(name, url_prefix="/backoffice/api")

    @bp.post("/session")
    async def login(request: Request) -> HTTPResponse:
        refused = gate.blocked(request)
        if refused is not None:
            return refused
        try:
            login, password = parse_login(request.body)
        except BadRequest as exc:
            return _json({"error": str(exc)}, status=400)
        if not await asyncio.to_thread(accounts.check_password, login, password):
            return await gate.refuse(request)
        session = await asyncio.to_thread(accounts.open_session, login)
        await asyncio.to_thread(audit.record, login, AuditAction.LOGIN)
        return _json(
            {
                "token": session.token,
                "login": session.login,
                "expires_at": session.expires_at.isoformat(timespec="seconds"),
            },
            status=201,
        )

    @bp.delete("/session")
    @gate.guard
    async def logout(request: Request) -> HTTPResponse:
        token = bearer_token(request.headers.get("authorization")) or ""
        if not token.startswith(SESSION_PREFIX):
            return _json({"error": "the machine token has no session"}, status=400)
        await asyncio.to_thread(accounts.close_session, token)
        await asyncio.to_thread(audit.record, request.ctx.actor, AuditAction.LOGOUT)
        return response.empty()

    @bp.get("/audit")
    @gate.guard
    async def read_audit(request: Request) -> HTTPResponse:
        try:
            query = parse_audit_query(request.args)
        except BadRequest as exc:
            return _json({"error": str(exc)}, status=400)
        entries = await asyncio.to_thread(audit.entries, **query)
        await asyncio.to_thread(
            audit.record, request.ctx.actor, AuditAction.READ_AUDIT, query.get("reference")
        )
        return _json({"items": [e.as_json() for e in entries]})

    return bp
