"""The application definitions are checked against their schemas, and Rasa files follow them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.definitions import DefinitionError, load_application, load_applications
from bot.definitions.loader import APPLICATIONS_DIR
from bot.forms import generate
from bot.forms.plan import next_open, payload_answers, plan

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
    assert {g.pointer for g in app.groups()} == {"/income", "/assets", "/household_members"}


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
