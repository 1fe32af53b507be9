"""Rasa's SpacyNLP, with one blank spaCy pipeline per dialogue language.

Rasa 3.6 loads one spaCy model per NLU pipeline; our users write in eight
languages and three scripts. This component keeps Rasa's SpacyNLP behaviour
(docs for every message attribute, shared by SpacyTokenizer) but sends each
text to the pipeline of its language: chosen by script and a language's own
letters for Arabic, Persian, Ukrainian and Russian, and by py3langid among the
Latin-script languages (scripts, letters and codes: data/languages.yml).

    pipeline:
      - name: bot.nlp.multilingual.MultilingualSpacyNLP
        model: build/spacy/multilingual
      - name: SpacyTokenizer
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import spacy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from spacy.language import Language
from spacy.tokens import Doc

import bot.nlp.lemmas  # noqa: F401 - registers the pipelines' lemmatizer with spaCy
from bot.languages import DEFAULT_LANGUAGE, SCRIPT_LETTERS, spacy_languages_in
from bot.languages import Language as Entry
from bot.nlp.language_id import classify

LATIN_CONFIDENCE = 0.9  # "ja", "1200 euro": too short to tell, German rules are fine


def language_of(text: str) -> str:
    """The pipeline for a text: by script first, statistics only among Latin languages."""
    for script, letters in SCRIPT_LETTERS.items():
        if letters.search(text):
            return _within_script(text, spacy_languages_in(script))
    if len(text.split()) < 2:
        return DEFAULT_LANGUAGE
    lang, probability = _classify(text, spacy_languages_in("Latn"))
    return lang if probability >= LATIN_CONFIDENCE else DEFAULT_LANGUAGE


def _within_script(text: str, candidates: tuple[Entry, ...]) -> str:
    """A language's own letters decide (Persian پ, Ukrainian ї), else the one language
    of the script without such letters (Arabic), else statistics (Russian or Ukrainian)."""
    for lang in candidates:
        if lang.marks and _marks(lang.marks).search(text):
            return lang.spacy
    unmarked = [lang for lang in candidates if not lang.marks]
    if len(unmarked) == 1:
        return unmarked[0].spacy
    return _classify(text, candidates)[0]


@cache
def _marks(letters: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(letters)}]")


def _classify(text: str, candidates: tuple[Entry, ...]) -> tuple[str, float]:
    """(spaCy language, probability) by py3langid among the candidates it can tell apart."""
    by_langid = {lang.langid: lang.spacy for lang in candidates if lang.langid}
    if not by_langid:
        return DEFAULT_LANGUAGE, 0.0
    code, probability = classify(text, tuple(sorted(by_langid)))
    return by_langid[code], probability


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
