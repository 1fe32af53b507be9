"""Moves submissions from the outbox to the delivery target.

Runs beside the bot, so the citizen's confirmation never waits for the back
office. A failing target costs a retry with backoff, never an item. Logs carry
references and error classes only, never payload content.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.delivery.outbox import Outbox
from bot.delivery.targets import DeliveryError, DeliveryTarget
from bot.storage.database import utcnow

log = logging.getLogger(__name__)


def error_code(exc: BaseException) -> str:
    """What may be stored and logged about a failure: a code or the exception class."""
    if isinstance(exc, DeliveryError):
        return exc.code
    return type(exc).__name__


class DeliveryWorker:
    """Polls the outbox and delivers what is due."""

    def __init__(
        self,
        outbox: Outbox,
        target: DeliveryTarget,
        poll_interval: float = 1.0,
        batch_size: int = 20,
    ) -> None:
        self._outbox = outbox
        self._target = target
        self._poll_interval = poll_interval
        self._batch_size = batch_size

    async def run_once(self, now: datetime | None = None) -> int:
        """Try every due item once; returns how many were delivered.

        `now` drives the clock in tests; by default the wall clock is read
        before each step.
        """
        items = await asyncio.to_thread(self._outbox.due, now or utcnow(), self._batch_size)
        delivered = 0
        for item in items:
            try:
                await self._target.deliver(
                    item.reference, item.application, item.payload, item.attachments
                )
            except Exception as exc:  # noqa: BLE001 - any failure means: try again later
                code = error_code(exc)
                try:
                    next_at = await asyncio.to_thread(
                        self._outbox.mark_failed, item.reference, code, now or utcnow()
                    )
                except KeyError:  # delivered meanwhile by another worker
                    continue
                log.warning(
                    "delivery of %s failed (%s, attempt %d); next attempt %s",
                    item.reference,
                    code,
                    item.attempts + 1,
                    next_at.isoformat(timespec="seconds"),
                )
                continue
            await asyncio.to_thread(self._outbox.mark_delivered, item.reference, now or utcnow())
            delivered += 1
            log.info(
                "delivered %s to %s",
                item.reference,
                getattr(self._target, "name", "target"),
            )
        return delivered

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; a full batch is followed at once by the next."""
        log.info("delivery worker started")
        while not stop.is_set():
            busy = False
            try:
                busy = await self.run_once() >= self._batch_size
            except Exception as exc:  # noqa: BLE001 - e.g. database briefly unavailable
                log.error("delivery round failed (%s)", type(exc).__name__)
            if busy:
                continue
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._poll_interval)
            except asyncio.TimeoutError:
                pass
        log.info("delivery worker stopped")
