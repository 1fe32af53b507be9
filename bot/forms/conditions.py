"""Whether a definition's condition holds on the answers so far.

Three outcomes, not two: a condition that reads a question still open in the plan
is undecided (None), and so is its `not`. A hint with `not: {...}` waits for the
answer instead of firing early; a choice is hidden only once its condition is known
to fail. A question not in the plan, or skipped, counts as answered with nothing;
a date fact on such an answer is undecided (an unknown birth date gives no age).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from bot.definitions.conditions import (
    ANSWERED,
    Age,
    All,
    Anchor,
    AnyOf,
    Condition,
    DateIs,
    Not,
    Values,
    parse_date,
)

Outcome = bool | None


@dataclass(frozen=True)
class Facts:
    """What conditions see: answers of planned questions, and which are still open."""

    seen: Mapping[str, Any]  # planned and answered (None: skipped)
    pending: Collection[str] = ()  # planned, not answered yet
    today: date = field(default_factory=date.today)


def star(pattern: str) -> re.Pattern[str]:
    """A pointer pattern with `*` for item indexes, as a regular expression."""
    return re.compile(re.escape(pattern).replace(r"\*", r"[0-9]+"))


def absolute(pointer: str, base: str) -> str:
    """Relative pointers (inside a group) mean the item at `base`."""
    return pointer if pointer.startswith("/") or not base else f"{base}/{pointer}"


def holds(condition: Condition, facts: Facts, base: str = "") -> bool:
    return evaluate(condition, facts, base) is True


def evaluate(condition: Condition, facts: Facts, base: str = "") -> Outcome:
    """True, False, or None (undecided), by Kleene's three-valued logic."""
    if isinstance(condition, All):
        outcomes = [evaluate(part, facts, base) for part in condition.parts]
        return False if False in outcomes else None if None in outcomes else True
    if isinstance(condition, AnyOf):
        outcomes = [evaluate(part, facts, base) for part in condition.parts]
        return True if True in outcomes else None if None in outcomes else False
    if isinstance(condition, Not):
        outcome = evaluate(condition.part, facts, base)
        return None if outcome is None else not outcome
    if isinstance(condition, Values):
        return _any_item(facts, absolute(condition.pointer, base), _values_test(condition))
    return _any_item(facts, absolute(condition.of, base), _date_test(condition, facts, base))


def _values_test(condition: Values) -> Any:
    def test(value: Any) -> Outcome:
        if ANSWERED in condition.allowed and value is not None:
            return True
        if isinstance(value, list):
            return any(one in condition.allowed for one in value)
        return value in condition.allowed

    return test


def _date_test(condition: Age | DateIs, facts: Facts, base: str) -> Any:
    def test(value: Any) -> Outcome:
        day = parse_date(value)
        if day is None:
            return None
        if isinstance(condition, Age):
            return _age(condition, day, anchor_date(condition.at, facts, base))
        outcomes = [
            _compare(day, anchor_date(one, facts, base), before)
            for one, before in ((condition.before, True), (condition.after, False))
            if one is not None
        ]
        return False if False in outcomes else None if None in outcomes else True

    return test


def _compare(day: date, other: date | None, before: bool) -> Outcome:
    if other is None:
        return None
    return day < other if before else day > other


def _age(condition: Age, born: date, at: date | None) -> Outcome:
    if at is None:
        return None
    outcome = True
    if condition.at_least is not None:
        years, months = condition.at_least.for_birth_year(born.year)
        outcome = at >= born + relativedelta(years=years, months=months)
    if condition.under is not None:
        years, months = condition.under.for_birth_year(born.year)
        outcome = outcome and at < born + relativedelta(years=years, months=months)
    return outcome


def anchor_date(anchor: Anchor, facts: Facts, base: str = "") -> date | None:
    """The date an anchor names: today or an answer, moved by its period; None if unknown."""
    start = facts.today
    if anchor.pointer is not None:
        found = parse_date(facts.seen.get(absolute(anchor.pointer, base)))
        if found is None:
            return None
        start = found
    return start + relativedelta(years=anchor.years, months=anchor.months, days=anchor.days)


def _any_item(facts: Facts, pointer: str, test: Any) -> Outcome:
    """One answer, or with `*` any item's: True if one passes; None while one is open."""
    if "*" not in pointer:
        if pointer in facts.seen:
            return test(facts.seen[pointer])
        return None if pointer in facts.pending else test(None)
    pattern = star(pointer)
    outcomes = [test(value) for key, value in facts.seen.items() if pattern.fullmatch(key)]
    if True in outcomes:
        return True
    if None in outcomes or any(pattern.fullmatch(key) for key in facts.pending):
        return None
    return False


def items(facts: Facts, array: str) -> Iterator[str]:
    """The pointers of the items of a group's array (`*` for enclosing items) with answers."""
    pattern = re.compile(star(array).pattern + r"/([0-9]+)(?=/)")
    found: dict[str, None] = {}
    for key in facts.seen:
        match = pattern.match(key)
        if match:
            found[match[0]] = None
    return iter(found)
