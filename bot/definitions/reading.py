"""Reads a definition's YAML into the model (bot/definitions/model.py); checks come after.

Only the shape is checked here (a rule needs its error key, a choice is a code or
`{code, when}`); whether pointers and codes fit the schema is the loader's job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.definitions.conditions import AgeLimit, Condition, DefinitionError, Parser
from bot.definitions.model import (
    NONE,
    Document,
    Field,
    Group,
    Hint,
    Limit,
    PerItem,
    Rule,
    Section,
    Total,
)
from bot.parsing import INPUT_TYPES

TEXT_KEY = "[a-z][a-z0-9_]*"


def _choices(raw: Any, when: Parser) -> tuple[tuple[str, ...], dict[str, Condition]]:
    """`[rented, {code: direct_to_provider, when: {...}}]`: codes, and the conditions of some."""
    codes, conditions = [], {}
    for one in raw or ():
        if isinstance(one, Mapping):
            if set(one) - {"code", "when"} or "code" not in one:
                raise DefinitionError(f"a choice is a code or {{code, when}}, not {dict(one)!r}")
            conditions[str(one["code"])] = when.parse(one.get("when"))
            one = one["code"]
        codes.append(str(one))
    return tuple(codes), conditions


def _rule(raw: Mapping[str, Any], ages: Mapping[str, AgeLimit], own: str) -> Rule:
    """`{age: {under: 25}, error: too_old}`: an `age`/`date` without `of` means this answer."""
    error = str(raw.get("error", ""))
    if not re.fullmatch(TEXT_KEY, error):
        raise DefinitionError(f"a rule needs `error`, the key of its text: {dict(raw)!r}")
    condition = Parser(ages, own=own).parse({k: v for k, v in raw.items() if k != "error"})
    return Rule(condition, error)


def _field(raw: Mapping[str, Any], ages: Mapping[str, AgeLimit]) -> Field:
    if raw.get("type") not in INPUT_TYPES:
        raise DefinitionError(f"field {raw.get('id')!r}: unknown type {raw.get('type')!r}")
    allows_none = bool(raw.get("none", False))
    when = Parser(ages)
    choices, choice_when = _choices(raw.get("choices"), when)
    return Field(
        id=raw["id"],
        pointer=raw["pointer"],
        type=raw["type"],
        required=bool(raw.get("required", True)),
        choices=choices + ((NONE,) if allows_none else ()),
        autocomplete=raw.get("autocomplete"),
        options=dict(raw.get("options", {})),
        when=when.parse(raw.get("when")),
        choice_when=choice_when,
        rules=tuple(_rule(r, ages, raw["pointer"]) for r in raw.get("rules", ())),
        allows_none=allows_none,
        presence=bool(raw.get("presence", False)),
        amounts={str(k): _limit(v, when) for k, v in (raw.get("amounts") or {}).items()},
    )


def _group(raw: Mapping[str, Any], ages: Mapping[str, AgeLimit]) -> Group:
    return Group(
        id=raw["id"],
        pointer=raw["pointer"],
        fields=tuple(_field(f, ages) for f in raw["fields"]),
        groups=tuple(_group(g, ages) for g in raw.get("groups", ())),
        when=Parser(ages).parse(raw.get("when")),
        min_items=int(raw.get("min_items", 0)),
        max_items=int(raw["max_items"]) if raw.get("max_items") is not None else None,
    )


def read_section(raw: Mapping[str, Any], ages: Mapping[str, AgeLimit]) -> Section:
    items: tuple[Field | Group | Document, ...] = (
        tuple(_field(f, ages) for f in raw.get("fields", ()))
        + tuple(_group(g, ages) for g in raw.get("groups", ()))
        + tuple(_document(d, ages) for d in raw.get("documents", ()))
    )
    return Section(id=raw["id"], items=items)


def _document(raw: Mapping[str, Any], ages: Mapping[str, AgeLimit]) -> Document:
    return Document(raw["id"], Parser(ages).parse(raw.get("when")), raw.get("per_item"))


def _limit(raw: Any, when: Parser) -> Limit:
    """`above: 10000`, or `{base: 60000, per_item: [{of: /household_members, add: 30000}]}`."""
    if not isinstance(raw, Mapping):
        return Limit(float(raw))
    per_item = tuple(
        PerItem(of=str(p["of"]), add=float(p["add"]), where=when.parse(p.get("where")))
        for p in raw.get("per_item", ())
    )
    return Limit(float(raw["base"]), per_item)


def read_hint(raw: Mapping[str, Any], ages: Mapping[str, AgeLimit]) -> Hint:
    total, when = raw.get("total"), Parser(ages)
    return Hint(
        id=raw["id"],
        when=when.parse(raw.get("when")),
        total=(
            Total(
                of=total["of"],
                above=_limit(total["above"], when),
                where=when.parse(total.get("where")),
            )
            if total
            else None
        ),
    )
