"""Retention on a timer: what the service deletes (and tidies) once an hour.

Social data is kept only as long as needed (Art. 5(1)(e) GDPR): abandoned drafts,
their uploads and codes, delivered submissions, old resume attempts and Rasa's old
tracker events. Each round also finishes the migration of plaintext that older
versions wrote (document kinds, application types, intent names), so a database
from before is cleaned without a separate step. Only counts are logged.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.backoffice.inbox import inbox_files
from bot.delivery.outbox import Outbox, outbox_files
from bot.storage.attachments import AttachmentStore, attachments_table, seal_plain_kinds
from bot.storage.crypto import DataBox
from bot.storage.drafts import DraftStore, drafts
from bot.storage.resume_codes import ResumeCodes
from bot.storage.resume_limits import ResumeLimits
from bot.storage.trackers import purge_tracker_db


def tidy(engine: Engine, box: DataBox) -> dict[str, int]:
    """One round; returns how many rows each step deleted or changed."""
    outbox = Outbox(engine, box)
    return {
        "abandoned drafts": DraftStore(engine, box).purge(),
        "orphaned uploads": AttachmentStore(engine, box).purge_orphans(drafts),
        "orphaned resume codes": ResumeCodes(engine, box).purge_orphans(drafts),
        "old resume attempts": ResumeLimits(engine, box).purge(),
        "delivered outbox rows": outbox.forget_delivered(),
        "old tracker events": purge_tracker_db(),
        "plaintext document kinds sealed": sum(
            seal_plain_kinds(engine, box, table)
            for table in (attachments_table, outbox_files, inbox_files)
        ),
        "plaintext application types emptied": outbox.forget_plain_applications(),
    }
