"""Loads application definitions and checks them against the payload schema.

A definition that names a pointer the schema does not have, or a choice code the
schema does not allow, would produce payloads the office rejects; we refuse it at
load time instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from bot.contracts import schema_store
from bot.definitions.conditions import (
    ANSWERED,
    Condition,
    DefinitionError,
    Values,
    age_limits,
    pointers,
    value_conditions,
)
from bot.definitions.model import NONE, Application, Document, Field, Group, Limit, Total
from bot.definitions.reading import read_hint, read_section
from bot.yaml_files import read_yaml

ROOT = Path(__file__).resolve().parents[2]
APPLICATIONS_DIR = ROOT / "data" / "applications"
DOCUMENT_KIND = "[a-z][a-z0-9_]*"  # common.schema.json#/$defs/document/kind
__all__ = ["DefinitionError", "field_patterns", "load_application", "load_applications"]


def _properties(node: Mapping[str, Any], resolver: jsonschema.RefResolver) -> dict[str, Any]:
    """Properties of a schema node, following $ref and allOf."""
    if "$ref" in node:
        _, node = resolver.resolve(node["$ref"])
    found = dict(node.get("properties", {}))
    for part in node.get("allOf", []):
        found = {**_properties(part, resolver), **found}
    return found


def schema_node(schema_id: str, pointer: str) -> dict[str, Any]:
    """The (dereferenced) subschema a payload pointer lands on; `-` steps into array items."""
    store = schema_store()
    if schema_id not in store:
        raise DefinitionError(f"unknown schema {schema_id}")
    resolver = jsonschema.RefResolver.from_schema(store[schema_id], store=store)
    node: dict[str, Any] = store[schema_id]
    for segment in pointer.strip("/").split("/"):
        if segment == "-":
            node = node.get("items", {})
        else:
            properties = _properties(node, resolver)
            if segment not in properties:
                raise DefinitionError(f"{schema_id} has no {pointer!r} (at {segment!r})")
            node = properties[segment]
        while "$ref" in node:
            _, resolved = resolver.resolve(node["$ref"])
            node = {**resolved, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def required_in_schema(schema_id: str, pointer: str) -> bool:
    """Whether the schema requires the property at `pointer` (`*` for any array index)."""
    parent, _, name = pointer.replace("*", "-").rpartition("/")
    node = schema_node(schema_id, parent) if parent else schema_store()[schema_id]
    return name in node.get("required", ())


def _check_field(app: Application, one: Field, base: str = "") -> None:
    pointer = f"{base}/{one.pointer}" if base else one.pointer
    node = schema_node(app.schema, pointer)
    if one.presence:
        _check_presence(app, one, pointer, node)
        return
    if one.type == "multi_choice":
        if node.get("type") != "array":
            raise DefinitionError(f"{app.id}.{one.id}: a multi_choice must point to an array")
        node = node.get("items", {})
    allowed = node.get("enum")
    if one.allows_none and (one.type != "multi_choice" or NONE in (allowed or ())):
        raise DefinitionError(f"{app.id}.{one.id}: `none` is for a multi_choice without it")
    codes = set(one.choices) - ({NONE} if one.allows_none else set())
    if one.type in ("choice", "multi_choice"):
        if not codes:
            raise DefinitionError(f"{app.id}.{one.id}: a choice needs choices")
        if allowed is not None and not codes <= set(allowed):
            raise DefinitionError(
                f"{app.id}.{one.id}: codes {sorted(codes - set(allowed))} not in the schema"
            )
        pattern = node.get("pattern")
        if pattern and not all(re.search(pattern, code) for code in codes):
            raise DefinitionError(f"{app.id}.{one.id}: codes do not match {pattern}")
    if one.type == "confirm" and node.get("const") is not True:
        raise DefinitionError(f"{app.id}.{one.id}: confirm fields must map to `const: true`")
    if one.type == "text":
        _check_pattern(app, one, node)
    if "day" in one.options and (one.type != "date" or one.options["day"] != "optional"):
        raise DefinitionError(f"{app.id}.{one.id}: `day: optional` is the only day option")


def _check_presence(app: Application, one: Field, pointer: str, node: Mapping[str, Any]) -> None:
    """A yes/no on an optional object makes sense only where the schema lets it be absent."""
    if one.type != "boolean" or node.get("type") != "object":
        raise DefinitionError(f"{app.id}.{one.id}: `presence` is a boolean on an object")
    if required_in_schema(app.schema, pointer.replace("/-/", "/*/")):
        raise DefinitionError(f"{app.id}.{one.id}: the schema requires {pointer}, nothing to ask")


def _check_pattern(app: Application, one: Field, node: Mapping[str, Any]) -> None:
    """A text answer the schema constrains must be checked by the same pattern in the dialogue.

    Otherwise the citizen's answer is accepted and the payload later refused (contracts
    change: v1.1 widened the legal-basis pattern).
    """
    wanted = node.get("pattern")
    if wanted and one.options.get("pattern") != wanted.removeprefix("^").removesuffix("$"):
        raise DefinitionError(f"{app.id}.{one.id}: options.pattern must be the schema's {wanted}")


def group_patterns(app: Application) -> dict[str, Group]:
    """Every group by the pointer of its array, `*` for an enclosing item's index."""
    found: dict[str, Group] = {}

    def walk(group: Group, base: str) -> None:
        array = f"{base}/{group.pointer}" if base else group.pointer
        found[array] = group
        for inner in group.groups:
            walk(inner, f"{array}/*")

    for section in app.sections:
        for item in section.items:
            if isinstance(item, Group):
                walk(item, "")
    return found


