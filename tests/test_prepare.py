"""`make run` and `make prepare` train only when what Rasa reads has changed."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.cli import training_fingerprint
from bot.stack import ROOT


def _copy(tmp_path: Path) -> Path:
    for top in ("config.yml", "domain", "data", "locales"):
        source = ROOT / top
        if source.is_dir():
            shutil.copytree(source, tmp_path / top)
        else:
            shutil.copy(source, tmp_path / top)
    return tmp_path


def _edit(path: Path) -> None:
    path.write_text(path.read_text("utf-8") + "\n# edited\n", "utf-8")


def test_new_wording_of_texts_and_hints_starts_no_training(tmp_path: Path) -> None:
    """Texts reach the model only through the generated files, which a wording leaves alone."""
    root = _copy(tmp_path)
    before = training_fingerprint(root)
    _edit(root / "locales" / "de" / "channel.yml")
    _edit(root / "data" / "applications" / "wohngeld.yml")
    _edit(root / "data" / "guide.yml")
    assert training_fingerprint(root) == before


def test_new_training_phrases_start_a_training(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    before = training_fingerprint(root)
    _edit(root / "data" / "nlu" / "tr.yml")
    assert training_fingerprint(root) != before
