"""Each message is tokenized and lemmatized by the blank spaCy pipeline of its language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.languages import spacy_languages
from bot.nlp import spacy_pipeline
from bot.nlp.multilingual import LanguageRouter, MultilingualSpacyNLP, language_of


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory) -> LanguageRouter:
    path = spacy_pipeline.build(Path(tmp_path_factory.mktemp("spacy")) / "multilingual")
    return MultilingualSpacyNLP.load_model(str(path)).model


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("أريد التقديم على إعانة السكن", "ar"),
        ("می‌خواهم درخواست بدهم", "fa"),
        ("я хочу подати заяву", "uk"),
        ("я хочу подать заявление", "ru"),
        ("konut yardımı başvurusu yapmak istiyorum", "tr"),
        ("i would like to apply for housing benefit", "en"),
        ("ich möchte wohngeld beantragen", "de"),
        ("ja", "de"),
    ],
)
def test_the_language_is_chosen_by_script_then_statistics(text: str, lang: str) -> None:
    assert language_of(text) == lang


@pytest.mark.parametrize(
    ("text", "word", "lemma"),
    [
        ("ich bekomme renten", "renten", "rente"),
        ("i receive pensions every month", "pensions", "pension"),
        ("я получаю пенсии", "пенсии", "пенсия"),
        ("konut yardımı istiyorum", "yardımı", "yardım"),
        ("أريد إعانة السكن", "السكن", "السكن"),  # no table: the lemma is the word
    ],
)
def test_lemmas_come_from_the_language_of_the_text(
    router: LanguageRouter, text: str, word: str, lemma: str
) -> None:
    lemmas = {token.text.lower(): token.lemma_.lower() for token in router(text)}
    assert lemmas[word] == lemma


def test_pipe_keeps_the_order_of_the_texts(router: LanguageRouter) -> None:
    texts = ["ja", "نعم", "так", "evet bu doğru"]
    assert [doc.text for doc in router.pipe(texts)] == texts


def test_a_pipeline_is_built_for_every_spacy_language_of_the_table(
    router: LanguageRouter,
) -> None:
    assert {name: nlp.lang for name, nlp in router.pipelines.items()} == {
        lang: lang for lang in spacy_languages()
    }


def test_pipelines_of_an_earlier_format_are_built_again(tmp_path: Path) -> None:
    """Before the lemmas moved to SQLite, meta.json had no format: `make run` rebuilds."""
    (tmp_path / "meta.json").write_text(json.dumps({"languages": spacy_languages()}))
    assert spacy_pipeline.built_languages(tmp_path) == frozenset()
    spacy_pipeline.build(tmp_path)
    assert spacy_pipeline.built_languages(tmp_path) == set(spacy_languages())
