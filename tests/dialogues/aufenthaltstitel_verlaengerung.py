"""Verlängerung des Aufenthaltstitels: fictional citizens' answers, as they would type them.

(pointer asked, what the citizen types). A text starting with "/" is a button press;
"@upload" means: upload a PDF of the asked document and send its id.
"""

from __future__ import annotations

EXAMPLE_PAYLOAD_ID = "aufenthaltstitel_verlaengerung"

_DECLARATIONS = [
    ("/declarations/truthful", "ja"),
    ("/declarations/notify_changes", "ja"),
    ("/declarations/consent_processing", "ja"),
]

# Reproduces contracts/examples/aufenthaltstitel_verlaengerung.example.json (envelope aside).
EXAMPLE_DE = [
    ("/applicant/given_names", "Priya"),
    ("/applicant/family_name", "Raman"),
    ("/applicant/birth_name", "überspringen"),
    ("/applicant/birth_date", "am 2. November 1994"),
    ("/applicant/birth_place", "Chennai"),
    ("/applicant/sex", "weiblich"),
    ("/applicant/nationality", "indisch"),
    ("/applicant/marital_status", '/inform{"value":"married"}'),
    ("/applicant/address/street", "Biebricher Allee"),
    ("/applicant/address/house_number", "118a"),
    ("/applicant/address/address_suffix", "überspringen"),
    ("/applicant/address/postal_code", "65187"),
    ("/applicant/address/city", "Wiesbaden"),
    ("/applicant/contact/phone", "0151 12345678"),
    ("/applicant/contact/email", "priya.raman@example.org"),
    ("/applicant/contact/preferred_channel", "per E-Mail"),
    ("/passport/number", "Z1234567"),
    ("/passport/issuing_country", "Indien"),
    ("/passport/valid_until", "31.05.2032"),
    ("/current_permit/purpose", "Blaue Karte EU"),
    ("/current_permit/legal_basis", "§ 18g AufenthG"),
    ("/current_permit/card_number", "L01X 00T47"),
    ("/current_permit/valid_until", "bis 15. Januar 2027"),
    ("/requested_purpose", '/inform{"value":"eu_blue_card"}'),
    ("/livelihood/source", "Arbeit"),
    ("/livelihood/employer/name", "Beispiel Software GmbH"),
    ("/livelihood/employer/since", "1. Februar 2023"),
    ("/livelihood/monthly_net_income", "4.100 Euro"),
    ("/livelihood/annual_gross_salary", "58.400 Euro"),  # asked for the EU Blue Card only
    ("/health_insurance/status", "gesetzlich"),
    ("/health_insurance/insurer", "Techniker Krankenkasse"),
    ("/health_insurance/insurance_number", "überspringen"),
    ("/family_in_germany", "ja"),
    ("/family_in_germany/0/relationship", "Ehemann"),
    ("/family_in_germany/0/given_names", "Arjun"),
    ("/family_in_germany/0/family_name", "Raman"),
    ("/family_in_germany/0/birth_date", "30.06.1993"),
    ("/family_in_germany/0/nationality", "Indien"),
    ("/family_in_germany", "nein"),
    ("/criminal_record/convicted", "nein"),
    ("/documents/0", "@upload"),  # passport_copy
    ("/documents/1", "@upload"),  # employment_contract
    ("/documents/2", "reiche ich später nach"),  # biometric_photo
    *_DECLARATIONS,
]

