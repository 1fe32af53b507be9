"""Turn the confirmed answers of a dialogue into the payload the contract promises.

The dialogue keeps answers addressed by JSON Pointer (RFC 6901); this module
only assembles them and adds the envelope. It does not validate against the
schema (see `bot.contracts.payload_problems`) and does no I/O.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

ENVELOPE_KEYS = frozenset(
    {
        "schema",
        "application",
        "reference",
        "submitted_at",
        "language",
        "channel",
        "leika",
    }
    | {"documents"}
)
ANY_INDEX = "*"
_INDEX = re.compile(r"^(0|[1-9][0-9]*)$")
_BAD_ESCAPE = re.compile(r"~(?![01])")


class _Object(dict):
    """A container created by a pointer (as opposed to a dict given as a value)."""


class _Array(dict):
    """An array under construction: index -> item, made a list at the end."""


_Node = _Object | _Array


def parse_pointer(pointer: str) -> list[str]:
    """Split a non-empty JSON Pointer into unescaped segments."""
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        raise ValueError(f"not a JSON Pointer: {pointer!r}")
    segments = pointer[1:].split("/")
    for segment in segments:
        if _BAD_ESCAPE.search(segment):
            raise ValueError(f"bad escape in JSON Pointer: {pointer!r}")
    return [s.replace("~1", "/").replace("~0", "~") for s in segments]


def build_payload(
    *,
    application: str,
    schema_id: str,
    leika: str | None,
    answers: Mapping[str, Any],
    arrays: Iterable[str],
    reference: str,
    language: str,
    channel: str,
    submitted_at: datetime,
    documents: list | None = None,
    keep_empty: Iterable[str] | None = None,
) -> dict:
    """The payload of one application: envelope plus all answers, arrays always present.

    - `answers` maps pointers to values; `None` means "no answer" and is left out.
      Intermediate objects and arrays are created.
    - `arrays` lists the pointers that are arrays; `*` stands for any index, e.g.
      `/household_members/*/income`. Under such a pointer a segment is an index.
      Items are ordered by index and gaps closed (an item removed in the
      dialogue leaves no hole). An array of `keep_empty` (default: all of
      `arrays`) without items becomes `[]` when its parent exists, so "lives
      alone" and "not asked" cannot be confused; other empty arrays are left out.
    - `declarations` are ordinary answers (`/declarations/truthful`).
    """
    if submitted_at.tzinfo is None or submitted_at.utcoffset() is None:
        raise ValueError("submitted_at must be timezone-aware")
    patterns = [tuple(parse_pointer(p)) for p in arrays]
    tree = _Object()
    for pointer, value in answers.items():
        if value is not None:
            _put(tree, pointer, value, patterns)
    body = _finish(tree)
    empty = patterns if keep_empty is None else [tuple(parse_pointer(p)) for p in keep_empty]
    for pattern in empty:
        _ensure_array(body, pattern)

    payload: dict[str, Any] = {
        "schema": schema_id,
        "application": application,
        "reference": reference,
        "submitted_at": submitted_at.replace(microsecond=0).isoformat(timespec="seconds"),
        "language": language,
        "channel": channel,
    }
    if leika is not None:
        payload["leika"] = leika
    payload.update(body)
    payload["documents"] = copy.deepcopy(documents) if documents is not None else []
    return payload


def _is_array(path: tuple[str, ...], patterns: list[tuple[str, ...]]) -> bool:
    return any(
        len(p) == len(path)
        and all(
            ps == seg or (ps == ANY_INDEX and _INDEX.match(seg))
            for ps, seg in zip(p, path, strict=True)
        )
        for p in patterns
    )


def _put(tree: _Object, pointer: str, value: Any, patterns: list[tuple[str, ...]]) -> None:
    segments = parse_pointer(pointer)
    if segments[0] in ENVELOPE_KEYS:
        raise ValueError(f"{pointer}: envelope fields are set by build_payload, not by answers")
    node: _Node = tree
    path: tuple[str, ...] = ()
    for depth, segment in enumerate(segments):
        key: str | int = segment
        if isinstance(node, _Array):
            if not _INDEX.match(segment):
                raise ValueError(f"{pointer}: {segment!r} is not an array index")
            key = int(segment)
        path += (segment,)
        if depth == len(segments) - 1:
            if key in node:
                raise ValueError(f"{pointer}: answer overlaps another answer")
            node[key] = copy.deepcopy(value)
            return
        child = node.get(key)
        if child is None:
            child = _Array() if _is_array(path, patterns) else _Object()
            node[key] = child
        elif not isinstance(child, (_Object, _Array)):
            raise ValueError(f"{pointer}: answer overlaps another answer")
        node = child


def _finish(node: Any) -> Any:
    """Containers become plain dicts and lists; array items ordered by index."""
    if isinstance(node, _Array):
        return [_finish(node[i]) for i in sorted(node)]
    if isinstance(node, _Object):
        return {k: _finish(v) for k, v in node.items()}
    return node


def _ensure_array(node: Any, pattern: tuple[str, ...]) -> None:
    """Set `[]` at every place `pattern` names whose parent exists and lacks it."""
    head, rest = pattern[0], pattern[1:]
    if not rest:
        if isinstance(node, dict) and head not in node:
            node[head] = []
        return
    if head == ANY_INDEX:
        children = node if isinstance(node, list) else []
    elif isinstance(node, dict):
        children = [node[head]] if head in node else []
    elif isinstance(node, list) and _INDEX.match(head) and int(head) < len(node):
        children = [node[int(head)]]
    else:
        children = []
    for child in children:
        _ensure_array(child, rest)
