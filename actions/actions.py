"""The one custom action: every citizen message goes through the form engine."""

from __future__ import annotations

from functools import cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.definitions import load_applications
from bot.forms.dialogue import Conversation
from bot.forms.turn import UserTurn
from bot.nlg.texts import DEFAULT_LANGUAGE
from bot.storage.crypto import DataBox
from bot.storage.database import create_tables, make_engine
from bot.storage.drafts import DraftStore
from bot.submission.outbox import Outbox
from bot.submission.submit import submit


@cache
def _services() -> tuple[Conversation, DraftStore, Outbox]:
    engine, box = make_engine(), DataBox.from_env()
    create_tables(engine)
    return Conversation(load_applications()), DraftStore(engine, box), Outbox(engine, box)


class ActionStep(Action):
    def name(self) -> str:
        return "action_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        conversation, drafts, outbox = _services()
        turn = UserTurn.from_latest_message(tracker.latest_message)
        draft, reply = conversation.respond(drafts.load(tracker.sender_id), turn, DEFAULT_LANGUAGE)
        if reply.submit:
            app = conversation.applications[str(draft.application)]
            channel = tracker.get_latest_input_channel() or "rest"
            reference = submit(app, draft, outbox, channel)
            reply = (
                conversation.submitted(draft, reference)
                if reference
                else conversation.submit_failed(draft)
            )
        reply.state.setdefault("application", draft.application)
        dispatcher.utter_message(
            response="utter_turn", parts=reply.parts, state=reply.state, lang=draft.lang
        )
        if reply.forget:
            drafts.delete(tracker.sender_id)
            return [Restarted()]
        drafts.save(tracker.sender_id, draft)
        return [
            SlotSet("language", draft.lang),
            SlotSet("application", draft.application),
            SlotSet("field", reply.state.get("field")),
        ]
