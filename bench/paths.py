"""How many questions each application asks: shortest and longest path.

Walks every branch the conditions can take (each choice code a condition
names, yes and no, one item per repeated group at most) and counts the
questions of the finished plan, documents included. Skippable questions count:
they are asked.

    .venv/bin/python bench/paths.py
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.definitions import Application, load_applications  # noqa: E402
from bot.definitions.conditions import Condition, value_conditions  # noqa: E402
from bot.forms.plan import Step, next_open, plan  # noqa: E402

DUMMY: dict[str, Any] = {
    "file": {"status": "later"},
    "money": 100,
    "confirm": True,
    "date": "1980-01-01",
}


def _pattern(pointer: str) -> str:
    return re.sub(r"/[0-9]+(?=/|$)", "/*", pointer)


def _conditions(app: Application) -> dict[str, set[Any]]:
    """Pointer pattern -> values some condition tests for."""
    found: dict[str, set[Any]] = {}

    def note(when: Condition, base: str) -> None:
        for leaf in value_conditions(when):
            pointer = leaf.pointer
            absolute = pointer if pointer.startswith("/") else f"{base}/{pointer}"
            found.setdefault(absolute, set()).update(leaf.allowed)

    def walk(items: tuple[Any, ...], base: str) -> None:
        for item in items:
            note(item.when, base)
            if hasattr(item, "fields") and hasattr(item, "min_items"):
                inner = f"{base}/{item.pointer}" if base else item.pointer
                walk(item.fields + item.groups, f"{inner}/*")

    for section in app.sections:
        walk(section.items, "")
    for hint in app.hints:
        note(hint.when, "")
        if hint.total is not None:
            note(hint.total.where, hint.total.of.rsplit("/*", 1)[0] + "/*")
    return found


def _candidates(step: Step, tested: dict[str, set[Any]]) -> list[Any]:
    if step.field is None and step.document is None:  # "is there one (more)?"
        first = step.group.min_items if step.group else 0
        return [True, False] if step.item == first else [False]
    if step.document is not None:
        return [DUMMY["file"]]
    field, values = step.field, tested.get(_pattern(step.pointer))
    assert field is not None
    if field.type == "choice":
        named = [c for c in step.choices if values and c in values]
        other = [c for c in step.choices if c not in named][:1]
        return named + other
    if field.type == "multi_choice":
        return [[c] for c in step.choices] if values else [list(step.choices[:1])]
    if field.type == "boolean":
        return [True, False] if values else [False]
    return [DUMMY.get(field.type, "x")]


def path_lengths(app: Application) -> Iterator[int]:
    tested = _conditions(app)

    def explore(answers: dict[str, Any]) -> Iterator[int]:
        steps = plan(app, answers)
        step = next_open(steps, answers)
        if step is None:
            yield len(steps)
            return
        for value in _candidates(step, tested):
            yield from explore({**answers, step.key: value})

    yield from explore({})


def main() -> int:
    print(f"{'application':34} {'paths':>6} {'shortest':>9} {'longest':>8}")
    for app_id, app in load_applications().items():
        lengths = list(path_lengths(app))
        print(f"{app_id:34} {len(lengths):>6} {min(lengths):>9} {max(lengths):>8}")
    print("(longest: one item per repeated group; documents and skippable questions count)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