BRANCHES = {
    # Student with a scholarship and private insurance; no card number at hand, no family
    # here: the office needs the scholarship letter, enrolment and insurance proof.
    "studium_stipendium_privat": dict(
        script=[
            ("/applicant/given_names", "Thi Lan"),
            ("/applicant/family_name", "Nguyen"),
            ("/applicant/birth_name", "überspringen"),
            ("/applicant/birth_date", "7. August 2001"),
            ("/applicant/birth_place", "Hanoi, Vietnam"),
            ("/applicant/sex", '/inform{"value":"female"}'),
            ("/applicant/nationality", "vietnamesisch"),
            ("/applicant/marital_status", "ledig"),
            ("/applicant/address/street", "Musterweg"),
            ("/applicant/address/house_number", "5"),
            ("/applicant/address/address_suffix", "Wohnheim, Zimmer 214"),
            ("/applicant/address/postal_code", "65197"),
            ("/applicant/address/city", "Wiesbaden"),
            ("/applicant/contact/phone", "überspringen"),
            ("/applicant/contact/email", "lan.nguyen@example.org"),
            ("/applicant/contact/preferred_channel", '/inform{"value":"email"}'),
            ("/passport/number", "c 1234 567"),
            ("/passport/issuing_country", "Vietnam"),
            ("/passport/valid_until", "am 20. März 2031"),
            ("/current_permit/purpose", "Studium"),
            ("/current_permit/legal_basis", "§ 16b Abs. 1 AufenthG"),
            ("/current_permit/card_number", "überspringen"),
            ("/current_permit/valid_until", "30.09.2027"),
            ("/requested_purpose", "für mein Studium"),
            ("/livelihood/source", "Stipendium"),
            ("/livelihood/monthly_net_income", "992 €"),
            ("/health_insurance/status", "privat"),
            ("/health_insurance/insurer", "Beispiel Private Krankenversicherung AG"),
            ("/family_in_germany", "nein"),
            ("/criminal_record/convicted", "nein, noch nie"),
            ("/documents/0", "@upload"),  # passport_copy
            ("/documents/1", "@upload"),  # scholarship_confirmation
            ("/documents/2", "reiche ich später nach"),  # biometric_photo
            ("/documents/3", "@upload"),  # enrolment_certificate
            ("/documents/4", "reiche ich später nach"),  # health_insurance_proof
            *_DECLARATIONS,
        ],
        present=[
            "/applicant/address/address_suffix",
            "/current_permit/legal_basis",
            "/livelihood/source",
            "/health_insurance/insurer",
            "/documents/4",
        ],
        absent=[
            "/applicant/contact/phone",
            "/current_permit/card_number",
            "/livelihood/employer",
            "/livelihood/annual_gross_salary",
            "/health_insurance/insurance_number",
            "/family_in_germany/0",
            "/criminal_record/details",
            "/documents/5",
        ],
    ),
    # Family reunification with a German husband and a child; lives on Bürgergeld
    # (hint); statutory insurance with number; a conviction with details; letters by post.
    "familie_buergergeld_verurteilt": dict(
        script=[
            ("/applicant/given_names", "Amina"),
            ("/applicant/family_name", "Nowak"),
            ("/applicant/birth_name", "El Idrissi"),
            ("/applicant/birth_date", "12.04.1989"),
            ("/applicant/birth_place", "Casablanca"),
            ("/applicant/sex", "Frau"),
            ("/applicant/nationality", "Marokko"),
            ("/applicant/marital_status", "verheiratet"),
            ("/applicant/address/street", "Lindenstraße"),
            ("/applicant/address/house_number", "12"),
            ("/applicant/address/address_suffix", "überspringen"),
            ("/applicant/address/postal_code", "65185"),
            ("/applicant/address/city", "Wiesbaden"),
            ("/applicant/contact/phone", "0611 9876543"),
            ("/applicant/contact/email", "überspringen"),
            ("/applicant/contact/preferred_channel", "per Brief"),
            ("/passport/number", "KB1234567"),
            ("/passport/issuing_country", "Marokko"),
            ("/passport/valid_until", "1. Juli 2029"),
            ("/current_permit/purpose", "Familiennachzug"),
            ("/current_permit/legal_basis", "§ 28 Abs. 1 S. 1 Nr. 1 AufenthG"),
            ("/current_permit/card_number", "y 0 1 2 3 4 5 6 7"),
            ("/current_permit/valid_until", "am 10. Februar 2027"),
            ("/requested_purpose", "Familie"),
            ("/livelihood/source", "Bürgergeld vom Jobcenter"),
            ("/livelihood/monthly_net_income", "1.250,00 Euro"),
            ("/health_insurance/status", '/inform{"value":"statutory"}'),
            ("/health_insurance/insurer", "AOK Hessen"),
            ("/health_insurance/insurance_number", "B 123 456 789"),
            ("/family_in_germany", "ja"),
            ("/family_in_germany/0/relationship", "mein Ehemann"),
            ("/family_in_germany/0/given_names", "Thomas"),
            ("/family_in_germany/0/family_name", "Nowak"),
            ("/family_in_germany/0/birth_date", "3. Mai 1985"),
            ("/family_in_germany/0/nationality", "deutsch"),
            ("/family_in_germany", "ja"),
            ("/family_in_germany/1/relationship", "Tochter"),
            ("/family_in_germany/1/given_names", "Sara"),
            ("/family_in_germany/1/family_name", "Nowak"),
            ("/family_in_germany/1/birth_date", "18.10.2019"),
            ("/family_in_germany/1/nationality", "überspringen"),
            ("/family_in_germany", "nein"),
            ("/criminal_record/convicted", "ja"),
            (
                "/criminal_record/details",
                "Geldstrafe von 20 Tagessätzen wegen Ladendiebstahls, Amtsgericht Wiesbaden, 2021",
            ),
            ("/documents/0", "reiche ich später nach"),  # passport_copy
            ("/documents/1", "@upload"),  # benefit_notice
            ("/documents/2", "habe ich nicht"),  # biometric_photo
            *_DECLARATIONS,
        ],
        present=[
            "/applicant/birth_name",
            "/current_permit/card_number",
            "/health_insurance/insurance_number",
            "/family_in_germany/0/nationality",
            "/family_in_germany/1/birth_date",
            "/criminal_record/details",
            "/documents/2",
        ],
        absent=[
            "/applicant/contact/email",
            "/livelihood/employer",
            "/livelihood/annual_gross_salary",
            "/family_in_germany/1/nationality",
            "/family_in_germany/2",
            "/documents/3",
        ],
    ),
    # Self-employed, changes to a work permit, not insured yet (hint); employer questions
    # are not asked for self-employment; no legal basis at hand.
    "selbststaendig_ohne_versicherung": dict(
        script=[
            ("/applicant/given_names", "Carlos"),
            ("/applicant/family_name", "Muster"),
            ("/applicant/birth_name", "überspringen"),
            ("/applicant/birth_date", "am 25. Dezember 1987"),
            ("/applicant/birth_place", "São Paulo"),
            ("/applicant/sex", "männlich"),
            ("/applicant/nationality", "Brasilien"),
            ("/applicant/marital_status", "geschieden"),
            ("/applicant/address/street", "Musterallee"),
            ("/applicant/address/house_number", "3-5"),
            ("/applicant/address/address_suffix", "bei Schmidt"),
            ("/applicant/address/postal_code", "65189"),
            ("/applicant/address/city", "Wiesbaden"),
            ("/applicant/contact/phone", "+55 11 912345678"),
            ("/applicant/contact/email", "carlos.muster@example.org"),
            ("/applicant/contact/preferred_channel", "telefonisch"),
            ("/passport/number", "FZ123456"),
            ("/passport/issuing_country", "Brasilien"),
            ("/passport/valid_until", "14.02.2030"),
            ("/current_permit/purpose", '/inform{"value":"other"}'),
            ("/current_permit/legal_basis", "überspringen"),
            ("/current_permit/card_number", "überspringen"),
            ("/current_permit/valid_until", "5.1.2027"),
            ("/requested_purpose", "Arbeit"),
            ("/livelihood/source", "selbstständig"),
            ("/livelihood/monthly_net_income", "2800"),
            ("/health_insurance/status", "keine Versicherung"),
            ("/family_in_germany", "nein"),
            ("/criminal_record/convicted", "nein"),
            ("/documents/0", "@upload"),  # passport_copy
            ("/documents/1", "reiche ich später nach"),  # self_employment_proof
            ("/documents/2", "reiche ich später nach"),  # biometric_photo
            *_DECLARATIONS,
        ],
        present=[
            "/applicant/contact/phone",
            "/livelihood/monthly_net_income",
            "/health_insurance/status",
            "/documents/2",
        ],
        absent=[
            "/current_permit/legal_basis",
            "/livelihood/employer",
            "/livelihood/annual_gross_salary",
            "/health_insurance/insurer",
            "/health_insurance/insurance_number",
            "/family_in_germany/0",
            "/criminal_record/details",
            "/documents/3",
        ],
    ),
}
