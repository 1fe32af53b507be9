"""The shape of an application definition (data/applications/<id>.yml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Field:
    id: str
    pointer: str  # absolute, or relative to the item of the group it belongs to
    type: str
    required: bool = True
    choices: tuple[str, ...] = ()
    autocomplete: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    when: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """A repeated group: asked with `add_another` questions, one item at a time."""

    id: str
    pointer: str
    fields: tuple[Field, ...]
    when: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    id: str
    items: tuple[Field | Group, ...]


@dataclass(frozen=True)
class Application:
    id: str
    schema: str
    leika: str | None
    reference_prefix: str
    sections: tuple[Section, ...]

    def fields_by_id(self) -> dict[str, Field]:
        found: dict[str, Field] = {}
        for section in self.sections:
            for item in section.items:
                for one in item.fields if isinstance(item, Group) else (item,):
                    found[one.id] = one
        return found

    def groups(self) -> list[Group]:
        return [i for s in self.sections for i in s.items if isinstance(i, Group)]
