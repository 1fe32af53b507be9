"""Stopping leaves nothing behind, whatever signals or kills the runner (issue 14).

A terminal, CI or a service manager signals the whole process group of `make run`;
GNU make then sends the runner a SIGTERM of its own, so two arrive at once. Whatever
ends the runner, no part of the stack may be left holding a port. The `make run` cases
run the real thing (trained model, free ports, a throw-away state directory) in a group
of their own, the way a terminal would start it; the cases before them check the same
mechanics in a second each, with stand-in parts slow to stop.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.cli import FINGERPRINT, training_fingerprint
from bot.stack import MODEL, ROOT
from tests.conftest import free_port

START_LIMIT_S = 180
FREE_LIMIT_S = 30


def _state(pid: int) -> str | None:
    """The process state letter from /proc, None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def _alive(pid: int) -> bool:
    """A zombie counts as gone: it holds no port, and pid 1 here may not reap it."""
    return _state(pid) not in (None, "Z")


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _listening_pids(port: int) -> set[int]:
    """Processes with a socket listening on `port` (any address), read from /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(f"socket:[{fields[9]}]")
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and inodes:
            try:
                links = {os.readlink(fd) for fd in (entry / "fd").iterdir()}
            except OSError:
                continue
            if links & inodes:
                pids.add(int(entry.name))
    return pids


def _port_free(port: int) -> bool:
    """Whether a server could listen on `port` now (as a restarted stack would)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return not _listening_pids(port)


def _wait_until(done: Callable[[], bool], limit_s: float) -> float | None:
    """Seconds until `done()` held, None when it did not within `limit_s`."""
    began = time.monotonic()
    while time.monotonic() - began < limit_s:
        if done():
            return time.monotonic() - began
        time.sleep(0.2)
    return None


@dataclass
class Started:
    """A process group the test owns, with what it printed."""

    process: subprocess.Popen
    output: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def finish(self, timeout: float = FREE_LIMIT_S) -> str:
        """Wait for the group's leader to exit; everything it printed."""
        self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return "".join(self.output)


def _spawn_group(args: list[str], env: dict[str, str]) -> Started:
    process = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the test owns the group, as a terminal owns make's
    )
    return Started(process)


def _kill_leftovers(started: Started, parts: set[int]) -> None:
    """After a failed case: nothing of it may outlive the test (each part leads a group)."""
    groups = [started.process.pid] if started.process.poll() is None else []
    for pid in [*groups, *(part for part in parts if _alive(part))]:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


# Stand-in parts: slow to stop (1 s after SIGINT), so signals arrive during the stop.
RUNNER = """
import sys, time
from pathlib import Path
from bot.stack import Stack, stop_on_signals

PART = (
    "import signal, sys, time\\n"
    "signal.signal(signal.SIGINT, lambda *a: (time.sleep(1), sys.exit(0)))\\n"
    "print('ready', flush=True)\\n"
    "time.sleep(600)\\n"
)
stop_on_signals()
stack = Stack(log_dir=Path(sys.argv[1]))
try:
    for name in ("one", "two"):
        stack.spawn(name, [sys.executable, "-c", PART])
    print("parts", *[p.pid for p in stack.processes], flush=True)
    while True:
        time.sleep(1)
except KeyboardInterrupt:
    pass  # the handler said "Stopping ..."
finally:
    stack.stop()
    stack.stop()  # a second stop is harmless
print("stopped", flush=True)
"""


