"""The application schemas of `contracts/`, and the check every payload must pass.

Its own room at the bottom, next to storage: definitions are checked against
these schemas at load time, the outbox refuses a payload that fails them, and
the back office's PDF reads their titles, so none of them owns it.

The vendored copy in the repository is used (never ../shared) so the service
runs on its own. jsonschema 4.17 (pinned by Rasa 3.6) has no `referencing`,
so all schemas go into one `RefResolver` store keyed by their URN `$id`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jsonschema

CONTRACTS_DIR = Path(__file__).resolve().parents[1] / "contracts"
COMMON_SCHEMA_ID = "urn:antragslotse:schema:common:1"
# A reference as common.schema.json requires it: submission draws them, the back office checks URLs.
REFERENCE_PATTERN = re.compile(r"^[A-Z]{2,4}-[0-9]{4}-[0-9A-Z]{6,10}$")

FORMATS = jsonschema.FormatChecker(formats=())

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DATE_TIME = re.compile(
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]"
    r"(?P<h>[0-9]{2}):(?P<m>[0-9]{2}):(?P<s>[0-9]{2})(?:\.[0-9]+)?"
    r"(?P<tz>[Zz]|[+-](?P<tzh>[0-9]{2}):(?P<tzm>[0-9]{2}))$"
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]+$")


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    """Full date `YYYY-MM-DD` (RFC 3339), a real calendar day."""
    if not isinstance(value, str):
        return True
    dt.date.fromisoformat(value)
    return bool(_DATE.match(value))


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time with a mandatory offset (`Z` or `+01:00`)."""
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.match(value)
    if not match:
        return False
    dt.date.fromisoformat(match["date"])
    dt.time(int(match["h"]), int(match["m"]), int(match["s"]))
    if match["tzh"] is not None:
        dt.time(int(match["tzh"]), int(match["tzm"]))
    return True


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    """One `@` with something on both sides and no whitespace; deliverability is not ours."""
    return not isinstance(value, str) or bool(_EMAIL.match(value))


@lru_cache(maxsize=1)
def schema_store() -> dict[str, dict[str, Any]]:
    """All `contracts/*.schema.json`, keyed by `$id`."""
    store = {}
    for path in sorted(CONTRACTS_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        store[schema["$id"]] = schema
    return store


def schema_id_for(application: str) -> str:
    """The `$id` of an application's payload schema."""
    return f"urn:antragslotse:schema:{application}:1"


def application_schema_ids() -> list[str]:
    """Payload schemas, i.e. all but the common building blocks."""
    return [sid for sid in schema_store() if sid != COMMON_SCHEMA_ID]


@cache
def validator(schema_id: str) -> jsonschema.Draft202012Validator:
    """A draft 2020-12 validator that resolves URN references across all schemas."""
    store = schema_store()
    if schema_id not in store:
        raise KeyError(schema_id)
    schema = store[schema_id]
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    return jsonschema.Draft202012Validator(schema, resolver=resolver, format_checker=FORMATS)


def iban_ok(iban: str) -> bool:
    """ISO 13616 checksum (mod 97 == 1); malformed strings are simply not ok."""
    if not _IBAN.match(iban):
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _ibans(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string under a key named `iban`, with its JSON Pointer."""
    if isinstance(node, dict):
        for key, value in node.items():
            pointer = f"{path}/{_escape(str(key))}"
            if key == "iban" and isinstance(value, str):
                yield pointer, value
            else:
                yield from _ibans(value, pointer)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _ibans(value, f"{path}/{index}")


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def payload_problems(payload: Any) -> list[str]:
    """Everything wrong with a payload, as `"/pointer: message"`; empty means deliverable.

    Messages follow `contracts/check_contracts.py`. They may quote values, so
    they are for the caller and tests, not for logs.
    """
    schema_id = payload.get("schema") if isinstance(payload, dict) else None
    if not isinstance(schema_id, str) or schema_id == COMMON_SCHEMA_ID:
        return [f"unknown schema {schema_id!r}"]
    try:
        check = validator(schema_id)
    except KeyError:
        return [f"unknown schema {schema_id!r}"]
    errors = sorted(check.iter_errors(payload), key=lambda e: ([str(p) for p in e.path], e.message))
    found = [
        "/" + "/".join(_escape(str(p)) for p in e.absolute_path) + f": {e.message}" for e in errors
    ]
    found += [f"{pointer}: IBAN checksum wrong" for pointer, v in _ibans(payload) if not iban_ok(v)]
    return found
