"""What the law says, as the five definitions now say it, through the real engine.

Each test starts the real application in process (real loader, planner, parser,
dialogue), fills the earlier questions with fictional answers and then answers
the question under test as a citizen would. Dates are relative to today, so the
ages stay true whenever the tests run.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from bot.contracts import payload_problems
from bot.definitions import Application, load_applications
from bot.forms.dialogue import Conversation, Reply
from bot.forms.draft import Draft
from bot.forms.plan import active_hints, next_open, payload_answers, plan
from bot.forms.turn import UserTurn
from bot.nlg.render import render
from bot.nlg.texts import supported_languages
from bot.submission.submit import payload_for

APPS = load_applications()
TODAY = date.today()
FILL: dict[str, Any] = {
    "text": "Muster",
    "date": "1980-01-01",
    "money": 100,
    "number": 40,
    "integer": 1,
    "count": 1,
    "iban": "DE89370400440532013000",
    "email": "muster@example.org",
    "phone": "+496111234567",
    "postal_code": "65185",
    "country": "DE",
    "boolean": False,
    "confirm": True,
    "add_another": False,
    "file": {"status": "later"},
}
PATTERNED = {"house_number": "12", "passport_number": "C01X00T47"}


def ago(years: int = 0, months: int = 0, days: int = 0) -> str:
    return (TODAY - relativedelta(years=years, months=months, days=days)).isoformat()


def ahead(months: int = 0, days: int = 0) -> str:
    return (TODAY + relativedelta(months=months, days=days)).isoformat()


def fill(app: Application, answers: dict[str, Any], until: str | None = None) -> dict[str, Any]:
    """Fictional answers to every open question, up to the one at `until`."""
    answers = dict(answers)
    while (step := next_open(plan(app, answers), answers)) is not None and step.pointer != until:
        if step.field is not None and step.field.type == "choice":
            value: Any = step.choices[0]
        elif step.field is not None and step.field.type == "multi_choice":
            value = [step.choices[0]]
        elif step.field is not None and step.field.options.get("pattern"):
            suffix = next((k for k in PATTERNED if step.field.id.endswith(k)), None)
            value = PATTERNED[suffix] if suffix else None
        else:
            value = FILL[step.kind]
        answers[step.key] = value
    return answers


class Citizen:
    """One conversation with the real engine, started at a question of an application."""

    def __init__(self, app_id: str, answers: dict[str, Any], lang: str = "de") -> None:
        self.app = APPS[app_id]
        self.conversation = Conversation(APPS)
        self.draft = Draft(lang=lang, application=app_id, phase="asking")
        self.draft.language_checked = True
        self.draft.answers = dict(answers)
        self.reply = self.say("", intent="repeat")

    def say(self, text: str, intent: str = "inform", **entities: str) -> Reply:
        said = UserTurn(text, intent, 0.95, entities, {})
        self.draft, self.reply = self.conversation.respond(self.draft, said, "de")
        return self.reply

    @property
    def field(self) -> str | None:
        return self.reply.state.get("field")

    def keys(self) -> list[str]:
        return [part["key"] for part in self.reply.parts]

    def choices(self) -> list[str]:
        return [c["value"] for c in self.reply.state.get("choices", ())]

    def payload(self) -> dict[str, Any]:
        now = datetime.now(timezone.utc)
        return payload_for(self.app, self.draft, "WI-2026-TEST0001", "rest", now)


# -- Bildung und Teilhabe: under 25; sport, music and leisure under 18 -----------------

BUT = APPS["bildung_teilhabe"]
CHILD_BIRTH = "/children/0/birth_date"
TOO_OLD = "apps.bildung_teilhabe.fields.child_birth_date.rules.too_old"


def _at_child_birth_date() -> Citizen:
    citizen = Citizen("bildung_teilhabe", fill(BUT, {}, until=CHILD_BIRTH))
    assert citizen.field == CHILD_BIRTH
    return citizen


def test_but_refuses_a_child_of_25_with_the_reason() -> None:
    citizen = _at_child_birth_date()
    citizen.say(ago(years=25))
    assert citizen.reply.state["step"] == "invalid" and citizen.field == CHILD_BIRTH
    assert citizen.keys()[0] == TOO_OLD
    text = render({"parts": citizen.reply.parts, "state": citizen.reply.state}, "de")["text"]
    assert "unter 25 Jahren" in text
    citizen.say(ago(years=25, days=-1))  # the day before the 25th birthday
    assert citizen.field == "/children/0/requests"


@pytest.mark.parametrize("lang", supported_languages())
def test_the_age_limit_is_explained_in_every_language(lang: str) -> None:
    text = render({"parts": [{"key": TOO_OLD, "params": {}}], "state": {}}, lang)["text"]
    assert "25" in text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))


@pytest.mark.parametrize(("age", "offered"), [(10, True), (17, True), (18, False), (22, False)])
def test_but_offers_leisure_only_under_18(age: int, offered: bool) -> None:
    citizen = _at_child_birth_date()
    citizen.say(ago(years=age))
    assert ("social_cultural_participation" in citizen.choices()) is offered
    citizen.say("Sportverein", value="social_cultural_participation")
    assert (citizen.reply.state["step"] != "invalid") is offered


def test_a_leisure_request_goes_when_the_birth_date_makes_the_child_18() -> None:
    answers = fill(BUT, {}, until=CHILD_BIRTH)
    answers |= {CHILD_BIRTH: ago(years=12)}
    answers |= {"/children/0/requests": ["lunch", "social_cultural_participation"]}
    answers = fill(BUT, answers)
    citizen = Citizen("bildung_teilhabe", answers)
    assert citizen.payload()["children"][0]["requests"] == [
        "lunch",
        "social_cultural_participation",
    ]
    citizen.draft.answers[CHILD_BIRTH] = ago(years=19)
    assert citizen.payload()["children"][0]["requests"] == ["lunch"]
    assert payload_problems(citizen.payload()) == []


# -- Wohngeld and Grundsicherung: rent to the landlord only for renters -----------------


@pytest.mark.parametrize(
    ("app_id", "housing", "offered"),
    [
        ("wohngeld", "rented", True),
        ("wohngeld", "sublet", True),
        ("wohngeld", "own_home", False),
        ("grundsicherung", "rented", True),
        ("grundsicherung", "own_property", False),
        ("grundsicherung", "institution", False),
    ],
)
def test_rent_to_the_landlord_is_offered_to_renters_only(
    app_id: str, housing: str, offered: bool
) -> None:
    app = APPS[app_id]
    answers = fill(app, {"/housing/kind": housing}, until="/payout/method")
    citizen = Citizen(app_id, answers)
    assert citizen.field == "/payout/method"
    assert ("direct_to_provider" in citizen.choices()) is offered
    citizen.say("an den Vermieter", value="direct_to_provider")
    assert (citizen.reply.state["step"] == "invalid") is not offered


def test_an_owner_is_asked_again_when_the_landlord_choice_no_longer_fits() -> None:
    app = APPS["wohngeld"]
    answers = fill(app, {"/housing/kind": "rented", "/payout/method": "direct_to_provider"})
    citizen = Citizen("wohngeld", answers)
    assert citizen.payload()["payout"]["method"] == "direct_to_provider"
    citizen.draft.answers |= {"/housing/kind": "own_home", "/housing/owner_burden_monthly": 300}
    assert "/payout/method" not in payload_answers(plan(app, citizen.draft.answers), answers)
    citizen.draft.phase = "asking"  # as after changing the answer from the summary
    citizen.say("", intent="repeat")
    assert citizen.field == "/payout/method"
    assert citizen.choices() == ["bank_account", "cash_payment"]


# -- Grundsicherung: the age route from the birth date (§ 41 SGB XII) --------------------

GS = APPS["grundsicherung"]


@pytest.mark.parametrize(
    ("born", "reason"),
    [
        ("1957-03-03", "age_limit_reached"),  # 65 years 11 months: reached in 2023
        ("1975-09-09", "full_earning_incapacity_permanent"),
        (ago(years=67), "age_limit_reached"),
        (ago(years=66), "full_earning_incapacity_permanent"),  # born 1960: 66 years 4 months
    ],
)
def test_the_birth_date_decides_the_reason_without_asking(born: str, reason: str) -> None:
    answers = fill(GS, {"/applicant/birth_date": born})
    asked = [s.pointer for s in plan(GS, answers) if s.given is None]
    assert "/eligibility/reason" not in asked
    citizen = Citizen("grundsicherung", answers)
    assert citizen.reply.state["step"] == "summary"
    assert citizen.payload()["eligibility"]["reason"] == reason
    assert payload_problems(citizen.payload()) == []
    shown = [
        i
        for s in citizen.reply.parts
        if s.get("summary")
        for sec in s["summary"]
        for i in sec["items"]
    ]
    assert any(i["label_key"] == "apps.grundsicherung.fields.reason.label" for i in shown)
    incapacity = "/eligibility/incapacity_determined_by" in asked
    assert incapacity is (reason == "full_earning_incapacity_permanent")


def test_income_is_asked_only_for_a_spouse_or_partner() -> None:
    answers = fill(GS, {"/household_members#0": True}, until="/household_members/0/relationship")
    for relationship, asked in (("partner", True), ("child", False)):
        filled = fill(GS, {**answers, "/household_members/0/relationship": relationship})
        pointers = {s.pointer for s in plan(GS, filled)}
        assert ("/household_members/0/income" in pointers) is asked


def _assets(*items: tuple[str, int], members: tuple[str, ...] = ()) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for index, relationship in enumerate(members):
        answers[f"/household_members#{index}"] = True
        answers[f"/household_members/{index}/relationship"] = relationship
    for index, (kind, value) in enumerate(items):
        answers[f"/assets#{index}"] = True
        answers |= {f"/assets/{index}/kind": kind, f"/assets/{index}/value": value}
    return fill(GS, answers)


@pytest.mark.parametrize(
    ("answers", "hint"),
    [
        (_assets(("savings", 10000)), False),
        (_assets(("savings", 10001)), True),
        (_assets(("savings", 12500), ("life_insurance", 3000), members=("spouse",)), False),
        (_assets(("savings", 20001), members=("partner",)), True),
        (_assets(("savings", 10400), members=("child",)), False),  # 500 for a child
        (_assets(("savings", 10600), members=("child", "parent")), True),
        (_assets(("real_estate", 180000), ("cash", 900)), False),  # a home is left out
    ],
)
def test_the_protected_assets_grow_with_spouse_and_children(answers: dict, hint: bool) -> None:
    hints = [h.id for h in active_hints(GS, plan(GS, answers), answers)]
    assert ("assets_above_limit" in hints) is hint


# -- Wohngeld: the assets limit is the household's own (§ 21 Nr. 3 WoGG) -----------------

WG = APPS["wohngeld"]


@pytest.mark.parametrize(
    ("lang", "members", "limit"),
    [("de", 0, "60.000,00\xa0€"), ("de", 2, "120.000,00\xa0€"), ("en", 3, "€150,000.00")],
)
def test_the_wohngeld_assets_question_names_the_households_own_limit(
    lang: str, members: int, limit: str
) -> None:
    answers: dict[str, Any] = {f"/household_members#{i}": True for i in range(members)}
    answers["/household_members#" + str(members)] = False
    citizen = Citizen("wohngeld", fill(WG, answers, until="/significant_assets"), lang)
    assert citizen.field == "/significant_assets"
    text = render({"parts": citizen.reply.parts, "state": citizen.reply.state}, lang)["text"]
    assert limit in text


# -- Aufenthaltstitel: an expired or soon expiring passport or permit --------------------

AT = APPS["aufenthaltstitel_verlaengerung"]


@pytest.mark.parametrize(
    ("passport", "permit", "hints"),
    [
        (ahead(months=24), ahead(months=2), []),
        (ahead(months=2), ahead(months=2), ["passport_expires_soon"]),
        (ago(days=1), ahead(months=2), ["passport_expired"]),
        (ahead(months=24), ago(days=3), ["permit_expired"]),
        (ago(years=1), ago(days=3), ["passport_expired", "permit_expired"]),
    ],
)
def test_expired_documents_are_hints_not_refusals(passport: str, permit: str, hints: list) -> None:
    answers = fill(AT, {}, until="/passport/valid_until")
    citizen = Citizen("aufenthaltstitel_verlaengerung", answers)
    citizen.say(passport)
    assert citizen.reply.state["step"] != "invalid", "an expired passport is accepted"
    said = [k for k in citizen.keys() if ".hints." in k]
    citizen.draft.answers = fill(
        AT, {**citizen.draft.answers, "/current_permit/valid_until": permit}
    )
    found = [h.id for h in active_hints(AT, plan(AT, citizen.draft.answers), citizen.draft.answers)]
    assert found == [
        h for h in ("passport_expired", "passport_expires_soon", "permit_expired") if h in hints
    ]
    assert said == [
        f"apps.aufenthaltstitel_verlaengerung.hints.{h}" for h in hints if "passport" in h
    ]
    assert payload_problems(citizen.payload()) == []


# -- AsylbLG: the entry date cannot be before the birth date -----------------------------

ASYL = APPS["asylblg"]
ENTRY = "/residence_status/entry_date"


def test_an_entry_before_the_birth_date_is_explained() -> None:
    answers = fill(ASYL, {"/applicant/birth_date": "1990-05-14"}, until=ENTRY)
    citizen = Citizen("asylblg", answers)
    assert citizen.field == ENTRY
    citizen.say("1909-08-02")
    assert citizen.keys()[0] == "apps.asylblg.fields.entry_date.rules.before_birth"
    assert citizen.reply.state["step"] == "invalid"
    citizen.say("1990-05-14")
    assert citizen.field != ENTRY
