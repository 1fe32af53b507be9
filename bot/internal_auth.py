"""The shared secret between our own parts: Rasa calls the action server and the NLG
endpoint with it, and both refuse calls without it.

The value comes from `ANTRAGSLOTSE_INTERNAL_TOKEN` (`make run` sets a fresh one for
the processes it starts; a city running the parts apart sets the same value in each),
else from `<var dir>/internal.token`, so parts started by hand on one machine agree.
"""

from __future__ import annotations

import os

from bot.bearer import bearer_ok
from bot.storage.crypto import secret_from_file

INTERNAL_TOKEN_ENV = "ANTRAGSLOTSE_INTERNAL_TOKEN"
INTERNAL_TOKEN_FILE = "internal.token"


def internal_token() -> str:
    return os.environ.get(INTERNAL_TOKEN_ENV, "").strip() or secret_from_file(INTERNAL_TOKEN_FILE)


def internal_call_ok(authorization: str | None, expected: str | None = None) -> bool:
    """`Authorization: Bearer <internal token>`."""
    return bearer_ok(authorization, expected or internal_token())
