"""The one error type the parsers raise, and the catalogue of its reason codes.

Each reason maps to the names of the parameters its text needs, so a typo in a
reason code or a missing parameter fails loudly at the raise site instead of
showing a citizen a broken message.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

REASONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "text.empty": (),
        "text.too_short": ("min",),
        "text.too_long": ("max",),
        "text.pattern": (),
        "date.invalid": (),
        "date.incomplete": (),
        "date.too_early": ("min",),
        "date.too_late": ("max",),
        "money.invalid": (),
        "money.negative": (),
        "money.too_large": ("max",),
        "money.too_precise": (),
        "number.invalid": (),
        "number.too_small": ("min",),
        "number.too_small_exclusive": ("min",),
        "number.too_large": ("max",),
        "integer.invalid": (),
        "integer.too_small": ("min",),
        "integer.too_large": ("max",),
        "iban.invalid": (),
        "iban.checksum": (),
        "email.invalid": (),
        "phone.invalid": (),
        "postal_code.invalid": (),
        "country.unknown": (),
        "choice.unknown": (),
        "choice.ambiguous": ("options",),
        "boolean.invalid": (),
        "confirm.required": (),
        "upload.expected": (),
        "upload.wrong_document": (),
        "upload.type": (),
        "upload.too_large": ("max",),
        "upload.empty": (),
        "upload.pixels": ("max",),
        "upload.pdf_active": (),
        "upload.quota": ("files", "size"),
    }
)


class ParseError(ValueError):
    """reason: a dotted code such as "date.invalid"; the NLG renders locale key
    f"errors.{reason}". params are substituted into the text, e.g. max="10000".
    """

    def __init__(self, reason: str, **params: object) -> None:
        expected = REASONS.get(reason)
        if expected is None:
            raise ValueError(f"unknown parse error reason {reason!r}")
        if set(params) != set(expected):
            raise ValueError(f"reason {reason!r} needs params {expected}, got {sorted(params)}")
        super().__init__(reason)
        self.reason = reason
        self.params: dict[str, object] = dict(params)

    @property
    def locale_key(self) -> str:
        """The key of the citizen-facing text in locales/<lang>/errors.yml."""
        return f"errors.{self.reason}"