def _runner_with_stand_in_parts(tmp_path: Path) -> tuple[Started, set[int]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = _spawn_group([sys.executable, "-c", RUNNER, str(tmp_path / "log")], env)
    assert _wait_until(lambda: any(x.startswith("parts") for x in started.output), 20) is not None
    line = next(x for x in started.output if x.startswith("parts"))

    def ready() -> bool:  # the parts' handlers are in place: they print it into their logs
        logs = [tmp_path / "log" / f"{name}.log" for name in ("one", "two")]
        return all(log.exists() and "ready" in log.read_text() for log in logs)

    assert _wait_until(ready, 20) is not None
    return started, {int(pid) for pid in line.split()[1:]}


@pytest.mark.parametrize("first", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signals_during_the_stop_are_only_noted(tmp_path: Path, first: signal.Signals) -> None:
    started, parts = _runner_with_stand_in_parts(tmp_path)
    try:
        os.killpg(started.process.pid, first)
        time.sleep(0.3)  # the parts take 1 s to stop: these arrive during the stop
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            os.killpg(started.process.pid, sig)
        output = started.finish()
        assert output.splitlines()[1:] == [
            "",
            "Stopping ...",
            "Still stopping; a part still running after 20 s is killed.",
            "stopped",
        ], output
        assert started.process.returncode == 0, output
        assert not [pid for pid in parts if _alive(pid)]
    finally:
        _kill_leftovers(started, parts)


def test_parts_die_with_a_runner_killed_outright(tmp_path: Path) -> None:
    started, parts = _runner_with_stand_in_parts(tmp_path)
    try:
        os.kill(started.process.pid, signal.SIGKILL)
        assert _wait_until(lambda: not any(_alive(pid) for pid in parts), 10) is not None
    finally:
        _kill_leftovers(started, parts)


@dataclass
class MakeRun:
    """`make run` on free ports, up and answering, with the pids of its parts."""

    started: Started
    ports: dict[str, int]
    runner: int
    parts: set[int]

    def free_and_gone(self) -> bool:
        pids = {self.runner, *self.parts}
        return all(_port_free(p) for p in self.ports.values()) and not any(map(_alive, pids))


# One `make run` per case, started together: the starts (about 30-60 s each) overlap,
# which keeps the file near three minutes on two cores.
CASES = ("sigterm", "two_sigterms", "kill_9")


def _start_make_run(var_dir: Path) -> tuple[Started, dict[str, int]]:
    ports = {
        "--port": free_port(),
        "--rasa-port": free_port(),
        "--action-port": free_port(),
        "--backoffice-port": free_port(),
    }
    run_args = " ".join(f"{option} {port}" for option, port in ports.items())
    env = {**os.environ, "ANTRAGSLOTSE_VAR_DIR": str(var_dir)}
    return _spawn_group(["make", "run", f"RUN_ARGS={run_args}"], env), ports


def _until_up(started: Started, ports: dict[str, int]) -> MakeRun:
    chat_page = f"http://127.0.0.1:{ports['--port']}/"

    def answers() -> bool:  # all parts up (the runner says so) and the chat page answers
        assert started.process.poll() is None, "".join(started.output)
        if not any("Press Ctrl-C to stop." in line for line in started.output):
            return False
        try:
            with urllib.request.urlopen(chat_page, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    assert _wait_until(answers, START_LIMIT_S) is not None, "".join(started.output)
    (runner,) = _children(started.process.pid)
    parts = _children(runner)
    listening = set().union(*(_listening_pids(port) for port in ports.values()))
    assert len(parts) == 3 and listening <= parts, (parts, listening)
    return MakeRun(started, ports, runner, parts)


@pytest.fixture(scope="module")
def make_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, MakeRun]]:
    if not MODEL.exists() or not FINGERPRINT.exists():
        pytest.fail("no trained model: run `make prepare` (the test command does it)")
    if FINGERPRINT.read_text() != training_fingerprint():
        pytest.fail("the model is older than its inputs: `make run` would train; `make prepare`")
    starting = {case: _start_make_run(tmp_path_factory.mktemp(case)) for case in CASES}
    runs: dict[str, MakeRun] = {}
    try:
        for case, (started, ports) in starting.items():
            runs[case] = _until_up(started, ports)
        yield runs
    finally:
        for case, (started, _) in starting.items():
            _kill_leftovers(started, runs[case].parts if case in runs else set())


def _no_traceback(output: str) -> None:
    assert "Traceback" not in output, output
    # The runner exited 0 (a clean stop); make reports any other status as "Error".
    assert not re.search(r"make: \*\*\* .* Error", output), output


@pytest.mark.stack
def test_sigterm_to_the_group_of_make_run(make_runs: dict[str, MakeRun]) -> None:
    make_run = make_runs["sigterm"]
    os.killpg(make_run.started.process.pid, signal.SIGTERM)
    took = _wait_until(make_run.free_and_gone, FREE_LIMIT_S)
    output = make_run.started.finish()
    assert took is not None, output
    print(f"SIGTERM to the group: ports free, parts gone after {took:.1f} s")
    _no_traceback(output)
    assert "Stopped." in output
    assert make_run.started.process.returncode == -signal.SIGTERM  # make dies of it, after


@pytest.mark.stack
def test_two_sigterms_to_the_group_of_make_run(make_runs: dict[str, MakeRun]) -> None:
    make_run = make_runs["two_sigterms"]
    os.killpg(make_run.started.process.pid, signal.SIGTERM)
    time.sleep(0.5)
    os.killpg(make_run.started.process.pid, signal.SIGTERM)
    took = _wait_until(make_run.free_and_gone, FREE_LIMIT_S)
    output = make_run.started.finish()
    assert took is not None, output
    print(f"two SIGTERMs to the group: ports free, parts gone after {took:.1f} s")
    _no_traceback(output)
    assert "Stopped." in output


@pytest.mark.stack
def test_kill_9_of_the_runner_alone(make_runs: dict[str, MakeRun]) -> None:
    make_run = make_runs["kill_9"]
    os.kill(make_run.runner, signal.SIGKILL)
    took = _wait_until(make_run.free_and_gone, FREE_LIMIT_S)
    output = make_run.started.finish()
    assert took is not None, output
    print(f"kill -9 of the runner: ports free, parts gone after {took:.1f} s")
