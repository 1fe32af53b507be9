"""Per language: intent accuracy and macro-F1 on held-out phrases, the guide, value parsing.

Trains an NLU-only model on the training data (data/nlu; the held-out phrases in
tests/nlu_heldout and tests/guide_heldout are never in it, a test checks), then
classifies every held-out phrase. The guide: each held-out need description is
the first message of a new conversation (model + form engine, in process), the
triage questions answered as in the case; top-1 is how often the first
application offered (or the office referred to) is the right one; `fresh` is
the same on tests/guide_heldout_fresh (written blind, later). Value parsing
runs bench/value_cases.yml through the answer parsers.

    .venv/bin/python bench/nlu_languages.py [--reuse]   # --reuse: the model of `make prepare`
    .venv/bin/python bench/nlu_languages.py --config other.yml   # a pipeline to compare
    .venv/bin/python bench/nlu_languages.py --values    # value parsing only, no model
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.definitions import load_applications  # noqa: E402
from bot.forms.dialogue import Conversation  # noqa: E402
from bot.forms.draft import Draft  # noqa: E402
from bot.forms.turn import UserTurn  # noqa: E402
from bot.parsing import ParseError, parse_answer  # noqa: E402
from tests.guide_cases import FRESH_DIR, Score, held_out, languages, score, walk  # noqa: E402
from tests.guide_cases import HELD_OUT_DIR as GUIDE_HELD_OUT_DIR  # noqa: E402

HELD_OUT_DIR = ROOT / "tests" / "nlu_heldout"
VALUE_CASES = ROOT / "bench" / "value_cases.yml"
BLIND_VALUE_CASES = ROOT / "bench" / "value_cases_blind.yml"  # written without the parsers


def quiet_rasa() -> None:
    """Rasa's debug lines would carry every held-out phrase; the figures are what counts."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


def train(out_dir: Path, config: Path = ROOT / "config.yml") -> tuple[Path, float]:
    from rasa.model_training import train_nlu

    started = time.monotonic()
    model = train_nlu(
        config=str(config),
        nlu_data=str(ROOT / "data"),
        output=str(out_dir),
        domain=str(ROOT / "domain"),
    )
    return Path(str(model)), time.monotonic() - started


def intent_scores(agent: Any) -> dict[str, tuple[int, float, float]]:
    scores = {}
    for path in sorted(HELD_OUT_DIR.glob("*.yml")):
        by_intent: dict[str, list[str]] = yaml.safe_load(path.read_text("utf-8")) or {}
        wanted, got = [], []
        for intent, texts in by_intent.items():
            for text in texts:
                wanted.append(intent)
                got.append(asyncio.run(agent.parse_message(text))["intent"]["name"])
        accuracy = sum(w == g for w, g in zip(wanted, got, strict=True)) / len(wanted)
        macro_f1 = f1_score(wanted, got, labels=sorted(set(wanted)), average="macro")
        scores[path.stem] = (len(wanted), accuracy, macro_f1)
    return scores


class InProcessCitizen:
    """One conversation with the model and the form engine, without Rasa's server around."""

    def __init__(self, agent: Any, conversation: Conversation, lang: str) -> None:
        self.agent, self.conversation, self.lang = agent, conversation, lang
        self.draft: Draft | None = None

    def first(self, message: str) -> dict[str, Any]:
        return self.send(message, {"language": self.lang})

    def send(self, message: str, metadata: dict[str, str] | None = None) -> dict[str, Any]:
        parsed = asyncio.run(self.agent.parse_message(message))
        turn = UserTurn.from_latest_message({**parsed, "metadata": metadata or {}})
        self.draft, reply = self.conversation.respond(self.draft, turn, self.lang)
        return reply.state


def guide_scores(agent: Any, directory: Path = GUIDE_HELD_OUT_DIR) -> dict[str, Score]:
    conversation = Conversation(load_applications())
    scores = {}
    for lang in languages(directory):
        walks = []
        for case in held_out(lang, directory):
            citizen = InProcessCitizen(agent, conversation, lang)
            walks.append(walk(case, first=citizen.first, send=citizen.send))
        scores[lang] = score(walks)
    return scores


