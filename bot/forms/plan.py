"""Which questions an application asks, given the answers so far.

The plan is derived from the definition and the answers every time, never
stored: a changed answer that switches a condition off makes the dependent
questions (and their answers) drop out of the plan and out of the payload.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.definitions import Application, Field, Group

ADD_ANOTHER = "add_another"


@dataclass(frozen=True)
class Step:
    """One question: a field at a concrete pointer, or an add-another question of a group."""

    section: str
    pointer: str  # where the answer lives in the payload (or `<group>` for add-another)
    key: str  # where the answer lives in the draft's answers
    field: Field | None = None
    group: Group | None = None
    item: int | None = None  # 0-based index inside the group

    @property
    def kind(self) -> str:
        return self.field.type if self.field else ADD_ANOTHER

    @property
    def required(self) -> bool:
        return self.field.required if self.field else True

    @property
    def number(self) -> int:
        """1-based item number, used in texts ("your 2nd income")."""
        return (self.item or 0) + 1


def add_another_key(group: Group, index: int) -> str:
    return f"{group.pointer}#{index}"


def _applies(
    conditions: Mapping[str, tuple[Any, ...]], answers: Mapping[str, Any], base: str
) -> bool:
    for pointer, allowed in conditions.items():
        absolute = pointer if pointer.startswith("/") else f"{base}/{pointer}"
        if answers.get(absolute) not in allowed:
            return False
    return True


def _group_steps(section: str, group: Group, answers: Mapping[str, Any]) -> Iterator[Step]:
    index = 0
    while True:
        key = add_another_key(group, index)
        yield Step(section, group.pointer, key, group=group, item=index)
        if answers.get(key) is not True:
            return
        base = f"{group.pointer}/{index}"
        for one in group.fields:
            if _applies(one.when, answers, base):
                pointer = f"{base}/{one.pointer}"
                yield Step(section, pointer, pointer, field=one, group=group, item=index)
        index += 1


def plan(app: Application, answers: Mapping[str, Any]) -> list[Step]:
    steps: list[Step] = []
    for section in app.sections:
        for item in section.items:
            if isinstance(item, Group):
                if _applies(item.when, answers, ""):
                    steps.extend(_group_steps(section.id, item, answers))
            elif _applies(item.when, answers, ""):
                steps.append(Step(section.id, item.pointer, item.pointer, field=item))
    return steps


def answered(step: Step, answers: Mapping[str, Any]) -> bool:
    return step.key in answers


def next_open(steps: list[Step], answers: Mapping[str, Any]) -> Step | None:
    return next((s for s in steps if not answered(s, answers)), None)


def group_arrays(app: Application) -> list[str]:
    return [g.pointer for g in app.groups()]


def payload_answers(steps: list[Step], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers that belong in the payload: planned fields, not skipped, no add-another keys."""
    return {
        s.pointer: answers[s.key]
        for s in steps
        if s.field is not None and answers.get(s.key) is not None
    }
