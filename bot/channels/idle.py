"""The session time limit of the web chat, with a warning one action can extend.

WCAG 2.2.1 asks for a warning at least 20 seconds before a time limit and a simple
way to extend it. Here the limit protects a citizen who walked away from a shared
screen: when it runs out while the page is still connected, the draft is paused (kept,
with a resume code) instead of being lost. A page that is gone is left alone; its
draft waits for the citizen's return.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.languages import DEFAULT_LANGUAGE, text_direction
from bot.nlg.texts import t
from bot.nlg.values import format_value

MIN_WARNING_SECONDS = 20.0
LIMIT_ENV, WARNING_ENV = "ANTRAGSLOTSE_IDLE_SECONDS", "ANTRAGSLOTSE_IDLE_WARNING_SECONDS"
# Steps at which an application is being filled in; elsewhere there is nothing to protect.
ACTIVE_STEPS = frozenset({"ask", "invalid", "help", "summary", "info", "language", "error"})

Send = Callable[[str, str, dict[str, Any]], Awaitable[None]]
Emit = Any  # socketio.AsyncServer: only `emit` is used


@dataclass(frozen=True)
class IdleSettings:
    limit_seconds: float = 1200.0
    warning_seconds: float = 120.0


def idle_settings(environ: Mapping[str, str] = os.environ) -> IdleSettings:
    """Limit and warning from the environment; the warning comes at least 20 s ahead."""
    limit = float(environ.get(LIMIT_ENV, IdleSettings.limit_seconds))
    warning = max(
        MIN_WARNING_SECONDS, float(environ.get(WARNING_ENV, IdleSettings.warning_seconds))
    )
    return IdleSettings(limit_seconds=max(limit, warning + 5), warning_seconds=warning)


def duration(seconds: float, lang: str) -> str:
    """ "2 Minuten", "20 minutes", "٢ دقيقة": the time left, in the citizen's language."""
    return format_value({"format": "duration", "value": seconds}, lang)


class IdleTimers:
    """One warning and one time limit per conversation, restarted by every turn."""

    def __init__(
        self,
        settings: IdleSettings,
        sio: Emit,
        send: Send,
        connected_sockets: Callable[[str], Awaitable[int]],
    ) -> None:
        self.settings, self.sio, self.send = settings, sio, send
        self.connected_sockets = connected_sockets
        self._langs: dict[str, str] = {}
        self._active: dict[str, bool] = {}
        self._timers: dict[str, list[asyncio.TimerHandle]] = {}

    def observe(self, session_id: str, custom: Mapping[str, Any]) -> None:
        """Remember from the bot's state whether an application is under way, and its language."""
        if isinstance(custom.get("lang"), str):
            self._langs[session_id] = custom["lang"]
        self._active[session_id] = bool(custom.get("application")) and (
            custom.get("step") in ACTIVE_STEPS
        )

    def stop(self, session_id: str) -> None:
        for handle in self._timers.pop(session_id, []):
            handle.cancel()

    def after_turn(self, session_id: str) -> None:
        if self._active.get(session_id):
            self._arm(session_id)
        else:
            self._forget(session_id)

    def extend(self, session_id: str) -> bool:
        """Restart the limit if it is running; False when there is nothing to extend."""
        if session_id not in self._timers:
            return False
        self._arm(session_id)
        return True

    def _forget(self, session_id: str) -> None:
        self.stop(session_id)
        self._langs.pop(session_id, None)
        self._active.pop(session_id, None)

    def _arm(self, session_id: str) -> None:
        self.stop(session_id)
        loop = asyncio.get_running_loop()
        limit, warning = self.settings.limit_seconds, self.settings.warning_seconds
        self._timers[session_id] = [
            loop.call_later(limit - warning, self._spawn, self._warn, session_id),
            loop.call_later(limit, self._spawn, self._time_out, session_id),
        ]

    @staticmethod
    def _spawn(job: Callable[[str], Awaitable[None]], session_id: str) -> None:
        asyncio.ensure_future(job(session_id))

    async def _warn(self, session_id: str) -> None:
        lang = self._langs.get(session_id, DEFAULT_LANGUAGE)
        warning = self.settings.warning_seconds
        await self.sio.emit(
            "session_warning",
            {
                "text": t("page.idle_warning", lang, time=duration(warning, lang)),
                "extend": t("page.idle_extend", lang),
                "extended": t(
                    "page.idle_extended", lang, time=duration(self.settings.limit_seconds, lang)
                ),
                "lang": lang,
                "dir": text_direction(lang),
                "seconds": warning,
            },
            room=session_id,
        )

    async def _time_out(self, session_id: str) -> None:
        self._forget(session_id)
        if not await self.connected_sockets(session_id):
            return
        await self.send(
            session_id, "/pause", {"reason": "idle", "idle_seconds": self.settings.limit_seconds}
        )
