"""Which questions an application asks, given the answers so far.

The plan is derived from the definition and the answers every time, never
stored: a changed answer that switches a condition off makes the dependent
questions (and their answers) drop out of the plan and out of the payload.
Conditions only see answers of questions that are themselves in the plan, so
an answer left behind by an abandoned path cannot switch anything on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.definitions import Application, Document, Field, Group, Hint
from bot.definitions.loader import group_patterns
from bot.definitions.model import ANSWERED, NONE, Conditions

ADD_ANOTHER = "add_another"
FILE = "file"
DOCUMENT_KEY = "document:"


@dataclass(frozen=True)
class Step:
    """One question: a field at a concrete pointer, an add-another question, or a document."""

    section: str
    pointer: str  # where the answer lives in the payload (the array for add-another)
    key: str  # where the answer lives in the draft's answers
    field: Field | None = None
    group: Group | None = None
    item: int | None = None  # 0-based index inside the group
    parent_item: int | None = None  # index inside the enclosing group, for nested groups
    document: Document | None = None
    opens_group: bool = False  # first question of a group that needs no "is there one?"
    of_item: str | None = None  # a per-item document: the pointer of its item, "/children/1"

    @property
    def kind(self) -> str:
        if self.field is not None:
            return self.field.type
        return FILE if self.document is not None else ADD_ANOTHER

    @property
    def required(self) -> bool:
        return self.field.required if self.field else True

    @property
    def number(self) -> int:
        """1-based item number, used in texts ("your 2nd income")."""
        return (self.item or 0) + 1

    @property
    def parent_number(self) -> int:
        return (self.parent_item or 0) + 1


def add_another_key(array: str, index: int) -> str:
    return f"{array}#{index}"


def document_key(document: Document, item: str | None = None) -> str:
    """Where a document's answer lives; under its item, so removing the item removes it."""
    return f"{item}/{DOCUMENT_KEY}{document.id}" if item else f"{DOCUMENT_KEY}{document.id}"


@dataclass(frozen=True)
class _Item:
    """One planned item of a group, for the documents asked per item."""

    array: str  # the group's array with real indexes, "/household_members/0/income"
    index: int
    parent: int | None
    group: Group

    @property
    def pointer(self) -> str:
        return f"{self.array}/{self.index}"


def _star(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", r"[0-9]+"))


def _holds(allowed: tuple[Any, ...], value: Any) -> bool:
    if ANSWERED in allowed and value is not None:
        return True
    if isinstance(value, list):
        return any(one in allowed for one in value)
    return value in allowed


def applies(conditions: Conditions, seen: Mapping[str, Any], base: str = "") -> bool:
    """Whether every condition holds on the planned answers `seen`."""
    for pointer, allowed in conditions.items():
        absolute = pointer if pointer.startswith("/") else f"{base}/{pointer}"
        if "*" in absolute:
            pattern = _star(absolute)
            if not any(_holds(allowed, v) for k, v in seen.items() if pattern.fullmatch(k)):
                return False
        elif not _holds(allowed, seen.get(absolute)):
            return False
    return True


class _Planner:
    def __init__(self, answers: Mapping[str, Any]) -> None:
        self.answers = answers
        self.seen: dict[str, Any] = {}
        self.steps: list[Step] = []
        self.items: list[_Item] = []
        self.documents = 0

    def add(self, step: Step) -> None:
        self.steps.append(step)
        if step.key in self.answers:
            self.seen[step.key] = self.answers[step.key]

    def group(self, section: str, group: Group, base: str, parent: int | None) -> None:
        array = f"{base}/{group.pointer}" if base else group.pointer
        index = 0
        while group.max_items is None or index < group.max_items:
            if index >= group.min_items:
                key = add_another_key(array, index)
                self.add(Step(section, array, key, group=group, item=index, parent_item=parent))
                if self.answers.get(key) is not True:
                    return
            item_base = f"{array}/{index}"
            self.items.append(_Item(array, index, parent, group))
            first = index == 0 and group.min_items > 0
            for one in group.fields:
                if applies(one.when, self.seen, item_base):
                    pointer = f"{item_base}/{one.pointer}"
                    self.add(
                        Step(section, pointer, pointer, one, group, index, parent, None, first)
                    )
                    first = False
            for inner in group.groups:
                if applies(inner.when, self.seen, item_base):
                    self.group(section, inner, item_base, index)
            index += 1

    def document(self, section: str, document: Document) -> None:
        """One question, or with `per_item` one per item whose answers meet `when`."""
        if document.per_item is None:
            if applies(document.when, self.seen):
                self._add_document(section, document, None)
            return
        pattern = _star(document.per_item)
        for item in self.items:
            if pattern.fullmatch(item.array) and applies(document.when, self.seen, item.pointer):
                self._add_document(section, document, item)

    def _add_document(self, section: str, document: Document, item: _Item | None) -> None:
        pointer, key = f"/documents/{self.documents}", document_key(document, item and item.pointer)
        self.documents += 1
        if item is None:
            self.add(Step(section, pointer, key, document=document))
            return
        self.add(
            Step(
                section,
                pointer,
                key,
                group=item.group,
                item=item.index,
                parent_item=item.parent,
                document=document,
                of_item=item.pointer,
            )
        )


def plan(app: Application, answers: Mapping[str, Any]) -> list[Step]:
    planner = _Planner(answers)
    for section in app.sections:
        for item in section.items:
            if isinstance(item, Document):
                planner.document(section.id, item)
            elif not applies(item.when, planner.seen):
                continue
            elif isinstance(item, Group):
                planner.group(section.id, item, "", None)
            else:
                planner.add(Step(section.id, item.pointer, item.pointer, field=item))
    return planner.steps


def answered(step: Step, answers: Mapping[str, Any]) -> bool:
    return step.key in answers


def next_open(steps: list[Step], answers: Mapping[str, Any]) -> Step | None:
    return next((s for s in steps if not answered(s, answers)), None)


def group_arrays(app: Application) -> list[str]:
    """Pointers of every array a group fills, `*` standing for an enclosing item's index."""
    return list(group_patterns(app))


def _payload_value(field: Field, value: Any) -> Any:
    """ "None of these" is kept as the choice `none` (the summary shows it) and sent as []."""
    if field.allows_none and isinstance(value, list):
        return [code for code in value if code != NONE]
    return value


def payload_answers(steps: list[Step], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers that belong in the payload: planned fields, not skipped, no add-another keys.

    A presence question ("Do you have a legal guardian?") only steers: the object is
    there when its own fields are.
    """
    return {
        s.pointer: _payload_value(s.field, answers[s.key])
        for s in steps
        if s.field is not None and not s.field.presence and answers.get(s.key) is not None
    }


def payload_documents(steps: list[Step], answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The payload's `documents`: every planned document with what the citizen said about it.

    A per-item document names its item (`"item": "/children/1"`, contract v1.1).
    """
    return [
        {"kind": s.document.id, **answers[s.key], **({"item": s.of_item} if s.of_item else {})}
        for s in steps
        if s.document is not None and s.key in answers
    ]


def active_hints(app: Application, steps: list[Step], answers: Mapping[str, Any]) -> list[Hint]:
    """Hints whose condition holds on the planned answers."""
    seen = {s.key: answers[s.key] for s in steps if s.key in answers}
    found = []
    for hint in app.hints:
        if hint.when and not applies(hint.when, seen):
            continue
        if hint.total is not None:
            pattern = _star(hint.total.of)
            total = sum(float(v) for k, v in seen.items() if pattern.fullmatch(k) and v)
            if total <= hint.total.above:
                continue
        found.append(hint)
    return found
