"""Builds the per-language spaCy pipelines the Rasa NLU config loads from disk.

German spaCy models are not on PyPI, so each dialogue language gets a blank
pipeline (its own tokenizer rules) with a lookup lemmatizer: the table of
spacy-lookups-data where one exists (de, en, ru, tr; "Renten" -> "Rente",
"пенсии" -> "пенсия"), else an empty table, so a lemma is the word itself. The
table is kept in SQLite and read per word (bot/nlp/lemmas.py).
`bot.nlp.multilingual.MultilingualSpacyNLP` sends each message to the pipeline
of its language.

    python -m bot.nlp.spacy_pipeline [path]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
from pathlib import Path

from bot.languages import spacy_languages

DEFAULT_PATH = Path("build/spacy/multilingual")
FORMAT = 2  # 2: lemmas in SQLite; a pipeline built in another format is built again


def _forms(lang: str) -> dict[str, str]:
    """Word form -> lemma from spacy-lookups-data, plus lower-case forms.

    Rasa lower-cases messages before spaCy sees them, and German nouns are only
    listed capitalised ("Renten" -> "Rente"); "renten" must find "rente" too.
    """
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{lang}_lemma_lookup.json.gz"
    if not path.exists():
        return {}  # no table for this language: a word's lemma is the word
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        forms: dict[str, str] = json.load(handle)
    lower = {form.lower(): lemma.lower() for form, lemma in forms.items()}
    return {**lower, **forms}


def built_languages(path: Path = DEFAULT_PATH) -> frozenset[str]:
    """The languages of the pipelines built at `path`, none when it was never built."""
    meta = json.loads((path / "meta.json").read_text()) if (path / "meta.json").exists() else {}
    return frozenset(meta["languages"]) if meta.get("format") == FORMAT else frozenset()


def build(path: Path = DEFAULT_PATH) -> Path:
    """One pipeline per spaCy language of data/languages.yml (de-x-ls uses German's)."""
    import spacy  # here: `make run` only checks `built_languages`, without spaCy's start-up

    from bot.nlp.lemmas import FACTORY

    path.mkdir(parents=True, exist_ok=True)
    for lang in spacy_languages():
        nlp = spacy.blank(lang)
        nlp.add_pipe(FACTORY, name="lemmatizer").forms = _forms(lang)
        nlp.meta["name"] = f"{path.name}_{lang}"
        shutil.rmtree(path / lang, ignore_errors=True)  # no table of an earlier format left
        nlp.to_disk(path / lang)
    meta = {"languages": spacy_languages(), "format": FORMAT}
    (path / "meta.json").write_text(json.dumps(meta) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    print(build(parser.parse_args().path))


if __name__ == "__main__":
    main()
