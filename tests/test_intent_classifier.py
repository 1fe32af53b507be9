"""The intent classifier: trained, stored and loaded as Rasa does, refusing foreign files.

(How well the trained model understands people: tests/test_nlu.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
import skops.io as sio
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.preprocessing import FunctionTransformer

from bot.nlp.intents import LinearIntentClassifier, UntrustedModel

PHRASES = {
    "affirm": ["ja", "ja bitte", "genau so", "stimmt", "richtig so", "ja das stimmt"],
    "deny": ["nein", "nein danke", "stimmt nicht", "falsch", "auf keinen fall", "nö"],
    "help": ["hilfe", "ich verstehe das nicht", "was heißt das", "erklär mir das"],
}
CONTEXT = ExecutionContext(GraphSchema({}), "test")


def _featurize(storage: LocalModelStorage, examples: list[Message], unseen: list[Message]) -> None:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("counts"), CONTEXT
    )
    data = TrainingData(examples)
    tokenizer.process_training_data(data)
    tokenizer.process(unseen)
    featurizer.train(data)
    featurizer.process_training_data(data)
    featurizer.process(unseen)


def test_a_trained_classifier_loads_back_and_ranks_as_before(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("intents")
    examples = [
        Message(data={"text": text, "intent": intent})
        for intent, texts in PHRASES.items()
        for text in texts
    ]
    unseen = [Message(data={"text": "ja genau"}), Message(data={"text": "nein falsch"})]
    _featurize(storage, examples, unseen)
    trained = LinearIntentClassifier.create({}, storage, resource, CONTEXT)
    trained.train(TrainingData(examples))
    before = [m.get("intent_ranking") for m in trained.process(unseen)]

    loaded = LinearIntentClassifier.load({}, storage, resource, CONTEXT)
    after = [m.get("intent_ranking") for m in loaded.process(unseen)]

    assert after == before
    assert [ranking[0]["name"] for ranking in after] == ["affirm", "deny"]


def test_a_stored_classifier_holding_a_foreign_type_is_refused(tmp_path: Path) -> None:
    """Rasa's own load would quietly return an untrained classifier instead."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource("intents")
    with storage.write_to(resource) as directory:
        sio.dump(FunctionTransformer(func=print), directory / "intents.skops")

    with pytest.raises(UntrustedModel, match="builtins.print"):
        LinearIntentClassifier.load({}, storage, resource, CONTEXT)