def field_patterns(app: Application) -> dict[str, Field]:
    """Every field by its absolute pointer, with `*` for item indexes."""
    found: dict[str, Field] = {}

    def walk(items: tuple[Any, ...], base: str) -> None:
        for item in items:
            if isinstance(item, Group):
                inner = f"{base}/{item.pointer}" if base else item.pointer
                walk(item.fields + item.groups, f"{inner}/*")
            elif isinstance(item, Field):
                found[f"{base}/{item.pointer}" if base else item.pointer] = item

    for section in app.sections:
        walk(section.items, "")
    return found


def _check_condition(app: Application, owner: str, condition: Condition, base: str = "") -> None:
    """Every pointer a condition reads is a question's, every value one it can have.

    `base`: the item (pattern) that relative pointers mean; "" where there is none.
    """
    known = field_patterns(app)

    def target(pointer: str) -> Field:
        absolute = pointer if pointer.startswith("/") else f"{base}/{pointer}" if base else ""
        if absolute not in known:
            raise DefinitionError(f"{app.id}.{owner}: condition on {pointer!r}: no question")
        return known[absolute]

    for pointer, role in pointers(condition):
        if role != "values" and target(pointer).type != "date":
            raise DefinitionError(f"{app.id}.{owner}: {pointer!r} is no date answer")
    for leaf in value_conditions(condition):
        _check_values(app, owner, leaf, target(leaf.pointer))


def _check_values(app: Application, owner: str, leaf: Values, target: Field) -> None:
    """A condition on a choice names its codes; on a yes/no, true or false."""
    wanted = [v for v in leaf.allowed if v != ANSWERED]
    if target.type in ("choice", "multi_choice") and not target.presence:
        unknown = sorted(str(v) for v in wanted if v not in target.choices)
        if unknown:
            raise DefinitionError(f"{app.id}.{owner}: {leaf.pointer!r} has no code {unknown}")
    if target.type in ("boolean", "confirm") and any(not isinstance(v, bool) for v in wanted):
        raise DefinitionError(f"{app.id}.{owner}: {leaf.pointer!r} is true or false")


def _check_field_conditions(app: Application, one: Field, base: str) -> None:
    _check_condition(app, one.id, one.when, base)
    for code, condition in one.choice_when.items():
        if code not in one.choices:
            raise DefinitionError(f"{app.id}.{one.id}: condition for unknown choice {code!r}")
        _check_condition(app, f"{one.id}.{code}", condition, base)
    for rule in one.rules:
        _check_condition(app, f"{one.id}.rules.{rule.error}", rule.condition, base)
    for name, amount in one.amounts.items():
        _check_limit(app, f"{one.id}.amounts.{name}", amount)


