"""What the citizen said in one turn, as the NLU understood it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CONTROL_CONFIDENCE = 0.7  # below this, a control intent is treated as an answer
MAX_CLIENT_KEY = 128  # the channels' client key is a short hash; anything longer is not one


@dataclass(frozen=True)
class UserTurn:
    text: str
    intent: str | None = None
    confidence: float = 0.0
    entities: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    attachments: Mapping[str, str] = field(
        default_factory=dict
    )  # this conversation's uploads: id -> kind
    ranking: Mapping[str, float] = field(default_factory=dict)  # every intent the NLU weighed
    # a server-set, already hashed key of the client (browser, address), for rate limits
    client: str | None = None

    def best_of(self, intents: Iterable[str]) -> tuple[str, float] | None:
        """The most likely of `intents` by the NLU's ranking, even if another came first."""
        weighed = [(self.ranking[i], i) for i in intents if i in self.ranking]
        return (max(weighed)[1], max(weighed)[0]) if weighed else None

    @property
    def is_button(self) -> bool:
        """Button payloads ("/inform{...}") are certain: Rasa parses them without NLU."""
        return self.text.startswith("/")

    @property
    def idle_seconds(self) -> float | None:
        """Set when the web chat's time limit (not the citizen) sent this turn."""
        seconds = self.metadata.get("idle_seconds")
        if self.metadata.get("reason") != "idle" or not isinstance(seconds, (int, float)):
            return None
        return float(seconds)

    def means(self, *intents: str, confidence: float = CONTROL_CONFIDENCE) -> bool:
        """Whether the NLU is sure enough of one of `intents` (of any intent if none given)."""
        wanted = self.intent in intents if intents else True
        return wanted and (self.is_button or self.confidence >= confidence)

    @classmethod
    def from_latest_message(cls, message: Mapping[str, Any]) -> UserTurn:
        intent = message.get("intent") or {}
        sent = message.get("metadata")
        client = sent.get("client") if isinstance(sent, Mapping) else None
        return cls(
            text=(message.get("text") or "").strip(),
            intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
            entities={e["entity"]: str(e["value"]) for e in message.get("entities") or []},
            metadata=message.get("metadata") or {},
            ranking={
                str(i["name"]): float(i.get("confidence") or 0.0)
                for i in message.get("intent_ranking") or []
                if i.get("name")
            },
            client=client
            if isinstance(client, str) and 0 < len(client) <= MAX_CLIENT_KEY
            else None,
        )
