"""Starts and stops the whole bot: Rasa, the action server and our service.

Used by `make run` and by the end-to-end tests, so the tests exercise exactly
what a newcomer runs.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.channels import REST_TOKEN_ENV
from bot.internal_auth import INTERNAL_TOKEN_ENV
from bot.logs import pump_to_rotating_file, refuse_debug_logging

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "antragslotse.tar.gz"
START_TIMEOUT_S = 240


@dataclass
class Stack:
    rasa_port: int = 5005
    action_port: int = 5055
    service_port: int = 8000
    backoffice_port: int = 8001
    host: str = "127.0.0.1"
    env: dict[str, str] = field(default_factory=dict)
    log_dir: Path = ROOT / "var" / "log"
    processes: list[subprocess.Popen] = field(default_factory=list)
    # Rasa -> action server and NLG endpoint (bot/internal_auth.py); fresh for each start
    # unless the environment sets one.
    internal_token: str = field(
        default_factory=lambda: os.environ.get(INTERNAL_TOKEN_ENV) or secrets.token_urlsafe(32)
    )

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}"

    @property
    def service_url(self) -> str:
        return f"http://{self.host}:{self.service_port}"

    @property
    def backoffice_url(self) -> str:
        """The inbox API's own listener; keep it off the internet (docs/backoffice-access.md)."""
        return f"http://{self.host}:{self.backoffice_port}"

    @property
    def token(self) -> str:
        return self.environment()["ANTRAGSLOTSE_BACKOFFICE_TOKEN"]

    @property
    def rest_token(self) -> str | None:
        """The REST channel's token, when this stack has the channel on."""
        return self.environment().get(REST_TOKEN_ENV) or None

    def environment(self) -> dict[str, str]:
        var_dir = Path(self.env.get("ANTRAGSLOTSE_VAR_DIR", ROOT / "var")).resolve()
        return {
            **os.environ,
            "ANTRAGSLOTSE_VAR_DIR": str(var_dir),
            "ANTRAGSLOTSE_TRACKER_DB": str(var_dir / "tracker.db"),
            "ANTRAGSLOTSE_ACTION_URL": f"{self.action_url}/webhook",
            "ANTRAGSLOTSE_NLG_URL": f"{self.backoffice_url}/nlg",
            INTERNAL_TOKEN_ENV: self.internal_token,
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONUNBUFFERED": "1",
            # No usage data or error reports from Rasa to third parties (Sentry, Segment).
            "RASA_TELEMETRY_ENABLED": "false",  # each line reaches the rotating log file at once
            "PYTHONPATH": str(ROOT),
            # The chat page's origin may open Rasa's socket.io (bot/channels/webchat.py).
            "ANTRAGSLOTSE_CHAT_ORIGINS": os.environ.get(
                "ANTRAGSLOTSE_CHAT_ORIGINS",
                f"{self.service_url} http://localhost:{self.service_port}",
            ),
            **self.env,
        }

    def _spawn(self, name: str, args: list[str]) -> None:
        self.log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches only us, and we stop the parts in order
        )
        assert process.stdout is not None
        pump_to_rotating_file(process.stdout, self.log_dir / f"{name}.log")
        self.processes.append(process)

    def start(self) -> Stack:
        refuse_debug_logging(self.environment())  # before any part is started
        bin_dir = Path(sys.executable).parent
        rasa = str(bin_dir / "rasa")
        self._spawn(
            "actions",
            [sys.executable, "-m", "bot.action_server", "--port", str(self.action_port)],
        )
        self._spawn(
            "service",
            [
                sys.executable,
                "-m",
                "bot.cli",
                "service",
                "--port",
                str(self.service_port),
                "--rasa-url",
                self.rasa_url,
                "--backoffice-port",
                str(self.backoffice_port),
            ],
        )
        self._spawn(
            "rasa",
            [
                rasa,
                "run",
                "-m",
                str(MODEL),
                "-i",
                self.host,
                "-p",
                str(self.rasa_port),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
            ],
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        pending = {
            f"{self.action_url}/health",
            f"{self.service_url}/health",
            f"{self.backoffice_url}/health",
            f"{self.rasa_url}/",
        }
        while pending:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args[:3]} exited; see {self.log_dir}")
            for url in list(pending):
                try:
                    with urllib.request.urlopen(url, timeout=2):
                        pending.discard(url)
                except OSError:
                    pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"not up after {START_TIMEOUT_S}s: {sorted(pending)}")
            time.sleep(0.5)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
