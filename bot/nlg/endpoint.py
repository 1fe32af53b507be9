"""Rasa's NLG endpoint: response name + arguments + tracker -> localized message.

Rasa posts {"response", "arguments", "tracker", "channel"} for every bot
message (https://rasa.com/docs/rasa/nlg). The language comes with the
arguments on the turn it changes, else from the tracker's `language` slot.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.nlg.render import render
from bot.nlg.texts import DEFAULT_LANGUAGE, supported_languages, t

logger = logging.getLogger(__name__)
TURN_RESPONSE = "utter_turn"


def _language(body: Mapping[str, Any]) -> str:
    slots = (body.get("tracker") or {}).get("slots") or {}
    lang = (body.get("arguments") or {}).get("lang") or slots.get("language")
    return lang if lang in supported_languages() else DEFAULT_LANGUAGE


def nlg_blueprint() -> Blueprint:
    blueprint = Blueprint("nlg")

    @blueprint.post("/nlg")
    async def generate(request: Request) -> HTTPResponse:
        body = request.json if isinstance(request.json, dict) else {}
        lang = _language(body)
        if body.get("response") != TURN_RESPONSE:
            # Only Rasa's own defaults (e.g. a fallback) end up here.
            logger.warning("NLG asked for unknown response %r", body.get("response"))
            return json({"text": t("common.fallback", lang)})
        return json(render(body.get("arguments") or {}, lang))

    return blueprint
