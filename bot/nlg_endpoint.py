"""Rasa's NLG endpoint: response name + arguments + tracker -> localized message.

Rasa posts {"response", "arguments", "tracker", "channel"} for every bot
message (https://rasa.com/docs/rasa/nlg). The language comes with the
arguments on the turn it changes, else from the tracker's `language` slot.
Only Rasa may call it: it sends the internal token (endpoints.yml, bot/internal_auth.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.internal_auth import internal_call_ok, internal_token
from bot.nlg.render import render
from bot.nlg.texts import language_or_default, t

logger = logging.getLogger(__name__)
TURN_RESPONSE = "utter_turn"


def _language(body: Mapping[str, Any]) -> str:
    slots = (body.get("tracker") or {}).get("slots") or {}
    lang = (body.get("arguments") or {}).get("lang") or slots.get("language")
    return language_or_default(lang)


def nlg_blueprint() -> Blueprint:
    blueprint = Blueprint("nlg")
    token = internal_token()

    @blueprint.post("/nlg")
    async def generate(request: Request) -> HTTPResponse:
        if not internal_call_ok(request.headers.get("Authorization"), token):
            return json({"error": "unauthorized"}, status=401)
        body = request.json if isinstance(request.json, dict) else {}
        lang = _language(body)
        if body.get("response") != TURN_RESPONSE:
            # Only Rasa's own defaults (e.g. a fallback) end up here.
            logger.warning("NLG asked for a response other than %s", TURN_RESPONSE)
            return json({"text": t("common.fallback", lang)})
        return json(render(body.get("arguments") or {}, lang))

    return blueprint
