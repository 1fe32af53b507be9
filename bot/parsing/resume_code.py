"""The shape of a resume code: which ten characters in a message are one.

Pure text, no storage: the dialogue finds a code in what the citizen typed, and
the store (bot/storage/resume_codes.py) issues codes of the same shape.
"""

from __future__ import annotations

import re

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L or U: easy to read aloud
DIGITS = frozenset(c for c in ALPHABET if c.isdigit())
RESUME_CODE = re.compile(
    rf"(?<![A-Za-z0-9])([{ALPHABET}]{{5}})[ -]?([{ALPHABET}]{{5}})(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def looks_like_code(group: str) -> bool:
    """A digit and a letter: no word of any language looks like that, so no false alarm."""
    return any(c in DIGITS for c in group) and any(c.isalpha() for c in group)


def find_resume_code(text: str, expected: bool = False) -> str | None:
    """A resume code in the text, normalized to "ABCDE-FGHJK".

    Unless the bot asked for a code, ten letters must look like one: a digit in each
    half (as every code has since the guide came) or the hyphen in the middle (as
    every code is printed), so "beantragen" is a word, not a code.
    """
    for match in RESUME_CODE.finditer(text):
        if expected or match[0][5] == "-" or all(looks_like_code(g) for g in match.groups()):
            return f"{match[1]}-{match[2]}".upper()
    return None
