"""Command line: `python -m bot.cli run | prepare | service | caseworker | rotate-key`.

`run` is what `make run` calls: it builds what is missing (spaCy pipeline,
generated Rasa files, the model when its inputs changed), starts everything on
embedded defaults and prints where to find it. Ctrl-C, SIGTERM or SIGHUP stop all
of it (exit status 0; 1 when a part stopped by itself); killed outright, the runner
takes the parts with it (bot/stack.py).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.channels import REST_TOKEN_ENV
from bot.logs import DebugLoggingRefused, refuse_debug_logging
from bot.stack import MODEL, ROOT, Stack, begin_stopping, dying_with_runner, stop_on_signals
from bot.storage import var_dir
from bot.storage.crypto import KeyFileExposed
from bot.storage.permissions import secure_start

if TYPE_CHECKING:
    from bot.cluster import Cluster

# What `rasa train` reads, after generation: texts (locales/) and the definitions reach the
# model only through the generated domain and NLU files, so a change to a question's
# wording, a hint or a help text does not start a training. data/languages.yml: the NLU
# sends each message to a pipeline by it; bot/nlp: our NLU components' code.
TRAINING_INPUTS = (
    "config.yml",
    "bot/nlp",
    "domain",
    "data/nlu",
    "data/rules.yml",
    "data/rules.generated.yml",
    "data/languages.yml",
    "build/spacy",
)
FINGERPRINT = MODEL.with_suffix(".fingerprint")


def training_fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for top in TRAINING_INPUTS:
        path = root / top
        for file in sorted([path] if path.is_file() else path.rglob("*")):
            if file.is_file():
                digest.update(str(file.relative_to(root)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def prepare(force_train: bool = False) -> None:
    """Build the spaCy pipeline, regenerate Rasa files, train if inputs changed."""
    from bot.forms import generate
    from bot.languages import spacy_languages
    from bot.nlp import spacy_pipeline

    if spacy_pipeline.built_languages(ROOT / spacy_pipeline.DEFAULT_PATH) != set(spacy_languages()):
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
        print("Training the Rasa model (about a minute on 2 cores) ...", flush=True)
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


def prepare_apart() -> None:
    """prepare() in a child that dies with the runner: spaCy, the generator and a training
    would otherwise stay resident in the runner for as long as the bot runs."""
    done = subprocess.run(dying_with_runner([sys.executable, "-m", "bot.cli", "prepare"]), cwd=ROOT)
    if done.returncode:
        sys.exit(f"error: preparing the model failed (status {done.returncode}); see above")


def run(args: argparse.Namespace) -> None:
    """Prepare, start, wait; stop on the first SIGINT, SIGTERM or SIGHUP, during any step.

    A stop asked for by a signal is a clean end (status 0, as a service manager expects
    after SIGTERM, no traceback); a part that stops by itself is a failure (status 1).
    """
    stop_on_signals()
    stack: Stack | Cluster | None = None
    status = 0
    try:
        from bot.backoffice.auth import TOKEN_ENV, WeakToken, check_machine_token

        if not os.environ.get(TOKEN_ENV):
            os.environ[TOKEN_ENV] = secrets.token_urlsafe(32)  # 43 characters
        try:
            check_machine_token(os.environ[TOKEN_ENV])
        except WeakToken as exc:
            sys.exit(f"error: {exc}")
        try:
            refuse_debug_logging(os.environ)
        except DebugLoggingRefused as exc:
            sys.exit(f"error: {exc}")
        prepare_apart()
        ports = {
            "rasa_port": args.rasa_port,
            "action_port": args.action_port,
            "service_port": args.port,
            "backoffice_port": args.backoffice_port,
            "log_dir": var_dir() / "log",  # with the rest of the state (ANTRAGSLOTSE_VAR_DIR)
        }
        if args.instances > 1:
            from bot.cluster import Cluster  # Rasa's socket.io and PostgreSQL: only here

            stack = Cluster(instances=args.instances, **ports)
            _say(f"Starting {args.instances} instances of each part behind HAProxy ...")
        else:
            stack = Stack(**ports)
            _say("Starting Rasa, the action server and the service ...")
        stack.start()
        _say(_where(stack))
        while stack.healthy():
            time.sleep(1)
        begin_stopping()  # a signal from here on is only noted: nothing may cut the stop short
        status = 1
        _say("A component stopped; see the logs. Shutting down.", sys.stderr)
    except KeyboardInterrupt:
        pass  # the signal handler has begun the stop and said so (bot/stack.py)
    finally:
        if stack is not None:
            stack.stop()
    _say("Stopped.")
    sys.exit(status)


def _where(stack: Stack | Cluster) -> str:
    rest = f"{stack.rasa_url}/webhooks/rest/webhook   (Authorization: Bearer <{REST_TOKEN_ENV}>)"
    if not stack.rest_token:
        rest = f"off (set {REST_TOKEN_ENV} for a trusted front end or tests)"
    return (
        f"\n  Chat page:        {stack.service_url}/\n"
        f'  Widget:           <script src="{stack.service_url}/widget.js" defer data-lang="de">'
        "</script>\n"
        f"  Back-office API:  {stack.backoffice_url}/backoffice/api/submissions"
        f"   (Authorization: Bearer {stack.token})\n"
        f"  Rasa REST:        {rest}\n"
        f"  Logs:             {stack.log_dir}\n\nPress Ctrl-C to stop."
    )


def _say(text: str, stream: TextIO = sys.stdout) -> None:
    """Print, unless the terminal is gone (SIGHUP): stopping must not fail on a message."""
    try:
        print(text, file=stream, flush=True)
    except (OSError, ValueError):
        pass


def service(args: argparse.Namespace) -> None:
    from bot.backoffice.auth import WeakToken
    from bot.service import create_app

    logging.basicConfig(level=logging.INFO)
    try:
        app = create_app(
            args.rasa_url,
            backoffice_host=args.backoffice_host,
            backoffice_port=args.backoffice_port,
        )
    except WeakToken as exc:
        sys.exit(f"error: {exc}")
    app.run(host=args.host, port=args.port, access_log=False, workers=1)


ENV_ROTATION_STEPS = """\
The data keys come from ANTRAGSLOTSE_DATA_KEY, which this command cannot change.
  1. Stop the bot.
  2. Make a new key:
       python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
  3. Put it first in ANTRAGSLOTSE_DATA_KEY, the old keys after it (comma-separated).
  4. With that variable set: python -m bot.cli rotate-key --reencrypt-only
  5. Start the bot. Remove the old keys from the variable once step 4 reported no errors.
