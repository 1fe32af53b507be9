"""Builds the per-language spaCy pipelines the Rasa NLU config loads from disk.

German spaCy models are not on PyPI, so each dialogue language gets a blank
pipeline (its own tokenizer rules) with a lookup lemmatizer: the table of
spacy-lookups-data where one exists (de, en, ru, tr; "Renten" -> "Rente",
"пенсии" -> "пенсия"), else an empty table, so a lemma is the word itself.
`bot.nlp.multilingual.MultilingualSpacyNLP` sends each message to the pipeline
of its language.

    python -m bot.nlp.spacy_pipeline [path]
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import spacy
import spacy_lookups_data
from spacy.lookups import Lookups

from bot.languages import spacy_languages

DEFAULT_PATH = Path("build/spacy/multilingual")


def _forms(lang: str) -> dict[str, str]:
    """Word form -> lemma from spacy-lookups-data, plus lower-case forms.

    Rasa lower-cases messages before spaCy sees them, and German nouns are only
    listed capitalised ("Renten" -> "Rente"); "renten" must find "rente" too.
    """
    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{lang}_lemma_lookup.json.gz"
    if not path.exists():
        return {}  # no table for this language: a word's lemma is the word
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        forms: dict[str, str] = json.load(handle)
    lower = {form.lower(): lemma.lower() for form, lemma in forms.items()}
    return {**lower, **forms}


def lemma_table(lang: str) -> Lookups:
    lookups = Lookups()
    lookups.add_table("lemma_lookup", _forms(lang))
    return lookups


def built_languages(path: Path = DEFAULT_PATH) -> frozenset[str]:
    """The languages of the pipelines built at `path`, none when it was never built."""
    meta = path / "meta.json"
    return frozenset(json.loads(meta.read_text())["languages"]) if meta.exists() else frozenset()


def build(path: Path = DEFAULT_PATH) -> Path:
    """One pipeline per spaCy language of data/languages.yml (de-x-ls uses German's)."""
    path.mkdir(parents=True, exist_ok=True)
    for lang in spacy_languages():
        nlp = spacy.blank(lang)
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        lemmatizer.initialize(lookups=lemma_table(lang))
        nlp.meta["name"] = f"{path.name}_{lang}"
        nlp.to_disk(path / lang)
    (path / "meta.json").write_text(json.dumps({"languages": spacy_languages()}) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    print(build(parser.parse_args().path))


if __name__ == "__main__":
    main()
