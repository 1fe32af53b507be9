"""The guide in the conversation: a need in own words -> triage questions -> an offer.

The rules are data (data/guide.yml, bot/forms/guide.py); this is how the
dialogue asks and answers around them, from the menu to the start of an application.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from difflib import SequenceMatcher
from typing import Any

from bot.forms.answers import parse_yes_no
from bot.forms.draft import Draft
from bot.forms.guide import BIRTH_DATE, load_guide, start_facts
from bot.forms.phase import Phase
from bot.forms.phases.core import Core
from bot.forms.reply import Reply
from bot.forms.state import choice, extended, state, text_input
from bot.forms.triage import UNCLEAR, NotAnAnswer, choice_key, question_key
from bot.forms.triage import interpret as interpret_triage
from bot.forms.turn import CONTROL_CONFIDENCE, UserTurn
from bot.parsing import ParseError, parse_choice
from bot.parsing.text import fold

# A need or an application named in a message: enough to guide, not to act. A wrong
# guess costs a question or an offer the citizen can decline; a missed need costs the
# citizen a menu of names they do not know.
GUIDE_CONFIDENCE = 0.2
# In the menu nothing waits for an answer: a message the NLU calls an answer (or a
# choice of an application it does not name) is read as the need it ranks highest.
NOTHING_TO_ANSWER = ("inform", "choose_application")
RANKED_NEED_CONFIDENCE = 0.05
UNSURE_NEED_CONFIDENCE = 0.1  # beside an unsure control intent
MIN_FUZZY_WORD = 6  # "wohngelt" -> "Wohngeld"; shorter words are too alike
FUZZY_NAME = 0.85


class Guiding(Core):
    """The phases `menu`, `guide` (a triage question is open) and `offer` (what fits is offered)."""

    def _welcome(self, draft: Draft, turn: UserTurn) -> tuple[Draft, Reply]:
        reply = Reply().say("common.welcome").say("common.privacy")
        wanted = turn.metadata.get("application") or turn.entities.get("application")
        if wanted in self.applications:
            return draft, self._start(draft, str(wanted), reply)
        return draft, self._menu(reply)

    def _menu(self, reply: Reply, intent: str = "choose_application") -> Reply:
        """The applications as buttons; `intent`: what pressing one asks (e.g. `ask_who`)."""
        reply.say("common.menu")
        reply.state = state(
            "menu",
            choices=[
                choice(
                    app_id,
                    f"apps.{app_id}.title",
                    f'/{intent}{{"application":"{app_id}"}}',
                )
                for app_id in self.applications
            ],
        )
        return reply

    def _on_menu(self, draft: Draft, turn: UserTurn) -> Reply:
        if turn.means("cancel"):
            return self._cancelled()
        if turn.means("greet", "start", "help", "repeat"):
            return self._menu(Reply())
        wish = self._wish(draft, turn)
        if wish is not None:
            return self._follow(draft, wish, chosen=True)
        try:
            wanted = parse_choice(turn.text, self._application_names(draft.lang))
        except ParseError:
            return self._menu(Reply().say("common.menu_unknown"))
        return self._start(draft, str(wanted), Reply())

    def _start(self, draft: Draft, app_id: str, reply: Reply) -> Reply:
        draft.application, draft.phase = app_id, Phase.ASKING
        draft.answers, draft.history, draft.editing = self._prefilled(draft, app_id), [], None
        draft.guide = {}
        reply.say(f"apps.{app_id}.intro")
        if draft.answers:
            reply.say("guide.prefilled")
        reply.say("common.controls")
        return self._next(draft, reply)

    def _wish(self, draft: Draft, turn: UserTurn) -> dict[str, str] | None:
        """What the message asks for: an application it names, or a need it describes."""
        named = self._named_application(draft, turn)
        if named is not None:
            return {"application": named}
        misspelt = self._misspelt_application(draft, turn)
        if misspelt is not None:
            return {"application": misspelt}
        guide = load_guide()
        need = guide.need_of(turn.intent)
        if need is not None and turn.means(confidence=GUIDE_CONFIDENCE):
            return {"need": need}
        if draft.phase == Phase.MENU:
            return self._likeliest_need(turn)
        return None

    def _likeliest_need(self, turn: UserTurn) -> dict[str, str] | None:
        """In the menu: the need the NLU ranks highest, when what came first means nothing here.

        "An answer" with no question open, an application choice that names none, or a
        control the NLU is unsure of ("my boss let me go" as a weak "pause").
        """
        guide = load_guide()
        likeliest = turn.best_of(guide.intents())
        if likeliest is None:
            return None
        meaningless = turn.intent in NOTHING_TO_ANSWER
        if likeliest[1] >= (RANKED_NEED_CONFIDENCE if meaningless else UNSURE_NEED_CONFIDENCE) and (
            meaningless or not turn.means(confidence=CONTROL_CONFIDENCE)
        ):
            return {"need": str(guide.need_of(likeliest[0]))}
        return None

    def _follow(
        self,
        draft: Draft,
        wish: Mapping[str, str],
        reply: Reply | None = None,
        chosen: bool = False,
    ) -> Reply:
        """Start a chosen application; tell about a named one first; guide from a need."""
        reply = reply or Reply()
        app_id = wish.get("application")
        if app_id is not None and chosen:
            return self._start(draft, app_id, reply)
        if app_id is not None:
            draft.guide = {"facts": {}, "asked": []}
            reply.say("common.info_about", title={"key": f"apps.{app_id}.title"})
            return self._offer(draft, [app_id], reply.say(f"apps.{app_id}.info.who"))
        need = load_guide().needs[wish["need"]]
        draft.guide = {"facts": start_facts(need), "asked": []}
        if need.refer:
            return self._refer(draft, need.refer, reply)
        return self._triage(draft, reply)

    def _triage(self, draft: Draft, reply: Reply) -> Reply:
        """Ask the next triage question, or say what the answers lead to."""
        guide = load_guide()
        facts, asked = draft.guide["facts"], draft.guide["asked"]
        outcome = guide.decide(facts, len(asked))
        if outcome.ask is not None:
            return self._ask_triage(draft, outcome.ask, reply)
        if outcome.rule is None:
            draft.phase, draft.guide = Phase.MENU, {}
            return self._menu(reply.say("guide.unsure"))
        if outcome.rule.refer:
            return self._refer(draft, outcome.rule.refer, reply)
        apply = list(outcome.rule.apply)
        titles = [{"key": f"apps.{app_id}.title"} for app_id in apply]
        if len(titles) == 1:
            reply.say("guide.recommend_one", application=titles[0])
        else:
            reply.say("guide.recommend_two", first=titles[0], second=titles[1])
        reply.say(f"guide.because.{outcome.rule.because}")
        for extra in outcome.also:
            apply += [app_id for app_id in extra.apply if app_id not in apply]
            for app_id in extra.apply:
                reply.say("guide.also", application={"key": f"apps.{app_id}.title"})
            reply.say(f"guide.because.{extra.because}")
        return self._offer(draft, apply, reply)

    def _ask_triage(self, draft: Draft, question: str, reply: Reply) -> Reply:
        if not draft.guide["asked"] and draft.phase != Phase.GUIDE:
            reply.say("guide.understood")
        draft.phase, draft.guide["question"] = Phase.GUIDE, question
        reply.say(question_key(question, "question"))
        reply.state = state(
            "info",
            input=text_input(),
            choices=[
                choice(code, choice_key(question, code), f'/inform{{"value":"{code}"}}')
                for code in load_guide().questions[question].choices
            ],
            guide={"question": question},
        )
        return reply

    def _on_guide(self, draft: Draft, turn: UserTurn) -> Reply:
        guide = load_guide()
        question = guide.questions[draft.guide["question"]]
        if turn.means("cancel", "start", "start_over", "go_back"):
            draft.phase, draft.guide = Phase.MENU, {}
            return self._menu(Reply())
        if turn.means("help", "why"):
            return self._ask_triage(
                draft, question.id, Reply().say(question_key(question.id, "help"))
            )
        if turn.means("repeat"):
            return self._ask_triage(draft, question.id, Reply())
        try:
            facts = interpret_triage(guide, question, turn, draft.lang, date.today())
        except NotAnAnswer as error:
            wish = self._wish(draft, turn)
            if wish is not None:  # the citizen says what they need after all
                return self._follow(draft, wish)
            key = (
                "guide.unclear"
                if error.reason == UNCLEAR
                else question_key(question.id, error.reason)
            )
            return self._ask_triage(draft, question.id, Reply().say(key))
        draft.guide["facts"].update(facts)
        draft.guide["asked"].append(question.id)
        return self._triage(draft, Reply())

    def _offer(self, draft: Draft, apply: list[str], reply: Reply) -> Reply:
        """Offer to start what fits; the citizen may still ask about it or see all applications."""
        draft.phase, draft.guide["apply"] = Phase.OFFER, apply
        reply.say("guide.offer")
        reply.state = state(
            "info",
            choices=[
                choice(
                    app_id,
                    "guide.start",
                    f'/choose_application{{"application":"{app_id}"}}',
                    label_params={"application": {"key": f"apps.{app_id}.title"}},
                )
                for app_id in apply
            ]
            + [choice("menu", "guide.other", "/start")],
            guide={"offer": apply},
        )
        return reply

    def _on_offer(self, draft: Draft, turn: UserTurn) -> Reply:
        apply = draft.guide["apply"]
        if turn.means("cancel", "start", "start_over", "deny", "go_back"):
            draft.phase, draft.guide = Phase.MENU, {}
            return self._menu(Reply())
        if turn.means("affirm") or parse_yes_no(turn.text, draft.lang):
            return self._start(draft, apply[0], Reply())
        wish = self._wish(draft, turn)
        if wish is not None:
            return self._follow(draft, wish, chosen=wish.get("application") in apply)
        return self._offer(draft, apply, Reply().say("guide.unclear"))

    def _refer(self, draft: Draft, office: str, reply: Reply | None = None) -> Reply:
        """Another office is responsible: say which, then show what we do offer."""
        draft.phase, draft.guide = Phase.MENU, {}
        reply = self._menu((reply or Reply()).say(f"guide.refer.{office}").say("guide.refer_more"))
        reply.state = extended(reply.state, guide={"refer": office})
        return reply

    def _misspelt_application(self, draft: Draft, turn: UserTurn) -> str | None:
        """ "wohngelt antrag", "wohn gelt", "عالفونغلد": a word close to a one-word name."""
        words = fold(turn.text).split()
        words += [a + b for a, b in zip(words, words[1:], strict=False)]  # "wohn gelt"
        words = [w for w in words if len(w) >= MIN_FUZZY_WORD]
        found = set()
        for app_id, names in self._application_names(draft.lang):
            for name in (fold(n) for n in names):
                if " " in name or len(name) < MIN_FUZZY_WORD:
                    continue
                if any(
                    name in w or SequenceMatcher(None, w, name).ratio() >= FUZZY_NAME for w in words
                ):
                    found.add(app_id)
        return found.pop() if len(found) == 1 else None

    def _prefilled(self, draft: Draft, app_id: str) -> dict[str, Any]:
        """What the citizen answered in the triage and the application asks too."""
        facts = draft.guide.get("facts") or {}
        answered = {
            k: v for k, v in facts.items() if k in draft.guide.get("asked", ()) or k == BIRTH_DATE
        }
        return load_guide().prefilled(app_id, answered)
