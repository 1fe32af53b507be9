"""The back-office API as its own sanic app, on its own port.

The public port serves only what citizens need (chat page, widget, uploads); the
inbox API listens separately (default 8001), with the NLG endpoint that only Rasa
calls (bot/service.py mounts it), so that a reverse proxy can keep both off the
internet. It runs inside the service process, started from
the service's `after_server_start` with `create_server(return_asyncio_server=True)`,
sharing its database engine, and closed before the service stops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sanic import Sanic
from sanic.response import json
from sanic.server.async_server import AsyncioServer
from sqlalchemy.engine import Engine

from bot.backoffice.access_api import access_blueprint
from bot.backoffice.accounts import Accounts
from bot.backoffice.api import inbox_blueprint
from bot.backoffice.audit import AuditLog
from bot.backoffice.auth import Gate
from bot.backoffice.inbox import Inbox
from bot.backoffice.throttle import FailureThrottle
from bot.storage.crypto import DataBox

DEFAULT_PORT = 8001
# Status notes and logins are small; Rasa's NLG calls carry the whole conversation.
REQUEST_MAX_SIZE = 16 * 1024 * 1024
log = logging.getLogger(__name__)


def create_backoffice_app(
    engine: Engine,
    box: DataBox,
    token_getter: Callable[[], str | None],
    name: str = "antragslotse_backoffice",
    throttle: FailureThrottle | None = None,
) -> Sanic:
    """Inbox, session and audit routes, with one gate and one audit log for all of them."""
    audit = AuditLog(engine)
    accounts = Accounts(engine, box)
    gate = Gate(token_getter, accounts, throttle)
    app = Sanic(name)
    app.config.ACCESS_LOG = False  # URLs carry references
    app.config.REQUEST_MAX_SIZE = REQUEST_MAX_SIZE
    app.config.FALLBACK_ERROR_FORMAT = "json"  # clients are programs: JSON errors, no HTML
    app.add_route(lambda _request: json({"status": "ok"}), "/health", name="health")
    app.blueprint(inbox_blueprint(Inbox(engine, box), gate, audit))
    app.blueprint(access_blueprint(gate, accounts, audit))
    return app


class Listener:
    """Runs a second sanic app on the running service's event loop."""

    def __init__(self, app: Sanic, host: str, port: int) -> None:
        self.app, self.host, self.port = app, host, port
        self._server: AsyncioServer | None = None

    async def start(self) -> None:
        """Bind and serve; an occupied port raises, so the service does not half-start."""
        # sanic 21.12 binds and starts serving inside create_server already
        server = await self.app.create_server(
            host=self.host, port=self.port, return_asyncio_server=True, access_log=False
        )
        assert server is not None
        await server.startup()
        await server.before_start()
        await server.after_start()
        self._server = server
        log.info("back-office API listening on http://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        await server.before_stop()
        for connection in list(server.connections):
            connection.close_if_idle()
        close = server.close()
        if close is not None:
            await close
        await server.after_stop()
