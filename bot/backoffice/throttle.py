"""Slows down and then stops whoever keeps presenting wrong back-office credentials.

A wrong token or password costs a growing delay; after `MAX_FAILURES` within
`WINDOW_S` the client address gets 429 with `Retry-After`, whatever it sends,
until its oldest failure leaves the window. A success does not reset the count:
otherwise whoever holds one valid account could keep guessing the machine token.

The counter lives in memory, per process (the service runs one worker). A
restart forgets it; several instances behind a balancer each count on their own.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 10  # wrong credentials per address within the window, then 429
WINDOW_S = 600.0  # sliding window of 10 minutes
DELAY_STEP_S = 0.2  # the n-th failure in the window waits n * step before its 401
MAX_DELAY_S = 2.0
MAX_TRACKED_ADDRESSES = 10_000  # memory bound; the oldest entries go first


class FailureThrottle:
    """Failed attempts per client address in a sliding window."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        delay_step_s: float = DELAY_STEP_S,
        max_delay_s: float = MAX_DELAY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.delay_step_s = delay_step_s
        self.max_delay_s = max_delay_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._failures.get(address, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            self._failures.pop(address, None)
        return times

    def retry_after(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None if it may try now."""
        now = self._clock()
        times = self._recent(address, now)
        if len(times) < self.max_failures:
            return None
        oldest_that_blocks = times[len(times) - self.max_failures]
        return max(1, math.ceil(oldest_that_blocks + self.window_s - now))

    def fail(self, address: str) -> float:
        """Count a failure; returns how long to wait before answering it."""
        now = self._clock()
        times = self._recent(address, now)
        times.append(now)
        self._failures[address] = times
        self._bound(now)
        return min(self.max_delay_s, self.delay_step_s * len(times))

    def _bound(self, now: float) -> None:
        if len(self._failures) <= MAX_TRACKED_ADDRESSES:
            return
        for address in list(self._failures):
            self._recent(address, now)
        while len(self._failures) > MAX_TRACKED_ADDRESSES:
            del self._failures[next(iter(self._failures))]
