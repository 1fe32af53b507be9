"""What a client may say about its message besides the text: only language and application.

Clients send `metadata` (contracts/conversation.md): `language` and `application`, both
short strings. Anything else a client sends is dropped here, so a page cannot claim
what only the server may say (why a turn was sent, which client sent it), and a list
or number where a string belongs never reaches the dialogue.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

MAX_METADATA_BYTES = 4096
CLIENT_KEYS = ("language", "application")
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def client_metadata(raw: Any) -> dict[str, str] | None:
    """The usable part of a client's metadata; None when it is not metadata at all."""
    if raw is None:
        return {}
    if isinstance(raw, str):
        if len(raw) > MAX_METADATA_BYTES:
            return None
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    if not isinstance(raw, Mapping) or len(json.dumps(raw, default=str)) > MAX_METADATA_BYTES:
        return None
    return {
        key: raw[key]
        for key in CLIENT_KEYS
        if isinstance(raw.get(key), str) and _CODE.fullmatch(raw[key])
    }
