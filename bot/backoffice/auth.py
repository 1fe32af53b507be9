"""Who is calling the inbox API: the machine token, a caseworker session, or nobody.

Every route of the API goes through `Gate.guard`. It answers 429 to an address
that failed too often (before looking at what it sent, so a blocked guesser
learns nothing), 401 after a growing delay to wrong credentials, and otherwise
puts the caller's name on `request.ctx.actor` for the audit log.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.backoffice.accounts import SESSION_PREFIX, Accounts
from bot.backoffice.audit import MACHINE
from bot.backoffice.throttle import FailureThrottle
from bot.bearer import bearer_ok, bearer_token

TOKEN_ENV = "ANTRAGSLOTSE_BACKOFFICE_TOKEN"
MIN_TOKEN_CHARS = 32
NO_STORE = {"Cache-Control": "no-store"}

__all__ = ["Gate", "WeakToken", "bearer_ok", "bearer_token", "check_machine_token"]

Handler = Callable[..., Awaitable[HTTPResponse]]


class WeakToken(ValueError):
    """The configured machine token is too short to be a secret."""


def check_machine_token(token: str | None) -> None:
    """Unset or empty is allowed (then only accounts get in); set means at least MIN_TOKEN_CHARS."""
    token = (token or "").strip()
    if token and len(token) < MIN_TOKEN_CHARS:
        raise WeakToken(
            f"{TOKEN_ENV} has {len(token)} characters; it needs at least {MIN_TOKEN_CHARS}"
            " (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )


def client_address(request: Request) -> str:
    """The address failures are counted for.

    `remote_addr` honours `X-Forwarded-For`/`Forwarded` only when the app is told
    to trust a proxy (SANIC_PROXIES_COUNT, SANIC_REAL_IP_HEADER, SANIC_FORWARDED_SECRET).
    """
    return request.remote_addr or request.ip or "unknown"


def unauthorized() -> HTTPResponse:
    return response.json(
        {"error": "unauthorized"},
        status=401,
        headers={**NO_STORE, "WWW-Authenticate": "Bearer"},
    )


def too_many(retry_after: int) -> HTTPResponse:
    return response.json(
        {"error": "too many failed attempts; try again later"},
        status=429,
        headers={**NO_STORE, "Retry-After": str(retry_after)},
    )


class Gate:
    """Identifies callers and slows down guessers; one per back-office app."""

    def __init__(
        self,
        token_getter: Callable[[], str | None],
        accounts: Accounts | None,
        throttle: FailureThrottle | None = None,
    ) -> None:
        self._token_getter = token_getter
        self.accounts = accounts
        self.throttle = throttle or FailureThrottle()

    async def identify(self, request: Request) -> str | None:
        """The actor behind the request's bearer token, or None."""
        header = request.headers.get("authorization")
        if bearer_ok(header, self._token_getter()):
            return MACHINE
        token = bearer_token(header)
        if token is None or self.accounts is None or not token.startswith(SESSION_PREFIX):
            return None
        return await asyncio.to_thread(self.accounts.session_login, token)

    def blocked(self, request: Request) -> HTTPResponse | None:
        """429 for an address over the limit, else None."""
        retry_after = self.throttle.retry_after(client_address(request))
        return too_many(retry_after) if retry_after is not None else None

    async def refuse(self, request: Request) -> HTTPResponse:
        """Count a failure, wait the growing delay, answer 401."""
        await asyncio.sleep(self.throttle.fail(client_address(request)))
        return unauthorized()

    def guard(self, handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            refused = self.blocked(request)
            if refused is not None:
                return refused
            actor = await self.identify(request)
            if actor is None:
                return await self.refuse(request)
            request.ctx.actor = actor
            return await handler(request, *args, **kwargs)

        return guarded
