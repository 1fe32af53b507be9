"""A field's `rules`: checks on an answer that need today's date or other answers.

"The child must be under 25", "the entry date cannot be before the birth date":
the parser has accepted the answer as a date; a rule then says, in the
application's own words (apps.<id>.fields.<field>.rules.<error>), why it cannot
be right. A rule that cannot be decided yet (it reads an open question) lets the
answer through: the office decides, not a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.definitions import Application
from bot.forms.conditions import Facts, evaluate
from bot.forms.plan import Step, facts_of, plan
from bot.parsing import ParseError


class RuleBroken(ParseError):
    """An answer that breaks a rule of the definition; said like a parse error."""

    def __init__(self, key: str) -> None:
        ValueError.__init__(self, key)  # not a parser's reason: the text is the application's
        self.reason = key
        self.params: dict[str, object] = {}

    @property
    def locale_key(self) -> str:
        return self.reason


def rule_key(app: Application, step: Step, error: str) -> str:
    assert step.field is not None
    return f"apps.{app.id}.fields.{step.field.id}.rules.{error}"


def check_rules(app: Application, step: Step, value: Any, answers: Mapping[str, Any]) -> None:
    """Raise RuleBroken for the first rule the answer `value` is known to break."""
    if step.field is None or not step.field.rules or value is None:
        return
    known = facts_of(plan(app, answers), answers)
    facts = Facts({**known.seen, step.key: value}, set(known.pending) - {step.key}, known.today)
    for rule in step.field.rules:
        if evaluate(rule.condition, facts, step.item_base) is False:
            raise RuleBroken(rule_key(app, step, rule.error))
