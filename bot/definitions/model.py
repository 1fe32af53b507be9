"""The shape of an application definition (data/applications/<id>.yml, docs/definitions.md)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.definitions.conditions import ALWAYS, Condition

NONE = "none"  # the extra choice of a multi_choice with `none: true`; the payload gets []


@dataclass(frozen=True)
class Rule:
    """A check on a field's answer: when `condition` fails, the citizen hears `error`
    (apps.<id>.fields.<field>.rules.<error>) and is asked again."""

    condition: Condition
    error: str


@dataclass(frozen=True)
class Field:
    id: str
    pointer: str  # absolute, or relative to the item of the group it belongs to
    type: str
    required: bool = True
    choices: tuple[str, ...] = ()
    autocomplete: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    when: Condition = ALWAYS
    # Choices offered only while their condition may hold (`{code: ..., when: ...}`).
    choice_when: Mapping[str, Condition] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    # multi_choice: `choices` ends with NONE, and "none of these" is answered with [].
    allows_none: bool = False
    # boolean on an optional object ("Do you have a legal guardian?"): the answer only
    # steers the object's questions (`when: {/legal_guardian: true}`), it is not sent.
    presence: bool = False
    # Amounts its texts show, computed from earlier answers (`%{limit}`: 60,000 € plus
    # 30,000 € per further household member), so the citizen compares with their own.
    amounts: Mapping[str, Limit] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """A repeated group: asked with `add_another` questions, one item at a time."""

    id: str
    pointer: str  # absolute, or relative to the enclosing group's item
    fields: tuple[Field, ...]
    groups: tuple[Group, ...] = ()
    when: Condition = ALWAYS
    min_items: int = 0
    max_items: int | None = None

    def all_fields(self) -> Iterator[Field]:
        yield from self.fields
        for inner in self.groups:
            yield from inner.all_fields()

    def all_groups(self) -> Iterator[Group]:
        yield self
        for inner in self.groups:
            yield from inner.all_groups()


@dataclass(frozen=True)
class Document:
    """A proof the office needs; `id` is the payload's documents[].kind.

    With `per_item` (a group's array, `*` for enclosing items, e.g. `/children`) it is
    asked once per item of that group, and relative pointers in `when` mean that item.
    """

    id: str
    when: Condition = ALWAYS
    per_item: str | None = None


@dataclass(frozen=True)
class PerItem:
    """Part of a limit: `add` for every item of a group whose answers meet `where`."""

    of: str  # a group's array, e.g. /household_members
    add: float
    where: Condition = ALWAYS  # relative pointers: the item's own answers


@dataclass(frozen=True)
class Limit:
    """A number that may grow with a group: 60,000 + 30,000 per further household member."""

    base: float
    per_item: tuple[PerItem, ...] = ()


@dataclass(frozen=True)
class Total:
    """A sum over a group's answers, e.g. all asset values except real estate."""

    of: str  # pointer with `*` for the item index
    above: Limit
    where: Condition = ALWAYS  # relative pointers: the summed item's own answers


@dataclass(frozen=True)
class Hint:
    """Answers that make the benefit unlikely: the bot says so, the office decides."""

    id: str
    when: Condition = ALWAYS
    total: Total | None = None


@dataclass(frozen=True)
class Section:
    id: str
    items: tuple[Field | Group | Document, ...]


@dataclass(frozen=True)
class Application:
    id: str
    schema: str
    leika: str | None
    reference_prefix: str
    sections: tuple[Section, ...]
    hints: tuple[Hint, ...] = ()

    def fields_by_id(self) -> dict[str, Field]:
        found: dict[str, Field] = {}
        for section in self.sections:
            for item in section.items:
                if isinstance(item, Group):
                    found.update((f.id, f) for f in item.all_fields())
                elif isinstance(item, Field):
                    found[item.id] = item
        return found

    def groups(self) -> list[Group]:
        """Every group, nested ones included."""
        return [
            g
            for s in self.sections
            for i in s.items
            if isinstance(i, Group)
            for g in i.all_groups()
        ]

    def documents(self) -> list[Document]:
        return [i for s in self.sections for i in s.items if isinstance(i, Document)]
