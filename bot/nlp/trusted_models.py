"""scikit-learn models on disk through skops, refusing any type we never store.

skops only loads the types it is told to trust. Rasa's own classifier loads with an
empty list and quietly returns an untrained model when a file holds more; we name the
few types our intent models hold and refuse a file with any other.

A content-addressed cache (`ModelCache`) keeps each language's trained model, so a
training after a change to one language fits only that language again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import skops.io as sio

# What fitted count vectors, TF-IDF and a logistic regression hold beyond skops' defaults:
# TF-IDF keeps its weights as a sparse diagonal matrix.
TRUSTED_TYPES = ["scipy.sparse._csr.csr_matrix"]


class UntrustedModel(RuntimeError):
    """A stored model holds a type we never put there."""


def load_trusted(path: Path) -> Any:
    unknown = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
    if unknown:
        raise UntrustedModel(f"{path} holds untrusted types: {sorted(unknown)}")
    return sio.load(path, trusted=TRUSTED_TYPES)


def content_key(*parts: Any) -> str:
    """The same examples and settings give the same key, whatever their order on disk."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


class ModelCache:
    """One model file per group and content key; a newer key replaces the group's older file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def ensure(self, group: str, key: str, fit: Callable[[], Any]) -> tuple[Path, bool]:
        """The file of the group's model for this key, and whether it had to be fitted now."""
        path = self.directory / f"{group}.{key}.skops"
        if path.exists():
            return path, False
        model = fit()
        self.directory.mkdir(parents=True, exist_ok=True)
        for older in self.directory.glob(f"{group}.*.skops"):
            older.unlink()
        partial = path.with_suffix(".partial")
        sio.dump(model, partial)
        partial.replace(path)  # a training killed while writing leaves no half file
        return path, True
