"""One turn of the conversation: what the citizen said -> what the bot answers.

Pure logic over a Draft: no I/O, no Rasa. The rasa-sdk action loads the draft,
calls `respond`, stores the draft and hands the Reply to the NLG endpoint,
which turns its text keys into the citizen's language.

`Conversation` is the phase groups of bot/forms/phases put together; this module
holds the precedence of what a turn can mean (`_meaning`), written once, and the
tables that send each meaning and each phase to its handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from enum import Enum

from bot.definitions import Application
from bot.forms.answers import interpret
from bot.forms.draft import Draft
from bot.forms.language_choice import detect_language
from bot.forms.phase import RESUMABLE_FROM, Phase
from bot.forms.phases.asking import Asking
from bot.forms.phases.corrections import Corrections
from bot.forms.phases.detours import INFO_TOPICS, Detours, find_reference
from bot.forms.phases.documents import Documents
from bot.forms.phases.guiding import Guiding
from bot.forms.phases.language import Languages
from bot.forms.phases.summary import Summary
from bot.forms.plan import Step
from bot.forms.reply import Reply
from bot.forms.turn import UserTurn
from bot.nlg.texts import supported_languages
from bot.parsing import ParseError
from bot.parsing.resume_code import find_resume_code

# Controls that an answer wins over: "Nachhilfe" is a choice, not a call for help,
# "humanitäre Gründe" is a residence status, not a wish to talk to a human, and "Krücken"
# a free-text answer, not "zurück".
ANSWER_FIRST = (
    *("help", "why", "repeat", "skip", "human", "pause", "remove", "choose_language", "go_back"),
    *INFO_TOPICS,
)
# On a free-text question anything parses, so a control needs a surer NLU.
FREE_TEXT_CONTROL_CONFIDENCE = 0.95
# Kinds whose answers are words a control could be made of ("nein", "ja", any text).
FREE_TEXT = ("text", "boolean", "add_another", "confirm")
# A first message asking one of these is answered as such, even if it names an application.
NOT_A_WISH = ("human", "resume", "ask_status", "pause", *INFO_TOPICS)


class Meaning(Enum):
    """What a turn means, in the order `Conversation._meaning` tries them."""

    RESUME_WITH_CODE = "resume_with_code"
    SWITCH_LANGUAGE = "switch_language"
    CONFIRM_LANGUAGE = "confirm_language"
    WELCOME = "welcome"
    FOLLOW_WISH = "follow_wish"
    START_OVER = "start_over"
    HANDOVER = "handover"
    ASK_RESUME_CODE = "ask_resume_code"
    STATUS = "status"
    INFO = "info"
    PAUSE = "pause"
    PHASE = "phase"


# The meanings a first message gets the welcome and privacy notice before (the others
# bring their own welcome, or answer with a code or a language the caller acts on).
WELCOMED_BEFORE = (
    Meaning.START_OVER,
    Meaning.HANDOVER,
    Meaning.ASK_RESUME_CODE,
    Meaning.STATUS,
    Meaning.INFO,
    Meaning.PAUSE,
    Meaning.PHASE,
)


class Conversation(Asking, Corrections, Documents, Summary, Detours, Languages, Guiding):
    # -- entry -------------------------------------------------------------------------

    def respond(
        self, draft: Draft | None, turn: UserTurn, default_lang: str
    ) -> tuple[Draft, Reply]:
        asked_for = turn.metadata.get("language")
        lang = asked_for if asked_for in supported_languages() else None
        lang = str(lang or (draft.lang if draft else default_lang))
        fresh = draft is None
        draft = draft or Draft(lang=lang)
        draft.lang = lang
        if asked_for or turn.is_button:
            draft.language_checked = True  # the client or a button already settled it
        if draft.phase == Phase.ASKING:
            turn = self._answer_or_control(draft, turn)
        meaning = self._meaning(draft, turn, fresh)
        draft, reply = MEANINGS[meaning](self, draft, turn, fresh)
        if fresh and meaning in WELCOMED_BEFORE:
            if reply.parts or not (reply.resume_code or reply.status_of or reply.pause):
                reply.parts[:0] = Reply().say("common.welcome").say("common.privacy").parts
        return draft, reply

    # -- precedence ----------------------------------------------------------------------

    def _meaning(self, draft: Draft, turn: UserTurn, fresh: bool) -> Meaning:
        """What the turn means: the first of these that holds, in this order.

        0. On an open question an answer wins over a control the NLU guessed
           (`_answer_or_control`, before this): "Nachhilfe" is a choice, not "help".
        1. A resume code, when the bot asked for one, nothing is open (menu, submitted)
           or the citizen says "resume": a code is unmistakable and brings work back.
        2. A language named or chosen: being understood comes before anything else.
        3. The first free text in another language than the page's (checked once):
           ask in that language whether to switch.
        4. A first message: a greeting, "/start" or the application the page asks for
           gets the welcome; a named application or a described need is followed at
           once, unless the message asks for a person, resume, status, pause or
           information (NOT_A_WISH), which come next as on any turn.
        5. Start over, from the menu or after submitting (elsewhere it means cancel,
           which the phase confirms first).
        6. Detours any phase allows and comes back from: a person, a resume code
           wanted, a status (or a reference typed where nothing is open), information
           about an application, pause.
        7. Otherwise the phase reads the turn (PHASES): an answer, a correction, help ...
        """
        code = find_resume_code(turn.text, expected=draft.phase == Phase.RESUME_CODE)
        if code and (turn.means("resume") or draft.phase in RESUMABLE_FROM):
            return Meaning.RESUME_WITH_CODE
        if turn.means("choose_language") or turn.entities.get("language"):
            return Meaning.SWITCH_LANGUAGE
        if not draft.language_checked and draft.phase in (Phase.MENU, Phase.ASKING):
            draft.language_checked = True
            if self._other_language(draft, turn):
                return Meaning.CONFIRM_LANGUAGE
        if fresh and (turn.means("start", "greet") or turn.metadata.get("application")):
            return Meaning.WELCOME
        if fresh and self._wish(draft, turn) is not None and not turn.means(*NOT_A_WISH):
            return Meaning.FOLLOW_WISH
        if turn.means("start", "start_over") and draft.phase in (Phase.MENU, Phase.SUBMITTED):
            return Meaning.START_OVER
        if turn.means("human"):
            return Meaning.HANDOVER
        if turn.means("resume"):
            return Meaning.ASK_RESUME_CODE
        if turn.means("ask_status") or (
            draft.phase in (Phase.MENU, Phase.SUBMITTED) and find_reference(turn.text)
        ):
            return Meaning.STATUS
        if turn.means(*INFO_TOPICS):
            return Meaning.INFO
        if turn.means("pause"):
            return Meaning.PAUSE
        return Meaning.PHASE

    @staticmethod
    def _other_language(draft: Draft, turn: UserTurn) -> str | None:
        """The language the message is written in, if it is not the conversation's."""
        guessed = detect_language(turn.text)
        return guessed if guessed and guessed != draft.lang.split("-")[0] else None

    def _answer_or_control(self, draft: Draft, turn: UserTurn) -> UserTurn:
        """Whether the NLU's control intent should count, given the question being asked.

        "Nachhilfe" is a choice, not a call for help; "humanitäre Gründe" a residence
        status, not a wish to talk to a human; skipping a document means "later".
        """
        app, step = self._current(draft)
        if step is None:
            return turn
        if step.document is not None and turn.means("skip"):
            return UserTurn(text="later", intent="inform", entities={"value": "later"})
        if not turn.means(*ANSWER_FIRST):
            return turn
        unsure = not turn.means(confidence=FREE_TEXT_CONTROL_CONFIDENCE)
        if self._parses(app, step, draft, turn) or (
            step.kind == "text" and unsure and not turn.means("skip")
        ):
            return replace(turn, intent="inform")
        return turn

    def _parses(self, app: Application, step: Step, draft: Draft, turn: UserTurn) -> bool:
        """Whether a typed reply is a valid answer to a question that is not free text."""
        if turn.is_button or step.kind in FREE_TEXT:
            return False
        try:
            interpret(app, step, turn, draft.lang)
        except ParseError:
            return False
        return True

    # -- what each meaning does ----------------------------------------------------------

    def _confirm_other_language(self, draft: Draft, turn: UserTurn, fresh: bool) -> Reply:
        guessed = str(self._other_language(draft, turn))
        draft.guide = {"pending": self._wish(draft, turn)} if draft.phase == Phase.MENU else {}
        return self._confirm_language(draft, guessed, fresh)

    def _follow_wish(self, draft: Draft, turn: UserTurn) -> Reply:
        wish = self._wish(draft, turn)
        assert wish is not None  # `_meaning` found it
        return self._follow(draft, wish, Reply().say("common.welcome").say("common.privacy"))

    def _on_phase(self, draft: Draft, turn: UserTurn) -> Reply:
        return PHASES[Phase(draft.phase)](self, draft, turn)


