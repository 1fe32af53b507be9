"""Lemmas read from a read-only SQLite table, not unpacked into memory at load.

spaCy's lookup lemmatizer unpacks its whole table when a pipeline loads: Turkish's
and Russian's tables took about 520 MB of Rasa's memory and most of the spaCy part
of its start, for the few words a message has. This component gives every token the
same lemma as the lookup lemmatizer did (the table's entry for the word, else the word
itself), from `lemmas.sqlite` in the pipeline's folder, one indexed read per token.
"""

# No `from __future__ import annotations`: spaCy validates a factory's signature by its
# annotations, which must be types, not strings.
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

FACTORY = "antragslotse_lemmas"
TABLE_FILE = "lemmas.sqlite"


class TableLemmatizer:
    """A spaCy pipeline component; `forms` (word form -> lemma) only while building."""

    def __init__(self) -> None:
        self.forms: dict[str, str] = {}
        self.db: sqlite3.Connection | None = None

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            token.lemma_ = self.lemma(token.text)
        return doc

    def lemma(self, form: str) -> str:
        if self.db is None:
            return self.forms.get(form, form)
        row = self.db.execute("SELECT lemma FROM lemma WHERE form = ?", (form,)).fetchone()
        return row[0] if row else form

    def to_disk(self, path: Path, *, exclude: Any = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / TABLE_FILE).unlink(missing_ok=True)
        with closing(sqlite3.connect(path / TABLE_FILE)) as db:
            db.execute("CREATE TABLE lemma (form TEXT PRIMARY KEY, lemma TEXT) WITHOUT ROWID")
            db.executemany("INSERT INTO lemma VALUES (?, ?)", self.forms.items())
            db.commit()

    def from_disk(self, path: Path, *, exclude: Any = ()) -> "TableLemmatizer":
        # Read-only and immutable: no locks, no journal; Rasa reads from its worker threads.
        uri = f"{(Path(path) / TABLE_FILE).resolve().as_uri()}?mode=ro&immutable=1"
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        return self


@Language.factory(FACTORY)
def make_table_lemmatizer(nlp: Language, name: str) -> TableLemmatizer:
    return TableLemmatizer()
