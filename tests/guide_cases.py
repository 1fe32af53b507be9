"""The guide's held-out need descriptions, walked as a citizen would, and their score.

A case is the first message of a new conversation; when the bot asks a triage
question, the case's `answers` say what this citizen would choose. The case
hits when the bot then offers `expect` first, or refers to that office.
Used by tests/test_guide_e2e.py (over REST) and bench/nlu_languages.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HELD_OUT_DIR = Path(__file__).resolve().parent / "guide_heldout"
FRESH_DIR = Path(__file__).resolve().parent / "guide_heldout_fresh"  # written blind, later
REFER = "refer:"
MAX_TURNS = 6  # three triage questions and three more would be a loop

Send = Callable[[str], dict[str, Any]]  # message -> the turn's `custom` state


@dataclass(frozen=True)
class Case:
    text: str
    expect: str  # an application id, or refer:<office>
    answers: dict[str, str]


@dataclass(frozen=True)
class Walk:
    case: Case
    reached: str | None  # the first offered application, refer:<office>, or None (menu)
    offered: tuple[str, ...]
    questions: int

    @property
    def hit(self) -> bool:
        return self.reached == self.case.expect


def held_out(lang: str, directory: Path = HELD_OUT_DIR) -> list[Case]:
    raw = yaml.safe_load((directory / f"{lang}.yml").read_text("utf-8"))
    return [
        Case(str(c["text"]), str(c["expect"]), {k: str(v) for k, v in c["answers"].items()})
        for c in raw
    ]


def languages(directory: Path = HELD_OUT_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yml"))


def walk(case: Case, first: Send, send: Send) -> Walk:
    """Send the description, answer every triage question by button, see where it leads."""
    state = first(case.text)
    questions = 0
    for _ in range(MAX_TURNS):
        guide = state.get("guide") or {}
        if "question" not in guide:
            break
        questions += 1
        state = send(f'/inform{{"value":"{case.answers[guide["question"]]}"}}')
    guide = state.get("guide") or {}
    offered = tuple(guide.get("offer") or ())
    reached = offered[0] if offered else None
    if guide.get("refer"):
        reached = f"{REFER}{guide['refer']}"
    return Walk(case, reached, offered, questions)


@dataclass(frozen=True)
class Score:
    cases: int
    hits: int
    triaged: int  # cases where at least one question was asked
    questions: int

    @property
    def top1(self) -> float:
        return self.hits / self.cases if self.cases else 0.0


def score(walks: list[Walk]) -> Score:
    return Score(
        cases=len(walks),
        hits=sum(w.hit for w in walks),
        triaged=sum(w.questions > 0 for w in walks),
        questions=sum(w.questions for w in walks),
    )
