"""Side questions from any phase: a person, pause, resume, status, information.

Each answers and then continues where the citizen was (`_continue_where`).
"""

from __future__ import annotations

import re
from datetime import date

from bot.forms.draft import Draft
from bot.forms.phase import PAUSABLE, Phase, return_from_detour, take_detour
from bot.forms.phases.core import Core
from bot.forms.reply import Reply, typed, typed_list
from bot.forms.state import state, text_input
from bot.forms.turn import UserTurn

INFO_TOPICS = {"ask_who": "who", "ask_documents": "documents", "ask_duration": "duration"}
REFERENCE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2,4}-[0-9]{4}-[0-9A-Za-z]{6,10})(?![A-Za-z0-9])")


def find_reference(text: str) -> str | None:
    match = REFERENCE.search(text)
    return match[1].upper() if match else None


class Detours(Core):
    def _handover(self, draft: Draft) -> Reply:
        reply = Reply().say("common.handover")
        if draft.phase == Phase.ASKING:
            reply.say("common.handover_continue")
        reply.state = state("handover")
        return reply

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
        reply.state = state("paused", progress=self._progress(draft))
        return reply

    def _ask_resume_code(self, draft: Draft) -> Reply:
        if draft.phase != Phase.RESUME_CODE:
            take_detour(draft, Phase.RESUME_CODE)
        reply = Reply().say("common.resume_ask")
        reply.state = state("info", input=text_input())
        return reply

    def _resume_with(self, draft: Draft, code: str) -> Reply:
        """The caller checks the code, and first its limits on failed attempts (resume_limits)."""
        return Reply(resume_code=code)

    def resumed(self, draft: Draft) -> Reply:
        """`draft` is the one the code belongs to, now moved into this conversation."""
        draft.return_phase, draft.editing = None, None
        if draft.phase in (Phase.RESUME_CODE, Phase.CHOOSE_CHANGE, Phase.CONFIRM_CANCEL):
            draft.phase = Phase.ASKING
        if draft.phase == Phase.SUBMITTED:
            return self._on_submitted(draft, UserTurn(text=""))
        return self._resume(draft, Reply().say("common.resumed"))

    def resume_failed(self, draft: Draft) -> Reply:
        if draft.phase == Phase.RESUME_CODE:
            return_from_detour(draft, Phase.MENU)
        return self._continue_where(draft, Reply().say("common.resume_unknown"))

    def resume_refused(self, draft: Draft, this_conversation: bool) -> Reply:
        """Too many wrong codes: in this conversation, or from this client or everyone."""
        if draft.phase == Phase.RESUME_CODE:
            return_from_detour(draft, Phase.MENU)
        key = "common.resume_locked" if this_conversation else "common.resume_busy"
        return self._continue_where(draft, Reply().say(key))

    def _on_resume_code(self, draft: Draft, turn: UserTurn) -> Reply:
        """The citizen was asked for a code and typed something that is not one."""
        return_from_detour(draft, Phase.MENU)
        if turn.means("deny", "cancel", "go_back"):
            return self._continue_where(draft, Reply())
        return self._continue_where(draft, Reply().say("common.resume_not_a_code"))

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
        offered = draft.guide.get("apply") if draft.phase == Phase.OFFER else None
        app_id = self._named_application(draft, turn) or draft.application or (offered or [None])[0]
        if app_id is None:
            return self._menu(Reply().say("common.info_which"), str(turn.intent))
        reply = Reply().say("common.info_about", title={"key": f"apps.{app_id}.title"})
        reply.say(f"apps.{app_id}.info.{topic}")
        if topic == "documents":
            keys = [
                f"apps.{app_id}.documents.{d.id}.label"
                for d in self.applications[app_id].documents()
            ]
            reply.say("common.info_document_list", documents=typed_list(keys))
        if draft.phase == Phase.MENU:
            return self._menu(reply.say("common.info_start"))
        return self._continue_where(draft, reply)

    def _continue_where(self, draft: Draft, reply: Reply) -> Reply:
        """After a side question: back to the question, the summary, or the menu."""
        if draft.phase in (Phase.ASKING, Phase.SUMMARY):
            return self._resume(draft, reply)
        if draft.phase == Phase.SUBMITTED:
            reply.state = state("info", reference=draft.reference)
            return reply
        if draft.phase == Phase.GUIDE:
            return self._ask_triage(draft, draft.guide["question"], reply)
        if draft.phase == Phase.OFFER:
            return self._offer(draft, draft.guide["apply"], reply)
        if draft.phase == Phase.MENU and draft.guide.get("pending"):
            return self._follow(draft, draft.guide.pop("pending"), reply)
        if draft.phase in (Phase.MENU, Phase.RESUME_CODE):
            return self._menu(reply)
        reply.state = state("info")
        return reply
