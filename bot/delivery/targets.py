"""Where the delivery worker hands a submission: one protocol, one class per target.

A target raises on failure and the worker retries later, so a target never
needs its own retry loop. The receiver dedupes by `reference`, because a
submission may arrive more than once (at-least-once delivery).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from bot.backoffice.inbox import Inbox
from bot.storage.attachments import StoredFile


class DeliveryError(Exception):
    """A failed delivery with a code that is safe to store and log (e.g. `HTTP 503`).

    Targets raise it so the outbox records something more useful than the
    exception class, without message text that might contain personal data.
    """

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


@runtime_checkable
class DeliveryTarget(Protocol):
    """Anything that can take one submission: inbox, webhook, FIT-Connect."""

    name: str

    async def deliver(
        self,
        reference: str,
        application: str,
        payload: dict[str, Any],
        attachments: tuple[StoredFile, ...] = (),
    ) -> None:
        """Hand the payload and its files over; return once the receiver has them, else raise."""


class InboxTarget:
    """Delivers into the built-in inbox in the project database."""

    name = "inbox"

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    async def deliver(
        self,
        reference: str,
        application: str,
        payload: dict[str, Any],
        attachments: tuple[StoredFile, ...] = (),
    ) -> None:
        # the database call blocks (SQLite may wait on a lock); keep the loop free
        await asyncio.to_thread(
            self._inbox.receive, reference, application, payload, None, attachments
        )


class RoutingTarget:
    """Picks the target per application ("configured per application, one default").

    Not wired yet: no setting or definition names a target per application, so
    the service hands everything to `InboxTarget`.
    """

    name = "routing"

    def __init__(
        self,
        default: DeliveryTarget,
        by_application: Mapping[str, DeliveryTarget] | None = None,
    ) -> None:
        self._default = default
        self._by_application = dict(by_application or {})

    def target_for(self, application: str) -> DeliveryTarget:
        return self._by_application.get(application, self._default)

    async def deliver(
        self,
        reference: str,
        application: str,
        payload: dict[str, Any],
        attachments: tuple[StoredFile, ...] = (),
    ) -> None:
        await self.target_for(application).deliver(reference, application, payload, attachments)
