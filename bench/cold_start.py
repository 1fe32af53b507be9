"""Cold start of `make run` on a trained model, and the whole stack's resident memory.

Starts `python -m bot.cli run` (what `make run` runs) on free ports with a fresh
state directory, times it until the first REST answer (target ≤ 45 s), then
reads the resident memory of every process of the stack (goal ≤ 2 GB in all).

    .venv/bin/python bench/cold_start.py
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.stack import free_port  # noqa: E402


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree(root: int) -> dict[int, str]:
    """Every process under `root` (the parts run in their own sessions), by command."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        found[pid] = command.strip()
        todo += children.get(pid, [])
    return found


def first_answer(url: str, token: str, deadline: float) -> None:
    body = json.dumps({"sender": "cold-start", "message": "/start", "metadata": {}}).encode()
    request = urllib.request.Request(
        url, body, {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    )
    while True:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                if json.loads(response.read()):
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main() -> None:
    ports = {name: free_port() for name in ("port", "rasa-port", "action-port", "backoffice-port")}
    token = secrets.token_urlsafe(32)
    with tempfile.TemporaryDirectory() as var:
        env = {
            **os.environ,
            "ANTRAGSLOTSE_VAR_DIR": var,
            "ANTRAGSLOTSE_REST_TOKEN": token,
            "ANTRAGSLOTSE_BACKOFFICE_TOKEN": secrets.token_urlsafe(32),
        }
        args = [f"--{name}={port}" for name, port in ports.items()]
        began = time.monotonic()
        runner = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{ports['rasa-port']}/webhooks/rest/webhook"
            first_answer(url, token, began + 300)
            seconds = time.monotonic() - began
            time.sleep(2)  # the parts settle after their first turn
            memory = {
                pid: (command, resident_mb(pid))
                for pid, command in process_tree(runner.pid).items()
            }
        finally:
            os.killpg(runner.pid, signal.SIGTERM)
            runner.wait(timeout=60)
    print(f"cold start of `make run` to the first answer: {seconds:.1f} s (target <= 45 s)")
    for command, mb in sorted(memory.values(), key=lambda item: -item[1]):
        print(f"  {mb:7.0f} MB  {command[:90]}")
    total = sum(mb for _, mb in memory.values())
    print(f"resident memory of the whole stack: {total:.0f} MB (goal <= 2048 MB)")


if __name__ == "__main__":
    main()
