"""The Leichte Sprache texts (de-x-ls) follow the rules they promise.

Rules of Netzwerk Leichte Sprache, BITV 2.0 Anlage 2 and DIN SPEC 33429 that a program
can check: short sentences, no abbreviations, no passive voice, no Konjunktiv, and an
easy reading score. The same lint runs against the standard German texts and must find
problems there; so we know it can fail.

A sentence ends at . ! ? ; : or a line break; "3. März" and "%{number}. Person" are
ordinals, not sentence ends. Konjunktiv II includes "möchte(n)": the polite "Möchten
Sie ...?" is to be replaced by "Wollen Sie ...?" or "Bitte ...". Passive is a form of
"werden" with a ge-participle in the same sentence. Labels of at most 4 words without
end punctuation (buttons, summary labels) are checked for abbreviations only.

Readability is the Flesch reading ease with Amstad's constants for German:
180 - ASL - 58.5 * ASW (ASL = words per sentence, ASW = syllables per word).
Syllables are counted by vowel groups (pyphen is not installed in the venv); the
diphthongs ei, ie, au, eu, äu, ai and the doubled vowels count as one syllable.
A word joined with a hyphen or a Mediopunkt (Grund·sicherung) counts as ONE word, so
the score is not flattered by splitting compounds.

Thresholds, calibrated on the catalogs (texts of at least 3 sentences):
- every text must reach 60 ("mittelschwer" on Amstad's scale, the lower edge of what an
  average adult reads easily). 92 of 357 standard German texts (26 %) fall below it,
  and 23 below 50; the Leichte Sprache texts have none below 60 and about 8 % below 65.
  A per-text bar of 70 would fail on necessary words: a Leichte Sprache text must still
  say "Renten·versicherung", "Aufenthalts·erlaubnis" or "Ausländer·behörde", the words
  on the citizen's letters, and 3-sentence texts swing by 10 points with one such word.
- the catalog as a whole must be clearly easier than standard German: median at least
  75 (standard German: 69; Leichte Sprache: about 79).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator

import pytest

from bot.nlg.texts import load_catalog

LANG = "de-x-ls"
MAX_WORDS = 15
MIN_READING_EASE = 60.0
MIN_MEDIAN_READING_EASE = 75.0
MIN_SENTENCES_FOR_SCORE = 3
MAX_LABEL_WORDS = 4

# Word lists and sample answers, not texts: what citizens type (names, keywords, synonyms,
# examples such as "§ 18g AufenthG", which must match what is printed on the card).
SKIPPED_KEY = re.compile(
    r"(\.names$|\.keywords$|\.example$|\.synonyms\.|(^|\.)document_synonyms\.)"
)

ABBREVIATIONS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "z. B.": r"\bz\.\s?B\.",
        "bzw.": r"\bbzw\.",
        "usw.": r"\busw\.",
        "ggf.": r"\bggf\.",
        "d. h.": r"\bd\.\s?h\.",
        "ca.": r"\bca\.",
        "u. a.": r"\bu\.\s?a\.",
        "o. ä.": r"\bo\.\s?ä\.",
        "z. T.": r"\bz\.\s?T\.",
        "inkl.": r"\binkl\.",
        "evtl.": r"\bevtl\.",
        "etc.": r"\betc\.",
        "bzgl.": r"\bbzgl\.",
        "vgl.": r"\bvgl\.",
        "geb.": r"\bgeb\.",
        "mind.": r"\bmind\.",
        "max.": r"\bmax\.",
        "min.": r"\bmin\.",
        "Tel.": r"\bTel\.",
        "Str.": r"\bStr\.",
        "Nr.": r"\bNr\.",
        "Abs.": r"\bAbs\.",
        "Art.": r"\bArt\.\s*\d",
        "lit.": r"\blit\.",
        "§": r"§",
        "SGB": r"\bSGB\b",
        "DSGVO": r"\bDSGVO\b",
        "BGB": r"\bBGB\b",
        "AufenthG": r"\bAufenthG\b",
        "WoGG": r"\bWoGG\b",
        "AsylbLG": r"\bAsylbLG\b",
        "BuT": r"\bBuT\b",
        "GruSi": r"\bGruSi\b",
        "EM-Rente": r"\bEM-Rente\b",
        "PLZ": r"\bPLZ\b",
        "Pkw": r"\b(?:PKW|Pkw)\b",
        "Kfz": r"\b(?:KFZ|Kfz)\b",
        "MB": r"\d\s?MB\b",
        "c/o": r"\bc/o\b",
    }.items()
}
# Any other word in capitals is an abbreviation too, except these names of things that
# stand as they are on cards, letters and files. Codes with digits are not words.
CAPITALS = re.compile(r"(?<![\w%{-])([A-ZÄÖÜ]{2,7}[a-zäöü]*[A-ZÄÖÜ]{0,3})(?![\w}-])")
# A German official term in brackets may keep its short form: "(BAföG)", "(EU)".
BRACKETS = re.compile(r"\([^()]*\)")
# A quoted citation with a number is what the citizen copies from a card or a letter:
# „§ 18g AufenthG“ stays as printed; the text around it must still be plain.
QUOTED_CITATION = re.compile(r"„[^“]*\d[^“]*“")
KNOWN_CAPITALS = frozenset(
    {"IBAN", "BIC", "PDF", "JPEG", "PNG", "DE", "SWIFT"}
    # health insurers: the name on the citizen's card is the short one
    | {"AOK", "TK", "DAK", "IKK"}
)

WERDEN = re.compile(r"\b(?:wird|werden|wurde|wurden|worden)\b", re.IGNORECASE)
# A past participle: ge...t / ge...en, also after a separable prefix (ab-ge-brochen).
PARTICIPLE = re.compile(
    r"\b((?:ab|an|auf|aus|bei|dar|durch|ein|fest|fertig|frei|her|hin|hoch|los|mit|nach"
    r"|statt|um|vor|vorbei|weg|weiter|wieder|zu|zurück|zusammen)?ge[a-zäöüß]{2,}(?:t|en))\b"
)
NOT_PARTICIPLES = frozenset(
    {"gegen", "gelten", "geben", "gehen", "gesamt", "gesamten", "gemeinsam", "gemeinsamen"}
)
KONJUNKTIV = re.compile(
    r"\b(?:würde|würden|würdest|könnte|könnten|hätte|hätten|wäre|wären|sollte|sollten"
    r"|müsste|müssten|dürfte|dürften|bekäme|bekämen|gäbe|möchte|möchten)\b",
    re.IGNORECASE,
)

PLACEHOLDER = re.compile(r"%\{\w+\}")
# "%{number}. Person" is an ordinal: a digit, so the period does not end the sentence.
ORDINAL_PLACEHOLDER = re.compile(r"%\{(?:number|parent_number)\}")
LINK = re.compile(r"\S+@\S+\.\w+|https?://\S+|www\.\S+")
# A sentence ends at . ! ? ; : … followed by space or the end, and at a line break or a
# bullet. A period after a digit followed by a space and more text is an ordinal
# ("3. März", "%{number}. Person"), not the end of a sentence.
SENTENCE_END = re.compile(r"(?<![\d}])[.!?;:…]+(?=\s|$)|[.!?;:…]+(?=\s*(?:\n|$))|\n+|•")
WORD = re.compile(r"[\wÄÖÜäöüß]")
VOWELS = "aeiouyäöü"
ONE_SYLLABLE_PAIRS = ("ei", "ie", "au", "eu", "äu", "ai", "ey", "ay", "aa", "ee", "oo")


def sentences(text: str) -> list[list[str]]:
    """The words of each sentence."""
    text = LINK.sub("Adresse", PLACEHOLDER.sub("X", ORDINAL_PLACEHOLDER.sub("0", text)))
    found = []
    for part in SENTENCE_END.split(text):
        words = [token for token in part.split() if WORD.search(token)]
        if words:
            found.append(words)
    return found


def syllables(word: str) -> int:
    """Vowel groups; a diphthong or a doubled vowel is one syllable, "qu" is no vowel."""
    word = word.lower().replace("qu", "q")
    count, i = 0, 0
    while i < len(word):
        if word[i] in VOWELS:
            count += 1
            i += 2 if word[i : i + 2] in ONE_SYLLABLE_PAIRS else 1
        else:
            i += 1
    return max(count, 1)


def reading_ease(parts: list[list[str]]) -> float:
    """Flesch reading ease with Amstad's German constants."""
    words = [word for part in parts for word in part]
    asl = len(words) / len(parts)
    asw = sum(syllables(word) for word in words) / len(words)
    return 180 - asl - 58.5 * asw


