"""Rasa's SpacyNLP, with one blank spaCy pipeline per dialogue language.

Rasa 3.6 loads one spaCy model per NLU pipeline; our users write in eight
languages and four scripts. This component keeps Rasa's SpacyNLP behaviour
(docs for every message attribute, shared by SpacyTokenizer) but sends each
text to the pipeline of its language: chosen by script for Arabic, Persian,
Ukrainian and Russian, and by py3langid among the Latin-script languages.

    pipeline:
      - name: bot.nlp.multilingual.MultilingualSpacyNLP
        model: build/spacy/multilingual
      - name: SpacyTokenizer
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import spacy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from spacy.language import Language
from spacy.tokens import Doc

from bot.nlp.language_id import classify

DEFAULT_LANGUAGE = "de"
LATIN_LANGUAGES = ("de", "en", "tr")
LATIN_CONFIDENCE = 0.9  # "ja", "1200 euro": too short to tell, German rules are fine
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
_PERSIAN_LETTERS = re.compile(r"[پچژگکیۀ]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_LETTERS = re.compile(r"[ыэъёЫЭЪЁ]")


def language_of(text: str) -> str:
    """The pipeline for a text: by script first, statistics only among Latin languages."""
    if _ARABIC_SCRIPT.search(text):
        return "fa" if _PERSIAN_LETTERS.search(text) else "ar"
    if _CYRILLIC.search(text):
        if _UKRAINIAN_LETTERS.search(text) or _RUSSIAN_LETTERS.search(text):
            return "uk" if _UKRAINIAN_LETTERS.search(text) else "ru"
        return classify(text, ("ru", "uk"))[0]
    if len(text.split()) < 2:
        return DEFAULT_LANGUAGE
    lang, probability = classify(text, LATIN_LANGUAGES)
    return lang if probability >= LATIN_CONFIDENCE else DEFAULT_LANGUAGE


class LanguageRouter:
    """Quacks like a spaCy `Language` where SpacyNLP uses one: call, `pipe`, `vocab`."""

    def __init__(self, pipelines: dict[str, Language]) -> None:
        self.pipelines = pipelines
        self.vocab = pipelines[DEFAULT_LANGUAGE].vocab

    def __call__(self, text: str) -> Doc:
        return self.pipelines.get(language_of(text), self.pipelines[DEFAULT_LANGUAGE])(text)

    def pipe(self, texts: Iterable[str], batch_size: int = 50) -> Iterator[Doc]:
        for text in texts:
            yield self(text)


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MODEL_LOADER,
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=False,
    model_from="MultilingualSpacyNLP",
)
class MultilingualSpacyNLP(SpacyNLP):
    """SpacyNLP whose model is a router over per-language blank pipelines."""

    @staticmethod
    def load_model(spacy_model_name: str) -> SpacyModel:
        root = Path(spacy_model_name)
        pipelines = {
            path.name: spacy.load(path) for path in sorted(root.iterdir()) if path.is_dir()
        }
        return SpacyModel(model=LanguageRouter(pipelines), model_name=spacy_model_name)

    @staticmethod
    def ensure_proper_language_model(nlp: Any) -> None:
        if not isinstance(nlp, LanguageRouter) or DEFAULT_LANGUAGE not in nlp.pipelines:
            raise ValueError("run `python -m bot.nlp.spacy_pipeline` to build the pipelines")