def value_scores(path: Path = VALUE_CASES) -> dict[str, dict[str, tuple[int, int]]]:
    cases: dict[str, list[list[Any]]] = yaml.safe_load(path.read_text("utf-8"))
    scores: dict[str, dict[str, tuple[int, int]]] = {}
    for lang, items in cases.items():
        per_kind: dict[str, list[bool]] = defaultdict(list)
        for kind, text, expected, *options in items:
            try:
                per_kind[kind].append(parse_answer(kind, text, lang, *options) == expected)
            except ParseError:
                per_kind[kind].append(False)
        scores[lang] = {kind: (sum(ok), len(ok)) for kind, ok in per_kind.items()}
    return scores


KINDS = ("date", "money", "count", "boolean", "iban")


def _value_cells(per_kind: dict[str, tuple[int, int]]) -> tuple[str, float]:
    """The per-kind "ok/total" cells and the accuracy over all of a language's cases."""
    cells = "  ".join(
        f"{per_kind[k][0]:>3}/{per_kind[k][1]:<4}" if k in per_kind else f"{'-':>8}" for k in KINDS
    )
    total = sum(v[1] for v in per_kind.values()) or 1
    return cells, sum(v[0] for v in per_kind.values()) / total


def print_values(values: dict[str, dict[str, tuple[int, int]]]) -> None:
    print(f"{'lang':8} {'cases':>5}  " + "  ".join(f"{k:>8}" for k in KINDS) + f"  {'values':>6}")
    for lang in sorted(values):
        cells, accuracy = _value_cells(values[lang])
        count = sum(v[1] for v in values[lang].values())
        print(f"{lang:8} {count:>5}  {cells}  {accuracy:>6.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="use models/antragslotse.tar.gz")
    parser.add_argument("--values", action="store_true", help="value parsing only, no model")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml", help="Rasa config")
    args = parser.parse_args()
    quiet_rasa()
    if args.values:
        print("Value parsing, cases written with the parsers (bench/value_cases.yml):")
        print_values(value_scores())
        print("\nValue parsing, cases written blind (bench/value_cases_blind.yml):")
        print_values(value_scores(BLIND_VALUE_CASES))
        return 0
    if args.reuse:
        model, seconds = ROOT / "models" / "antragslotse.tar.gz", None
    else:
        model, seconds = train(Path(tempfile.mkdtemp(prefix="nlu-bench-")), args.config)
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    intents = intent_scores(agent)
    guide = guide_scores(agent)
    fresh = guide_scores(agent, FRESH_DIR)
    values = value_scores()
    blind = value_scores(BLIND_VALUE_CASES)
    if seconds is not None:
        print(f"NLU training: {seconds:.0f} s")
    kinds = KINDS
    print(
        f"{'lang':8} {'phrases':>7} {'accuracy':>8} {'macro-F1':>8}  "
        + f"{'needs':>5} {'guide':>5} {'triaged':>7} {'fresh':>5}  "
        + "  ".join(f"{k:>8}" for k in kinds)
        + f"  {'values':>6} {'blind':>6}"
    )
    for lang in sorted(set(intents) | set(values)):
        count, accuracy, f1 = intents.get(lang, (0, float("nan"), float("nan")))
        cells, value_accuracy = _value_cells(values.get(lang, {}))
        blind_accuracy = _value_cells(blind.get(lang, {}))[1]
        need = guide.get(lang, Score(0, 0, 0, 0))
        triaged = need.triaged / need.cases if need.cases else float("nan")
        new = fresh.get(lang, Score(0, 0, 0, 0))
        new_top1 = new.top1 if new.cases else float("nan")
        print(
            f"{lang:8} {count:>7} {accuracy:>8.3f} {f1:>8.3f}  "
            f"{need.cases:>5} {need.top1:>5.2f} {triaged:>7.2f} {new_top1:>5.2f}  "
            f"{cells}  {value_accuracy:>6.3f} {blind_accuracy:>6.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
