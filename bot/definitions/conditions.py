"""Conditions of a definition: which answers make a question, choice, document or hint apply.

`when:` in YAML is parsed once into these small immutable nodes (docs/definitions.md,
"Conditions"): a mapping is "all entries hold"; an entry is a pointer with its allowed
values, or one of the words below. The loader checks every pointer a node reads
against the schema; bot/forms/conditions.py evaluates them on the answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

ANSWERED = "<answered>"  # `when: {pointer: {answered: true}}`: any answer, not skipped
WORDS = ("all", "any", "not", "age", "date")  # never pointers
TODAY = "today"
ANCHOR = re.compile(
    r"(?P<base>[^\s+]+)(?:\s*(?P<sign>[+-])\s*(?P<n>[0-9]+)\s*(?P<unit>day|month|year)s?)?"
)


class DefinitionError(ValueError):
    """The definition file is inconsistent with itself or with its schema."""


@dataclass(frozen=True)
class Values:
    """`{pointer: value}`, `{pointer: [values]}` or `{pointer: {answered: true}}`."""

    pointer: str
    allowed: tuple[Any, ...]


@dataclass(frozen=True)
class Anchor:
    """A date to compare with: `today` or a date answer, moved by a period ("today + 3 months")."""

    pointer: str | None = None  # None: today
    years: int = 0
    months: int = 0
    days: int = 0


@dataclass(frozen=True)
class AgeLimit:
    """An age in years and months, which may depend on the year of birth.

    `steps` are (from birth year, years, months), sorted; a birth year before the
    first step takes the first step's age (a fixed age is one step).
    """

    steps: tuple[tuple[int, int, int], ...]

    def for_birth_year(self, year: int) -> tuple[int, int]:
        chosen = self.steps[0]
        for step in self.steps:
            if step[0] <= year:
                chosen = step
        return chosen[1], chosen[2]


@dataclass(frozen=True)
class Age:
    """`{age: {of: <date pointer>, at: <anchor>, at_least: <age>, under: <age>}}`."""

    of: str
    at: Anchor
    at_least: AgeLimit | None = None
    under: AgeLimit | None = None


@dataclass(frozen=True)
class DateIs:
    """`{date: {of: <date pointer>, before: <anchor>, after: <anchor>}}` (strictly)."""

    of: str
    before: Anchor | None = None
    after: Anchor | None = None


@dataclass(frozen=True)
class All:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


Condition = Values | Age | DateIs | All | AnyOf | Not
ALWAYS = All(())


def pointers(condition: Condition) -> Iterator[tuple[str, str]]:
    """(pointer, what reads it) for every pointer a condition reads; "date" needs a date field."""
    if isinstance(condition, Values):
        yield condition.pointer, "values"
    elif isinstance(condition, (All, AnyOf)):
        for part in condition.parts:
            yield from pointers(part)
    elif isinstance(condition, Not):
        yield from pointers(condition.part)
    else:
        yield condition.of, "date"
        anchors = (
            (condition.at,) if isinstance(condition, Age) else (condition.before, condition.after)
        )
        for anchor in anchors:
            if anchor is not None and anchor.pointer is not None:
                yield anchor.pointer, "anchor"


def value_conditions(condition: Condition) -> Iterator[Values]:
    """Every pointer-and-values leaf (what bench/paths.py tries out)."""
    if isinstance(condition, Values):
        yield condition
    elif isinstance(condition, (All, AnyOf)):
        for part in condition.parts:
            yield from value_conditions(part)
    elif isinstance(condition, Not):
        yield from value_conditions(condition.part)


class Parser:
    """YAML -> Condition; `ages` are the definition's named ages, `own` the pointer that
    an `age`/`date` without `of` means (a field's own answer in its `rules`)."""

    def __init__(self, ages: Mapping[str, AgeLimit], own: str | None = None) -> None:
        self.ages, self.own = ages, own

    def parse(self, raw: Any) -> Condition:
        if raw is None:
            return ALWAYS
        if not isinstance(raw, Mapping) or not raw:
            raise DefinitionError(f"a condition is a mapping, not {raw!r}")
        parts = tuple(self._entry(str(key), value) for key, value in raw.items())
        return parts[0] if len(parts) == 1 else All(parts)

    def _entry(self, key: str, value: Any) -> Condition:
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise DefinitionError(f"`{key}` needs a list of conditions, not {value!r}")
            parts = tuple(self.parse(one) for one in value)
            return All(parts) if key == "all" else AnyOf(parts)
        if key == "not":
            return Not(self.parse(value))
        if key == "age":
            spec = self._spec(key, value, ("of", "at", "at_least", "under"))
            if "at_least" not in spec and "under" not in spec:
                raise DefinitionError("`age` needs `at_least` or `under`")
            return Age(
                of=self._of(spec),
                at=anchor(spec.get("at", TODAY)),
                at_least=self._age(spec.get("at_least")),
                under=self._age(spec.get("under")),
            )
        if key == "date":
            spec = self._spec(key, value, ("of", "before", "after"))
            if "before" not in spec and "after" not in spec:
                raise DefinitionError("`date` needs `before` or `after`")
            return DateIs(
                of=self._of(spec),
                before=anchor(spec["before"]) if "before" in spec else None,
                after=anchor(spec["after"]) if "after" in spec else None,
            )
        return Values(key, _allowed(value))

    def _spec(self, word: str, value: Any, known: tuple[str, ...]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise DefinitionError(f"`{word}` needs a mapping, not {value!r}")
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise DefinitionError(f"`{word}` has unknown keys {unknown}; known: {list(known)}")
        return value

    def _of(self, spec: Mapping[str, Any]) -> str:
        of = spec.get("of", self.own)
        if not isinstance(of, str):
            raise DefinitionError(f"a date fact needs `of` (a date answer): {dict(spec)!r}")
        return of

    def _age(self, raw: Any) -> AgeLimit | None:
        if raw is None:
            return None
        if isinstance(raw, int) and not isinstance(raw, bool):
            return AgeLimit(((0, raw, 0),))
        if isinstance(raw, str) and raw in self.ages:
            return self.ages[raw]
        raise DefinitionError(f"unknown age {raw!r}: a number of years or a name in `ages`")


def anchor(raw: Any) -> Anchor:
    """ "today", "today + 3 months", "/residence_status/entry_date - 1 year", "birth_date"."""
    match = ANCHOR.fullmatch(str(raw).strip()) if isinstance(raw, str) else None
    if match is None:
        raise DefinitionError(f"not a date: {raw!r} (today or a pointer, optionally ± a period)")
    n = int(match["n"] or 0) * (-1 if match["sign"] == "-" else 1)
    unit = match["unit"] or "day"
    pointer = None if match["base"] == TODAY else match["base"]
    if pointer is not None and "*" in pointer:
        raise DefinitionError(f"a date to compare with names one answer, not {raw!r}")
    return Anchor(pointer, **{f"{unit}s": n})


def age_limits(raw: Mapping[str, Any] | None) -> dict[str, AgeLimit]:
    """`ages: {retirement: {1946: [65, 0], 1947: [65, 1], ..., 1964: [67, 0]}}`."""
    found = {}
    for name, table in (raw or {}).items():
        try:
            steps = tuple(sorted((int(y), int(a[0]), int(a[1])) for y, a in table.items()))
        except (AttributeError, TypeError, ValueError, IndexError) as bad:
            raise DefinitionError(f"ages.{name}: year of birth: [years, months]") from bad
        if not steps:
            raise DefinitionError(f"ages.{name} is empty")
        found[str(name)] = AgeLimit(steps)
    return found


def _allowed(value: Any) -> tuple[Any, ...]:
    if isinstance(value, Mapping):
        if value != {"answered": True}:
            raise DefinitionError(f"unknown condition {value!r}")
        return (ANSWERED,)
    return tuple(value) if isinstance(value, list) else (value,)


def parse_date(value: Any) -> date | None:
    """An answer as a date: ISO "2027-05-31", or "2027-05" as the month's first day."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value if len(value) != 7 else f"{value}-01")
    except ValueError:
        return None
