"""The end of an application: the summary, cancel, and what the citizen submitted."""

from __future__ import annotations

from typing import Any

from bot.forms.answers import document_label
from bot.forms.draft import Draft
from bot.forms.phase import Phase, return_from_detour, take_detour
from bot.forms.phases.core import Core
from bot.forms.plan import active_hints, known_answer, plan
from bot.forms.reply import Reply
from bot.forms.state import extended, state
from bot.forms.turn import UserTurn


class Summary(Core):
    def _summary(self, draft: Draft, reply: Reply) -> Reply:
        app = self.applications[str(draft.application)]
        draft.phase, draft.editing = Phase.SUMMARY, None
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
        reply.state = extended(reply.state, progress=self._progress(draft))
        return reply

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
        return_from_detour(draft, Phase.ASKING)
        if turn.means("deny", "go_back", "cancel"):
            return self._resume(draft, Reply())
        if turn.means("remove"):
            return self._remove(draft, turn)
        return self._change(draft, turn)

    def _on_confirm_cancel(self, draft: Draft, turn: UserTurn) -> Reply:
        if turn.means("affirm", "cancel", confidence=0.5):
            return self._cancelled()
        return_from_detour(draft, Phase.ASKING)
        return self._resume(draft, Reply().say("common.continue"))

    def _on_submitted(self, draft: Draft, turn: UserTurn) -> Reply:
        reply = Reply().say("common.already_submitted", reference=draft.reference)
        reply.state = state("submitted", reference=draft.reference)
        return reply

    def _confirm_cancel(self, draft: Draft) -> Reply:
        take_detour(draft, Phase.CONFIRM_CANCEL)
        return self._yes_no(Reply().say("common.cancel_confirm"), "info")

    def _cancelled(self) -> Reply:
        reply = Reply(forget=True).say("common.cancelled")
        reply.state = state("cancelled")
        return reply

    def submitted(self, draft: Draft, reference: str) -> Reply:
        """The answers now live in the outbox and the office's inbox; the draft forgets them."""
        draft.phase, draft.reference = Phase.SUBMITTED, reference
        draft.references.append(reference)
        draft.answers, draft.history, draft.editing, draft.hints_shown = {}, [], None, []
        reply = Reply().say("common.submitted", reference=reference)
        reply.state = state("submitted", reference=reference)
        return reply

    def submit_failed(self, draft: Draft) -> Reply:
        reply = self._summary(draft, Reply().say("common.submit_failed"))
        reply.state = extended(reply.state, step="error")
        return reply
