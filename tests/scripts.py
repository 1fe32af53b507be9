"""Fictional citizens' answers, as they would type them, and what the office must receive."""

from __future__ import annotations

import copy
import json
from pathlib import Path

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "contracts" / "examples" / "grundsicherung.example.json"
)

# (field asked, what the citizen types). A text starting with "/" is a button press.
GRUNDSICHERUNG_DE = [
    ("/applicant/given_names", "Helga"),
    ("/applicant/family_name", "Schneider"),
    ("/applicant/birth_date", "am 3. März 1957"),
    ("/applicant/birth_place", "Mainz"),
    ("/applicant/sex", '/inform{"value":"female"}'),
    ("/applicant/nationality", "deutsch"),
    ("/applicant/marital_status", "verwitwet"),
    ("/applicant/address/street", "Rheinstraße"),
    ("/applicant/address/house_number", "42"),
    ("/applicant/address/address_suffix", "überspringen"),
    ("/applicant/address/postal_code", "65185"),
    ("/applicant/address/city", "Wiesbaden"),
    ("/applicant/contact/phone", "0611 1234567"),
    ("/applicant/contact/email", "keine Angabe"),
    ("/applicant/contact/preferred_channel", "per Post"),
    ("/eligibility/reason", '/inform{"value":"age_limit_reached"}'),
    ("/health_insurance/status", "gesetzlich"),
    ("/health_insurance/insurer", "AOK Hessen"),
    ("/health_insurance/insurance_number", "A123456780"),
    ("/housing/kind", "zur Miete"),
    ("/housing/rent_cold", "420 Euro"),
    ("/housing/heating_costs", "65 €"),
    ("/housing/utilities", "110"),
    ("/housing/living_space_sqm", "48 qm"),
    ("/household_members", "nein"),
    ("/income", "ja"),
    ("/income/0/kind", "Rente"),
    ("/income/0/monthly_net", "780,40 €"),
    ("/income/0/monthly_gross", "872,50"),
    ("/income/0/since", "1.7.2022"),
    ("/income/0/payer", "Deutsche Rentenversicherung"),
    ("/income", "nein"),
    ("/assets", "ja"),
    ("/assets/0/kind", '/inform{"value":"bank_account"}'),
    ("/assets/0/value", "1.200 Euro"),
    ("/assets", "nein"),
    ("/payout/method", '/inform{"value":"bank_account"}'),
    ("/payout/bank_account/holder", "Helga Schneider"),
    ("/payout/bank_account/iban", "DE89 3704 0044 0532 0130 00"),
    ("/declarations/truthful", "/affirm"),
    ("/declarations/notify_changes", "ja"),
    ("/declarations/consent_processing", "/affirm"),
]

GRUNDSICHERUNG_EN = [
    ("/applicant/given_names", "Helga"),
    ("/applicant/family_name", "Schneider"),
    ("/applicant/birth_date", "March 3, 1957"),
    ("/applicant/birth_place", "Mainz"),
    ("/applicant/sex", "female"),
    ("/applicant/nationality", "German"),
    ("/applicant/marital_status", "widowed"),
    ("/applicant/address/street", "Rheinstraße"),
    ("/applicant/address/house_number", "42"),
    ("/applicant/address/address_suffix", "skip"),
    ("/applicant/address/postal_code", "65185"),
    ("/applicant/address/city", "Wiesbaden"),
    ("/applicant/contact/phone", "+49 611 1234567"),
    ("/applicant/contact/email", "skip"),
    ("/applicant/contact/preferred_channel", "by post"),
    ("/eligibility/reason", '/inform{"value":"age_limit_reached"}'),
    ("/health_insurance/status", "statutory"),
    ("/health_insurance/insurer", "AOK Hessen"),
    ("/health_insurance/insurance_number", "a123456780"),
    ("/housing/kind", '/inform{"value":"rented"}'),
    ("/housing/rent_cold", "€420"),
    ("/housing/heating_costs", "65 euros"),
    ("/housing/utilities", "110.00"),
    ("/housing/living_space_sqm", "48"),
    ("/household_members", "no"),
    ("/income", "yes"),
    ("/income/0/kind", "pension"),
    ("/income/0/monthly_net", "780.40"),
    ("/income/0/monthly_gross", "872.50"),
    ("/income/0/since", "1 July 2022"),
    ("/income/0/payer", "Deutsche Rentenversicherung"),
    ("/income", "no"),
    ("/assets", "yes"),
    ("/assets/0/kind", '/inform{"value":"bank_account"}'),
    ("/assets/0/value", "1,200"),
    ("/assets", "no"),
    ("/payout/method", '/inform{"value":"bank_account"}'),
    ("/payout/bank_account/holder", "Helga Schneider"),
    ("/payout/bank_account/iban", "de89 3704 0044 0532 0130 00"),
    ("/declarations/truthful", "yes"),
    ("/declarations/notify_changes", "/affirm"),
    ("/declarations/consent_processing", "yes"),
]


def expected_payload(language: str) -> dict:
    """The contract's example application, as this dialogue delivers it.

    Differences to the example: the dialogue does not ask for documents yet, and
    reference, time, language and channel are those of the run.
    """
    payload = copy.deepcopy(json.loads(EXAMPLE.read_text()))
    payload.update(language=language, documents=[])
    return payload


def comparable(payload: dict) -> dict:
    """Without the fields that differ on every run."""
    return {k: v for k, v in payload.items() if k not in ("reference", "submitted_at")}
