"""A file a citizen sends in a messenger, taken as the proof the dialogue asks for now.

On the web the page uploads to /chat/upload with the document code it read from
`custom`; a messenger only has the file. The draft knows which proof is asked
(`Draft.asked_document`), so the file is stored for it with the same checks, limits
and encryption as a web upload, and the dialogue gets what a page sends after an
upload: `/inform{"value": "<attachment id>"}`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import cache

from bot.nlg.texts import t
from bot.parsing.errors import ParseError
from bot.parsing.files import MAX_UPLOAD_BYTES, MB
from bot.storage.attachments import AttachmentStore
from bot.storage.crypto import DataBox
from bot.storage.database import make_engine
from bot.storage.drafts import DraftStore

logger = logging.getLogger(__name__)


@cache
def _stores() -> tuple[DraftStore, AttachmentStore]:
    engine, box = make_engine(), DataBox.from_env()
    return DraftStore(engine, box), AttachmentStore(engine, box)


class MessengerFiles:
    max_bytes = MAX_UPLOAD_BYTES

    async def take(
        self,
        sender: str,
        lang: str,
        size: int,
        download: Callable[[], Awaitable[bytes | None]],
    ) -> tuple[str | None, str | None]:
        """The dialogue's answer for the file, or else the localized reason it was not taken."""
        drafts, files = _stores()
        draft = await asyncio.to_thread(drafts.load, sender)
        lang = draft.lang if draft else lang
        if draft is None or not draft.asked_document:
            return None, t("messenger.file_not_now", lang)
        data = await download() if size <= self.max_bytes else None
        if data is None:
            return None, t("errors.upload.too_large", lang, max=f"{self.max_bytes // MB} MB")
        try:
            stored = await asyncio.to_thread(files.add, sender, draft.asked_document, data)
        except ParseError as refused:
            logger.info("messenger file refused: %s", refused.reason)
            params = {k: str(v) for k, v in refused.params.items()}
            return None, t(f"errors.{refused.reason}", lang, **params)
        return f'/inform{{"value":"{stored.id}"}}', None
