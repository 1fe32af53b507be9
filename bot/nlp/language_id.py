"""py3langid restricted to the languages a caller can tell apart, loaded once per set."""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier


@cache
def identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    found = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    found.set_languages(list(languages))
    return found


def classify(text: str, languages: tuple[str, ...]) -> tuple[str, float]:
    """(language, probability) of `text` among `languages`."""
    code, probability = identifier(languages).classify(text)
    return str(code), float(probability)
