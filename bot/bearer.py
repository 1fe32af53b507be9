"""`Authorization: Bearer <token>`, read and compared in one place for every listener.

The REST channel, the action server, the NLG endpoint and the back office each have
their own secret, but check it the same way: scheme case-insensitive (RFC 7235), the
token compared in constant time, and no configured secret means nobody gets in.
"""

from __future__ import annotations

import hmac


def bearer_token(header: str | None) -> str | None:
    """The token of `Authorization: Bearer <token>`, or None."""
    if not header:
        return None
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return None
    return given.strip()


def bearer_ok(header: str | None, expected: str | None) -> bool:
    """Constant-time check of `Authorization: Bearer <token>`; no token configured = no access."""
    given, expected = bearer_token(header), (expected or "").strip()
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
