"""The shape of an application definition (data/applications/<id>.yml, docs/definitions.md)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Conditions = Mapping[str, tuple[Any, ...]]
ANSWERED = "<answered>"  # `when: {pointer: {answered: true}}`: any answer, not skipped
NONE = "none"  # the extra choice of a multi_choice with `none: true`; the payload gets []


@dataclass(frozen=True)
class Field:
    id: str
    pointer: str  # absolute, or relative to the item of the group it belongs to
    type: str
    required: bool = True
    choices: tuple[str, ...] = ()
    autocomplete: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    when: Conditions = field(default_factory=dict)
    # multi_choice: `choices` ends with NONE, and "none of these" is answered with [].
    allows_none: bool = False
    # boolean on an optional object ("Do you have a legal guardian?"): the answer only
    # steers the object's questions (`when: {/legal_guardian: true}`), it is not sent.
    presence: bool = False


@dataclass(frozen=True)
class Group:
    """A repeated group: asked with `add_another` questions, one item at a time."""

    id: str
    pointer: str  # absolute, or relative to the enclosing group's item
    fields: tuple[Field, ...]
    groups: tuple[Group, ...] = ()
    when: Conditions = field(default_factory=dict)
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
    when: Conditions = field(default_factory=dict)
    per_item: str | None = None


@dataclass(frozen=True)
class Total:
    """A sum over a group's answers, e.g. all asset values."""

    of: str  # pointer with `*` for the item index
    above: float


@dataclass(frozen=True)
class Hint:
    """Answers that make the benefit unlikely: the bot says so, the office decides."""

    id: str
    when: Conditions = field(default_factory=dict)
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
