"""The application definitions are checked against their schemas, and Rasa files follow them."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.definitions import DefinitionError, field_patterns, load_application, load_applications
from bot.definitions.loader import APPLICATIONS_DIR
from bot.forms import generate
from bot.forms.plan import group_arrays, next_open, payload_answers, plan
from bot.submission.schemas import schema_store

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
    asked = set(field_patterns(app)) | set(group_arrays(app))
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
