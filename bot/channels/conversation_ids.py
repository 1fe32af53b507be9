"""Server-issued web conversation ids and the tokens that prove a browser holds one.

A conversation id is a credential: whoever speaks for it can read the summary and
move the draft. So the page never chooses one. The socket.io channel issues an id
(128 random bits) with a token, an HMAC of the id under a server key; the page
keeps both for its tab and shows the token on every reconnect and upload. Without
the key nobody can make a token for an id they guessed or read somewhere.

The key comes from `ANTRAGSLOTSE_SESSION_KEY`, else from `<var dir>/session.key`
(made on first use), so Rasa's channel and our upload endpoint share it and a
restart keeps the tab's conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.bearer import bearer_ok
from bot.channels import REST_TOKEN_ENV
from bot.storage.crypto import secret_from_file

SESSION_KEY_ENV = "ANTRAGSLOTSE_SESSION_KEY"
SESSION_KEY_FILE = "session.key"
ID_BYTES = 16  # 128 bits


@dataclass(frozen=True)
class IssuedConversation:
    conversation_id: str
    token: str


class ConversationTokens:
    """Issues conversation ids and checks the tokens that come back with them."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the conversation token key needs at least 16 bytes")
        self._key = key

    @classmethod
    def from_env(cls) -> ConversationTokens:
        configured = os.environ.get(SESSION_KEY_ENV, "").strip()
        return cls((configured or secret_from_file(SESSION_KEY_FILE)).encode("utf-8"))

    def issue(self) -> IssuedConversation:
        conversation_id = secrets.token_hex(ID_BYTES)
        return IssuedConversation(conversation_id, self.token_for(conversation_id))

    def token_for(self, conversation_id: str) -> str:
        message = b"web-conversation:" + conversation_id.encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def client_key(self, address: str | None) -> str | None:
        """A keyed hash of the client's address, for rate limits: never the address itself."""
        if not address:
            return None
        digest = hmac.new(self._key, b"client:" + address.encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()[:32]

    def messenger_conversation(self, platform: str, user_id: str) -> str:
        """A messenger user's conversation: keyed, so our records never hold the platform's id,
        and never one a web page could hold (those are 32 characters without a prefix)."""
        message = f"messenger:{platform}:{user_id}".encode()
        return f"{platform}-{hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]}"

    def verify(self, conversation_id: Any, token: Any) -> bool:
        """True only for an id this server issued, shown with its own token."""
        if not isinstance(conversation_id, str) or not isinstance(token, str):
            return False
        if len(conversation_id) != 2 * ID_BYTES or len(token) > 128:
            return False
        return hmac.compare_digest(self.token_for(conversation_id), token)


@cache
def conversation_tokens() -> ConversationTokens:
    """The process's token checker (the key is read once)."""
    return ConversationTokens.from_env()


def rest_token_ok(authorization: str | None) -> bool:
    """`Authorization: Bearer <ANTRAGSLOTSE_REST_TOKEN>`; no token configured = REST is off."""
    return bearer_ok(authorization, os.environ.get(REST_TOKEN_ENV))


def may_speak_for(conversation_id: str, token: Any, authorization: str | None) -> bool:
    """A web page with its conversation's token, or a trusted client of the REST channel."""
    return conversation_tokens().verify(conversation_id, token) or rest_token_ok(authorization)
