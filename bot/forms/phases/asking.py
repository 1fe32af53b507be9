"""The phase `asking`: an answer, or help, why, repeat, skip and back on the open question."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.definitions import Application
from bot.forms.answers import interpret, interpret_noted, noted
from bot.forms.draft import Draft
from bot.forms.phase import Phase
from bot.forms.phases.core import Core
from bot.forms.plan import Step, active_hints, plan
from bot.forms.reply import Reply
from bot.forms.rules import check_rules
from bot.forms.targets import find_target
from bot.forms.turn import UserTurn
from bot.parsing import ParseError


class Asking(Core):
    def _on_asking(self, draft: Draft, turn: UserTurn) -> Reply:
        """Step 7 of `Conversation._meaning` on an open question, in this order.

        Cancel, help, why, repeat, back and remove are controls the NLU was sure of
        (an answer that parses already won, `_answer_or_control`); a correction names
        an earlier answer; skip only where the question allows it; else an answer.
        """
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

    def _back(self, draft: Draft) -> Reply:
        """Undo the most recent answer and ask that question again."""
        draft.editing = None
        if not draft.history:
            return self._next(draft, Reply().say("common.back_first"))
        previous = draft.forget(draft.history[-1])
        draft.phase = Phase.ASKING
        app, step = self._current(draft)
        reply = Reply()
        if step is not None and previous is not None:
            reply.say("common.previous_answer", value=self._typed_answer(app, step, previous))
        return self._next(draft, reply)

    def _new_hints(self, draft: Draft, reply: Reply) -> Reply:
        """Say each eligibility hint once, when the answers first make it hold."""
        app = self.applications[str(draft.application)]
        active = [h.id for h in active_hints(app, plan(app, draft.answers), draft.answers)]
        for hint_id in active:
            if hint_id not in draft.hints_shown:
                reply.say(f"apps.{app.id}.hints.{hint_id}")
        draft.hints_shown = active
        return reply


def _printable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (int, float)) else str(v) for k, v in params.items()}
