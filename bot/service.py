"""Our HTTP service: NLG endpoint, chat page, back-office inbox API, delivery worker.

One sanic app so a local run needs a single extra process next to Rasa and
the action server.
"""

from __future__ import annotations

import asyncio
import logging
import os

from sanic import Sanic
from sanic.response import json

from bot.backoffice.api import inbox_blueprint
from bot.backoffice.inbox import Inbox
from bot.backoffice.targets import InboxTarget
from bot.backoffice.worker import DeliveryWorker
from bot.channels.chat_page import chat_page_blueprint
from bot.channels.uploads import upload_blueprint
from bot.nlg.endpoint import nlg_blueprint
from bot.storage.attachments import AttachmentStore
from bot.storage.crypto import DataBox
from bot.storage.database import create_tables, make_engine
from bot.storage.drafts import DraftStore, drafts
from bot.storage.resume_codes import ResumeCodes
from bot.submission.outbox import Outbox

TOKEN_ENV = "ANTRAGSLOTSE_BACKOFFICE_TOKEN"
PURGE_INTERVAL_S = 3600
logger = logging.getLogger(__name__)


async def purge_abandoned_drafts(
    store: DraftStore, files: AttachmentStore, codes: ResumeCodes, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        purged = await asyncio.to_thread(store.purge)
        orphans = await asyncio.to_thread(files.purge_orphans, drafts)
        await asyncio.to_thread(codes.purge_orphans, drafts)
        if purged or orphans:
            logger.info("deleted %d abandoned drafts, %d orphaned uploads", purged, orphans)
        try:
            await asyncio.wait_for(stop.wait(), PURGE_INTERVAL_S)
        except asyncio.TimeoutError:
            pass


SOCKET_URL_ENV = "ANTRAGSLOTSE_PUBLIC_SOCKET_URL"  # where browsers reach Rasa's socket.io


def create_app(rasa_url: str, name: str = "antragslotse") -> Sanic:
    engine, box = make_engine(), DataBox.from_env()
    create_tables(engine)
    inbox, files = Inbox(engine, box), AttachmentStore(engine, box)
    worker = DeliveryWorker(Outbox(engine, box), InboxTarget(inbox))
    stop = asyncio.Event()

    app = Sanic(name)
    app.config.ACCESS_LOG = False  # URLs may carry references; requests carry nothing we need
    app.add_route(lambda _request: json({"status": "ok"}), "/health", name="health")
    app.blueprint(nlg_blueprint())
    app.blueprint(chat_page_blueprint(os.environ.get(SOCKET_URL_ENV, rasa_url)))
    app.blueprint(upload_blueprint(files))
    app.blueprint(inbox_blueprint(inbox, lambda: os.environ.get(TOKEN_ENV)))

    @app.after_server_start
    async def start_background_work(app: Sanic, _loop: object) -> None:
        app.ctx.tasks = [
            asyncio.create_task(worker.run_forever(stop)),
            asyncio.create_task(
                purge_abandoned_drafts(
                    DraftStore(engine, box), files, ResumeCodes(engine, box), stop
                )
            ),
        ]

    @app.before_server_stop
    async def stop_background_work(app: Sanic, _loop: object) -> None:
        stop.set()
        await asyncio.gather(*app.ctx.tasks)

    return app
