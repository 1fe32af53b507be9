"""Turns a confirmed draft into a delivered-to-outbox payload with a reference number."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.definitions import Application
from bot.definitions.loader import required_in_schema
from bot.delivery.outbox import InvalidPayload, Outbox, ReferenceConflict
from bot.forms.draft import Draft
from bot.forms.plan import group_arrays, payload_answers, payload_documents, plan
from bot.storage.attachments import StoredFile
from bot.submission.payload import build_payload
from bot.submission.reference import new_reference

logger = logging.getLogger(__name__)
OFFICE_TIMEZONE = ZoneInfo("Europe/Berlin")
REFERENCE_ATTEMPTS = 5


def payload_for(
    app: Application, draft: Draft, reference: str, channel: str, now: datetime
) -> dict:
    steps = plan(app, draft.answers)
    return build_payload(
        application=app.id,
        schema_id=app.schema,
        leika=app.leika,
        answers=payload_answers(steps, draft.answers),
        documents=payload_documents(steps, draft.answers),
        arrays=group_arrays(app),
        keep_empty=[a for a in group_arrays(app) if required_in_schema(app.schema, a)],
        reference=reference,
        language=draft.lang,
        channel=channel,
        submitted_at=now,
    )


def attached_ids(payload: dict) -> list[str]:
    return [d["attachment_id"] for d in payload["documents"] if d.get("attachment_id")]


def submit(
    app: Application,
    draft: Draft,
    outbox: Outbox,
    channel: str,
    files: Callable[[list[str]], list[StoredFile]] = lambda ids: [],
) -> str | None:
    """The reference, or None if the payload failed the contract (a bug: logged, not delivered).

    `files` loads the conversation's uploads the payload names; they travel with it.
    """
    now = datetime.now(OFFICE_TIMEZONE)
    for _ in range(REFERENCE_ATTEMPTS):
        reference = new_reference(app.reference_prefix, now)
        payload = payload_for(app, draft, reference, channel, now)
        attachments = tuple(files(attached_ids(payload)))
        try:
            outbox.put(payload, attachments=attachments)
            return reference
        except ReferenceConflict:
            continue  # another application drew the same reference: draw again
        except InvalidPayload as invalid:
            # str(invalid) names only where it failed, never the citizen's values.
            logger.error("BUG: %s payload fails its schema: %s", app.id, invalid)
            return None
    raise RuntimeError(f"no free reference after {REFERENCE_ATTEMPTS} draws")