Action = Callable[[Conversation, Draft, UserTurn, bool], tuple[Draft, Reply]]

# What each meaning does; `fresh`: the first message of the conversation.
MEANINGS: dict[Meaning, Action] = {
    Meaning.RESUME_WITH_CODE: lambda c, d, t, fresh: (
        d,
        c._resume_with(d, str(find_resume_code(t.text, expected=d.phase == Phase.RESUME_CODE))),
    ),
    Meaning.SWITCH_LANGUAGE: lambda c, d, t, fresh: (d, c._switch_language(d, t)),
    Meaning.CONFIRM_LANGUAGE: lambda c, d, t, fresh: (d, c._confirm_other_language(d, t, fresh)),
    Meaning.WELCOME: lambda c, d, t, fresh: c._welcome(d, t),
    Meaning.FOLLOW_WISH: lambda c, d, t, fresh: (d, c._follow_wish(d, t)),
    Meaning.START_OVER: lambda c, d, t, fresh: c._welcome(
        Draft(lang=d.lang, references=d.references), t
    ),
    Meaning.HANDOVER: lambda c, d, t, fresh: (d, c._handover(d)),
    Meaning.ASK_RESUME_CODE: lambda c, d, t, fresh: (d, c._ask_resume_code(d)),
    Meaning.STATUS: lambda c, d, t, fresh: (d, c._status_request(d, t)),
    Meaning.INFO: lambda c, d, t, fresh: (d, c._info(d, t)),
    Meaning.PAUSE: lambda c, d, t, fresh: (d, c._pause(d)),
    Meaning.PHASE: lambda c, d, t, fresh: (d, c._on_phase(d, t)),
}

# What a message means in each phase, once no meaning above took it.
PHASES: dict[Phase, Callable[[Conversation, Draft, UserTurn], Reply]] = {
    Phase.MENU: Conversation._on_menu,
    Phase.GUIDE: Conversation._on_guide,
    Phase.OFFER: Conversation._on_offer,
    Phase.ASKING: Conversation._on_asking,
    Phase.SUMMARY: Conversation._on_summary,
    Phase.CHOOSE_CHANGE: Conversation._on_choose_change,
    Phase.CONFIRM_CANCEL: Conversation._on_confirm_cancel,
    Phase.RESUME_CODE: Conversation._on_resume_code,
    Phase.CONFIRM_LANGUAGE: Conversation._on_confirm_language,
    Phase.SUBMITTED: Conversation._on_submitted,
}
