"""One turn of the conversation: what the citizen said -> what the bot answers.

Pure logic over a Draft: no I/O, no Rasa. The rasa-sdk action loads the draft,
calls `respond`, stores the draft and hands the Reply to the NLG endpoint,
which turns its text keys into the citizen's language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from bot.definitions import Application
from bot.forms.answers import (
    DOCUMENT_CHOICES,
    choice_label_key,
    document_choice_key,
    document_label,
    interpret,
    interpret_noted,
    match_languages,
    noted,
    parse_yes_no,
)
from bot.forms.draft import Draft
from bot.forms.guiding import Guiding
from bot.forms.items import remove_item
from bot.forms.language_choice import detect_language, find_language
from bot.forms.plan import (
    Step,
    active_hints,
    amounts_of,
    answered,
    known_answer,
    next_open,
    plan,
)
from bot.forms.reply import Reply, typed
from bot.forms.rules import check_rules
from bot.forms.targets import find_target, mentions
from bot.forms.turn import UserTurn
from bot.nlg.texts import has, lookup, supported_languages, t
from bot.parsing import ParseError, parse_choice
from bot.parsing.files import EXTENSIONS, MAX_UPLOAD_BYTES
from bot.parsing.text import fold
from bot.storage.resume_codes import ALPHABET as RESUME_ALPHABET
from bot.storage.resume_codes import looks_like_code

YES = {"value": "true", "label_key": "common.yes", "payload": "/affirm"}
NO = {"value": "false", "label_key": "common.no", "payload": "/deny"}
INPUT_LIMITS = ("min", "max", "pattern")
INFO_TOPICS = {"ask_who": "who", "ask_documents": "documents", "ask_duration": "duration"}
RESUME_CODE = re.compile(
    rf"(?<![A-Za-z0-9])([{RESUME_ALPHABET}]{{5}})[ -]?([{RESUME_ALPHABET}]{{5}})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
REFERENCE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2,4}-[0-9]{4}-[0-9A-Za-z]{6,10})(?![A-Za-z0-9])")
PAUSABLE = ("asking", "summary", "choose_change", "confirm_cancel")
RESUMABLE_FROM = ("menu", "resume_code", "submitted")
# Controls that an answer wins over: "Nachhilfe" is a choice, not a call for help,
# "humanitäre Gründe" is a residence status, not a wish to talk to a human, and "Krücken"
# a free-text answer, not "zurück".
ANSWER_FIRST = (
    *("help", "why", "repeat", "skip", "human", "pause", "remove", "choose_language", "go_back"),
    *INFO_TOPICS,
)
# A first message asking one of these is answered as such, even if it names an application.
NOT_A_WISH = ("human", "resume", "ask_status", "pause", *INFO_TOPICS)
# On a free-text question anything parses, so a control needs a surer NLU.
FREE_TEXT_CONTROL_CONFIDENCE = 0.95
# Kinds whose answers are words a control could be made of ("nein", "ja", any text).
FREE_TEXT = ("text", "boolean", "add_another", "confirm")


def find_resume_code(text: str, expected: bool = False) -> str | None:
    """A resume code in the text, normalized to "ABCDE-FGHJK".

    Unless the bot asked for a code, ten letters must look like one: a digit in each
    half (as every code has since the guide came) or the hyphen in the middle (as
    every code is printed), so "beantragen" is a word, not a code.
    """
    for match in RESUME_CODE.finditer(text):
        if expected or match[0][5] == "-" or all(looks_like_code(g) for g in match.groups()):
            return f"{match[1]}-{match[2]}".upper()
    return None


def find_reference(text: str) -> str | None:
    match = REFERENCE.search(text)
    return match[1].upper() if match else None


class Conversation(Guiding):
    def __init__(self, applications: Mapping[str, Application]) -> None:
        self.applications = applications

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
        if draft.phase == "asking":
            turn = self._answer_or_control(draft, turn)
        code = find_resume_code(turn.text, expected=draft.phase == "resume_code")
        if code and (turn.means("resume") or draft.phase in RESUMABLE_FROM):
            return draft, self._resume_with(draft, code)
        if turn.means("choose_language") or turn.entities.get("language"):
            return draft, self._switch_language(draft, turn)
        if not draft.language_checked and draft.phase in ("menu", "asking"):
            draft.language_checked = True
            guessed = detect_language(turn.text)
            if guessed and guessed != draft.lang.split("-")[0]:
                draft.guide = {"pending": self._wish(draft, turn)} if draft.phase == "menu" else {}
                return draft, self._confirm_language(draft, guessed, fresh)
        if fresh:
            return self._first_message(draft, turn)
        return self._dispatch(draft, turn)

    def _dispatch(self, draft: Draft, turn: UserTurn) -> tuple[Draft, Reply]:
        lang = draft.lang
        if turn.means("start", "start_over") and draft.phase in ("menu", "submitted"):
            return self._welcome(Draft(lang=lang, references=draft.references), turn)
        if turn.means("human"):
            return draft, self._handover(draft)
        if turn.means("resume"):
            return draft, self._ask_resume_code(draft)
        if turn.means("ask_status") or (
            draft.phase in ("menu", "submitted") and find_reference(turn.text)
        ):
            return draft, self._status_request(draft, turn)
        if turn.means(*INFO_TOPICS):
            return draft, self._info(draft, turn)
        if turn.means("pause"):
            return draft, self._pause(draft)
        handler = getattr(self, f"_on_{draft.phase}")
        return draft, handler(draft, turn)

    # -- phases ------------------------------------------------------------------------

    def _welcome(self, draft: Draft, turn: UserTurn) -> tuple[Draft, Reply]:
        reply = Reply().say("common.welcome").say("common.privacy")
        wanted = turn.metadata.get("application") or turn.entities.get("application")
        if wanted in self.applications:
            return draft, self._start(draft, str(wanted), reply)
        return draft, self._menu(reply)

    def _first_message(self, draft: Draft, turn: UserTurn) -> tuple[Draft, Reply]:
        """The welcome and privacy notice always come first; then what the message asks for.

        A greeting or "/start" gets the menu; a need, a named application, a question
        or a wish to talk to a person is answered right away, so nobody says it twice.
        """
        if turn.means("start", "greet") or turn.metadata.get("application"):
            return self._welcome(draft, turn)
        wish = self._wish(draft, turn)
        if wish is not None and not turn.means(*NOT_A_WISH):
            welcome = Reply().say("common.welcome").say("common.privacy")
            return draft, self._follow(draft, wish, welcome)
        draft, reply = self._dispatch(draft, turn)
        if reply.parts or not (reply.resume_code or reply.status_of or reply.pause):
            reply.parts[:0] = Reply().say("common.welcome").say("common.privacy").parts
        return draft, reply

    def _menu(self, reply: Reply) -> Reply:
        reply.say("common.menu")
        reply.state = {
            "step": "menu",
            "choices": [
                {
                    "value": app_id,
                    "label_key": f"apps.{app_id}.title",
                    "payload": f'/choose_application{{"application":"{app_id}"}}',
                }
                for app_id in self.applications
            ],
        }
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
        draft.application, draft.phase = app_id, "asking"
        draft.answers, draft.history, draft.editing = self._prefilled(draft, app_id), [], None
        draft.guide = {}
        reply.say(f"apps.{app_id}.intro")
        if draft.answers:
            reply.say("guide.prefilled")
        reply.say("common.controls")
        return self._next(draft, reply)

    def _on_asking(self, draft: Draft, turn: UserTurn) -> Reply:
        app, step = self._current(draft)
        if step is None:
            return self._summary(draft, Reply())
        if turn.means("cancel", "start_over"):
            return self._confirm_cancel(draft)
        if turn.means("help"):
            return self._ask(
                draft,
                step,
                Reply().say(self._key(app, step, "help"), **self._text_values(draft, step)),
                "help",
            )
        if turn.means("why"):
            return self._ask(draft, step, Reply().say(self._key(app, step, "why")), "help")
        if turn.means("repeat"):
            return self._ask(draft, step, Reply())
        if turn.means("go_back"):
            return self._back(draft)
        if turn.means("remove"):
            return self._remove(draft, turn)
        if turn.entities.get("field") or (
            turn.means("change") and self._is_correction(app, step, draft, turn)
        ):
            return self._change(draft, turn)
        if turn.means("skip"):
            if step.required:
                return self._ask(draft, step, Reply().say("common.required"), "invalid")
            draft.record(step.key, None)
            draft.editing = None
            return self._next(draft, Reply().say("common.skipped"))
        try:
            reading = interpret_noted(app, step, turn, draft.lang)
            value = reading.value
            check_rules(app, step, value, draft.answers)
        except ParseError as error:
            reply = Reply().say(error.locale_key, **_printable(error.params))
            if step.field is not None and self._has_example(app, step):
                reply.say("common.example", example={"key": self._key(app, step, "example")})
            return self._ask(draft, step, reply, "invalid")
        draft.record(step.key, value)
        draft.editing = None
        return self._next(draft, self._new_hints(draft, noted(reading)))

    def _on_summary(self, draft: Draft, turn: UserTurn) -> Reply:
        if turn.means("affirm", confidence=0.5):
            return Reply(submit=True)
        if turn.means("cancel", "start_over"):
            return self._confirm_cancel(draft)
        if turn.means("remove"):
            return self._remove(draft, turn)
        if turn.means("change", "deny", "go_back", confidence=0.5) or turn.entities.get("field"):
            return self._change(draft, turn)
        return self._summary(draft, Reply().say("common.summary_unclear"))

    def _on_choose_change(self, draft: Draft, turn: UserTurn) -> Reply:
        draft.phase, draft.return_phase = draft.return_phase or "asking", None
        if turn.means("deny", "go_back", "cancel"):
            return self._resume(draft, Reply())
        if turn.means("remove"):
            return self._remove(draft, turn)
        return self._change(draft, turn)

    def _on_confirm_language(self, draft: Draft, turn: UserTurn) -> Reply:
        draft.phase, draft.return_phase = draft.return_phase or "menu", None
        if turn.means("deny", confidence=0.5) or parse_yes_no(turn.text, draft.lang) is False:
            draft.lang = draft.previous_lang or draft.lang
        draft.previous_lang = None
        reply = Reply().say("common.language_switched")
        if draft.phase == "menu":
            reply.say("common.privacy")  # the welcome came with the question, the notice now
        return self._continue_where(draft, reply)

    def _on_resume_code(self, draft: Draft, turn: UserTurn) -> Reply:
        """The citizen was asked for a code and typed something that is not one."""
        draft.phase, draft.return_phase = draft.return_phase or "menu", None
        if turn.means("deny", "cancel", "go_back"):
            return self._continue_where(draft, Reply())
        return self._continue_where(draft, Reply().say("common.resume_not_a_code"))

    def _on_confirm_cancel(self, draft: Draft, turn: UserTurn) -> Reply:
        if turn.means("affirm", "cancel", confidence=0.5):
            return self._cancelled()
        draft.phase, draft.return_phase = draft.return_phase or "asking", None
        return self._resume(draft, Reply().say("common.continue"))

    def _on_submitted(self, draft: Draft, turn: UserTurn) -> Reply:
        reply = Reply().say("common.already_submitted", reference=draft.reference)
        reply.state = {"step": "submitted", "reference": draft.reference}
        return reply

    # -- actions -----------------------------------------------------------------------

    def _confirm_cancel(self, draft: Draft) -> Reply:
        draft.return_phase, draft.phase = draft.phase, "confirm_cancel"
        return self._yes_no(Reply().say("common.cancel_confirm"), "info")

    def _is_correction(self, app: Application, step: Step, draft: Draft, turn: UserTurn) -> bool:
        """Whether a "change" names an earlier answer, or cannot be an answer to this question.

        "am 3.3.1957" can look like a correction to the NLU; when it names no
        answered field and parses as this question's date, number, code, ..., it is
        an answer. Free text parses as anything, so there the NLU decides.
        """
        if find_target(app, self._answered_steps(app, draft), turn, draft.lang) is not None:
            return True
        if step.kind == "text":
            return True
        try:
            interpret(app, step, turn, draft.lang)
        except ParseError:
            return True
        return False

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

    def _cancelled(self) -> Reply:
        reply = Reply(forget=True).say("common.cancelled")
        reply.state = {"step": "cancelled"}
        return reply

    def submitted(self, draft: Draft, reference: str) -> Reply:
        """The answers now live in the outbox and the office's inbox; the draft forgets them."""
        draft.phase, draft.reference = "submitted", reference
        draft.references.append(reference)
        draft.answers, draft.history, draft.editing, draft.hints_shown = {}, [], None, []
        reply = Reply().say("common.submitted", reference=reference)
        reply.state = {"step": "submitted", "reference": reference}
        return reply

    def submit_failed(self, draft: Draft) -> Reply:
        reply = self._summary(draft, Reply().say("common.submit_failed"))
        reply.state["step"] = "error"
        return reply

    # -- language ------------------------------------------------------------------------

    def _switch_language(self, draft: Draft, turn: UserTurn) -> Reply:
        """Speak another language from now on; every answer stays."""
        wanted = turn.entities.get("language") or find_language(turn.text)
        if wanted not in supported_languages() or (wanted == draft.lang and not turn.is_button):
            # "ich spreche kein Deutsch" names the language we already speak: offer the others
            return self._language_menu(draft)
        if draft.phase == "confirm_language":
            draft.phase, draft.return_phase = draft.return_phase or "menu", None
        draft.lang, draft.previous_lang = str(wanted), None
        return self._continue_where(draft, Reply().say("common.language_switched"))

    def _language_menu(self, draft: Draft) -> Reply:
        reply = Reply().say("common.language_menu")
        reply.state = {
            "step": "language",
            "choices": [
                {
                    "value": code,
                    "label_key": "common.language_name",
                    "label_lang": code,
                    "payload": f'/choose_language{{"language":"{code}"}}',
                }
                for code in supported_languages()
            ],
        }
        return reply

    def _confirm_language(self, draft: Draft, guessed: str, fresh: bool) -> Reply:
        """The first message is in another language: ask in that language whether to switch."""
        draft.previous_lang, draft.lang = draft.lang, guessed
        draft.return_phase, draft.phase = draft.phase, "confirm_language"
        reply = Reply().say("common.welcome") if fresh else Reply()
        reply.say("common.language_confirm")
        reply.state = {
            "step": "language",
            "input": {"type": "confirm", "required": True, "autocomplete": None},
            "choices": [
                {**YES, "payload": f'/choose_language{{"language":"{guessed}"}}'},
                {**NO, "payload": "/deny"},
            ],
        }
        return reply

    # -- pause, resume, status, information --------------------------------------------

    def _pause(self, draft: Draft) -> Reply:
        if draft.phase not in PAUSABLE:
            return self._continue_where(draft, Reply().say("common.pause_nothing"))
        return Reply(pause=True)

    def paused(
        self, draft: Draft, code: str, valid_until: date, idle_seconds: float | None = None
    ) -> Reply:
        """The caller stored the code; tell it with the date the draft will be deleted.

        `idle_seconds`: paused by the web chat's time limit, not by the citizen.
        """
        reply = Reply()
        if idle_seconds is not None:
            reply.say("common.idle_paused", time=typed("duration", idle_seconds))
        reply.say("common.paused", code=code, valid_until=typed("date", valid_until.isoformat()))
        reply.state = {"step": "paused", "progress": self._progress(draft)}
        return reply

    def _ask_resume_code(self, draft: Draft) -> Reply:
        if draft.phase != "resume_code":
            draft.return_phase, draft.phase = draft.phase, "resume_code"
        reply = Reply().say("common.resume_ask")
        reply.state = {
            "step": "info",
            "input": {"type": "text", "required": True, "autocomplete": "off"},
        }
        return reply

    def _resume_with(self, draft: Draft, code: str) -> Reply:
        """The caller checks the code, and first its limits on failed attempts (resume_limits)."""
        return Reply(resume_code=code)

    def resumed(self, draft: Draft) -> Reply:
        """`draft` is the one the code belongs to, now moved into this conversation."""
        draft.return_phase, draft.editing = None, None
        if draft.phase in ("resume_code", "choose_change", "confirm_cancel"):
            draft.phase = "asking"
        if draft.phase == "submitted":
            return self._on_submitted(draft, UserTurn(text=""))
        return self._resume(draft, Reply().say("common.resumed"))

    def resume_failed(self, draft: Draft) -> Reply:
        if draft.phase == "resume_code":
            draft.phase, draft.return_phase = draft.return_phase or "menu", None
        return self._continue_where(draft, Reply().say("common.resume_unknown"))

    def resume_refused(self, draft: Draft, this_conversation: bool) -> Reply:
        """Too many wrong codes: in this conversation, or from this client or everyone."""
        if draft.phase == "resume_code":
            draft.phase, draft.return_phase = draft.return_phase or "menu", None
        key = "common.resume_locked" if this_conversation else "common.resume_busy"
        return self._continue_where(draft, Reply().say(key))

    def _status_request(self, draft: Draft, turn: UserTurn) -> Reply:
        """Status only for references submitted in this conversation (or its resumed draft)."""
        reference = find_reference(turn.text) or (
            draft.references[-1] if len(draft.references) == 1 else None
        )
        if reference is None:
            return self._continue_where(draft, Reply().say("common.status_which"))
        if reference not in draft.references:
            return self._continue_where(
                draft, Reply().say("common.status_not_here", reference=reference)
            )
        return Reply(status_of=reference)

    def status(self, draft: Draft, reference: str, status: str | None) -> Reply:
        """`status` is the inbox status (new, accepted, rejected) or None if unknown there."""
        key = f"common.status.{status}" if status else "common.status.unknown"
        return self._continue_where(draft, Reply().say(key, reference=reference))

    def _info(self, draft: Draft, turn: UserTurn) -> Reply:
        """Who can get it, which documents, how long: answered without starting the form."""
        topic = INFO_TOPICS[str(turn.intent)]
        offered = draft.guide.get("apply") if draft.phase == "offer" else None
        app_id = self._named_application(draft, turn) or draft.application or (offered or [None])[0]
        if app_id is None:
            reply = self._menu(Reply().say("common.info_which"))
            for choice in reply.state["choices"]:
                choice["payload"] = f'/{turn.intent}{{"application":"{choice["value"]}"}}'
            return reply
        reply = Reply().say("common.info_about", title={"key": f"apps.{app_id}.title"})
        reply.say(f"apps.{app_id}.info.{topic}")
        if topic == "documents":
            keys = [
                f"apps.{app_id}.documents.{d.id}.label"
                for d in self.applications[app_id].documents()
            ]
            reply.say("common.info_document_list", documents=typed_list(keys))
        if draft.phase == "menu":
            return self._menu(reply.say("common.info_start"))
        return self._continue_where(draft, reply)

    def _named_application(self, draft: Draft, turn: UserTurn) -> str | None:
        wanted = turn.entities.get("application")
        if wanted in self.applications:
            return str(wanted)
        text = fold(turn.text)
        best: tuple[int, str] | None = None
        for app_id, names in self._application_names(draft.lang):
            for name in names:
                # "BuT" is a name as written, "but" a word: abbreviations keep their case
                abbreviation = any(c.isupper() for c in name[1:])
                found = mentions(turn.text, name) if abbreviation else mentions(text, fold(name))
                if len(name) >= 3 and found:
                    best = max(best or (0, app_id), (len(name), app_id))
        return best[1] if best else None

    def _continue_where(self, draft: Draft, reply: Reply) -> Reply:
        """After a side question: back to the question, the summary, or the menu."""
        if draft.phase in ("asking", "summary"):
            return self._resume(draft, reply)
        if draft.phase == "submitted":
            reply.state = {"step": "info", "reference": draft.reference}
            return reply
        if draft.phase == "guide":
            return self._ask_triage(draft, draft.guide["question"], reply)
        if draft.phase == "offer":
            return self._offer(draft, draft.guide["apply"], reply)
        if draft.phase == "menu" and draft.guide.get("pending"):
            return self._follow(draft, draft.guide.pop("pending"), reply)
        if draft.phase in ("menu", "resume_code"):
            return self._menu(reply)
        reply.state = {"step": "info"}
        return reply

    # -- group items and hints -----------------------------------------------------------

    def _remove(self, draft: Draft, turn: UserTurn) -> Reply:
        """Remove a whole group item: by button, or by its name and number in the text."""
        app = self.applications[str(draft.application)]
        items = self._removable_items(app, draft)
        wanted = turn.entities.get("field")
        chosen = next((i for i in items if i[0] == wanted), None)
        if chosen is None:
            target = find_target(app, self._answered_steps(app, draft), turn, draft.lang)
            number = _number_in(turn.text)
            candidates = [i for i in items if target is not None and target.group is i[1].group]
            if number is not None:
                candidates = [i for i in candidates if i[1].number == number]
            if len(candidates) == 1:
                chosen = candidates[0]
        if chosen is None:
            if not items:
                return self._resume(draft, Reply().say("common.remove_nothing"))
            draft.return_phase, draft.phase = draft.phase, "choose_change"
            reply = Reply().say("common.remove_which")
            reply.state = {
                "step": "info",
                "choices": [
                    {
                        "value": pointer,
                        "label_key": self._key(app, step, "label"),
                        "label_params": {
                            "number": step.number,
                            "parent_number": step.parent_number,
                        },
                        "payload": f'/remove{{"field":"{pointer}"}}',
                    }
                    for pointer, step in items
                ],
            }
            return reply
        pointer, step = chosen
        array, index = pointer.rsplit("/", 1)
        remove_item(draft, array, int(index))
        draft.editing = None
        reply = Reply().say("common.removed", item=self._item_label(app, step))
        return self._resume(draft, reply)

    def _removable_items(self, app: Application, draft: Draft) -> list[tuple[str, Step]]:
        """(item pointer, its add-another step) for every group item the citizen gave."""
        found = []
        for step in plan(app, draft.answers):
            if step.group is None or step.field is None or step.item is None:
                continue
            pointer = step.pointer[: -len(step.field.pointer) - 1]
            if all(p != pointer for p, _ in found) and answered(step, draft.answers):
                found.append((pointer, step))
        return found

    def _item_label(self, app: Application, step: Step) -> dict[str, Any]:
        """ "Person 2", "Einkommen 1 von Person 2": the group's label for one item."""
        assert step.group is not None
        params = {"number": step.number, "parent_number": step.parent_number}
        return {"key": f"apps.{app.id}.groups.{step.group.id}.label", "params": params}

    def _new_hints(self, draft: Draft, reply: Reply) -> Reply:
        """Say each eligibility hint once, when the answers first make it hold."""
        app = self.applications[str(draft.application)]
        active = [h.id for h in active_hints(app, plan(app, draft.answers), draft.answers)]
        for hint_id in active:
            if hint_id not in draft.hints_shown:
                reply.say(f"apps.{app.id}.hints.{hint_id}")
        draft.hints_shown = active
        return reply

    def _handover(self, draft: Draft) -> Reply:
        reply = Reply().say("common.handover")
        if draft.phase == "asking":
            reply.say("common.handover_continue")
        reply.state = {"step": "handover"}
        return reply

    def _back(self, draft: Draft) -> Reply:
        """Undo the most recent answer and ask that question again."""
        draft.editing = None
        if not draft.history:
            return self._next(draft, Reply().say("common.back_first"))
        previous = draft.forget(draft.history[-1])
        draft.phase = "asking"
        app, step = self._current(draft)
        reply = Reply()
        if step is not None and previous is not None:
            reply.say("common.previous_answer", value=self._typed_answer(app, step, previous))
        return self._next(draft, reply)

    def _change(self, draft: Draft, turn: UserTurn) -> Reply:
        app = self.applications[str(draft.application)]
        steps = self._answered_steps(app, draft)
        target = find_target(app, steps, turn, draft.lang)
        if target is None:
            draft.return_phase, draft.phase = draft.phase, "choose_change"
            reply = Reply().say("common.change_which")
            reply.state = {
                "step": "info",
                "choices": [
                    {
                        "value": s.key,
                        **self._change_label(app, s),
                        "payload": f'/change{{"field":"{s.key}"}}',
                    }
                    for s in steps
                ]
                + [
                    {
                        "value": pointer,
                        "label_key": "common.remove_choice",
                        "label_params": {"item": self._item_label(app, step)},
                        "payload": f'/remove{{"field":"{pointer}"}}',
                    }
                    for pointer, step in self._removable_items(app, draft)
                ],
            }
            return reply
        draft.phase, draft.editing = "asking", target.key
        reply = Reply()
        current = draft.answers.get(target.key)
        if current is not None:
            reply.say("common.current_answer", value=self._typed_answer(app, target, current))
        return self._ask(draft, target, reply)

    def _change_label(self, app: Application, step: Step) -> dict[str, Any]:
        """A per-item document names its item: two children's certificates are two choices."""
        if step.document is not None:
            return {
                "label_key": "common.answer_label",
                "label_params": {"label": document_label(app, step)},
            }
        return {"label_key": self._key(app, step, "label"), "label_params": {"number": step.number}}

    def _resume(self, draft: Draft, reply: Reply) -> Reply:
        """Back to where the citizen was before a detour (cancel? which answer to change?)."""
        return self._summary(draft, reply) if draft.phase == "summary" else self._next(draft, reply)

    def _next(self, draft: Draft, reply: Reply) -> Reply:
        app, step = self._current(draft)
        if step is None:
            return self._summary(draft, reply)
        return self._ask(draft, step, reply)

    def _summary(self, draft: Draft, reply: Reply) -> Reply:
        app = self.applications[str(draft.application)]
        draft.phase, draft.editing = "summary", None
        steps = plan(app, draft.answers)
        for hint in active_hints(app, steps, draft.answers):
            reply.say(f"apps.{app.id}.hints.{hint.id}")
        sections: list[dict[str, Any]] = []
        for step in steps:
            value = known_answer(step, draft.answers)
            if value is None or (step.field is None and step.document is None):
                continue
            if not sections or sections[-1]["section"] != step.section:
                sections.append({"section": step.section, "items": []})
            sections[-1]["items"].append(
                {
                    "label_key": self._key(app, step, "label"),
                    "label": document_label(app, step) if step.document else None,
                    "number": step.number,
                    "parent_number": step.parent_number,
                    "value": self._typed_answer(app, step, value),
                }
            )
        reply.parts.append({"key": "common.summary_intro", "params": {}, "summary": sections})
        reply.say("common.summary_confirm")
        self._yes_no(reply, "summary", yes_key="common.submit", no_key="common.change")
        reply.state["progress"] = self._progress(draft)
        return reply

    # -- helpers -----------------------------------------------------------------------

    def _current(self, draft: Draft) -> tuple[Application, Step | None]:
        app = self.applications[str(draft.application)]
        steps = plan(app, draft.answers)
        if draft.editing:
            editing = next((s for s in steps if s.key == draft.editing), None)
            if editing is not None:
                return app, editing
            draft.editing = None
        return app, next_open(steps, draft.answers)

    def _ask(self, draft: Draft, step: Step, reply: Reply, kind: str = "ask") -> Reply:
        app = self.applications[str(draft.application)]
        if kind == "ask" and step.opens_group and step.group is not None and not draft.editing:
            reply.say(f"apps.{app.id}.groups.{step.group.id}.first")
        if step.document is not None:
            return self._ask_document(draft, app, step, reply, kind)
        reply.say(self._key(app, step, "question"), **self._text_values(draft, step))
        if step.kind in ("add_another", "boolean", "confirm"):
            choices = [YES, NO]
        elif step.field is not None and step.field.type in ("choice", "multi_choice"):
            choices = [
                {
                    "value": code,
                    "label_key": choice_label_key(app, step, code),
                    "payload": f'/inform{{"value":"{code}"}}',
                }
                for code in step.choices
            ]
        else:
            choices = []
        options = resolve_limits(step.field.options) if step.field else {}
        reply.state = {
            "step": kind,
            "field": step.pointer,
            "input": {
                "type": step.kind,
                "required": step.required,
                "autocomplete": step.field.autocomplete if step.field else None,
                **options,
            },
            "choices": choices,
            "progress": self._progress(draft),
        }
        return reply

    def _ask_document(
        self, draft: Draft, app: Application, step: Step, reply: Reply, kind: str
    ) -> Reply:
        assert step.document is not None
        steps = plan(app, draft.answers)
        documents = [s for s in steps if s.document is not None]
        if kind == "ask" and not any(answered(s, draft.answers) for s in documents):
            labels = [document_label(app, s) for s in documents]
            reply.say("common.documents_intro", documents=typed_list(labels))
        reply.say("common.document_question", document=document_label(app, step))
        reply.state = {
            "step": kind,
            "field": step.pointer,
            "input": {
                "type": "file",
                "required": True,
                "autocomplete": None,
                "accept": ",".join(EXTENSIONS),
                "max_bytes": MAX_UPLOAD_BYTES,
                "document": step.document.id,
            },
            "choices": [
                {
                    "value": code,
                    "label_key": document_choice_key(code),
                    "payload": f'/inform{{"value":"{code}"}}',
                }
                for code in DOCUMENT_CHOICES
            ],
            "progress": self._progress(draft),
        }
        return reply

    def _yes_no(
        self, reply: Reply, step: str, yes_key: str = "common.yes", no_key: str = "common.no"
    ) -> Reply:
        reply.state = {
            "step": step,
            "input": {"type": "confirm", "required": True, "autocomplete": None},
            "choices": [{**YES, "label_key": yes_key}, {**NO, "label_key": no_key}],
        }
        return reply

    def _progress(self, draft: Draft) -> dict[str, int]:
        steps = plan(self.applications[str(draft.application)], draft.answers)
        return {"answered": sum(answered(s, draft.answers) for s in steps), "total": len(steps)}

    def _text_values(self, draft: Draft, step: Step) -> dict[str, Any]:
        """What a question's texts show besides words: item numbers, the citizen's own limits."""
        app = self.applications[str(draft.application)]
        amounts = amounts_of(step, plan(app, draft.answers), draft.answers)
        return {
            "number": step.number,
            "parent_number": step.parent_number,
            **{name: typed("money", value) for name, value in amounts.items()},
        }

    @staticmethod
    def _key(app: Application, step: Step, what: str) -> str:
        if step.document is not None:
            if what in ("question", "why", "example"):
                return f"common.document_{what}"
            what = "help" if what == "help" else "label"
            return f"apps.{app.id}.documents.{step.document.id}.{what}"
        if step.field is None:
            assert step.group is not None
            if what == "question":
                what = "another" if step.item else "first"
            return f"apps.{app.id}.groups.{step.group.id}.{what}"
        return f"apps.{app.id}.fields.{step.field.id}.{what}"

    @staticmethod
    def _answered_steps(app: Application, draft: Draft) -> list[Step]:
        steps = plan(app, draft.answers)
        return [s for s in steps if answered(s, draft.answers) and s.given is None]

    def _application_names(self, lang: str) -> list[tuple[str, list[str]]]:
        """What citizens call each application, in their language and in German and English."""
        languages = match_languages(lang)
        return [
            (
                app_id,
                [app_id]
                + [t(f"apps.{app_id}.title", one) for one in languages]
                + [name for one in languages for name in lookup(f"apps.{app_id}.names", one) or ()],
            )
            for app_id in self.applications
        ]

    def _has_example(self, app: Application, step: Step) -> bool:
        return has(self._key(app, step, "example"), "de")

    def _typed_answer(self, app: Application, step: Step, value: Any) -> dict[str, Any]:
        if step.kind == "choice":
            return typed("choice", value, choice_label_key(app, step, value))
        if step.kind == "multi_choice":
            return {
                "format": "multi_choice",
                "value": value,
                "keys": [choice_label_key(app, step, code) for code in value],
            }
        if step.kind == "file":
            return typed("file", value["status"], f"common.document_status.{value['status']}")
        return typed(step.kind, value)


def typed_list(keys: list[Any]) -> dict[str, Any]:
    """A bulleted list of texts (keys or labels with parameters), e.g. the documents needed."""
    return {"format": "list", "value": None, "keys": keys}


def _number_in(text: str) -> int | None:
    """The item number in "Person 2 entfernen" / "remove income 1"."""
    match = re.search(r"(?<![0-9])([0-9]{1,2})(?![0-9])", text)
    return int(match[1]) if match else None


def resolve_limits(options: Mapping[str, Any]) -> dict[str, Any]:
    """The input limits a client can use: "today" becomes the date it means."""
    return {
        key: date.today().isoformat() if value == "today" else value
        for key, value in options.items()
        if key in INPUT_LIMITS
    }


def _printable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (int, float)) else str(v) for k, v in params.items()}
