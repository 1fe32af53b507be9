"""Leistungen für Bildung und Teilhabe: fictional citizens' answers, as they would type them.

(pointer asked, what the citizen types). A text starting with "/" is a button press;
"@upload" means: upload a PDF of the asked document and send its id.
"""

from __future__ import annotations

EXAMPLE_PAYLOAD_ID = "bildung_teilhabe"

_DECLARATIONS = [
    ("/declarations/truthful", "ja"),
    ("/declarations/notify_changes", "ja"),
    ("/declarations/consent_processing", "ja"),
]

# Reproduces contracts/examples/bildung_teilhabe.example.json (envelope aside).
EXAMPLE_DE = [
    ("/applicant/given_names", "Mehmet"),
    ("/applicant/family_name", "Yılmaz"),
    ("/applicant/birth_name", "überspringen"),
    ("/applicant/birth_date", "am 22. April 1985"),
    ("/applicant/birth_place", "keine Angabe"),
    ("/applicant/sex", "überspringen"),
    ("/applicant/nationality", "türkisch"),
    ("/applicant/marital_status", "überspringen"),
    ("/applicant/address/street", "Dotzheimer Straße"),
    ("/applicant/address/house_number", "77"),
    ("/applicant/address/address_suffix", "überspringen"),
    ("/applicant/address/postal_code", "65197"),
    ("/applicant/address/city", "Wiesbaden"),
    ("/applicant/contact/phone", "0176 12345678"),
    ("/applicant/contact/email", "überspringen"),
    ("/applicant/contact/preferred_channel", "am liebsten telefonisch"),
    ("/basis_benefit/kind", "Wohngeld"),
    ("/basis_benefit/file_number", "WG-123456"),
    ("/children/0/given_names", "Elif"),
    ("/children/0/family_name", "Yılmaz"),
    ("/children/0/birth_date", "10.06.2015"),
    ("/children/0/requests", "Klassenfahrten, Mittagessen und Schulbedarf"),
    ("/children/0/school/name", "Grundschule am Beispielweg"),
    ("/children/0/school/class", "4b"),
    ("/children", "ja"),
    ("/children/1/given_names", "Can"),
    ("/children/1/family_name", "Yılmaz"),
    ("/children/1/birth_date", "1. März 2020"),
    ("/children/1/requests", '/inform{"value":"social_cultural_participation"}'),
    ("/children", "nein"),
    ("/payout/method", "direkt an den Anbieter"),
    ("/documents/0", "reiche ich später nach"),  # benefit_notice
    *_DECLARATIONS,
]

