"""What a parser tells the citizen about how it read an answer, next to the value itself.

"März 2021" for an income that counts from a month is stored as 2021-03-01, and a
Solar Hijri date as its Gregorian equivalent: the citizen must hear what was noted,
so they can correct it. A notice's text is `notices.<reason>` in locales/<lang>/
notices.yml; its values are shown by the NLG in the dialogue's locale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# reason -> the names of the values its text shows
NOTICES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "date.first_of_month": ("date",),
        "date.solar_hijri": ("date", "solar_hijri"),
    }
)


@dataclass(frozen=True)
class Notice:
    """reason: a code from NOTICES; values: name -> (NLG format, value).

    E.g. {"date": ("date", "2021-03-01")}: the NLG shows it as a date in the citizen's locale.
    """

    reason: str
    values: Mapping[str, tuple[str, Any]]

    def __post_init__(self) -> None:
        expected = NOTICES.get(self.reason)
        if expected is None or set(self.values) != set(expected):
            raise ValueError(f"notice {self.reason!r} needs values {expected}")

    @property
    def locale_key(self) -> str:
        return f"notices.{self.reason}"


@dataclass(frozen=True)
class Reading:
    """A parsed answer: the payload's value and what to tell the citizen about it."""

    value: Any
    notices: tuple[Notice, ...] = field(default_factory=tuple)
