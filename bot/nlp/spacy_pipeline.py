"""Builds the spaCy pipeline the Rasa NLU config loads from disk.

German spaCy models are not on PyPI, so we assemble a blank German pipeline with a
lookup lemmatizer whose table merges the German and English tables of
spacy-lookups-data: one Rasa model serves both languages, and lemmas let
"Renten"/"Rente" or "wants"/"want" share features.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import spacy
from spacy.lookups import Lookups, load_lookups

DEFAULT_PATH = Path("build/spacy/de_en_lookup")
LANGUAGES = ("de", "en")


def merged_lemma_table() -> dict[int, str]:
    """German entries win where both languages know a word form (keys are string hashes)."""
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
