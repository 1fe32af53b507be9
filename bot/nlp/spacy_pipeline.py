"""Builds the spaCy pipeline the Rasa NLU config loads from disk.

German spaCy models are not on PyPI, so we assemble a blank German pipeline (its
rule-based tokenizer splits every script we serve, Arabic and Cyrillic included, on
spaces and punctuation) with a lookup lemmatizer whose table merges the tables
spacy-lookups-data has for our languages (German, English, Russian, Turkish; none
exist for Arabic, Persian or Ukrainian): one Rasa model serves all languages, and
lemmas let "Renten"/"Rente", "wants"/"want" or "пенсии"/"пенсия" share features.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import spacy
from spacy.lookups import Lookups, load_lookups

DEFAULT_PATH = Path("build/spacy/multi_lookup")
LANGUAGES = ("de", "en", "ru", "tr")  # the first wins where tables share a word form


def merged_lemma_table() -> dict[int, str]:
    """Earlier languages win where tables share a word form (keys are string hashes)."""
    merged: dict[int, str] = {}
    for lang in reversed(LANGUAGES):
        merged.update(load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup").items())
    return merged


def build(path: Path = DEFAULT_PATH) -> Path:
    nlp = spacy.blank(LANGUAGES[0])
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    lookups = Lookups()
    lookups.add_table("lemma_lookup", merged_lemma_table())
    lemmatizer.initialize(lookups=lookups)
    nlp.meta["name"] = path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    print(build(parser.parse_args().path))


if __name__ == "__main__":
    main()
