"""One citizen turn with everything around the pure dialogue: storage, files, codes, outbox.

`Conversation` decides what to say; this carries out what it asks for (submit,
pause, resume, status) against the database, so the rasa-sdk action and the
tests drive the same code.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.backoffice.inbox import Inbox
from bot.definitions import Application
from bot.delivery.outbox import Outbox
from bot.forms.dialogue import Conversation, Reply
from bot.forms.draft import Draft
from bot.forms.numbered import by_number, offered
from bot.forms.turn import UserTurn
from bot.storage.attachments import AttachmentStore
from bot.storage.crypto import DataBox
from bot.storage.database import utcnow
from bot.storage.drafts import DraftStore
from bot.storage.resume_codes import ResumeCodes
from bot.storage.resume_limits import PER_CONVERSATION, ResumeLimits
from bot.submission.submit import submit

log = logging.getLogger(__name__)


class Turns:
    def __init__(
        self,
        engine: Engine,
        box: DataBox,
        applications: Mapping[str, Application],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.conversation = Conversation(applications)
        self.drafts = DraftStore(engine, box, clock)
        self.codes = ResumeCodes(engine, box)
        self.limits = ResumeLimits(engine, box, clock)
        self.files = AttachmentStore(engine, box)
        self.outbox = Outbox(engine, box)
        self.inbox = Inbox(engine, box)

    def handle(
        self, sender: str, turn: UserTurn, channel: str, default_lang: str
    ) -> tuple[Draft, Reply]:
        """Answer one turn and store the outcome; a cancelled draft is deleted with its files."""
        turn = replace(turn, attachments=self.files.owned(sender))
        loaded = self.drafts.load(sender)
        if loaded is not None:
            turn = by_number(turn, loaded.offered, loaded.lang)
        draft, reply = self.conversation.respond(loaded, turn, default_lang)
        if reply.submit:
            reply = self._submit(sender, draft, channel)
        elif reply.pause:
            code = self.codes.issue(sender)
            self.drafts.save(sender, draft)
            expires = self.drafts.expires_at(sender) or utcnow()
            reply = self.conversation.paused(draft, code, expires.date(), turn.idle_seconds)
            if turn.idle_seconds is not None:
                self._set_aside(sender)
                return draft, reply
        elif reply.resume_code:
            draft, reply = self._resume(sender, draft, reply.resume_code, turn.client)
        elif reply.status_of:
            status = self.inbox.status(reply.status_of)
            reply = self.conversation.status(draft, reply.status_of, status)
        if reply.forget:
            self.forget(sender)
        else:
            draft.offered = offered(reply.state)
            draft.asked_document = (reply.state.get("input") or {}).get("document")
            self.drafts.save(sender, draft)
        return draft, reply

    def _set_aside(self, sender: str) -> None:
        """After the time limit, on what may be a shared screen, only the code reaches the draft.

        The draft, its code and files move to an owner no conversation has; resuming
        with the code moves them to whichever conversation types it.
        """
        aside = f"paused-{secrets.token_hex(16)}"
        self.drafts.move(sender, aside)
        self.codes.move(sender, aside)
        self.files.move(sender, aside)

    def forget(self, sender: str) -> None:
        self.drafts.delete(sender)
        self.codes.delete_for(sender)
        self.files.delete_owner(sender)

    def _submit(self, sender: str, draft: Draft, channel: str) -> Reply:
        app = self.conversation.applications[str(draft.application)]
        reference = submit(
            app, draft, self.outbox, channel, lambda ids: self.files.load(sender, ids)
        )
        if reference is None:
            return self.conversation.submit_failed(draft)
        self.files.delete_owner(sender)
        return self.conversation.submitted(draft, reference)

    def _resume(
        self, sender: str, current: Draft, code: str, client: str | None
    ) -> tuple[Draft, Reply]:
        """Check the limits before the code, so a locked-out guesser learns nothing."""
        limit = self.limits.exceeded(sender, client)
        if limit is not None:
            # which limit, never the code or the conversation
            log.warning(
                "resume code not checked: %s limit reached (%d failures in %s)",
                limit.name,
                limit.attempts,
                limit.window,
            )
            return current, self.conversation.resume_refused(current, limit is PER_CONVERSATION)
        owner = self.codes.owner(code)
        found = self.drafts.load(owner) if owner else None
        if owner is None or found is None:
            self.limits.record_failure(sender, client)
            return current, self.conversation.resume_failed(current)
        if owner != sender:
            self.forget(sender)
            self.drafts.move(owner, sender)
            self.codes.move(owner, sender)
            self.files.move(owner, sender)
        found.lang = current.lang  # the citizen may have come back in another language
        found.references = list(dict.fromkeys(found.references + current.references))
        return found, self.conversation.resumed(found)
