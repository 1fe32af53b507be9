"""Starts and stops the whole bot: Rasa, the action server and our service.

Used by `make run` and by the end-to-end tests, so the tests exercise exactly
what a newcomer runs.

Stopping leaves nothing behind, whatever ends the runner: SIGINT, SIGTERM and SIGHUP
stop the parts in order (`stop_on_signals`, `Stack.stop`), and on Linux each part gets
SIGTERM from the kernel when the runner dies any other way, `kill -9` included
(`_DIE_WITH_RUNNER`).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from bot.channels import REST_TOKEN_ENV
from bot.internal_auth import INTERNAL_TOKEN_ENV
from bot.logs import pump_to_rotating_file, refuse_debug_logging

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "antragslotse.tar.gz"
START_TIMEOUT_S = 240
STOP_GRACE_S = 20  # after SIGINT, before SIGKILL
# What a terminal (Ctrl-C, closing it), a service manager or CI sends to end the runner.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

# Run by a fresh interpreter in the child, then exec'd over by the part (same pid): the
# kernel sends the part SIGTERM when the runner dies, however it dies. A child, not
# `preexec_fn`, because preexec_fn is unsafe once threads run (the log pumps do). The
# parent-death signal survives exec (not for set-uid binaries; ours are not). If the
# runner died before prctl took effect, nobody would signal the part: the check after
# it sees another parent then, and the part never starts.
_DIE_WITH_RUNNER = """\
import ctypes, os, signal, sys
PR_SET_PDEATHSIG = 1
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
    raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
if os.getppid() != int(sys.argv[1]):
    sys.exit("the runner died before this part started")
for stop in (signal.SIGINT, signal.SIGTERM):  # stop() sends SIGINT: not ignored, even if
    signal.signal(stop, signal.SIG_DFL)  # the runner was (a background job ignores it)
os.execvp(sys.argv[2], sys.argv[2:])
"""


class _Stopping:
    """Process-wide, read by the signal handlers: has a stop begun, was a signal noted since.

    Once a stop has begun a signal is only noted, so a second one (make adds its own
    SIGTERM to the one its group gets) cannot cut the stop short and leave parts running.
    """

    begun = False
    noted = False


def stop_on_signals() -> None:
    """The first SIGINT, SIGTERM or SIGHUP raises KeyboardInterrupt; later ones are noted.

    For the runner (`make run`), from the main thread. SIGHUP too: a closed terminal
    must stop the parts as Ctrl-C does. A signal ignored at start stays ignored (`nohup`,
    SIGINT of a job a script put in the background).
    """
    for sig in STOP_SIGNALS:
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, _on_stop_signal)


def begin_stopping() -> None:
    """From now on the handlers of `stop_on_signals` only note a signal."""
    _Stopping.begun = True


def _on_stop_signal(signum: int, frame: FrameType | None) -> None:
    if not _Stopping.begun:
        _Stopping.begun = True  # before raising: a signal right behind this one is only noted
        _write(1, "\nStopping ...\n")  # here, so it comes first whatever step is cut short
        raise KeyboardInterrupt
    if not _Stopping.noted:
        _Stopping.noted = True
        _write(2, f"Still stopping; a part still running after {STOP_GRACE_S} s is killed.\n")


def _write(fd: int, text: str) -> None:
    """os.write: no buffered stream to re-enter from a handler; a closed terminal is fine."""
    try:
        os.write(fd, text.encode())
    except OSError:
        pass


@contextmanager
def _signals_only_noted() -> Iterator[None]:
    """While the body runs, SIGINT, SIGTERM and SIGHUP are noted, not raised.

    Handlers and state are restored afterwards, so a caller such as pytest gets its own
    Ctrl-C back. Off the main thread Python cannot set handlers: the caller's stay then.
    """
    on_main = threading.current_thread() is threading.main_thread()
    saved = (_Stopping.begun, _Stopping.noted)
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS} if on_main else {}
    _Stopping.begun = True
    for sig, handler in previous.items():
        if handler is not None and handler is not signal.SIG_IGN:
            signal.signal(sig, _on_stop_signal)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)
        _Stopping.begun, _Stopping.noted = saved


def dying_with_runner(args: list[str]) -> list[str]:
    """The command line that runs `args` so that it gets SIGTERM when the runner dies.

    The parent-death signal fires when the *thread* that forked exits, so only a start on
    the main thread (make run, pytest, the bench) may ask for it; started on another
    thread, a part relies on Stack.stop() alone.
    """
    if sys.platform == "linux" and threading.current_thread() is threading.main_thread():
        return [sys.executable, "-I", "-S", "-c", _DIE_WITH_RUNNER, str(os.getpid()), *args]
    return args


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now: for tests, benches and a cluster's instances."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    rasa_port: int = 5005
    action_port: int = 5055
    service_port: int = 8000
    backoffice_port: int = 8001
    host: str = "127.0.0.1"
    env: dict[str, str] = field(default_factory=dict)
    log_dir: Path = ROOT / "var" / "log"
    endpoints: str = "endpoints.yml"  # endpoints.cluster.yml in a cluster (bot/cluster.py)
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

    def spawn(self, name: str, args: list[str]) -> None:
        """Start one part with this stack's environment, its log and its stop (a cluster's
        balancer is one more)."""
        self.log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        process = subprocess.Popen(
            dying_with_runner(args),
            cwd=ROOT,
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Each part in its own session: Ctrl-C in the terminal and a signal to the group
            # of `make run` reach only the runner, which stops the parts in order and waits
            # for them; a closed terminal's SIGHUP does not reach them either. A part and
            # whatever it starts share its group, which stop() signals as a whole.
            start_new_session=True,
        )
        self.processes.append(process)  # first: stop() must know it whatever happens next
        assert process.stdout is not None
        pump_to_rotating_file(process.stdout, self.log_dir / f"{name}.log")

    def start(self) -> Stack:
        try:
            self.launch()
            self.wait_until_up()
        except BaseException:
            self.stop()
            raise
        return self

    def launch(self) -> None:
        """Start the three parts without waiting for them (a cluster starts several)."""
        refuse_debug_logging(self.environment())  # before any part is started
        bin_dir = Path(sys.executable).parent
        rasa = str(bin_dir / "rasa")
        self.spawn(
            "actions",
            [sys.executable, "-m", "bot.action_server", "--port", str(self.action_port)],
        )
        self.spawn(
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
        self.spawn(
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
                self.endpoints,
                "--credentials",
                "credentials.yml",
            ],
        )

    def healthy(self) -> bool:
        return all(p.poll() is None for p in self.processes)

    def wait_until_up(self) -> None:
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
        """Stop every part: SIGINT to its group, STOP_GRACE_S, then SIGKILL.

        Idempotent (a second call finds nothing to stop), and a SIGINT, SIGTERM or SIGHUP
        arriving meanwhile is only noted: cut short, the stop would leave parts running.
        """
        with _signals_only_noted():
            running = [p for p in self.processes if p.poll() is None]
            for process in running:
                _signal_group(process, signal.SIGINT)
            deadline = time.monotonic() + STOP_GRACE_S
            for process in self.processes:
                try:
                    process.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    _signal_group(process, signal.SIGKILL)
                    process.wait()
            self.processes.clear()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    """Signal the part and what it started: its group (start_new_session makes it its pid).

    Only while the part is not reaped yet, so the pid cannot belong to anyone else.
    """
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