BRANCHES = {
    # Bürgergeld; a teenager with tutoring and a school ticket and his sister with tutoring;
    # paid to a bank account with BIC: the office needs each child's confirmation of the
    # school, his fare and each child's bills; each of these names its child ("item").
    "konto_nachhilfe_fahrkosten": dict(
        script=[
            ("/applicant/given_names", "Sabine"),
            ("/applicant/family_name", "Krüger"),
            ("/applicant/birth_name", "Hoffmann"),
            ("/applicant/birth_date", "3.9.1979"),
            ("/applicant/birth_place", "Darmstadt"),
            ("/applicant/sex", "weiblich"),
            ("/applicant/nationality", "deutsch"),
            ("/applicant/marital_status", '/inform{"value":"divorced"}'),
            ("/applicant/address/street", "Lindenstraße"),
            ("/applicant/address/house_number", "12a"),
            ("/applicant/address/address_suffix", "3. Stock"),
            ("/applicant/address/postal_code", "65185"),
            ("/applicant/address/city", "Wiesbaden"),
            ("/applicant/contact/phone", "überspringen"),
            ("/applicant/contact/email", "sabine.krueger@example.de"),
            ("/applicant/contact/preferred_channel", "per E-Mail"),
            ("/basis_benefit/kind", "Bürgergeld vom Jobcenter"),
            ("/basis_benefit/file_number", "BG 36501-0012345"),
            ("/children/0/given_names", "Jonas"),
            ("/children/0/family_name", "Krüger"),
            ("/children/0/birth_date", "am 14. Februar 2010"),
            ("/children/0/requests", "Lernförderung und Fahrkosten"),
            ("/children/0/school/name", "Gesamtschule Konradsberg"),
            ("/children/0/school/class", "überspringen"),
            ("/children", "ja"),
            ("/children/1/given_names", "Mia"),
            ("/children/1/family_name", "Krüger"),
            ("/children/1/birth_date", "9.9.2013"),
            ("/children/1/requests", "Nachhilfe"),
            ("/children/1/school/name", "Gesamtschule Konradsberg"),
            ("/children/1/school/class", "6c"),
            ("/children", "nein"),
            ("/payout/method", "auf mein Konto überweisen"),
            ("/payout/bank_account/holder", "Sabine Krüger"),
            ("/payout/bank_account/iban", "DE89 3704 0044 0532 0130 00"),
            ("/payout/bank_account/bic", "cobadeff xxx"),
            ("/documents/0", "@upload"),  # benefit_notice
            ("/documents/1", "reiche ich später nach"),  # school_confirmation, child 1
            ("/documents/2", "@upload"),  # school_confirmation, child 2
            ("/documents/3", "habe ich nicht"),  # transport_costs, child 1
            ("/documents/4", "reiche ich später nach"),  # cost_receipts, child 1
            ("/documents/5", "reiche ich später nach"),  # cost_receipts, child 2
            *_DECLARATIONS,
        ],
        present=[
            "/applicant/birth_name",
            "/applicant/contact/email",
            "/basis_benefit/file_number",
            "/children/0/school/name",
            "/payout/bank_account/holder",
            "/payout/bank_account/iban",
            "/payout/bank_account/bic",
            "/children/1/school/class",
            "/documents/1/item",
            "/documents/2/item",
            "/documents/5/item",
        ],
        absent=[
            "/applicant/contact/phone",
            "/children/0/school/class",
            "/children/2",
            "/documents/0/item",
            "/documents/6",
        ],
    ),
    # Kinderzuschlag; one child who only wants the sports club (no school questions);
    # cash payment: the office pays back against the club's bill.
    "bar_nur_sportverein": dict(
        script=[
            ("/applicant/given_names", "Olena"),
            ("/applicant/family_name", "Kovalenko"),
            ("/applicant/birth_name", "überspringen"),
            ("/applicant/birth_date", "17. November 1990"),
            ("/applicant/birth_place", "überspringen"),
            ("/applicant/sex", "überspringen"),
            ("/applicant/nationality", "Ukraine"),
            ("/applicant/marital_status", "verheiratet"),
            ("/applicant/address/street", "Musterweg"),
            ("/applicant/address/house_number", "5"),
            ("/applicant/address/address_suffix", "überspringen"),
            ("/applicant/address/postal_code", "65189"),
            ("/applicant/address/city", "Wiesbaden"),
            ("/applicant/contact/phone", "0611 9876543"),
            ("/applicant/contact/email", "überspringen"),
            ("/applicant/contact/preferred_channel", "überspringen"),
            ("/basis_benefit/kind", "Kinderzuschlag"),
            ("/basis_benefit/file_number", "überspringen"),
            ("/children/0/given_names", "Sofiia"),
            ("/children/0/family_name", "Kovalenko"),
            ("/children/0/birth_date", "02.05.2017"),
            ("/children/0/requests", "Sportverein"),
            ("/children", "nein"),
            ("/payout/method", "bar"),
            ("/documents/0", "reiche ich später nach"),  # benefit_notice
            ("/documents/1", "reiche ich später nach"),  # cost_receipts
            *_DECLARATIONS,
        ],
        present=[
            "/applicant/marital_status",
            "/children/0/requests",
            "/payout/method",
            "/documents/1",
        ],
        absent=[
            "/applicant/contact/preferred_channel",
            "/basis_benefit/file_number",
            "/children/0/school",
            "/children/1",
            "/payout/bank_account",
            "/documents/2",
        ],
    ),
    # AsylbLG; a nursery child (lunch and trips, no class) and a teenager who only
    # needs school supplies; paid directly to the providers: only the notice is needed.
    "direkt_kita_und_schulkind": dict(
        script=[
            ("/applicant/given_names", "Amal"),
            ("/applicant/family_name", "Haddad"),
            ("/applicant/birth_name", "überspringen"),
            ("/applicant/birth_date", "1. Januar 1988"),
            ("/applicant/birth_place", "Aleppo, Syrien"),
            ("/applicant/sex", '/inform{"value":"female"}'),
            ("/applicant/nationality", "syrisch"),
            ("/applicant/marital_status", "überspringen"),
            ("/applicant/address/street", "Musterallee"),
            ("/applicant/address/house_number", "3-5"),
            ("/applicant/address/address_suffix", "bei Gemeinschaftsunterkunft Musterallee"),
            ("/applicant/address/postal_code", "65203"),
            ("/applicant/address/city", "Wiesbaden"),
            ("/applicant/contact/phone", "0151 23456789"),
            ("/applicant/contact/email", "überspringen"),
            ("/applicant/contact/preferred_channel", '/inform{"value":"post"}'),
            ("/basis_benefit/kind", "Asylbewerberleistungsgesetz"),
            ("/basis_benefit/file_number", "überspringen"),
            ("/children/0/given_names", "Yara"),
            ("/children/0/family_name", "Haddad"),
            ("/children/0/birth_date", "20.08.2021"),
            ("/children/0/requests", "Mittagessen und Ausflüge"),
            ("/children/0/school/name", "Kita Sonnenschein"),
            ("/children/0/school/class", "überspringen"),
            ("/children", "ja"),
            ("/children/1/given_names", "Omar"),
            ("/children/1/family_name", "Haddad"),
            ("/children/1/birth_date", "am 5. Juli 2011"),
            ("/children/1/requests", "nur Schulsachen"),
            ("/children/1/school/name", "Realschule am Europaviertel"),
            ("/children/1/school/class", "Klasse 9"),
            ("/children", "nein"),
            ("/payout/method", '/inform{"value":"direct_to_provider"}'),
            ("/documents/0", "habe ich nicht"),  # benefit_notice
            *_DECLARATIONS,
        ],
        present=[
            "/applicant/address/address_suffix",
            "/children/0/school/name",
            "/children/1/school/name",
            "/children/1/school/class",
            "/documents/0",
        ],
        absent=[
            "/children/0/school/class",
            "/children/2",
            "/payout/bank_account",
            "/basis_benefit/file_number",
            "/documents/1",
        ],
    ),
}
