"""Switching the conversation's language, asked for or guessed from the first message."""

from __future__ import annotations

from bot.forms.answers import parse_yes_no
from bot.forms.draft import Draft
from bot.forms.language_choice import find_language
from bot.forms.phase import Phase, return_from_detour, take_detour
from bot.forms.phases.core import Core
from bot.forms.reply import Reply
from bot.forms.state import choice, no, state, yes, yes_no_input
from bot.forms.turn import UserTurn
from bot.nlg.texts import supported_languages


class Languages(Core):
    def _switch_language(self, draft: Draft, turn: UserTurn) -> Reply:
        """Speak another language from now on; every answer stays."""
        wanted = turn.entities.get("language") or find_language(turn.text)
        if wanted not in supported_languages() or (wanted == draft.lang and not turn.is_button):
            # "ich spreche kein Deutsch" names the language we already speak: offer the others
            return self._language_menu(draft)
        if draft.phase == Phase.CONFIRM_LANGUAGE:
            return_from_detour(draft, Phase.MENU)
        draft.lang, draft.previous_lang = str(wanted), None
        return self._continue_where(draft, Reply().say("common.language_switched"))

    def _language_menu(self, draft: Draft) -> Reply:
        reply = Reply().say("common.language_menu")
        reply.state = state(
            "language",
            choices=[
                choice(
                    code,
                    "common.language_name",
                    f'/choose_language{{"language":"{code}"}}',
                    label_lang=code,
                )
                for code in supported_languages()
            ],
        )
        return reply

    def _confirm_language(self, draft: Draft, guessed: str, fresh: bool) -> Reply:
        """The first message is in another language: ask in that language whether to switch."""
        draft.previous_lang, draft.lang = draft.lang, guessed
        take_detour(draft, Phase.CONFIRM_LANGUAGE)
        reply = Reply().say("common.welcome") if fresh else Reply()
        reply.say("common.language_confirm")
        reply.state = state(
            "language",
            input=yes_no_input(),
            choices=[
                yes(payload=f'/choose_language{{"language":"{guessed}"}}'),
                no(payload="/deny"),
            ],
        )
        return reply

    def _on_confirm_language(self, draft: Draft, turn: UserTurn) -> Reply:
        return_from_detour(draft, Phase.MENU)
        if turn.means("deny", confidence=0.5) or parse_yes_no(turn.text, draft.lang) is False:
            draft.lang = draft.previous_lang or draft.lang
        draft.previous_lang = None
        reply = Reply().say("common.language_switched")
        if draft.phase == Phase.MENU:
            reply.say("common.privacy")  # the welcome came with the question, the notice now
        return self._continue_where(draft, reply)
