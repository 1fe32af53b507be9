"""Reference numbers the citizen reads out on the phone or types into the chat.

The alphabet leaves out characters people confuse (0/O, 1/I/L), so a reference
survives being dictated. The reference is also the delivery's idempotency key.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from bot.contracts import REFERENCE_PATTERN

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_PREFIX = re.compile(r"^[A-Z]{2,4}$")


def new_reference(prefix: str, now: datetime, length: int = 6) -> str:
    """A random reference like `WI-2026-7K3M9Q` (31^6 ≈ 8.9e8 per prefix and year).

    Collisions are unlikely but possible; the outbox refuses a second, different
    payload under the same reference, and the caller then draws again.
    """
    if not _PREFIX.match(prefix):
        raise ValueError("prefix must be 2-4 uppercase letters A-Z")
    if not 6 <= length <= 10:
        raise ValueError("length must be 6-10")
    if not 1000 <= now.year <= 9999:
        raise ValueError("year must have four digits")
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return f"{prefix}-{now.year:04d}-{random_part}"


def is_reference(text: str) -> bool:
    """Whether `text` has the shape of a reference (for status questions)."""
    return bool(REFERENCE_PATTERN.match(text))
