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
import yaml

from bot.definitions.model import (
    ANSWERED,
    NONE,
    Application,
    Document,
    Field,
    Group,
    Hint,
    Section,
    Total,
)
from bot.parsing import INPUT_TYPES
from bot.submission.schemas import schema_store

ROOT = Path(__file__).resolve().parents[2]
APPLICATIONS_DIR = ROOT / "data" / "applications"
DOCUMENT_KIND = "[a-z][a-z0-9_]*"  # common.schema.json#/$defs/document/kind


class DefinitionError(ValueError):
    """The definition file is inconsistent with itself or with its schema."""


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


def _allowed(value: Any) -> tuple[Any, ...]:
    if isinstance(value, Mapping):
        if value != {"answered": True}:
            raise DefinitionError(f"unknown condition {value!r}")
        return (ANSWERED,)
    return tuple(value) if isinstance(value, list) else (value,)


def _conditions(raw: Mapping[str, Any] | None) -> dict[str, tuple[Any, ...]]:
    return {k: _allowed(v) for k, v in (raw or {}).items()}


def _field(raw: Mapping[str, Any]) -> Field:
    if raw.get("type") not in INPUT_TYPES:
        raise DefinitionError(f"field {raw.get('id')!r}: unknown type {raw.get('type')!r}")
    allows_none = bool(raw.get("none", False))
    return Field(
        id=raw["id"],
        pointer=raw["pointer"],
        type=raw["type"],
        required=bool(raw.get("required", True)),
        choices=tuple(raw.get("choices", ())) + ((NONE,) if allows_none else ()),
        autocomplete=raw.get("autocomplete"),
        options=dict(raw.get("options", {})),
        when=_conditions(raw.get("when")),
        allows_none=allows_none,
        presence=bool(raw.get("presence", False)),
    )


def _group(raw: Mapping[str, Any]) -> Group:
    return Group(
        id=raw["id"],
        pointer=raw["pointer"],
        fields=tuple(_field(f) for f in raw["fields"]),
        groups=tuple(_group(g) for g in raw.get("groups", ())),
        when=_conditions(raw.get("when")),
        min_items=int(raw.get("min_items", 0)),
        max_items=int(raw["max_items"]) if raw.get("max_items") is not None else None,
    )


def _section(raw: Mapping[str, Any]) -> Section:
    items: tuple[Field | Group | Document, ...] = (
        tuple(_field(f) for f in raw.get("fields", ()))
        + tuple(_group(g) for g in raw.get("groups", ()))
        + tuple(_document(d) for d in raw.get("documents", ()))
    )
    return Section(id=raw["id"], items=items)


def _document(raw: Mapping[str, Any]) -> Document:
    return Document(raw["id"], _conditions(raw.get("when")), raw.get("per_item"))


def _hint(raw: Mapping[str, Any]) -> Hint:
    total = raw.get("total")
    return Hint(
        id=raw["id"],
        when=_conditions(raw.get("when")),
        total=Total(of=total["of"], above=float(total["above"])) if total else None,
    )


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


def _check_conditions(app: Application, owner: str, when: Any, local: set[str]) -> None:
    known = field_patterns(app)
    for cond in when:
        if cond not in local and cond not in known:
            raise DefinitionError(f"{app.id}.{owner}: condition on {cond!r}")


def _check_group(app: Application, group: Group, base: str) -> None:
    pointer = f"{base}/{group.pointer}" if base else group.pointer
    if schema_node(app.schema, pointer).get("type") != "array":
        raise DefinitionError(f"{app.id}.{group.id}: a group must point to an array")
    if group.min_items < 0 or (group.max_items is not None and group.max_items < group.min_items):
        raise DefinitionError(f"{app.id}.{group.id}: min_items/max_items out of order")
    _check_conditions(app, group.id, group.when, set())
    local = {f.pointer for f in group.fields}
    for one in group.fields:
        _check_field(app, one, f"{pointer}/-")
        _check_conditions(app, one.id, one.when, local)
    for inner in group.groups:
        _check_group(app, inner, f"{pointer}/-")


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
                _check_conditions(app, item.id, item.when, set())
            else:
                _check_document(app, item)
    for hint in app.hints:
        _check_conditions(app, hint.id, hint.when, set())
        if hint.total is not None:
            summed = field_patterns(app).get(hint.total.of)
            if summed is None or summed.type not in ("money", "number", "integer", "count"):
                raise DefinitionError(f"{app.id}.{hint.id}: total of {hint.total.of!r}")


def _check_document(app: Application, document: Document) -> None:
    if not re.fullmatch(DOCUMENT_KIND, document.id):
        raise DefinitionError(f"{app.id}.{document.id}: not a document code")
    if document.per_item is None:
        _check_conditions(app, document.id, document.when, set())
        return
    if document.per_item not in group_patterns(app):
        raise DefinitionError(f"{app.id}.{document.id}: per_item {document.per_item!r} is no group")
    item = f"{document.per_item}/*"
    absolute = [c if c.startswith("/") else f"{item}/{c}" for c in document.when]
    _check_conditions(app, document.id, absolute, set())


def _own_fields(item: Field | Group | Document) -> list[Field]:
    if isinstance(item, Group):
        return list(item.all_fields())
    return [item] if isinstance(item, Field) else []


def load_application(path: Path) -> Application:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        app = Application(
            id=raw["id"],
            schema=raw["schema"],
            leika=raw.get("leika"),
            reference_prefix=raw.get("reference_prefix", "AL"),
            sections=tuple(_section(s) for s in raw["sections"]),
            hints=tuple(_hint(h) for h in raw.get("hints", ())),
        )
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
