"""Numbers written as words -> digits: "dreihundert Euro" -> "300 Euro", "первое июля" -> "1 июля".

Each language's source is its `number_words` in data/languages.yml.
German and English are read by text2num (compounds such as "zweitausendfünfhundert",
ordinals such as "am fünften Mai"). No maintained library reads Russian, Ukrainian,
Turkish, Arabic or Persian number words (number-parser knows only en, es, hi, ru, uk
and fails on "п'ять"), so for those we compose the words ourselves from num2words'
own spelling of 0-999, its thousands and its ordinals, plus the few forms it does not
write (vocab/number_words.yml: "двое", "مئة", "یکصد").

A run of number words becomes one number only if its parts fit together (hundreds,
tens, units, each once, before a scale word): "два три" or "между четыреста и
пятьсот" stay two runs or words, so the parsers still refuse them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from num2words import num2words
from text_to_num import alpha2digit

from bot.languages import number_words

from . import lexicon
from .languages import accepted_languages
from .text import letters

_SCALES = (1_000, 1_000_000)
_EDGE_PUNCTUATION = '.,;:!?()«»"،؛'
_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True)
class Word:
    value: int
    ordinal: bool = False
    scale: bool = False  # тысяча, bin, هزار: multiplies the number before it


@dataclass(frozen=True)
class _Lexicon:
    words: dict[str, Word]
    stems: dict[str, int]  # ordinal stems ("перв") for languages with case endings
    endings: tuple[str, ...]
    joiners: frozenset[str]


def _vocab(section: str, lang: str) -> dict[str, int]:
    entries = lexicon.load("number_words").get(section, {}).get(lang) or {}
    return {letters(str(word)): int(value) for word, value in entries.items()}


@cache
def _lexicon(lang: str) -> _Lexicon:
    """The words num2words writes for 0-999, thousands, millions and days 1-31, plus vocab."""
    words: dict[str, Word] = {}
    for number in range(1000):
        tokens = num2words(number, lang=lang).split()
        if len(tokens) == 1:
            words.setdefault(letters(tokens[0]), Word(number))
    for scale in _SCALES:
        for factor in (1, 2, 3, 5, 11):
            *before, last = num2words(factor * scale, lang=lang).split()
            if before or factor == 1:
                words[letters(last)] = Word(scale, scale=True)
            if len(before) == 1:
                words.setdefault(letters(before[0]), Word(factor))
    for word, value in _vocab("cardinals", lang).items():
        words.setdefault(word, Word(value))
    for word, value in _vocab("scales", lang).items():
        words[word] = Word(value, scale=True)
    endings = tuple(
        sorted(
            (letters(e) for e in lexicon.load("number_words")["ordinal_endings"].get(lang, ())),
            key=len,
            reverse=True,
        )
    )
    stems: dict[str, int] = {}
    for day in range(1, 32):
        tokens = num2words(day, lang=lang, to="ordinal").split()
        if len(tokens) != 1:
            continue
        word = letters(tokens[0])
        words.setdefault(word, Word(day, ordinal=True))
        stem = next((word[: -len(e)] for e in endings if word.endswith(e)), None)
        if stem:
            stems.setdefault(stem, day)
    for word, value in _vocab("ordinals", lang).items():
        words.setdefault(word, Word(value, ordinal=True))
    joiners = lexicon.load("number_words")["joiners"].get(lang) or ()
    return _Lexicon(words, stems, endings, frozenset(letters(j) for j in joiners))


def _words(token: str, lang: str) -> list[Word] | None:
    """The number words one token holds in lang: "триста", "первого", "الثالث", "وخمسون",
    and Turkish written together ("ikibinbeşyüz", as num2words writes it)."""
    found = _lookup(token, lang)
    if found is None and lang == "ar" and token.startswith("و") and len(token) > 2:
        found = _lookup(token[1:], lang)  # "وخمسون": the joiner written onto the word
    if found is not None:
        return [found]
    return _glued(token, lang) if number_words(lang) == "num2words-glued" else None


def _glued(token: str, lang: str) -> list[Word] | None:
    """ "ikibinbeşyüz" -> iki, bin, beş, yüz: the longest known word first, then the rest."""
    if not token:
        return []
    for end in range(len(token), 1, -1):
        head = _lookup(token[:end], lang)
        if head is not None and (rest := _glued(token[end:], lang)) is not None:
            return [head, *rest]
    return None


def _lookup(key: str, lang: str) -> Word | None:
    lex = _lexicon(lang)
    if key in lex.words:
        return lex.words[key]
    if lang == "ar" and key.startswith("ال") and key[2:] in lex.words:
        return lex.words[key[2:]]  # "الثالث", "العشرين": the article before the number
    for ending in lex.endings:
        if key.endswith(ending) and (day := lex.stems.get(key[: -len(ending)])) is not None:
            return Word(day, ordinal=True)
    return None


def _places(value: int) -> set[str]:
    """Which positions of a number below 1000 a word fills: 125 fills hundreds, tens, units.

    Ten fills only the tens, so "on dokuz" and "تسعة عشر" (9 and 10) are both 19.
    """
    places = set()
    if value >= 100:
        places.add("hundreds")
    rest = value % 100
    if 10 < rest < 20:
        places |= {"tens", "units"}
    else:
        if rest >= 10:
            places.add("tens")
        if rest % 10 or value == 0:
            places.add("units")
    return places


def compose(words: list[Word]) -> int | None:
    """The number a run of words means, or None if its parts do not fit together.

    Units may come before tens ("خمسة و أربعون", 5 and 40); a number word before a scale
    multiplies it ("две тысячи"), and "beş yüz" is 5 x 100.
    """
    total, group, filled = 0, 0, set[str]()
    last_scale = None
    for position, word in enumerate(words):
        if word.ordinal and any(w.ordinal for w in words[:position]):
            return None  # one ordinal per number: "الحادي عشر", "двадцать первое"
        if word.scale:
            if last_scale is not None and word.value >= last_scale:
                return None
            total, group, filled, last_scale = (
                total + (group or 1) * word.value,
                0,
                set(),
                word.value,
            )
        elif word.value >= 1000:  # "ألفان", "ikibin": a number with its scale in one word
            scale = 1_000_000 if word.value >= 1_000_000 else 1_000
            if group or (last_scale is not None and scale >= last_scale):
                return None
            total, last_scale = total + word.value, scale
        elif word.value == 100 and filled == {"units"} and group:
            group, filled = group * 100, {"hundreds"}
        else:
            places = _places(word.value)
            if places & filled or (word.value == 0 and len(words) > 1):
                return None
            group, filled = group + word.value, filled | places
    return total + group


def _vague(text: str, lang: str) -> bool:
    phrases = lexicon.words(lexicon.load("number_words")["vague"], lang)
    key = f" {letters(text)} "
    return any(f" {letters(phrase)} " in key for phrase in phrases)


def _compose_runs(text: str, lang: str, ordinals: bool) -> str:
    """Replace each run of lang's number words in text by its digits."""
    tokens = text.split()
    joiners = _lexicon(lang).joiners
    out: list[str] = []
    index = 0
    while index < len(tokens):
        run: list[Word] = []
        end = index
        cursor = index
        while cursor < len(tokens):
            key = letters(tokens[cursor].strip(_EDGE_PUNCTUATION))
            if run and key in joiners and cursor + 1 < len(tokens):
                cursor += 1
                continue
            words = _words(key, lang)
            if not words:
                break
            run.extend(words)
            cursor += 1
            end = cursor
        if not run:
            out.append(tokens[index])
            index += 1
            continue
        value = compose(run)
        if value is None or (any(w.ordinal for w in run) and not ordinals):
            out.extend(tokens[index:end])  # "два три" stays words: no number to guess
            index = end
            continue
        trailing = tokens[end - 1][len(tokens[end - 1].rstrip(_EDGE_PUNCTUATION)) :]
        out.append(f"{value}{trailing}")
        index = end
    return " ".join(out)


def words_to_digits(text: str, lang: str, ordinals: bool = False) -> str:
    """text with its number words as digits, in the dialogue language, German and English.

    ordinals: also day ordinals ("fünften" -> "5.", "первое" -> "1"), for dates. Text
    that holds a vague amount ("ein paar") is returned unchanged.
    """
    if not text or _vague(text, lang):
        return text
    for language in accepted_languages(lang):
        source = number_words(language)
        if source in ("num2words", "num2words-glued"):
            text = _compose_runs(text, language, ordinals)
        elif source == "text2num":
            converted = alpha2digit(text, language, threshold=0)
            if ordinals or not _has_ordinal_suffix(converted, text):
                text = converted
    return text


def _has_ordinal_suffix(converted: str, original: str) -> bool:
    """Whether text2num read an ordinal ("third" -> "3rd", "dritte" -> "3."): no amount."""
    if converted.count(".") > original.count("."):
        return True
    return bool(re.search(r"[0-9](?:st|nd|rd|th)(?!\w)", converted))


def has_digits(text: str) -> bool:
    return bool(_DIGIT.search(text))
