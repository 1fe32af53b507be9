"""The intent classifier: one model per script, stored and loaded as Rasa does, retrained
only where the examples changed, refusing foreign files.

(How well the trained model understands people: tests/test_nlu.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
import skops.io as sio
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.preprocessing import FunctionTransformer

from bot.nlp import spacy_pipeline
from bot.nlp.intents import ScriptIntentClassifier
from bot.nlp.multilingual import MultilingualSpacyNLP
from bot.nlp.trusted_models import UntrustedModel

PHRASES = {
    "affirm": ["ja", "ja bitte", "genau so", "stimmt", "evet lütfen", "نعم", "نعم من فضلك"],
    "deny": ["nein", "nein danke", "stimmt nicht", "hayır teşekkürler", "لا", "لا شكرا"],
    "help": ["hilfe", "was heißt das", "erklär mir das", "anlamadım", "ساعدني", "لم أفهم"],
}
CONTEXT = ExecutionContext(GraphSchema({}), "test")


@pytest.fixture(scope="module")
def nlp(tmp_path_factory: pytest.TempPathFactory) -> SpacyModel:
    path = spacy_pipeline.build(Path(tmp_path_factory.mktemp("spacy")) / "multilingual")
    return MultilingualSpacyNLP.load_model(str(path))


def _tokenized(nlp: SpacyModel, messages: list[Message]) -> list[Message]:
    component = MultilingualSpacyNLP(nlp, MultilingualSpacyNLP.get_default_config())
    component.process(messages, nlp)
    SpacyTokenizer(SpacyTokenizer.get_default_config()).process(messages)
    return messages


def _examples(nlp: SpacyModel, phrases: dict[str, list[str]]) -> TrainingData:
    messages = [
        Message(data={"text": text, "intent": intent})
        for intent, texts in phrases.items()
        for text in texts
    ]
    return TrainingData(_tokenized(nlp, messages))


def _train_and_load(
    nlp: SpacyModel, storage: LocalModelStorage, name: str, config: dict, phrases: dict
) -> ScriptIntentClassifier:
    resource = Resource(name)
    ScriptIntentClassifier.create(config, storage, resource, CONTEXT).train(_examples(nlp, phrases))
    return ScriptIntentClassifier.load(config, storage, resource, CONTEXT)


def _intents(nlp: SpacyModel, classifier: ScriptIntentClassifier, texts: list[str]) -> list[str]:
    messages = _tokenized(nlp, [Message(data={"text": text}) for text in texts])
    return [message.get("intent")["name"] for message in classifier.process(messages)]


def test_german_and_arabic_answers_are_understood_by_their_scripts_models(
    nlp: SpacyModel, tmp_path: Path
) -> None:
    config = {"cache": str(tmp_path / "cache")}
    classifier = _train_and_load(nlp, LocalModelStorage(tmp_path), "i", config, PHRASES)

    assert sorted(classifier.models) == ["Arab", "Latn"]
    assert _intents(nlp, classifier, ["ja genau", "nein danke nein", "نعم نعم", "لا لا"]) == [
        "affirm",
        "deny",
        "affirm",
        "deny",
    ]


def test_a_message_in_a_script_without_a_model_is_answered_by_the_default_one(
    nlp: SpacyModel, tmp_path: Path
) -> None:
    latin_only = {intent: texts[:4] for intent, texts in PHRASES.items()}
    classifier = _train_and_load(
        nlp, LocalModelStorage(tmp_path), "i", {"cache": str(tmp_path / "c")}, latin_only
    )

    [message] = _tokenized(nlp, [Message(data={"text": "да"})])
    classifier.process([message])

    assert sorted(classifier.models) == ["Latn"]
    assert message.get("intent")["name"] in PHRASES


def test_a_new_turkish_phrase_refits_the_latin_model_and_keeps_the_arabic_one(
    nlp: SpacyModel, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    storage = LocalModelStorage(tmp_path)
    _train_and_load(nlp, storage, "first", {"cache": str(cache)}, PHRASES)
    before = {path.name: path.stat().st_mtime_ns for path in cache.glob("*.skops")}

    more = {**PHRASES, "help": [*PHRASES["help"], "yardım eder misiniz"]}
    classifier = _train_and_load(nlp, storage, "second", {"cache": str(cache)}, more)
    after = {path.name: path.stat().st_mtime_ns for path in cache.glob("*.skops")}

    arabic = next(name for name in before if name.startswith("Arab."))
    assert after[arabic] == before[arabic]  # the same file, not written again
    assert not any(name.startswith("Latn.") for name in set(before) & set(after))
    assert len(after) == 2  # the replaced Latin model left no file behind
    assert _intents(nlp, classifier, ["yardım eder misiniz"]) == ["help"]


def test_a_stored_model_holding_a_foreign_type_is_refused(tmp_path: Path) -> None:
    """skops would otherwise be asked to build whatever the file names: code at load."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource("intents")
    with storage.write_to(resource) as directory:
        sio.dump(FunctionTransformer(func=print), directory / "Latn.skops")

    with pytest.raises(UntrustedModel, match="builtins.print"):
        ScriptIntentClassifier.load({}, storage, resource, CONTEXT)
