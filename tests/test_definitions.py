"""The application definitions are checked against their schemas, and Rasa files follow them."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.contracts import schema_store
from bot.definitions import DefinitionError, field_patterns, load_application, load_applications
from bot.definitions.loader import APPLICATIONS_DIR
from bot.forms import generate
from bot.forms.plan import group_arrays, next_open, payload_answers, plan
from bot.parsing import ParseError, parse_answer

GRUNDSICHERUNG = APPLICATIONS_DIR / "grundsicherung.yml"


def _variant(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(GRUNDSICHERUNG.read_text())
    change(raw)
    path = tmp_path / "grundsicherung.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    return path


def test_grundsicherung_covers_the_issue_sections() -> None:
    app = load_applications()["grundsicherung"]
    pointers = {f.pointer for f in app.fields_by_id().values()}
    for needed in (
        "/applicant/birth_date",
        "/applicant/address/postal_code",
        "/applicant/contact/phone",
        "/eligibility/reason",
        "/health_insurance/status",
        "/housing/kind",
        "/payout/bank_account/iban",
        "/declarations/truthful",
    ):
        assert needed in pointers
    assert {"/income", "/assets", "/household_members"} <= {g.pointer for g in app.groups()}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["sections"][0]["fields"][0].update(pointer="/applicant/nickname"), "nickname"),
        (lambda d: d["sections"][0]["fields"][4].update(choices=["female", "f"]), "'f'"),
        (lambda d: d["sections"][0]["fields"][0].update(type="colour"), "colour"),
        (lambda d: d["sections"][1]["fields"][0].update(id="given_names"), "twice"),
        (lambda d: d["sections"][3]["fields"][1].update(when={"/eligibility/nope": "x"}), "nope"),
        (lambda d: d.update(id="other"), "file name"),
    ],
)
def test_inconsistent_definitions_are_refused(tmp_path: Path, change, message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        load_application(_variant(tmp_path, change))


def _field_raw(raw: dict, field_id: str) -> dict:
    return next(f for sec in raw["sections"] for f in sec.get("fields", ()) if f["id"] == field_id)


def _document_raw(raw: dict, document_id: str) -> dict:
    return next(
        d for sec in raw["sections"] for d in sec.get("documents", ()) if d["id"] == document_id
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # The definition must check a text answer with the schema's pattern (v1.1 widened one).
        (
            lambda d: _field_raw(d, "insurance_number")["options"].update(pattern="[A-Z].*"),
            "pattern",
        ),
        (
            lambda d: _document_raw(d, "household_income_proof").update(per_item="/income/x"),
            "no group",
        ),
        (lambda d: _document_raw(d, "household_income_proof").update(when={"nope": "x"}), "nope"),
        (lambda d: _field_raw(d, "housing_kind").update(none=True), "`none`"),
        (lambda d: _field_raw(d, "has_legal_guardian").update(type="text"), "presence"),
        (lambda d: _field_raw(d, "has_legal_guardian").update(pointer="/housing"), "requires"),
    ],
)
def test_inconsistent_v1_1_features_are_refused(tmp_path: Path, change, message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        load_application(_variant(tmp_path, change))


def _asked(app_id: str, answers: dict) -> set[str]:
    return {s.pointer for s in plan(load_applications()[app_id], answers)}


@pytest.mark.parametrize(
    ("app_id", "answers", "asked", "not_asked"),
    [
        # Contract v1.1: each new field is asked, and only when its condition holds.
        ("grundsicherung", {}, {"/legal_guardian", "/additional_needs"}, {"/legal_guardian/name"}),
        (
            "grundsicherung",
            {"/legal_guardian": True},
            {"/legal_guardian/name", "/legal_guardian/scope_includes_benefits"},
            {"/legal_guardian/address/street", "/legal_guardian/contact/phone"},
        ),
        (
            "grundsicherung",
            {"/legal_guardian": True, "/legal_guardian/scope_includes_benefits": True},
            {"/legal_guardian/address/street", "/legal_guardian/contact/email"},
            {"/legal_guardian/address/city", "/legal_guardian/contact/preferred_channel"},
        ),
        (
            "grundsicherung",
            {"/housing/kind": "own_property"},
            {"/housing/owner_costs_monthly", "/housing/heating_costs"},
            {"/housing/rent_cold", "/housing/utilities"},
        ),
        (
            "grundsicherung",
            {"/housing/kind": "rented"},
            {"/housing/heating_costs"},
            {"/housing/owner_costs_monthly"},
        ),
        ("asylblg", {}, {"/residence_status/bamf_file_number"}, set()),
        (
            "aufenthaltstitel_verlaengerung",
            {"/requested_purpose": "eu_blue_card"},
            {"/livelihood/annual_gross_salary"},
            set(),
        ),
        (
            "aufenthaltstitel_verlaengerung",
            {"/requested_purpose": "employment"},
            set(),
            {"/livelihood/annual_gross_salary"},
        ),
        ("wohngeld", {}, {"/significant_assets"}, {"/housing/landlord/bank_account/iban"}),
        (
            "wohngeld",
            {"/housing/kind": "rented", "/payout/method": "direct_to_provider"},
            {"/housing/landlord/bank_account/holder", "/housing/landlord/bank_account/iban"},
            {"/payout/bank_account/iban"},
        ),
        (
            "wohngeld",
            {"/housing/kind": "own_home", "/payout/method": "direct_to_provider"},
            set(),
            {"/housing/landlord/bank_account/iban"},
        ),
    ],
)
def test_new_questions_follow_their_conditions(
    app_id: str, answers: dict, asked: set, not_asked: set
) -> None:
    planned = _asked(app_id, answers)
    assert asked <= planned
    assert not (not_asked & planned)


def test_the_legal_basis_takes_the_forms_of_contract_v1_1() -> None:
    field = load_applications()["aufenthaltstitel_verlaengerung"].fields_by_id()
    options = field["permit_legal_basis"].options
    for typed in (
        "§ 28 Abs. 1 Satz 1 Nr. 1 AufenthG",
        "§ 28 Abs. 1 S. 1 Nr. 1 AufenthG",
        "§ 18b AufenthG i.V.m. § 39 Abs. 2 BeschV",
        "§ 18g AufenthG",
    ):
        assert parse_answer("text", typed, "de", options) == typed
    with pytest.raises(ParseError):
        parse_answer("text", "§ 28 Abs. 1 Satz. 1 AufenthG", "de", options)


def test_conditions_add_and_remove_questions() -> None:
    app = load_applications()["grundsicherung"]
    base = {"/eligibility/reason": "age_limit_reached", "/housing/kind": "with_relatives"}
    asked = {s.pointer for s in plan(app, base)}
    assert "/eligibility/incapacity_determined_by" not in asked
    assert "/housing/rent_cold" not in asked

    changed = {
        **base,
        "/eligibility/reason": "full_earning_incapacity_permanent",
        "/housing/kind": "rented",
    }
    asked = {s.pointer for s in plan(app, changed)}
    assert {"/eligibility/incapacity_determined_by", "/housing/rent_cold"} <= asked


def test_a_switched_off_condition_drops_its_answer_from_the_payload() -> None:
    app = load_applications()["grundsicherung"]
    answers = {"/housing/kind": "rented", "/housing/rent_cold": 420}
    assert payload_answers(plan(app, answers), answers)["/housing/rent_cold"] == 420
    answers["/housing/kind"] = "own_property"
    assert "/housing/rent_cold" not in payload_answers(plan(app, answers), answers)


def test_groups_ask_add_another_then_item_fields() -> None:
    app = load_applications()["grundsicherung"]
    answers = {s.key: "x" for s in plan(app, {}) if s.group is None}
    step = next_open(plan(app, answers), answers)
    assert step is not None and step.kind == "add_another" and step.pointer == "/household_members"
    answers["/household_members#0"] = False
    answers["/income#0"] = True
    step = next_open(plan(app, answers), answers)
    assert step is not None and step.pointer == "/income/0/kind"


def test_generated_rasa_files_are_in_sync() -> None:
    assert generate.main(["--check"]) == 0, "run: python -m bot.forms.generate"


ENVELOPE = {"schema", "application", "reference", "submitted_at", "language", "channel", "leika"}
ENVELOPE |= {"documents"}  # asked as document questions, not as fields


def _schema_leaves(schema_id: str) -> set[str]:
    """Every property a payload can carry, `*` for array indexes; envelope fields aside."""
    store = schema_store()
    resolver = jsonschema.RefResolver.from_schema(store[schema_id], store=store)
    leaves: set[str] = set()

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            _, target = resolver.resolve(node["$ref"])
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def properties(node: dict) -> dict:
        found = dict(node.get("properties", {}))
        for part in node.get("allOf", []):
            found = {**properties(resolve(part)), **found}
        return found

    def walk(node: dict, pointer: str) -> None:
        node = resolve(node)
        items = resolve(node.get("items", {})) if node.get("type") == "array" else None
        if items is not None and (items.get("properties") or items.get("allOf")):
            leaves.add(pointer)  # the group itself
            walk(items, f"{pointer}/*")
            return
        nested = properties(node)
        if not nested:
            leaves.add(pointer)
        for name, child in nested.items():
            if not (pointer == "" and name in ENVELOPE):
                walk(child, f"{pointer}/{name}")

    walk(store[schema_id], "")
    return leaves


@pytest.mark.parametrize("app_id", sorted(load_applications()))
def test_every_schema_property_is_asked(app_id: str) -> None:
    app = load_applications()[app_id]
    fields = field_patterns(app)
    # A presence question ("Do you have a legal guardian?") fills no property itself.
    asked = {p for p, f in fields.items() if not f.presence} | set(group_arrays(app))
    assert sorted(_schema_leaves(app.schema) - asked) == [], "properties no question fills"
    assert sorted(asked - _schema_leaves(app.schema)) == [], "questions outside the schema"


def test_all_five_applications_are_defined() -> None:
    assert set(load_applications()) == {
        "grundsicherung",
        "asylblg",
        "aufenthaltstitel_verlaengerung",
        "bildung_teilhabe",
        "wohngeld",
    }
