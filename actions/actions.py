"""The one custom action: every citizen message goes through the form engine.

The reply is rendered here, in the citizen's language, and sent whole (text,
buttons, `custom` state): a round trip to the NLG endpoint with the whole tracker
cost each turn about a tenth of its time and added nothing the action lacks.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import DBAPIError

from bot.definitions import load_applications
from bot.forms.turn import UserTurn
from bot.nlg.render import render
from bot.nlg.texts import language_or_default, t
from bot.storage.crypto import DataBox
from bot.storage.database import create_tables, make_engine
from bot.turns import Turns

logger = logging.getLogger(__name__)


@cache
def _turns() -> Turns:
    engine, box = make_engine(), DataBox.from_env()
    create_tables(engine)
    return Turns(engine, box, load_applications())


class ActionStep(Action):
    def name(self) -> str:
        return "action_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = UserTurn.from_latest_message(tracker.latest_message)
        channel = tracker.get_latest_input_channel() or "rest"
        try:
            # a messenger names the language of the citizen's app: a new dialogue starts in it
            default_lang = language_or_default(turn.metadata.get("platform_language"))
            draft, reply = _turns().handle(tracker.sender_id, turn, channel, default_lang)
        except DBAPIError as failure:
            # The database is away (a restart): a clear "try again in a moment" instead of
            # a silent turn; the draft is as before this turn, so the answer is sent again.
            logger.error("a turn could not reach the database: %s", type(failure).__name__)
            lang = language_or_default(tracker.get_slot("language"))
            dispatcher.utter_message(text=t("channel.unavailable", lang))
            return []
        reply.state.setdefault("application", draft.application)
        message = render(
            {"parts": reply.parts, "state": reply.state}, language_or_default(draft.lang)
        )
        dispatcher.utter_message(
            text=message["text"], buttons=message["buttons"], json_message=message["custom"]
        )
        if reply.forget:
            return [Restarted()]
        return [
            SlotSet("language", draft.lang),
            SlotSet("application", draft.application),
            SlotSet("field", reply.state.get("field")),
        ]
