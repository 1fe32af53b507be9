"""Removing one item of a repeated group ("remove the second person").

Answers are keyed by pointer, so removing item 1 of three means renumbering
item 2 to 1, its nested items and its "is there another?" answer included;
otherwise the payload would keep a hole or the plan would ask item 1 again.
"""

from __future__ import annotations

import re
from typing import Any

from bot.forms.draft import Draft


def _renumber(key: str, array: str, removed: int) -> str | None:
    """The key after removing item `removed` of `array`; None if the key belonged to it."""
    match = re.match(rf"{re.escape(array)}(/|#)([0-9]+)(.*)$", key, re.DOTALL)
    if match is None:
        return key
    separator, index, rest = match[1], int(match[2]), match[3]
    if separator == "/" and index == removed:
        return None
    if separator == "#" and index == removed:
        return None  # the "another?" answer that opened the removed item
    if index > removed:
        index -= 1
    return f"{array}{separator}{index}{rest}"


def remove_item(draft: Draft, array: str, index: int) -> None:
    """Drop item `index` of the group at `array` and close the gap."""
    answers: dict[str, Any] = {}
    for key, value in draft.answers.items():
        new = _renumber(key, array, index)
        if new is not None:
            answers[new] = value
    history = [n for k in draft.history if (n := _renumber(k, array, index)) is not None]
    draft.answers, draft.history = answers, history