def is_label(text: str) -> bool:
    """A button or summary label ("Keine Angabe", "Frage %{current} von %{total}"): a few
    words on one line, not a sentence. A short question ("Möchten Sie abbrechen?") is not."""
    parts = sentences(text)
    return (
        len(parts) <= 1
        and sum(map(len, parts)) <= MAX_LABEL_WORDS
        and not text.rstrip().endswith((".", "!", "?", ":"))
    )


def problems(text: str) -> Iterator[str]:
    """Every rule the text breaks, as 'rule: detail'."""
    prose = QUOTED_CITATION.sub("„Zitat“", text)
    for name, pattern in ABBREVIATIONS.items():
        if pattern.search(prose):
            yield f"abbreviation: {name}"
    bare = BRACKETS.sub(" ", LINK.sub(" ", PLACEHOLDER.sub(" ", prose)))
    for word in CAPITALS.findall(bare):
        if word not in KNOWN_CAPITALS:
            yield f"abbreviation: {word}"
    if is_label(text):  # labels: only the abbreviation rules apply
        return
    for match in KONJUNKTIV.finditer(text):
        yield f"Konjunktiv: {match.group(0)}"
    parts = sentences(text)
    for words in parts:
        sentence = " ".join(words)
        if len(words) > MAX_WORDS:
            yield f"sentence of {len(words)} words: {sentence[:70]}…"
        participles = [p for p in PARTICIPLE.findall(sentence) if p not in NOT_PARTICIPLES]
        if WERDEN.search(sentence) and participles:
            yield f"passive: {sentence[:70]}…"
    if len(parts) >= MIN_SENTENCES_FOR_SCORE:
        score = reading_ease(parts)
        if score < MIN_READING_EASE:
            yield f"reading ease {score:.0f} < {MIN_READING_EASE:.0f}"


