"""Changing an earlier answer and removing a group item, from a question or the summary."""

from __future__ import annotations

import re
from typing import Any

from bot.definitions import Application
from bot.forms.answers import document_label
from bot.forms.draft import Draft
from bot.forms.items import remove_item
from bot.forms.phase import Phase, take_detour
from bot.forms.phases.core import Core
from bot.forms.plan import Step, answered, plan
from bot.forms.reply import Reply
from bot.forms.state import choice, state
from bot.forms.targets import find_target
from bot.forms.turn import UserTurn


class Corrections(Core):
    def _change(self, draft: Draft, turn: UserTurn) -> Reply:
        app = self.applications[str(draft.application)]
        steps = self._answered_steps(app, draft)
        target = find_target(app, steps, turn, draft.lang)
        if target is None:
            take_detour(draft, Phase.CHOOSE_CHANGE)
            reply = Reply().say("common.change_which")
            reply.state = state(
                "info",
                choices=[
                    choice(
                        s.key, payload=f'/change{{"field":"{s.key}"}}', **self._change_label(app, s)
                    )
                    for s in steps
                ]
                + [
                    choice(
                        pointer,
                        "common.remove_choice",
                        f'/remove{{"field":"{pointer}"}}',
                        label_params={"item": self._item_label(app, step)},
                    )
                    for pointer, step in self._removable_items(app, draft)
                ],
            )
            return reply
        draft.phase, draft.editing = Phase.ASKING, target.key
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
            take_detour(draft, Phase.CHOOSE_CHANGE)
            reply = Reply().say("common.remove_which")
            reply.state = state(
                "info",
                choices=[
                    choice(
                        pointer,
                        self._key(app, step, "label"),
                        f'/remove{{"field":"{pointer}"}}',
                        label_params={"number": step.number, "parent_number": step.parent_number},
                    )
                    for pointer, step in items
                ],
            )
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


def _number_in(text: str) -> int | None:
    """The item number in "Person 2 entfernen" / "remove income 1"."""
    match = re.search(r"(?<![0-9])([0-9]{1,2})(?![0-9])", text)
    return int(match[1]) if match else None
