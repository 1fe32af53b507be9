"""The document questions: upload now, bring it later, or send it by post."""

from __future__ import annotations

from bot.definitions import Application
from bot.forms.answers import DOCUMENT_CHOICES, document_choice_key, document_label
from bot.forms.draft import Draft
from bot.forms.phases.core import Core
from bot.forms.plan import Step, answered, plan
from bot.forms.reply import Reply, typed_list
from bot.forms.state import answer_input, choice, state
from bot.parsing.files import EXTENSIONS, MAX_UPLOAD_BYTES


class Documents(Core):
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
        reply.state = state(
            kind,
            field=step.pointer,
            input=answer_input(
                "file",
                accept=",".join(EXTENSIONS),
                max_bytes=MAX_UPLOAD_BYTES,
                document=step.document.id,
            ),
            choices=[
                choice(code, document_choice_key(code), f'/inform{{"value":"{code}"}}')
                for code in DOCUMENT_CHOICES
            ],
            progress=self._progress(draft),
        )
        return reply
