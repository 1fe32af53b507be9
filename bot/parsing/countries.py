"""Countries and nationalities to ISO 3166-1 alpha-2 ("XX": stateless or unknown).

Official names in every accepted language come from babel (CLDR); colloquial
names ("Turkey", "Holland") and nationality words ("türkisch", "Syrian") are
data in vocab/. Matching is case-free, umlaut- and accent-tolerant, and forgives
one small typo.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from . import lexicon
from .errors import ParseError
from .languages import accepted_languages, babel_locales
from .text import clean, fold

STATELESS = "XX"
FUZZY_CUTOFF = 0.85
# Territory codes that CLDR lists but that are no state one can be a citizen of.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})
_GERMAN_ENDINGS = ("", "e", "er", "es", "en", "em")
_MIN_FRAGMENT_LENGTH = 3  # shorter words inside a sentence ("in", "de") are no country
_MIN_FUZZY_TEXT_LENGTH = 4  # "man" is no typo of "Oman"
_MIN_FUZZY_WORD_LENGTH = 6
_MAX_NGRAM = 4
_MAX_LENGTH = 80  # a longer answer is a story; we ask again rather than search it


def _vocab_forms(data: Mapping[str, Any], lang: str, inflect: bool) -> dict[str, set[str]]:
    """Folded vocab entries -> codes; German adjective stems with their endings."""
    index: dict[str, set[str]] = defaultdict(set)
    for code, per_language in data.items():
        for language, entries in (per_language or {}).items():
            if language not in accepted_languages(lang):
                continue
            for entry in entries or ():
                entry = str(entry)
                adjective = inflect and language == "de" and entry[:1].islower()
                for ending in _GERMAN_ENDINGS if adjective else ("",):
                    index[fold(entry + ending)].add(str(code))
    return index


@lru_cache(maxsize=16)
def _index(lang: str) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """(folded name -> codes, known codes) for the accepted languages of `lang`."""
    names: dict[str, set[str]] = defaultdict(set)
    codes: set[str] = set()
    for locale in babel_locales(lang):
        for code, name in locale.territories.items():
            if len(code) != 2 or not code.isalpha() or code in _NOT_COUNTRIES:
                continue
            codes.add(code)
            names[fold(name)].add(code)
            # "Myanmar (Burma)": the parts count on their own too.
            for part in re.split(r"[()]", name):
                if fold(part):
                    names[fold(part)].add(code)
    for source, inflect in (("country_aliases", False), ("demonyms", True)):
        for key, found in _vocab_forms(lexicon.load(source), lang, inflect).items():
            names[key] |= found
    codes.add(STATELESS)
    return {key: frozenset(value) for key, value in names.items() if key}, frozenset(codes)


def _unique(codes: set[str] | frozenset[str]) -> str | None:
    return next(iter(codes)) if len(codes) == 1 else None


def _in_sentence(folded: str, names: Mapping[str, frozenset[str]], lang: str) -> str | None:
    """A single country named inside a short sentence: "Ich komme aus Syrien"."""
    if lexicon.has_negation(folded, lang):
        return None  # "nicht deutsch" must not become DE
    words = folded.split()
    found: set[str] = set()
    for size in range(min(_MAX_NGRAM, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            fragment = " ".join(words[start : start + size])
            if len(fragment) >= _MIN_FRAGMENT_LENGTH and fragment in names:
                found |= names[fragment]
    if found:
        return _unique(found)
    for word in words:
        if len(word) >= _MIN_FUZZY_WORD_LENGTH:
            found |= _fuzzy(word, names) or set()
    return _unique(found)


def _fuzzy(folded: str, names: Mapping[str, frozenset[str]]) -> set[str] | None:
    """Codes of the closest names (ratio >= FUZZY_CUTOFF); more than one code if tied."""
    best, codes = FUZZY_CUTOFF, set()
    matcher = difflib.SequenceMatcher(b=folded, autojunk=False)
    for key, key_codes in names.items():
        matcher.set_seq1(key)
        if matcher.real_quick_ratio() < best or matcher.quick_ratio() < best:
            continue
        ratio = matcher.ratio()
        if ratio > best or (ratio == best and not codes):
            best, codes = ratio, set(key_codes)
        elif ratio == best:
            codes |= key_codes
    return codes or None


def parse_country(text: str, lang: str, options: Mapping[str, Any] | None = None) -> str:
    """ISO alpha-2 from a name ("Türkei", "Syria"), a nationality ("syrisch"), or a code."""
    value = clean(text)
    folded = fold(value)
    if not folded or len(value) > _MAX_LENGTH:
        raise ParseError("country.unknown")
    names, codes = _index(lang)
    if folded in names:
        code = _unique(names[folded])
    elif len(value) == 2 and value.isalpha() and value.upper() in codes:
        code = value.upper()
    else:
        code = _in_sentence(folded, names, lang)
        if code is None and len(folded) >= _MIN_FUZZY_TEXT_LENGTH:
            code = _unique(_fuzzy(folded, names) or set())
    if code is None:
        raise ParseError("country.unknown")
    return code
