"""One turn of the conversation: what the citizen said -> what the bot answers.

Pure logic over a Draft: no I/O, no Rasa. The rasa-sdk action loads the draft,
calls `respond`, stores the draft and hands the Reply to the NLG endpoint,
which turns its text keys into the citizen's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.definitions import Application
from bot.forms.answers import choice_label_key, interpret, match_languages
from bot.forms.draft import Draft
from bot.forms.plan import Step, answered, next_open, plan
from bot.forms.targets import find_target
from bot.forms.turn import UserTurn
from bot.nlg.texts import has, lookup, supported_languages, t
from bot.parsing import ParseError, parse_choice

YES = {"value": "true", "label_key": "common.yes", "payload": "/affirm"}
NO = {"value": "false", "label_key": "common.no", "payload": "/deny"}
INPUT_LIMITS = ("min", "max", "pattern")


@dataclass
class Reply:
    """Text keys with parameters, and the state object of the conversation contract."""

    parts: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    submit: bool = False  # the citizen confirmed: the caller submits and calls `submitted`
    forget: bool = False  # the citizen cancelled: the caller deletes draft and history

    def say(self, key: str, **params: Any) -> Reply:
        self.parts.append({"key": key, "params": params})
        return self


def typed(kind: str, value: Any, label_key: str | None = None) -> dict[str, Any]:
    """A value the NLG formats for the citizen's locale (dates, money, codes)."""
    return {"format": kind, "value": value, "key": label_key}


