"""Turns a confirmed draft into a delivered-to-outbox payload with a reference number."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.definitions import Application
from bot.forms.draft import Draft
from bot.forms.plan import group_arrays, payload_answers, plan
from bot.submission.outbox import InvalidPayload, Outbox, ReferenceConflict
from bot.submission.payload import build_payload
from bot.submission.reference import new_reference

logger = logging.getLogger(__name__)
OFFICE_TIMEZONE = ZoneInfo("Europe/Berlin")
REFERENCE_ATTEMPTS = 5


def payload_for(
    app: Application, draft: Draft, reference: str, channel: str, now: datetime
) -> dict:
    return build_payload(
        application=app.id,
        schema_id=app.schema,
        leika=app.leika,
        answers=payload_answers(plan(app, draft.answers), draft.answers),
        arrays=group_arrays(app),
        reference=reference,
        language=draft.lang,
        channel=channel,
        submitted_at=now,
    )


def submit(app: Application, draft: Draft, outbox: Outbox, channel: str) -> str | None:
    """The reference, or None if the payload failed the contract (a bug: logged, not delivered)."""
    now = datetime.now(OFFICE_TIMEZONE)
    for _ in range(REFERENCE_ATTEMPTS):
        reference = new_reference(app.reference_prefix, now)
        try:
            outbox.put(payload_for(app, draft, reference, channel, now))
            return reference
        except ReferenceConflict:
            continue  # another application drew the same reference: draw again
        except InvalidPayload as invalid:
            # str(invalid) names only where it failed, never the citizen's values.
            logger.error("BUG: %s payload fails its schema: %s", app.id, invalid)
            return None
    raise RuntimeError(f"no free reference after {REFERENCE_ATTEMPTS} draws")
