"""What every phase group needs: the application, the open question, its texts.

`Core` holds the applications and asks questions; the phase groups (asking,
summary, detours, ...) subclass it and are mixed into `Conversation`, so one
group calls another through `self` (e.g. `self._summary` from a detour).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.definitions import Application
from bot.forms.answers import choice_label_key, match_languages
from bot.forms.draft import Draft
from bot.forms.phase import Phase
from bot.forms.plan import Step, amounts_of, answered, next_open, plan
from bot.forms.reply import Reply, typed
from bot.forms.state import answer_input, choice, no, state, yes, yes_no_input
from bot.forms.targets import mentions
from bot.forms.turn import UserTurn
from bot.nlg.texts import has, lookup, t
from bot.parsing.text import fold

INPUT_LIMITS = ("min", "max", "pattern")


class Core:
    def __init__(self, applications: Mapping[str, Application]) -> None:
        self.applications = applications

    def _current(self, draft: Draft) -> tuple[Application, Step | None]:
        app = self.applications[str(draft.application)]
        steps = plan(app, draft.answers)
        if draft.editing:
            editing = next((s for s in steps if s.key == draft.editing), None)
            if editing is not None:
                return app, editing
            draft.editing = None
        return app, next_open(steps, draft.answers)

    def _next(self, draft: Draft, reply: Reply) -> Reply:
        app, step = self._current(draft)
        if step is None:
            return self._summary(draft, reply)
        return self._ask(draft, step, reply)

    def _resume(self, draft: Draft, reply: Reply) -> Reply:
        """Back to where the citizen was before a detour (cancel? which answer to change?)."""
        return (
            self._summary(draft, reply)
            if draft.phase == Phase.SUMMARY
            else self._next(draft, reply)
        )

    def _ask(self, draft: Draft, step: Step, reply: Reply, kind: str = "ask") -> Reply:
        app = self.applications[str(draft.application)]
        if kind == "ask" and step.opens_group and step.group is not None and not draft.editing:
            reply.say(f"apps.{app.id}.groups.{step.group.id}.first")
        if step.document is not None:
            return self._ask_document(draft, app, step, reply, kind)
        reply.say(self._key(app, step, "question"), **self._text_values(draft, step))
        if step.kind in ("add_another", "boolean", "confirm"):
            choices = [yes(), no()]
        elif step.field is not None and step.field.type in ("choice", "multi_choice"):
            choices = [
                choice(code, choice_label_key(app, step, code), f'/inform{{"value":"{code}"}}')
                for code in step.choices
            ]
        else:
            choices = []
        options = resolve_limits(step.field.options) if step.field else {}
        reply.state = state(
            kind,
            field=step.pointer,
            input=answer_input(
                step.kind,
                step.required,
                step.field.autocomplete if step.field else None,
                **options,
            ),
            choices=choices,
            progress=self._progress(draft),
        )
        return reply

    def _yes_no(
        self, reply: Reply, step: str, yes_key: str = "common.yes", no_key: str = "common.no"
    ) -> Reply:
        reply.state = state(step, input=yes_no_input(), choices=[yes(yes_key), no(no_key)])
        return reply

    def _progress(self, draft: Draft) -> dict[str, int]:
        steps = plan(self.applications[str(draft.application)], draft.answers)
        return {"answered": sum(answered(s, draft.answers) for s in steps), "total": len(steps)}

    def _text_values(self, draft: Draft, step: Step) -> dict[str, Any]:
        """What a question's texts show besides words: item numbers, the citizen's own limits."""
        app = self.applications[str(draft.application)]
        amounts = amounts_of(app, step, draft.answers)
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


def resolve_limits(options: Mapping[str, Any]) -> dict[str, Any]:
    """The input limits a client can use: "today" becomes the date it means."""
    return {
        key: date.today().isoformat() if value == "today" else value
        for key, value in options.items()
        if key in INPUT_LIMITS
    }
