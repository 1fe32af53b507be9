"""Intents by one linear model per script, each retrained only when its examples change.

Every message is tokenized by the blank spaCy pipeline of its language
(bot/nlp/multilingual.py); the script of that pipeline's language picks the model
that classifies it, and at training time each model learns from exactly the
examples that routing sends it. One model per script rather than per language:
Persian and Arabic, Russian and Ukrainian share many words, and short answers
("ja", "ok", "evet"), too short to tell apart, go to the default language's
pipeline anyway. Per language, Persian held-out accuracy fell from .958 to .908.

A model is word and character n-gram counts of the lemmas (as Rasa's
CountVectorsFeaturizer makes them), sublinear TF-IDF weights and a logistic
regression; DIET without transformer layers is a linear model too, and took about
20 minutes for the eight languages where these take about ten seconds. Each
trained model is kept in a cache under the hash of its examples and settings
(bot/nlp/trusted_models.py): a new Turkish phrase fits the Latin-script model
again and takes the Arabic- and Cyrillic-script models from the cache.

    - name: SpacyTokenizer
    - name: bot.nlp.intents.ScriptIntentClassifier
      cache: build/intent-models
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from collections.abc import Iterable
from functools import cache, partial
from pathlib import Path
from typing import Any

import sklearn
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.cli import print_info
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.nlp.trusted_models import ModelCache, content_key, load_trusted

FORMAT = 1  # raise when what a model learns from changes: every cached model is refitted
NUMBER = re.compile(r"\b[0-9]+\b")
DEFAULT_SCRIPT = LANGUAGES[DEFAULT_LANGUAGE].script


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ScriptIntentClassifier(GraphComponent, IntentClassifier):
    """A TF-IDF logistic regression per script, cached by its examples."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "cache": "build/intent-models",  # relative to where `rasa train` runs
            "C": 100.0,  # weak regularization: held-out accuracy rose up to 100
            "solver": "sag",  # lbfgs's optimum in a third of the time
            "tol": 3e-3,
            "max_iter": 500,
            "char_ngrams": [2, 4],
            "char_min_df": 2,  # n-grams seen once only slow the fit
            "random_state": 42,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        models: dict[str, Pipeline] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.model_storage = model_storage
        self.resource = resource
        self.models = models or {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ScriptIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for message in training_data.intent_examples:
            examples[script_of(message)].append((lemma_text(message), message.get(INTENT)))
        cache = ModelCache(Path(self.config["cache"]))
        settings = {k: v for k, v in self.config.items() if k not in ("cache", "ranking_length")}
        stored = {}
        for group, rows in sorted(examples.items()):
            rows.sort()
            if len({intent for _, intent in rows}) < 2:
                continue  # nothing to tell apart: the default script's model answers
            key = content_key(FORMAT, sklearn.__version__, settings, rows)
            stored[group], fitted = cache.ensure(group, key, partial(self._fit, rows))
            # `rasa train` shows only its own loggers; city IT should see what was retrained
            print_info(f"Intents in {group} script: {'trained' if fitted else 'unchanged'}.")
        with self.model_storage.write_to(self.resource) as directory:
            for group, path in stored.items():
                shutil.copyfile(path, directory / f"{group}.skops")
        return self.resource

    def _fit(self, rows: list[tuple[str, str]]) -> Pipeline:
        low, high = self.config["char_ngrams"]
        model = Pipeline(
            [
                (
                    "counts",
                    FeatureUnion(
                        [
                            ("words", CountVectorizer(token_pattern=r"(?u)\b\w+\b")),
                            (
                                "chars",
                                CountVectorizer(
                                    analyzer="char_wb",
                                    ngram_range=(low, high),
                                    min_df=self.config["char_min_df"],
                                ),
                            ),
                        ]
                    ),
                ),
                ("weights", TfidfTransformer(sublinear_tf=True)),
                (
                    "model",
                    LogisticRegression(
                        C=self.config["C"],
                        solver=self.config["solver"],
                        tol=self.config["tol"],
                        max_iter=self.config["max_iter"],
                        random_state=self.config["random_state"],
                        # no class weights: "balanced" cost Turkish and Leichte Sprache .01
                    ),
                ),
            ]
        )
        texts, intents = zip(*rows, strict=True)
        model.fit(texts, intents)
        for _, vectorizer in model.named_steps["counts"].transformer_list:
            del vectorizer.stop_words_  # every n-gram seen once: only needed to inspect a fit
        return model

    def process(self, messages: list[Message]) -> list[Message]:
        for group, batch in _by_pipeline(messages, self.models).items():
            model = self.models[group]
            probabilities = model.predict_proba([lemma_text(message) for message in batch])
            for message, row in zip(batch, probabilities, strict=True):
                ranking = sorted(
                    (
                        {"name": name, "confidence": float(p)}
                        for name, p in zip(model.classes_, row, strict=True)
                    ),
                    key=lambda entry: -entry["confidence"],
                )
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set(
                    "intent_ranking", ranking[: self.config["ranking_length"]], add_to_output=True
                )
        return messages

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ScriptIntentClassifier:
        """The stored models; a file holding a type we never store is refused."""
        try:
            with model_storage.read_from(resource) as directory:
                models = {path.stem: load_trusted(path) for path in directory.glob("*.skops")}
        except ValueError:  # no resource: trained without examples, as Rasa does
            models = {}
        return cls(config, model_storage, resource, models)


def script_of(message: Message) -> str:
    """The script of the spaCy pipeline that tokenized the message (multilingual.py chose it)."""
    doc = message.get(SPACY_DOCS[TEXT])
    return _scripts().get(doc.lang_ if doc is not None else "", DEFAULT_SCRIPT)


@cache
def _scripts() -> dict[str, str]:
    return {lang.spacy: lang.script for lang in LANGUAGES.values()}


def lemma_text(message: Message) -> str:
    """Lower-case lemmas with whole numbers as one token, as Rasa's count featurizer has them."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join(NUMBER.sub("__NUMBER__", token.lemma).lower() for token in tokens)


def _by_pipeline(
    messages: Iterable[Message], models: dict[str, Pipeline]
) -> dict[str, list[Message]]:
    """Messages with text, by the model that answers them: their script's, else the default's."""
    batches: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        if not message.get(TOKENS_NAMES[TEXT]):
            continue
        group = script_of(message)
        group = group if group in models else DEFAULT_SCRIPT
        if group in models:
            batches[group].append(message)
    return batches
