"""The service reads its own copy of the contracts; it must not drift from the shared ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDORED = ROOT / "contracts"
SHARED = ROOT.parent / "shared" / "contracts"


def _files(folder: Path) -> dict[str, bytes]:
    """Schemas, examples and the checker, by path relative to `folder`."""
    patterns = ("*.schema.json", "examples/*.example.json", "check_contracts.py")
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for pattern in patterns
        for p in sorted(folder.glob(pattern))
    }


def test_vendored_contracts_match_shared() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not present")
    vendored, shared = _files(VENDORED), _files(SHARED)
    assert sorted(vendored) == sorted(shared)
    differing = [name for name in shared if vendored[name] != shared[name]]
    assert differing == [], f"vendored contracts differ from {SHARED}: {differing}"


def test_vendored_check_contracts_self_test_passes() -> None:
    result = subprocess.run(
        [sys.executable, str(VENDORED / "check_contracts.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "contracts ok" in result.stdout
