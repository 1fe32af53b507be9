"""Conditions beyond "this answer has that value": all/any/not, ages and dates, and what
the loader refuses (docs/definitions.md, "Conditions").

Refusals run on variants of the real Grundsicherung definition; evaluation runs on
parsed conditions with a fixed "today", so every age limit can be tested on its day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.definitions import DefinitionError, load_application
from bot.definitions.conditions import Parser, age_limits
from bot.forms.conditions import Facts, evaluate
from tests.test_definitions import GRUNDSICHERUNG, _variant

RETIREMENT = yaml.safe_load(GRUNDSICHERUNG.read_text())["ages"]


def _field(raw: dict, field_id: str) -> dict:
    found = [f for s in raw["sections"] for f in s.get("fields", ()) if f["id"] == field_id]
    found += [
        f
        for s in raw["sections"]
        for g in s.get("groups", ())
        for f in g["fields"]
        if f["id"] == field_id
    ]
    return found[0]


def _when(field_id: str, condition) -> object:
    return lambda raw: _field(raw, field_id).update(when=condition)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_when("insurer", {"any": [{"/health_insurance/nope": "x"}]}), "nope"),
        (_when("insurer", {"not": {"/housing/kind": "castle"}}), "castle"),
        (_when("insurer", {"all": [{"/legal_guardian": "yes"}]}), "true or false"),
        (_when("insurer", {"all": {"/housing/kind": "rented"}}), "needs a list"),
        (_when("insurer", {"age": {"of": "/housing/kind", "under": 5}}), "no date answer"),
        (_when("insurer", {"age": {"of": "/applicant/birth_date", "at_least": "pension"}}), "age"),
        (_when("insurer", {"age": {"of": "/applicant/birth_date", "over": 5}}), "unknown keys"),
        (_when("insurer", {"age": {"of": "/applicant/birth_date"}}), "at_least"),
        (
            _when("insurer", {"date": {"of": "/applicant/birth_date", "before": "today+3 weeks"}}),
            "not a date",
        ),
        (
            _when("insurer", {"date": {"of": "/applicant/birth_date", "before": "/nope/date"}}),
            "nope",
        ),
        (
            _when("insurer", {"date": {"of": "/applicant/birth_date", "after": "/income/*/since"}}),
            "one answer",
        ),
        (
            lambda raw: _field(raw, "payout_method")["choices"].append(
                {"code": "cheque", "when": {"/housing/kind": "rented"}}
            ),
            "cheque",
        ),
        (
            lambda raw: _field(raw, "payout_method")["choices"].__setitem__(
                1, {"code": "direct_to_provider", "when": {"/housing/kind": "flat"}}
            ),
            "flat",
        ),
        (
            lambda raw: _field(raw, "birth_date").update(rules=[{"age": {"under": 120}}]),
            "error",
        ),
        (
            lambda raw: _field(raw, "birth_date").update(
                rules=[{"date": {"before": "/nope"}, "error": "x"}]
            ),
            "nope",
        ),
        (
            lambda raw: raw["hints"][0]["total"].update(where={"not": {"kind": "castle"}}),
            "castle",
        ),
        (
            lambda raw: raw["hints"][0]["total"]["above"]["per_item"].append(
                {"of": "/children", "add": 5}
            ),
            "no group",
        ),
        (lambda raw: raw.update(ages={"retirement": {1964: 67}}), "ages.retirement"),
        (
            lambda raw: _field(raw, "birth_date").update(options={"day": "optinal"}),
            "day: optional",
        ),
        (
            lambda raw: _field(raw, "insurer").update(
                amounts={"limit": {"base": 5, "per_item": [{"of": "/nope", "add": 1}]}}
            ),
            "no group",
        ),
    ],
)
def test_bad_conditions_are_refused_with_a_clear_error(tmp_path: Path, change, message) -> None:
    with pytest.raises(DefinitionError, match=message):
        load_application(_variant(tmp_path, change))


def _member_income(raw: dict) -> dict:
    household = next(s for s in raw["sections"] if s["id"] == "household")
    return household["groups"][0]["groups"][0]


def test_a_nested_groups_condition_may_read_its_enclosing_item(tmp_path: Path) -> None:
    """ "Income only for a spouse or partner": relative pointers mean the person."""
    app = load_application(GRUNDSICHERUNG)
    income = next(g for g in app.groups() if g.id == "member_income")
    answers = {"/household_members/0/relationship": "child"}
    assert evaluate(income.when, Facts(answers), "/household_members/0") is False
    answers = {"/household_members/0/relationship": "partner"}
    assert evaluate(income.when, Facts(answers), "/household_members/0") is True
    with pytest.raises(DefinitionError, match="nope"):
        load_application(
            _variant(tmp_path, lambda raw: _member_income(raw).update(when={"nope": "x"}))
        )


def _condition(raw: dict):
    return Parser(age_limits(RETIREMENT)).parse(raw)


RETIRED = {"age": {"of": "/applicant/birth_date", "at_least": "retirement"}}


@pytest.mark.parametrize(
    ("born", "today", "reached"),
    [
        ("1946-12-31", date(2011, 12, 30), False),  # before 1947: 65 years
        ("1946-12-31", date(2011, 12, 31), True),
        ("1958-06-15", date(2024, 6, 14), False),  # 1958: 66 years
        ("1958-06-15", date(2024, 6, 15), True),
        ("1963-05-01", date(2030, 2, 28), False),  # 1963: 66 years and 10 months
        ("1963-05-01", date(2030, 3, 1), True),
        ("1970-02-28", date(2037, 2, 27), False),  # 1964 and later: 67 years
        ("1970-02-28", date(2037, 2, 28), True),
    ],
)
def test_the_retirement_age_follows_the_table_by_year_of_birth(
    born: str, today: date, reached: bool
) -> None:
    facts = Facts({"/applicant/birth_date": born}, today=today)
    assert evaluate(_condition(RETIRED), facts) is reached
    assert evaluate(_condition({"not": RETIRED}), facts) is (not reached)


def test_an_open_question_leaves_a_condition_and_its_not_undecided() -> None:
    pending = Facts({}, {"/applicant/birth_date", "/housing/kind"})
    assert evaluate(_condition(RETIRED), pending) is None
    assert evaluate(_condition({"not": RETIRED}), pending) is None
    assert evaluate(_condition({"not": {"/housing/kind": "rented"}}), pending) is None
    skipped = Facts({"/housing/kind": None})
    assert evaluate(_condition({"not": {"/housing/kind": "rented"}}), skipped) is True
    assert evaluate(_condition(RETIRED), Facts({"/applicant/birth_date": None})) is None


def test_all_any_not_nest_over_items() -> None:
    condition = _condition(
        {
            "any": [
                {"/income/*/kind": "employment"},
                {"all": [{"/housing/kind": "rented"}, {"not": {"/assets/*/kind": "cash"}}]},
            ]
        }
    )
    facts = {"/income/0/kind": "pension", "/housing/kind": "rented", "/assets/0/kind": "savings"}
    assert evaluate(condition, Facts(facts)) is True
    assert evaluate(condition, Facts({**facts, "/assets/1/kind": "cash"})) is False
    assert evaluate(condition, Facts({**facts, "/income/1/kind": "employment"})) is True
    assert evaluate(condition, Facts(facts, {"/assets/1/kind"})) is None


def test_dates_compare_with_today_or_another_answer_moved_by_a_period() -> None:
    soon = _condition({"date": {"of": "/passport/valid_until", "before": "today + 3 months"}})
    today = date(2026, 12, 2)
    assert evaluate(soon, Facts({"/passport/valid_until": "2027-03-01"}, today=today)) is True
    assert evaluate(soon, Facts({"/passport/valid_until": "2027-03-02"}, today=today)) is False
    assert evaluate(soon, Facts({"/passport/valid_until": "2027-02"}, today=today)) is True
    late = _condition(
        {
            "date": {
                "of": "/residence_status/entry_date",
                "after": "/applicant/birth_date + 18 years",
            }
        }
    )
    adult = {"/applicant/birth_date": "2000-05-01", "/residence_status/entry_date": "2018-05-02"}
    assert evaluate(late, Facts(adult)) is True
    assert evaluate(late, Facts({**adult, "/residence_status/entry_date": "2018-05-01"})) is False
    assert evaluate(late, Facts({"/residence_status/entry_date": "2018-05-02"})) is None


def test_age_at_another_answers_date() -> None:
    minor_on_entry = _condition(
        {"age": {"of": "/applicant/birth_date", "at": "/residence_status/entry_date", "under": 18}}
    )
    answers = {"/applicant/birth_date": "2005-07-10", "/residence_status/entry_date": "2023-07-09"}
    assert evaluate(minor_on_entry, Facts(answers)) is True
    answers["/residence_status/entry_date"] = "2023-07-10"
    assert evaluate(minor_on_entry, Facts(answers)) is False
