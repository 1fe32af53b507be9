"""`make prepare` from a cold checkout, after a text change and after a one-language change.

Copies the checkout's files (tracked and new, not build/, models/ or .venv) into a
temporary folder and runs `python -m bot.cli prepare` there three times:

1. cold: spaCy pipelines, generated files and the whole training (target ≤ 5 min);
2. after a change to a text file in locales/: must not train at all;
3. after one more Turkish training phrase: retrains the Latin-script intent model
   only, the Arabic- and Cyrillic-script ones come from the cache of step 1.

    .venv/bin/python bench/training.py
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 300.0
TRAINING_LINE = "Training the Rasa model"
INTENT_MODEL_LINE = re.compile(r"Intents in (\w+) script: (trained|unchanged)")


def copy_checkout(to: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, to / name)


def prepare(root: Path) -> tuple[float, bool, list[str]]:
    """Seconds, whether it trained, and the scripts whose intent model was fitted."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "prepare"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    if done.returncode:
        sys.exit(f"prepare failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    lines = INTENT_MODEL_LINE.finditer(done.stdout + done.stderr)
    fitted = [line[1] for line in lines if line[2] == "trained"]
    return seconds, TRAINING_LINE in done.stdout, fitted


def change_a_text_file(root: Path) -> None:
    path = root / "locales" / "de" / "common.yml"
    path.write_text(path.read_text("utf-8") + "\n# bench: a changed text\n", "utf-8")


def add_a_turkish_phrase(root: Path) -> None:
    path = root / "data" / "nlu" / "tr.yml"
    text = path.read_text("utf-8")
    marker = "- intent: affirm\n  examples: |\n"
    if marker not in text:
        sys.exit(f"{path}: no affirm block to extend")
    path.write_text(text.replace(marker, marker + "    - tamamdır efendim\n", 1), "utf-8")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="training-bench-") as tmp:
        root = Path(tmp)
        copy_checkout(root)
        cold = 0.0
        for name, change in (
            ("cold checkout", None),
            ("a text file changed", change_a_text_file),
            ("one Turkish phrase added", add_a_turkish_phrase),
        ):
            if change is not None:
                change(root)
            seconds, trained, fitted = prepare(root)
            if change is None:
                cold = seconds
            print(
                f"{name:26} {seconds:7.1f} s   trained: {'yes' if trained else 'no':3}"
                f"   intent models fitted: {', '.join(fitted) or 'none'}",
                flush=True,
            )
    verdict = "met" if cold <= TARGET_S else "NOT met"
    print(f"cold checkout to a trained model: {cold:.0f} s, target ≤ {TARGET_S:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