def _check_group(app: Application, group: Group, base: str, item: str = "") -> None:
    """`base`: the schema pointer of the enclosing item (`-` for indexes), `item` its pattern."""
    pointer = f"{base}/{group.pointer}" if base else group.pointer
    if schema_node(app.schema, pointer).get("type") != "array":
        raise DefinitionError(f"{app.id}.{group.id}: a group must point to an array")
    if group.min_items < 0 or (group.max_items is not None and group.max_items < group.min_items):
        raise DefinitionError(f"{app.id}.{group.id}: min_items/max_items out of order")
    _check_condition(app, group.id, group.when, item)
    own = f"{item}/{group.pointer}/*" if item else f"{group.pointer}/*"
    for one in group.fields:
        _check_field(app, one, f"{pointer}/-")
        _check_field_conditions(app, one, own)
    for inner in group.groups:
        _check_group(app, inner, f"{pointer}/-", own)


def _check(app: Application) -> None:
    ids = [f.id for s in app.sections for i in s.items for f in _own_fields(i)]
    ids += [d.id for d in app.documents()] + [h.id for h in app.hints]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DefinitionError(f"{app.id}: ids used twice: {duplicates}")
    for section in app.sections:
        for item in section.items:
            if isinstance(item, Group):
                _check_group(app, item, "")
            elif isinstance(item, Field):
                _check_field(app, item)
                _check_field_conditions(app, item, "")
            else:
                _check_document(app, item)
    for hint in app.hints:
        _check_condition(app, hint.id, hint.when)
        if hint.total is not None:
            _check_total(app, hint.id, hint.total)


def _check_total(app: Application, owner: str, total: Total) -> None:
    summed = field_patterns(app).get(total.of)
    if (
        summed is None
        or "*" not in total.of
        or summed.type not in ("money", "number", "integer", "count")
    ):
        raise DefinitionError(f"{app.id}.{owner}: total of {total.of!r}")
    _check_condition(app, owner, total.where, total.of.rsplit("/*", 1)[0] + "/*")
    _check_limit(app, owner, total.above)


def _check_limit(app: Application, owner: str, limit: Limit) -> None:
    for part in limit.per_item:
        if part.of not in group_patterns(app):
            raise DefinitionError(f"{app.id}.{owner}: per_item {part.of!r} is no group")
        _check_condition(app, owner, part.where, f"{part.of}/*")


def _check_document(app: Application, document: Document) -> None:
    if not re.fullmatch(DOCUMENT_KIND, document.id):
        raise DefinitionError(f"{app.id}.{document.id}: not a document code")
    if document.per_item is None:
        _check_condition(app, document.id, document.when)
        return
    if document.per_item not in group_patterns(app):
        raise DefinitionError(f"{app.id}.{document.id}: per_item {document.per_item!r} is no group")
    _check_condition(app, document.id, document.when, f"{document.per_item}/*")


def _own_fields(item: Field | Group | Document) -> list[Field]:
    if isinstance(item, Group):
        return list(item.all_fields())
    return [item] if isinstance(item, Field) else []


def load_application(path: Path) -> Application:
    raw = read_yaml(path)
    try:
        ages = age_limits(raw.get("ages"))
        app = Application(
            id=raw["id"],
            schema=raw["schema"],
            leika=raw.get("leika"),
            reference_prefix=raw.get("reference_prefix", "AL"),
            sections=tuple(read_section(s, ages) for s in raw["sections"]),
            hints=tuple(read_hint(h, ages) for h in raw.get("hints", ())),
        )
    except DefinitionError as wrong:
        raise DefinitionError(f"{path.name}: {wrong}") from wrong
    except (KeyError, TypeError, ValueError) as missing:
        raise DefinitionError(f"{path.name}: missing or malformed {missing}") from missing
    if path.stem != app.id:
        raise DefinitionError(f"{path.name}: file name must be the application id {app.id!r}")
    _check(app)
    return app


@cache
def load_applications(directory: Path = APPLICATIONS_DIR) -> dict[str, Application]:
    """All applications, in file-name order (the order of the menu)."""
    return {app.id: app for app in map(load_application, sorted(directory.glob("*.yml")))}