class Conversation:
    def __init__(self, applications: Mapping[str, Application]) -> None:
        self.applications = applications

    # -- entry -------------------------------------------------------------------------

    def respond(
        self, draft: Draft | None, turn: UserTurn, default_lang: str
    ) -> tuple[Draft, Reply]:
        asked_for = turn.metadata.get("language")
        lang = asked_for if asked_for in supported_languages() else None
        lang = str(lang or (draft.lang if draft else default_lang))
        if draft is None:
            return self._welcome(Draft(lang=lang), turn)
        draft.lang = lang
        if turn.means("start", "start_over") and draft.phase in ("menu", "submitted"):
            return self._welcome(Draft(lang=lang), turn)
        if turn.means("human"):
            return draft, self._handover(draft)
        handler = getattr(self, f"_on_{draft.phase}")
        return draft, handler(draft, turn)

    # -- phases ------------------------------------------------------------------------

    def _welcome(self, draft: Draft, turn: UserTurn) -> tuple[Draft, Reply]:
        reply = Reply().say("common.welcome").say("common.privacy")
        wanted = turn.metadata.get("application") or turn.entities.get("application")
        if wanted in self.applications:
            return draft, self._start(draft, str(wanted), reply)
        return draft, self._menu(reply)

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
        wanted = turn.entities.get("application")
        if wanted not in self.applications:
            try:
                wanted = parse_choice(turn.text, self._application_names(draft.lang))
            except ParseError:
                return self._menu(Reply().say("common.menu_unknown"))
        return self._start(draft, str(wanted), Reply())

    def _start(self, draft: Draft, app_id: str, reply: Reply) -> Reply:
        draft.application, draft.phase = app_id, "asking"
        draft.answers, draft.history, draft.editing = {}, [], None
        reply.say(f"apps.{app_id}.intro").say("common.controls")
        return self._next(draft, reply)

    def _on_asking(self, draft: Draft, turn: UserTurn) -> Reply:
        app, step = self._current(draft)
        if step is None:
            return self._summary(draft, Reply())
        if turn.means("cancel", "start_over"):
            return self._confirm_cancel(draft)
        if turn.means("help"):
            return self._ask(
                draft, step, Reply().say(self._key(app, step, "help"), number=step.number), "help"
            )
        if turn.means("why"):
            return self._ask(draft, step, Reply().say(self._key(app, step, "why")), "help")
        if turn.means("repeat"):
            return self._ask(draft, step, Reply())
        if turn.means("go_back"):
            return self._back(draft)
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
            value = interpret(app, step, turn, draft.lang)
        except ParseError as error:
            reply = Reply().say(f"errors.{error.reason}", **_printable(error.params))
            if step.field is not None and self._has_example(app, step):
                reply.say("common.example", example={"key": self._key(app, step, "example")})
            return self._ask(draft, step, reply, "invalid")
        draft.record(step.key, value)
        draft.editing = None
        return self._next(draft, Reply())

    def _on_summary(self, draft: Draft, turn: UserTurn) -> Reply:
        if turn.means("affirm", confidence=0.5):
            return Reply(submit=True)
        if turn.means("cancel", "start_over"):
            return self._confirm_cancel(draft)
        if turn.means("change", "deny", "go_back", confidence=0.5) or turn.entities.get("field"):
            return self._change(draft, turn)
        return self._summary(draft, Reply().say("common.summary_unclear"))

    def _on_choose_change(self, draft: Draft, turn: UserTurn) -> Reply:
        draft.phase, draft.return_phase = draft.return_phase or "asking", None
        if turn.means("deny", "go_back", "cancel"):
            return self._resume(draft, Reply())
        return self._change(draft, turn)

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

    def _cancelled(self) -> Reply:
        reply = Reply(forget=True).say("common.cancelled")
        reply.state = {"step": "cancelled"}
        return reply

    def submitted(self, draft: Draft, reference: str) -> Reply:
        """The answers now live in the outbox and the office's inbox; the draft forgets them."""
        draft.phase, draft.reference = "submitted", reference
        draft.answers, draft.history, draft.editing = {}, [], None
        reply = Reply().say("common.submitted", reference=reference)
        reply.state = {"step": "submitted", "reference": reference}
        return reply

    def submit_failed(self, draft: Draft) -> Reply:
        reply = self._summary(draft, Reply().say("common.submit_failed"))
        reply.state["step"] = "error"
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
                        "label_key": self._key(app, s, "label"),
                        "label_params": {"number": s.number},
                        "payload": f'/change{{"field":"{s.key}"}}',
                    }
                    for s in steps
                ],
            }
            return reply
        draft.phase, draft.editing = "asking", target.key
        reply = Reply()
        current = draft.answers.get(target.key)
        if current is not None:
            reply.say("common.current_answer", value=self._typed_answer(app, target, current))
        return self._ask(draft, target, reply)

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
        sections: list[dict[str, Any]] = []
        for step in plan(app, draft.answers):
            value = draft.answers.get(step.key)
            if step.field is None or value is None:
                continue
            if not sections or sections[-1]["section"] != step.section:
                sections.append({"section": step.section, "items": []})
            sections[-1]["items"].append(
                {
                    "label_key": self._key(app, step, "label"),
                    "number": step.number,
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
        reply.say(self._key(app, step, "question"), number=step.number)
        if step.kind in ("add_another", "boolean", "confirm"):
            choices = [YES, NO]
        elif step.field is not None and step.field.type == "choice":
            choices = [
                {
                    "value": code,
                    "label_key": choice_label_key(app, step, code),
                    "payload": f'/inform{{"value":"{code}"}}',
                }
                for code in step.field.choices
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

    @staticmethod
    def _key(app: Application, step: Step, what: str) -> str:
        if step.field is None:
            assert step.group is not None
            if what == "question":
                what = "another" if step.item else "first"
            return f"apps.{app.id}.groups.{step.group.id}.{what}"
        return f"apps.{app.id}.fields.{step.field.id}.{what}"

    @staticmethod
    def _answered_steps(app: Application, draft: Draft) -> list[Step]:
        return [s for s in plan(app, draft.answers) if answered(s, draft.answers)]

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
        return typed(step.kind, value)


def resolve_limits(options: Mapping[str, Any]) -> dict[str, Any]:
    """The input limits a client can use: "today" becomes the date it means."""
    return {
        key: date.today().isoformat() if value == "today" else value
        for key, value in options.items()
        if key in INPUT_LIMITS
    }


def _printable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (int, float)) else str(v) for k, v in params.items()}