Resume codes keep working: their lookup key (ANTRAGSLOTSE_LOOKUP_KEY or lookup.key)
does not change."""


def rotate_key(args: argparse.Namespace) -> None:
    """A new first data key (key file), then every sealed value re-encrypted under it.

    Prints counts per column and never a key. Run it while the bot is stopped.
    """
    from bot.storage import var_dir
    from bot.storage.crypto import DATA_KEY_ENV, KEY_FILE_NAME, DataBox
    from bot.storage.database import create_tables, make_engine
    from bot.storage.rotation import add_first_key, drop_old_keys, load_all_tables, reencrypt
    from bot.storage.trackers import tracker_engine

    from_env = bool(os.environ.get(DATA_KEY_ENV, "").strip())
    if from_env and not args.reencrypt_only:
        print(ENV_ROTATION_STEPS)
        return
    DataBox.from_env()  # makes lookup.key from the current first key before that changes
    key_file = var_dir() / KEY_FILE_NAME
    if not args.reencrypt_only:
        add_first_key(key_file)
        print(f"Added a new first key to {key_file}.")
    engine, tracker = make_engine(), tracker_engine()
    load_all_tables()
    create_tables(engine)  # adds columns older versions lacked, so every table has its shape
    counts = reencrypt(engine, DataBox.from_env(), tracker)
    print("Re-encrypted under the first key:")
    for column, count in counts.items():
        print(f"  {column}: {count}")
    if args.drop_old and not from_env:
        print(f"Removed {drop_old_keys(key_file)} old key(s) from {key_file}.")
    print("Start the bot again; it now encrypts with the new key.")


def telegram_webhook(public_url: str) -> None:
    """setWebhook with our secret: the channel never calls it itself, so a server without
    internet still starts, and the secret Telegram echoes is the one the channel checks."""
    import asyncio

    from bot.channels.telegram import WEBHOOK_PATH
    from bot.channels.telegram_api import SECRET_ENV, TOKEN_ENV, TelegramApi, TelegramError

    api, secret = TelegramApi.from_env(), os.environ.get(SECRET_ENV, "")
    if api is None or not secret:
        sys.exit(f"error: set {TOKEN_ENV} and {SECRET_ENV} first")
    if not public_url.startswith("https://"):
        sys.exit("error: Telegram sends updates only to an https:// address")
    url = public_url.rstrip("/") + WEBHOOK_PATH
    try:
        asyncio.run(api.set_webhook(url, secret))
    except TelegramError as refused:
        sys.exit(f"error: Telegram refused the webhook: {refused}")
    print(f"Telegram now sends updates to {url}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.cli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="prepare and start everything")
    run_cmd.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    run_cmd.add_argument("--rasa-port", type=int, default=5005)
    run_cmd.add_argument("--action-port", type=int, default=5055)
    run_cmd.add_argument("--backoffice-port", type=int, default=8001)
    run_cmd.add_argument(
        "--instances",
        type=int,
        default=1,
        help="more than 1: a cluster on PostgreSQL and Redis behind HAProxy (docs/cluster.md)",
    )
    train_cmd = commands.add_parser(
        "prepare", help="build spaCy pipeline, generate, train if needed"
    )
    train_cmd.add_argument("--force-train", action="store_true")
    service_cmd = commands.add_parser("service", help="only our sanic service")
    service_cmd.add_argument("--host", default="127.0.0.1")
    service_cmd.add_argument("--port", type=int, default=8000)
    service_cmd.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    service_cmd.add_argument("--backoffice-host", default="127.0.0.1")
    service_cmd.add_argument("--backoffice-port", type=int, default=8001)
    caseworker_parser(commands)
    rotate_cmd = commands.add_parser(
        "rotate-key", help="new data key, every sealed row and file re-encrypted (bot stopped)"
    )
    rotate_cmd.add_argument(
        "--reencrypt-only", action="store_true", help="no new key: re-encrypt under the first key"
    )
    rotate_cmd.add_argument(
        "--drop-old", action="store_true", help="afterwards keep only the new key in the key file"
    )
    webhook_cmd = commands.add_parser(
        "telegram-webhook", help="tell Telegram where to send updates (once, from a server online)"
    )
    webhook_cmd.add_argument("public_url", help="the public https address of Rasa's port")
    args = parser.parse_args(argv)
    try:
        secure_start()  # umask 077, private var dir; before anything creates a file
    except KeyFileExposed as exc:
        sys.exit(f"error: {exc}")
    if args.command == "run":
        run(args)
    elif args.command == "prepare":
        prepare(args.force_train)
    elif args.command == "rotate-key":
        rotate_key(args)
    elif args.command == "telegram-webhook":
        telegram_webhook(args.public_url)
    elif args.command == "caseworker":
        from bot.backoffice.accounts_cli import caseworker

        caseworker(args)
    else:
        service(args)


def caseworker_parser(commands: argparse._SubParsersAction) -> None:
    """`caseworker add|disable|enable|list <login>`; passwords come from a prompt or stdin."""
    cmd = commands.add_parser("caseworker", help="back-office accounts of caseworkers")
    actions = cmd.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create an account; asks for the password")
    add.add_argument("login")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (scripts)"
    )
    for name, text in (("disable", "lock the account, end its sessions"), ("enable", "unlock")):
        actions.add_parser(name, help=text).add_argument("login")
    actions.add_parser("list", help="logins and whether they are disabled")


if __name__ == "__main__":
    main()
