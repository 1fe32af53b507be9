"""Every citizen-facing text, looked up through python-i18n from `locales/<lang>/*.yml`.

A folder per language lets translators work on small files; we flatten them into
python-i18n's in-memory store once, so a lookup never touches the disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import i18n

from bot.languages import DEFAULT_LANGUAGE
from bot.yaml_files import read_yaml

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"


def _flatten(tree: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        is_plural = isinstance(value, dict) and {"one", "other"} <= set(value)
        if isinstance(value, dict) and not is_plural:
            yield from _flatten(value, f"{dotted}.")
        else:
            yield dotted, value


def load_catalog(lang: str, locales_dir: Path = LOCALES_DIR) -> dict[str, Any]:
    """All keys of one language, flattened to dotted keys."""
    catalog: dict[str, Any] = {}
    for path in sorted((locales_dir / lang).glob("*.yml")):
        catalog.update(_flatten(read_yaml(path) or {}))
    return catalog


@cache
def supported_languages(locales_dir: Path = LOCALES_DIR) -> tuple[str, ...]:
    """The languages with texts: a folder in locales/ (a test keeps it to data/languages.yml)."""
    return tuple(sorted(p.name for p in locales_dir.iterdir() if p.is_dir()))


def language_or_default(asked: Any) -> str:
    """The language a client asked for if we have it, else the default: whatever it sent."""
    return asked if asked in supported_languages() else DEFAULT_LANGUAGE


@cache
def _catalogs() -> dict[str, dict[str, Any]]:
    return {lang: load_catalog(lang) for lang in supported_languages()}


@cache
def _install() -> None:
    i18n.set("error_on_missing_translation", True)
    i18n.set("fallback", DEFAULT_LANGUAGE)
    i18n.set("enable_memoization", True)
    for lang, catalog in _catalogs().items():
        for key, value in catalog.items():
            i18n.add_translation(key, value, locale=lang)


def lookup(key: str, lang: str) -> Any:
    """A raw catalog entry (e.g. a list of synonyms), or None; no fallback language."""
    return _catalogs().get(lang, {}).get(key)


def has(key: str, lang: str) -> bool:
    _install()
    return i18n.translations.has(key, lang)


def t(key: str, lang: str, **params: Any) -> str:
    """Text for `key` in `lang`, falling back to German, the office's language."""
    _install()
    return str(i18n.t(key, locale=lang, **params))
