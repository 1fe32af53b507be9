"""Rasa's own checks: the training data is consistent and the test stories pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.stack import MODEL, ROOT

RASA = str(Path(sys.executable).parent / "rasa")
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def test_rasa_data_validate() -> None:
    result = subprocess.run(
        [RASA, "data", "validate", "--domain", "domain", "--data", "data", "--fail-on-warnings"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_rasa_test_stories(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            RASA,
            "test",
            "core",
            "--stories",
            "tests/stories",
            "-m",
            str(MODEL),
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "None of the test stories failed" in (tmp_path / "failed_test_stories.yml").read_text()
