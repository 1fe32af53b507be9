"""Command line: `python -m bot.cli run | prepare | train | service`.

`run` is what `make run` calls: it builds what is missing (spaCy pipeline,
generated Rasa files, the model when its inputs changed), starts everything on
embedded defaults and prints where to find it. Ctrl-C stops all of it.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.stack import MODEL, ROOT, Stack

TRAINING_INPUTS = ("config.yml", "domain", "data", "locales", "build/spacy")
FINGERPRINT = MODEL.with_suffix(".fingerprint")


def training_fingerprint() -> str:
    digest = hashlib.sha256()
    for top in TRAINING_INPUTS:
        path = ROOT / top
        for file in sorted([path] if path.is_file() else path.rglob("*")):
            if file.is_file():
                digest.update(str(file.relative_to(ROOT)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def prepare(force_train: bool = False) -> None:
    """Build the spaCy pipeline, regenerate Rasa files, train if inputs changed."""
    from bot.forms import generate
    from bot.nlp import spacy_pipeline

    if not (ROOT / spacy_pipeline.DEFAULT_PATH / "meta.json").exists():
        print("Building the spaCy pipeline ...", flush=True)
        spacy_pipeline.build(ROOT / spacy_pipeline.DEFAULT_PATH)
    generate.main([])
    fingerprint = training_fingerprint()
    if (
        force_train
        or not MODEL.exists()
        or not FINGERPRINT.exists()
        or FINGERPRINT.read_text() != fingerprint
    ):
        print("Training the Rasa model (about 17 minutes on 2 cores) ...", flush=True)
        rasa = str(Path(sys.executable).parent / "rasa")
        subprocess.run(
            [
                rasa,
                "train",
                "--domain",
                "domain",
                "--out",
                str(MODEL.parent),
                "--fixed-model-name",
                MODEL.name.removesuffix(".tar.gz"),
            ],
            cwd=ROOT,
            check=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        FINGERPRINT.write_text(fingerprint)


def run(args: argparse.Namespace) -> None:
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop cleanly on SIGTERM too
    prepare()
    if not os.environ.get("ANTRAGSLOTSE_BACKOFFICE_TOKEN"):
        os.environ["ANTRAGSLOTSE_BACKOFFICE_TOKEN"] = secrets.token_urlsafe(24)
    stack = Stack(rasa_port=args.rasa_port, action_port=args.action_port, service_port=args.port)
    print("Starting Rasa, the action server and the service ...", flush=True)
    stack.start()
    print(
        f"\n  Chat page:        {stack.service_url}/\n"
        f'  Widget:           <script src="{stack.service_url}/widget.js" defer data-lang="de">'
        "</script>\n"
        f"  Back-office API:  {stack.service_url}/backoffice/api/submissions"
        f"   (Authorization: Bearer {stack.token})\n"
        f"  Rasa REST:        {stack.rasa_url}/webhooks/rest/webhook\n"
        f"  Logs:             {stack.log_dir}\n\nPress Ctrl-C to stop.",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in stack.processes):
            time.sleep(1)
        print("A component stopped; see the logs. Shutting down.", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
    finally:
        stack.stop()


def service(args: argparse.Namespace) -> None:
    from bot.service import create_app

    logging.basicConfig(level=logging.INFO)
    app = create_app(args.rasa_url)
    app.run(host=args.host, port=args.port, access_log=False, workers=1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.cli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="prepare and start everything")
    run_cmd.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    run_cmd.add_argument("--rasa-port", type=int, default=5005)
    run_cmd.add_argument("--action-port", type=int, default=5055)
    train_cmd = commands.add_parser(
        "prepare", help="build spaCy pipeline, generate, train if needed"
    )
    train_cmd.add_argument("--force-train", action="store_true")
    service_cmd = commands.add_parser("service", help="only our sanic service")
    service_cmd.add_argument("--host", default="127.0.0.1")
    service_cmd.add_argument("--port", type=int, default=8000)
    service_cmd.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    args = parser.parse_args(argv)
    if args.command == "run":
        run(args)
    elif args.command == "prepare":
        prepare(args.force_train)
    else:
        service(args)


if __name__ == "__main__":
    main()
