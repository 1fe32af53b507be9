"""The guide: from a need in the citizen's own words to the application that fits.

Everything that differs per application lives in data/guide.yml (needs, triage
questions, rules, prefill); this module only reads it and applies the rules, so
a new application or a changed rule is data, not code. The dialogue asks the
questions and says the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from bot.yaml_files import read_yaml

GUIDE_FILE = Path(__file__).resolve().parents[2] / "data" / "guide.yml"
NEED_PREFIX = "need_"  # a need's NLU intent is need_<id>
TOPIC = "topic"
BIRTH_DATE = "birth_date"
YES, NO = "yes", "no"
EARLIEST_RETIREMENT, LATEST_RETIREMENT = (65, 0), (67, 0)


@dataclass(frozen=True)
class Need:
    topic: str | None
    facts: Mapping[str, str]
    refer: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    choices: tuple[str, ...]
    birth_date: bool = False  # a typed birth date answers it (pension age reached?)


@dataclass(frozen=True)
class Rule:
    when: Mapping[str, tuple[str, ...]]
    because: str
    apply: tuple[str, ...] = ()
    refer: str | None = None
    after: tuple[str, ...] = ()  # `also` rules: said when the first recommendation is one of these


@dataclass(frozen=True)
class PrefillSource:
    fact: str
    values: Mapping[str, str] | None = None  # triage code -> the application's code


@dataclass(frozen=True)
class Outcome:
    """What follows from the facts so far: a question to ask, a rule that holds, or neither."""

    ask: str | None = None
    rule: Rule | None = None
    also: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Guide:
    needs: Mapping[str, Need]
    questions: Mapping[str, Question]
    recommend: tuple[Rule, ...]
    also: tuple[Rule, ...]
    max_questions: int
    retirement_age: Mapping[int, tuple[int, int]]
    prefill: Mapping[str, Mapping[str, tuple[PrefillSource, ...]]] = field(default_factory=dict)

    def need_of(self, intent: str | None) -> str | None:
        """The need an NLU intent names, if it names one."""
        if intent and intent.startswith(NEED_PREFIX) and intent[len(NEED_PREFIX) :] in self.needs:
            return intent[len(NEED_PREFIX) :]
        return None

    def intents(self) -> list[str]:
        return [f"{NEED_PREFIX}{need_id}" for need_id in self.needs]

    def decide(self, facts: Mapping[str, str], asked: int) -> Outcome:
        """The first rule that holds, or the question the first rule still open needs.

        Once `max_questions` are asked, rules that would need another are passed over.
        """
        for rule in self.recommend:
            state = self._holds(rule, facts)
            if state is True:
                return self._with_also(rule, facts, asked)
            if isinstance(state, str) and asked < self.max_questions:
                return Outcome(ask=state)
        return Outcome()

    def _with_also(self, rule: Rule, facts: Mapping[str, str], asked: int) -> Outcome:
        also: list[Rule] = []
        for extra in self.also:
            if rule.refer or rule.apply[0] not in extra.after:
                continue
            state = self._holds(extra, facts)
            if isinstance(state, str) and asked < self.max_questions:
                return Outcome(ask=state)
            if state is True:
                also.append(extra)
        return Outcome(rule=rule, also=tuple(also))

    def _holds(self, rule: Rule, facts: Mapping[str, str]) -> bool | str:
        """True, False, or the id of the question whose answer decides."""
        unknown = [fact for fact in rule.when if fact not in facts]
        if any(facts[f] not in allowed for f, allowed in rule.when.items() if f in facts):
            return False
        if any(fact not in self.questions for fact in unknown):
            return False
        return unknown[0] if unknown else True

    def reached_retirement_age(self, birth: date, today: date) -> bool:
        years, months = self.retirement_age.get(
            birth.year,
            EARLIEST_RETIREMENT if birth.year < min(self.retirement_age) else LATEST_RETIREMENT,
        )
        total = birth.year * 12 + birth.month - 1 + years * 12 + months
        limit_year, limit_month = divmod(total, 12)
        day = min(birth.day, 28) if limit_month + 1 == 2 else birth.day
        return today >= _safe_date(limit_year, limit_month + 1, day)

    def prefilled(self, app_id: str, facts: Mapping[str, str]) -> dict[str, Any]:
        """The application's answers that the triage answers already give."""
        answers: dict[str, Any] = {}
        for pointer, sources in self.prefill.get(app_id, {}).items():
            for source in sources:
                value = facts.get(source.fact)
                if value is not None and source.values is not None:
                    value = source.values.get(value)
                if value is not None:
                    answers[pointer] = value
                    break
        return answers


def _safe_date(year: int, month: int, day: int) -> date:
    """The day a period ends; the 31st in a 30-day month ends on the 30th."""
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def _codes(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    return tuple(str(v) for v in values)


def _rule(raw: Mapping[str, Any]) -> Rule:
    return Rule(
        when={fact: _codes(value) for fact, value in (raw.get("when") or {}).items()},
        because=str(raw["because"]),
        apply=_codes(raw.get("apply") or []),
        refer=raw.get("refer"),
        after=_codes(raw.get("after") or []),
    )


def _sources(raw: Any) -> tuple[PrefillSource, ...]:
    items = raw if isinstance(raw, list) else [raw]
    return tuple(
        PrefillSource(str(item["fact"]), {str(k): str(v) for k, v in item["values"].items()})
        if "values" in item
        else PrefillSource(str(item["fact"]))
        for item in items
    )


def parse_guide(raw: Mapping[str, Any]) -> Guide:
    needs = {
        str(need_id): Need(
            topic=spec.get(TOPIC),
            facts={str(k): str(v) for k, v in (spec.get("facts") or {}).items()},
            refer=spec.get("refer"),
        )
        for need_id, spec in raw["needs"].items()
    }
    questions = {
        str(q_id): Question(str(q_id), _codes(spec["choices"]), bool(spec.get(BIRTH_DATE)))
        for q_id, spec in raw["questions"].items()
    }
    return Guide(
        needs=needs,
        questions=questions,
        recommend=tuple(_rule(r) for r in raw["recommend"]),
        also=tuple(_rule(r) for r in raw.get("also") or ()),
        max_questions=int(raw["max_questions"]),
        retirement_age={int(y): (int(a[0]), int(a[1])) for y, a in raw["retirement_age"].items()},
        prefill={
            str(app_id): {str(p): _sources(s) for p, s in pointers.items()}
            for app_id, pointers in (raw.get("prefill") or {}).items()
        },
    )


@cache
def load_guide(path: Path = GUIDE_FILE) -> Guide:
    return parse_guide(read_yaml(path))


def start_facts(need: Need) -> dict[str, str]:
    """The facts a described need already settles, with its topic."""
    facts = dict(need.facts)
    if need.topic:
        facts[TOPIC] = need.topic
    return facts
