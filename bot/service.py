"""Our HTTP service: chat page, uploads, delivery worker, back-office API, NLG endpoint.

One process next to Rasa and the action server. The public app serves only what
citizens need (chat page, widget, uploads); the back-office API and the NLG endpoint
Rasa calls are a second app on its own port (bot/backoffice/app.py), which a reverse
proxy keeps off the internet, started and stopped with this one and sharing its engine.
"""

from __future__ import annotations

import asyncio
import logging
import os

from sanic import Sanic
from sanic.exceptions import PayloadTooLarge
from sanic.response import json
from sqlalchemy.engine import Engine

from bot.backoffice.app import DEFAULT_PORT as BACKOFFICE_PORT
from bot.backoffice.app import Listener, create_backoffice_app
from bot.backoffice.auth import TOKEN_ENV, check_machine_token
from bot.backoffice.inbox import Inbox
from bot.channels.chat_page import chat_page_blueprint
from bot.channels.uploads import MAX_REQUEST_BYTES, refuse_oversized_request, upload_blueprint
from bot.delivery.outbox import Outbox
from bot.delivery.targets import InboxTarget
from bot.delivery.worker import DeliveryWorker
from bot.housekeeping import tidy
from bot.nlg_endpoint import nlg_blueprint
from bot.storage.attachments import AttachmentStore
from bot.storage.crypto import DataBox
from bot.storage.database import create_tables, make_engine

PURGE_INTERVAL_S = 3600
logger = logging.getLogger(__name__)


async def purge_abandoned_drafts(engine: Engine, box: DataBox, stop: asyncio.Event) -> None:
    """Retention on a timer (bot/housekeeping.py): at start, then every PURGE_INTERVAL_S."""
    while not stop.is_set():
        try:
            counts = await asyncio.to_thread(tidy, engine, box)
            done = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
            if done:
                logger.info("retention: %s", done)
        except Exception as exc:  # noqa: BLE001 - e.g. database briefly unavailable
            logger.error("retention round failed (%s)", type(exc).__name__)
        try:
            await asyncio.wait_for(stop.wait(), PURGE_INTERVAL_S)
        except asyncio.TimeoutError:
            pass


SOCKET_URL_ENV = "ANTRAGSLOTSE_PUBLIC_SOCKET_URL"  # where browsers reach Rasa's socket.io


def create_app(
    rasa_url: str,
    name: str = "antragslotse",
    backoffice_host: str = "127.0.0.1",
    backoffice_port: int = BACKOFFICE_PORT,
) -> Sanic:
    """The public app; raises `WeakToken` if the back-office token is set but too short."""
    check_machine_token(os.environ.get(TOKEN_ENV))
    engine, box = make_engine(), DataBox.from_env()
    create_tables(engine)
    outbox, inbox, files = Outbox(engine, box), Inbox(engine, box), AttachmentStore(engine, box)
    outbox.forget_delivered()  # before the back office can erase: no delivered copy is left
    worker = DeliveryWorker(outbox, InboxTarget(inbox))
    stop = asyncio.Event()

    app = Sanic(name)
    app.config.ACCESS_LOG = False  # URLs may carry references; requests carry nothing we need
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES  # refused before buffering, not after
    app.error_handler.add(PayloadTooLarge, refuse_oversized_request)
    app.add_route(lambda _request: json({"status": "ok"}), "/health", name="health")
    app.blueprint(chat_page_blueprint(os.environ.get(SOCKET_URL_ENV, rasa_url)))
    app.blueprint(upload_blueprint(files))
    internal = create_backoffice_app(
        engine, box, lambda: os.environ.get(TOKEN_ENV), name=f"{name}_bo"
    )
    internal.blueprint(nlg_blueprint())  # only Rasa calls it: not on the public port
    backoffice = Listener(internal, backoffice_host, backoffice_port)

    @app.after_server_start
    async def start_background_work(app: Sanic, _loop: object) -> None:
        await backoffice.start()
        app.ctx.tasks = [
            asyncio.create_task(worker.run_forever(stop)),
            asyncio.create_task(purge_abandoned_drafts(engine, box, stop)),
        ]

    @app.before_server_stop
    async def stop_background_work(app: Sanic, _loop: object) -> None:
        stop.set()
        await backoffice.stop()
        await asyncio.gather(*app.ctx.tasks)

    return app