def texts(lang: str) -> Iterator[tuple[str, str]]:
    for key, value in load_catalog(lang).items():
        if isinstance(value, str) and not SKIPPED_KEY.search(key):
            yield key, value


def violations(lang: str) -> list[str]:
    return [f"{key}: {problem}" for key, text in texts(lang) for problem in problems(text)]


def test_the_catalog_exists() -> None:
    assert len(list(texts(LANG))) > 1000


def test_leichte_sprache_texts_follow_the_rules() -> None:
    found = violations(LANG)
    assert found == [], f"{len(found)} problems:\n" + "\n".join(found)


def median_reading_ease(lang: str) -> float:
    scores = [
        reading_ease(parts)
        for _key, text in texts(lang)
        if len(parts := sentences(text)) >= MIN_SENTENCES_FOR_SCORE
    ]
    return statistics.median(scores)


def test_leichte_sprache_is_easier_than_standard_german() -> None:
    easy, standard = median_reading_ease(LANG), median_reading_ease("de")
    assert easy >= MIN_MEDIAN_READING_EASE, easy
    assert standard < MIN_MEDIAN_READING_EASE, standard


def test_the_lint_catches_standard_german() -> None:
    found = violations("de")
    rules = {line.split(": ", 2)[1].split(" ")[0] for line in found}
    assert len(found) > 100
    assert {"abbreviation:", "Konjunktiv:", "passive:", "sentence", "reading"} <= {
        rule if rule in ("sentence", "reading") else rule + ":" for rule in rules
    }


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Das Amt prüft Ihre Angaben (§ 60 SGB I). Dann zahlt es.", "abbreviation"),
        ("Sie brauchen z. B. den Miet·vertrag. Bitte laden Sie ihn hoch.", "abbreviation"),
        ("Schicken Sie die Datei. Sie darf höchstens 10 MB groß sein.", "abbreviation"),
        ("Ihr Antrag wurde abgebrochen. Wir löschen alles.", "passive"),
        ("Der Nachweis wird später nachgereicht. Das ist gut.", "passive"),
        ("Wir würden Ihnen gern helfen. Schreiben Sie uns.", "Konjunktiv"),
        ("Möchten Sie wirklich abbrechen? Dann lösche ich alles.", "Konjunktiv"),
        ("Möchten Sie abbrechen?", "Konjunktiv"),
        (
            "Bitte schreiben Sie alle Vornamen so, wie sie in Ihrem Ausweis und auf dem "
            "Rentenbescheid stehen. Danke.",
            "sentence",
        ),
        (
            "Die Erwerbsminderungsrente berücksichtigt Versicherungszeiten. Die "
            "Rentenversicherungsträger entscheiden. Einkommensanrechnung erfolgt.",
            "reading",
        ),
    ],
)
def test_each_rule_can_fail(text: str, rule: str) -> None:
    assert any(problem.startswith(rule) for problem in problems(text)), list(problems(text))


@pytest.mark.parametrize(
    "text",
    [
        "Ihr Code ist K7PM2-QDX9A. Bitte schreiben Sie den Code auf. Er gilt 30 Tage.",
        "Ihre Vorgangs·nummer ist WI-2026-7K3M9Q. Das Amt meldet sich bei Ihnen.",
        "Sie können Geld für die Miete bekommen (Wohngeld). Das Amt zahlt es jeden Monat.",
        "Wie ist die IBAN von dem Konto?",
        "Haben Sie am 3. März Geburtstag? Dann schreiben Sie das bitte.",
        "Sie werden bald 67 Jahre alt. Dann bekommen Sie Rente.",
    ],
)
def test_plain_texts_pass(text: str) -> None:
    assert list(problems(text)) == []


def test_syllables() -> None:
    assert [syllables(w) for w in ("Geld", "Miete", "Familie", "Feuer", "Quelle", "2026")] == [
        1,
        2,
        3,
        2,
        2,
        1,
    ]
