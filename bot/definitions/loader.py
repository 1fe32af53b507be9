"""Loads application definitions and checks them against the payload schema.

A definition that names a pointer the schema does not have, or a choice code the
schema does not allow, would produce payloads the office rejects; we refuse it at
load time instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bot.definitions.model import Application, Field, Group, Section
from bot.parsing import INPUT_TYPES
from bot.submission.schemas import schema_store

ROOT = Path(__file__).resolve().parents[2]
APPLICATIONS_DIR = ROOT / "data" / "applications"


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


def _conditions(raw: Mapping[str, Any] | None) -> dict[str, tuple[Any, ...]]:
    return {k: tuple(v) if isinstance(v, list) else (v,) for k, v in (raw or {}).items()}


def _field(raw: Mapping[str, Any]) -> Field:
    if raw.get("type") not in INPUT_TYPES:
        raise DefinitionError(f"field {raw.get('id')!r}: unknown type {raw.get('type')!r}")
    return Field(
        id=raw["id"],
        pointer=raw["pointer"],
        type=raw["type"],
        required=bool(raw.get("required", True)),
        choices=tuple(raw.get("choices", ())),
        autocomplete=raw.get("autocomplete"),
        options=dict(raw.get("options", {})),
        when=_conditions(raw.get("when")),
    )


def _group(raw: Mapping[str, Any]) -> Group:
    return Group(
        id=raw["id"],
        pointer=raw["pointer"],
        fields=tuple(_field(f) for f in raw["fields"]),
        when=_conditions(raw.get("when")),
    )


def _check_field(app: Application, one: Field, base: str = "") -> None:
    pointer = f"{base}/-/{one.pointer}" if base else one.pointer
    node = schema_node(app.schema, pointer)
    allowed = node.get("enum")
    if one.type == "choice":
        if not one.choices:
            raise DefinitionError(f"{app.id}.{one.id}: a choice needs choices")
        if allowed is not None and not set(one.choices) <= set(allowed):
            extra = sorted(set(one.choices) - set(allowed))
            raise DefinitionError(f"{app.id}.{one.id}: codes {extra} not in the schema")
    if one.type == "confirm" and node.get("const") is not True:
        raise DefinitionError(f"{app.id}.{one.id}: confirm fields must map to `const: true`")


def _check(app: Application) -> None:
    ids = [f.id for s in app.sections for i in s.items for f in getattr(i, "fields", (i,))]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DefinitionError(f"{app.id}: field ids used twice: {duplicates}")
    pointers = {f.pointer for f in app.fields_by_id().values()}
    for section in app.sections:
        for item in section.items:
            if isinstance(item, Group):
                if schema_node(app.schema, item.pointer).get("type") != "array":
                    raise DefinitionError(f"{app.id}.{item.id}: a group must point to an array")
                local = {f.pointer for f in item.fields}
                for one in item.fields:
                    _check_field(app, one, item.pointer)
                    for cond in one.when:
                        if cond not in local | pointers:
                            raise DefinitionError(f"{app.id}.{one.id}: condition on {cond!r}")
            else:
                _check_field(app, item)
                for cond in item.when:
                    if cond not in pointers:
                        raise DefinitionError(f"{app.id}.{item.id}: condition on {cond!r}")


def load_application(path: Path) -> Application:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        app = Application(
            id=raw["id"],
            schema=raw["schema"],
            leika=raw.get("leika"),
            reference_prefix=raw.get("reference_prefix", "AL"),
            sections=tuple(
                Section(
                    id=s["id"],
                    items=tuple(_field(f) for f in s.get("fields", ()))
                    + tuple(_group(g) for g in s.get("groups", ())),
                )
                for s in raw["sections"]
            ),
        )
    except (KeyError, TypeError) as missing:
        raise DefinitionError(f"{path.name}: missing or malformed {missing}") from missing
    if path.stem != app.id:
        raise DefinitionError(f"{path.name}: file name must be the application id {app.id!r}")
    _check(app)
    return app


@cache
def load_applications(directory: Path = APPLICATIONS_DIR) -> dict[str, Application]:
    """All applications, in file-name order (the order of the menu)."""
    return {app.id: app for app in map(load_application, sorted(directory.glob("*.yml")))}
