"""tools/audit_lock.py: matching of lock pins against OSV advisories, and the real audit."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_lock", ROOT / "tools" / "audit_lock.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


audit = load_audit()

ADVISORY = """\
id: PYSEC-0000-1
summary: Request smuggling in example
aliases: [CVE-2099-0001]
affected:
- package: {name: Example_Pkg, ecosystem: PyPI}
  ranges:
  - type: ECOSYSTEM
    events: [{introduced: "0"}, {fixed: "1.4.0"}, {introduced: "2.0"}, {last_affected: "2.1"}]
"""
LISTED = """\
id: PYSEC-0000-2
details: Listed versions only.
affected:
- package: {name: other, ecosystem: PyPI}
  versions: ["0.9", "1.0"]
"""
WITHDRAWN = """\
id: PYSEC-0000-3
withdrawn: "2099-01-01T00:00:00Z"
affected:
- package: {name: other, ecosystem: PyPI}
  versions: ["1.0"]
"""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    root = tmp_path / "vulns"
    for name, text in {"a.yaml": ADVISORY, "b.yaml": LISTED, "c.yaml": WITHDRAWN}.items():
        (root / name[0]).mkdir(parents=True)
        (root / name[0] / name).write_text(text, encoding="utf-8")
    return root


def findings(db: Path, lock: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    pins = {audit.normalize(n): v for n, v in (line.split("==") for line in lock.split())}
    return [
        (f.package, f.version, f.id, f.fixed) for f in audit.match(pins, audit.iter_advisories(db))
    ]


def test_affected_fixed_and_unaffected_versions(db: Path) -> None:
    assert findings(db, "example.pkg==1.3.9 other==1.0") == [
        ("example-pkg", "1.3.9", "PYSEC-0000-1", ("1.4.0",)),
        ("other", "1.0", "PYSEC-0000-2", ()),
    ]
    assert findings(db, "example-pkg==1.4.0 other==1.1") == []  # fixed; not listed
    assert findings(db, "example-pkg==2.1") != []  # last_affected is affected
    assert findings(db, "example-pkg==2.1.1 unrelated==1.0") == []


def test_exit_code_follows_the_allow_list(db: Path, tmp_path: Path, capsys) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("Example_Pkg==1.0\nother==2.0\n", encoding="utf-8")
    allow = tmp_path / "known.yml"
    args = ["--db", str(db), "--lock", str(lock), "--allow", str(allow)]
    assert audit.main(args) == 1
    assert "NEW   example-pkg==1.0  PYSEC-0000-1 (CVE-2099-0001)" in capsys.readouterr().out

    allow.write_text(
        "findings:\n- {package: example.pkg, ids: [CVE-2099-0001], held_by: test}\n",
        encoding="utf-8",
    )
    assert audit.main(args) == 0
    assert "0 not in known.yml" in capsys.readouterr().out


def test_requirements_lock_has_no_unexplained_advisories(capsys) -> None:
    """Against the snapshot in security/ (or a full database in ANTRAGSLOTSE_ADVISORY_DB)."""
    db = os.environ.get("ANTRAGSLOTSE_ADVISORY_DB") or str(ROOT / "security" / "advisories.json")
    assert audit.main(["--db", db]) == 0, "new advisories: fix the pin or explain it in security/"
    assert " 0 not in known-findings.yml" in capsys.readouterr().out


def test_a_package_the_snapshot_was_not_cut_for_fails_the_audit(tmp_path: Path, capsys) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text((ROOT / "requirements.lock").read_text() + "brand-new-package==1.0\n")
    snapshot = str(ROOT / "security" / "advisories.json")
    assert audit.main(["--db", snapshot, "--lock", str(lock)]) == 1
    assert "does not cover brand-new-package" in capsys.readouterr().out
