"""One citizen turn with everything around the pure dialogue: storage, files, codes, outbox.

`Conversation` decides what to say; this carries out what it asks for (submit,
pause, resume, status) against the database, so the rasa-sdk action and the
tests drive the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.backoffice.inbox import Inbox
from bot.definitions import Application
from bot.forms.dialogue import Conversation, Reply
from bot.forms.draft import Draft
from bot.forms.turn import UserTurn
from bot.storage.attachments import AttachmentStore
from bot.storage.crypto import DataBox
from bot.storage.database import utcnow
from bot.storage.drafts import DraftStore
from bot.storage.resume_codes import ResumeCodes
from bot.submission.outbox import Outbox
from bot.submission.submit import submit


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
        self.files = AttachmentStore(engine, box)
        self.outbox = Outbox(engine, box)
        self.inbox = Inbox(engine, box)

    def handle(
        self, sender: str, turn: UserTurn, channel: str, default_lang: str
    ) -> tuple[Draft, Reply]:
        """Answer one turn and store the outcome; a cancelled draft is deleted with its files."""
        turn = replace(turn, attachments=self.files.owned(sender))
        draft, reply = self.conversation.respond(self.drafts.load(sender), turn, default_lang)
        if reply.submit:
            reply = self._submit(sender, draft, channel)
        elif reply.pause:
            code = self.codes.issue(sender)
            self.drafts.save(sender, draft)
            expires = self.drafts.expires_at(sender) or utcnow()
            reply = self.conversation.paused(draft, code, expires.date(), turn.idle_seconds)
        elif reply.resume_code:
            draft, reply = self._resume(sender, draft, reply.resume_code)
        elif reply.status_of:
            status = self.inbox.status(reply.status_of)
            reply = self.conversation.status(draft, reply.status_of, status)
        if reply.forget:
            self.forget(sender)
        else:
            self.drafts.save(sender, draft)
        return draft, reply

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

    def _resume(self, sender: str, current: Draft, code: str) -> tuple[Draft, Reply]:
        owner = self.codes.owner(code)
        found = self.drafts.load(owner) if owner else None
        if owner is None or found is None:
            return current, self.conversation.resume_failed(current)
        if owner != sender:
            self.forget(sender)
            self.drafts.move(owner, sender)
            self.codes.move(owner, sender)
            self.files.move(owner, sender)
        found.lang = current.lang  # the citizen may have come back in another language
        found.references = list(dict.fromkeys(found.references + current.references))
        return found, self.conversation.resumed(found)
