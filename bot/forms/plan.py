"""Which questions an application asks, given the answers so far.

The plan is derived from the definition and the answers every time, never
stored: a changed answer that switches a condition off makes the dependent
questions (and their answers) drop out of the plan and out of the payload.
Conditions only see answers of questions that are themselves in the plan, so
an answer left behind by an abandoned path cannot switch anything on. The same
holds for a choice that is no longer offered (`{code, when}`): its answer is
treated as not given, and the question is asked again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.definitions import Application, Document, Field, Group, Hint
from bot.definitions.conditions import ALWAYS, Condition
from bot.definitions.loader import group_patterns
from bot.definitions.model import NONE, Limit, Total
from bot.forms.conditions import Facts, evaluate, holds, items, star

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
    choices: tuple[str, ...] = ()  # the codes offered now (some may depend on answers)
    given: Any = None  # a choice with one code left: the answer, not asked

    @property
    def item_base(self) -> str:
        """The item a field's relative pointers mean ("" outside groups)."""
        if self.field is None or self.field.pointer.startswith("/"):
            return ""
        return self.pointer[: -len(self.field.pointer) - 1]

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


UNANSWERED = object()


def answer_of(step: Step, answers: Mapping[str, Any]) -> Any:
    """The step's answer: given by the definition, or the citizen's while it is still one of
    the offered choices; UNANSWERED otherwise (None: skipped)."""
    if step.given is not None:
        return step.given
    value = answers.get(step.key, UNANSWERED)
    if step.field is None or value is UNANSWERED or value is None:
        return value
    hidden = set(step.field.choices) - set(step.choices)
    if step.field.type == "choice" and value in hidden:
        return UNANSWERED
    if step.field.type == "multi_choice" and isinstance(value, list) and hidden & set(value):
        kept = [code for code in value if code not in hidden]
        return kept or UNANSWERED
    return value


def applies(condition: Condition, seen: Mapping[str, Any], base: str = "") -> bool:
    """Whether a condition holds on answers `seen` (nothing open): for tests and tools."""
    return holds(condition, Facts(seen), base)


class _Planner:
    def __init__(self, answers: Mapping[str, Any]) -> None:
        self.answers = answers
        self.seen: dict[str, Any] = {}
        self.facts = Facts(self.seen, set())
        self.steps: list[Step] = []
        self.items: list[_Item] = []
        self.documents = 0

    def add(self, step: Step) -> None:
        self.steps.append(step)
        value = answer_of(step, self.answers)
        if value is UNANSWERED:
            assert isinstance(self.facts.pending, set)
            self.facts.pending.add(step.key)
        else:
            self.seen[step.key] = value

    def applies(self, condition: Condition, base: str = "") -> bool:
        return holds(condition, self.facts, base)

    def field(self, section: str, one: Field, base: str = "", **item: Any) -> None:
        """A question, with the choices its answers so far leave open.

        A choice is left out once its condition is known to fail; a required choice
        with a single code left needs no question: that code is the answer.
        """
        pointer = f"{base}/{one.pointer}" if base else one.pointer
        codes = tuple(
            code
            for code in one.choices
            if evaluate(one.choice_when.get(code, ALWAYS), self.facts, base) is not False
        )
        if one.choices and not codes:
            return
        given = codes[0] if one.choice_when and one.required and len(codes) == 1 else None
        if one.type != "choice":
            given = None
        self.add(Step(section, pointer, pointer, one, choices=codes, given=given, **item))

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
                if self.applies(one.when, item_base):
                    self.field(
                        section,
                        one,
                        item_base,
                        group=group,
                        item=index,
                        parent_item=parent,
                        opens_group=first,
                    )
                    first = False
            for inner in group.groups:
                if self.applies(inner.when, item_base):
                    self.group(section, inner, item_base, index)
            index += 1

    def document(self, section: str, document: Document) -> None:
        """One question, or with `per_item` one per item whose answers meet `when`."""
        if document.per_item is None:
            if self.applies(document.when):
                self._add_document(section, document, None)
            return
        pattern = star(document.per_item)
        for item in self.items:
            if pattern.fullmatch(item.array) and self.applies(document.when, item.pointer):
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
            elif not planner.applies(item.when):
                continue
            elif isinstance(item, Group):
                planner.group(section.id, item, "", None)
            else:
                planner.field(section.id, item)
    return planner.steps


def answered(step: Step, answers: Mapping[str, Any]) -> bool:
    return answer_of(step, answers) is not UNANSWERED


def known_answer(step: Step, answers: Mapping[str, Any]) -> Any:
    """The answer to show or send; None when skipped or not (or no longer) answered."""
    value = answer_of(step, answers)
    return None if value is UNANSWERED else value


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
        s.pointer: _payload_value(s.field, known_answer(s, answers))
        for s in steps
        if s.field is not None and not s.field.presence and known_answer(s, answers) is not None
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


def facts_of(steps: list[Step], answers: Mapping[str, Any]) -> Facts:
    """The planned answers, and which planned questions are still open."""
    seen = {s.key: answer_of(s, answers) for s in steps}
    pending = {key for key, value in seen.items() if value is UNANSWERED}
    return Facts({k: v for k, v in seen.items() if k not in pending}, pending)


def active_hints(app: Application, steps: list[Step], answers: Mapping[str, Any]) -> list[Hint]:
    """Hints whose condition holds on the planned answers."""
    facts = facts_of(steps, answers)
    return [
        hint
        for hint in app.hints
        if holds(hint.when, facts)
        and (hint.total is None or total_of(hint.total, facts) > limit_of(hint.total.above, facts))
    ]


def amounts_of(app: Application, step: Step, answers: Mapping[str, Any]) -> dict[str, float]:
    """The amounts a field's texts show, from the answers so far (docs: `amounts`).

    Planned only for a field that has amounts: the texts of every question ask for them."""
    if step.field is None or not step.field.amounts:
        return {}
    facts = facts_of(plan(app, answers), answers)
    return {name: limit_of(limit, facts) for name, limit in step.field.amounts.items()}


def total_of(total: Total, facts: Facts) -> float:
    """The sum of `of` over the items whose own answers meet `where`."""
    pattern = star(total.of)
    item_part = len(total.of.rsplit("/*", 1)[1])
    return sum(
        float(value)
        for key, value in facts.seen.items()
        if pattern.fullmatch(key)
        and value
        and holds(total.where, facts, key[: len(key) - item_part])
    )


def limit_of(limit: Limit, facts: Facts) -> float:
    """The base, plus each `per_item` amount for every item that meets its `where`."""
    return limit.base + sum(
        part.add
        for part in limit.per_item
        for item in items(facts, part.of)
        if holds(part.where, facts, item)
    )
