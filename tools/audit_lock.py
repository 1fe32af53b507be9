"""Offline vulnerability check of requirements.lock against an OSV advisory database.

Why this exists: pip-audit needs pypi.org's JSON API or api.osv.dev, which the build and
deployment machines of the cities often cannot reach, and without them it reports "No known
vulnerabilities found" without having checked anything. This script reads a local copy of an
OSV database instead (github.com/pypa/advisory-database: a checkout, or a bare git dir + ref),
matches every `name==version` pin of the lock, and fails on findings that are not explained in
security/known-findings.yml (mostly pins that Rasa 3.6.21 holds; see README "Security").

    python tools/audit_lock.py --db <advisory-database dir or bare .git> [--ref HEAD]
    python tools/audit_lock.py --db <...> --export security/advisories.json --source "<where, when>"
    python tools/audit_lock.py --db security/advisories.json     # what the tests run
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    id: str
    aliases: tuple[str, ...]
    summary: str
    fixed: tuple[str, ...]

    def line(self) -> str:
        cves = ", ".join(a for a in self.aliases if a.startswith("CVE-"))
        fixed = ", ".join(self.fixed) or "no fixed version"
        ids = f"{self.id} ({cves})" if cves else self.id
        return f"{self.package}=={self.version}  {ids}  {self.summary}  [fixed: {fixed}]"


def normalize(name: str) -> str:
    """PEP 503 name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[normalize(name.split("[", 1)[0])] = version.strip()
    return pins


def _parse(text: str, name: str) -> dict[str, Any]:
    data = json.loads(text) if name.endswith(".json") else yaml.load(text, Loader=Loader)
    return data if isinstance(data, dict) else {}


def iter_advisories(db: Path, ref: str = "HEAD") -> Iterator[dict[str, Any]]:
    """OSV records from a snapshot file (`--export`), a directory, or `ref` of a bare git dir."""
    suffixes = (".yaml", ".yml", ".json")
    if db.is_file():
        yield from json.loads(db.read_text(encoding="utf-8"))["advisories"]
    elif (db / "objects").is_dir() and (db / "HEAD").is_file():
        git = ["git", f"--git-dir={db}"]
        names = subprocess.run(
            [*git, "ls-tree", "-r", "--name-only", ref], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        names = [n for n in names if n.endswith(suffixes) and not n.startswith(".")]
        batch = "".join(f"{ref}:{n}\n" for n in names).encode()
        out = subprocess.run(
            [*git, "cat-file", "--batch"], input=batch, capture_output=True, check=True
        )
        blob, pos = out.stdout, 0
        for name in names:
            header_end = blob.index(b"\n", pos)
            size = int(blob[pos:header_end].split()[2])
            yield _parse(blob[header_end + 1 : header_end + 1 + size].decode("utf-8"), name)
            pos = header_end + 1 + size + 1
    else:
        for path in sorted(p for p in db.rglob("*") if p.suffix in suffixes and p.is_file()):
            yield _parse(path.read_text(encoding="utf-8"), path.name)


def _v(text: str) -> Version | None:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def in_range(version: Version, events: list[dict[str, str]]) -> bool:
    """OSV ECOSYSTEM range: introduced <= v < fixed, or introduced <= v <= last_affected."""
    parsed = [(kind, _v(value)) for event in events for kind, value in event.items()]
    affected = False
    for kind, at in sorted((e for e in parsed if e[1] is not None), key=lambda e: e[1]):
        if at > version or (kind == "last_affected" and at == version):
            break
        affected = kind == "introduced"
    return affected


def match(pins: dict[str, str], advisories: Iterable[dict[str, Any]]) -> list[Finding]:
    findings: list[Finding] = []
    for adv in advisories:
        if adv.get("withdrawn"):
            continue
        for aff in adv.get("affected") or []:
            pkg = aff.get("package") or {}
            pinned = pins.get(normalize(str(pkg.get("name", ""))))
            if pkg.get("ecosystem") != "PyPI" or pinned is None or (v := _v(pinned)) is None:
                continue
            ranges = [r for r in aff.get("ranges") or [] if r.get("type") == "ECOSYSTEM"]
            listed = {_v(x) for x in aff.get("versions") or []}
            if v in listed or any(in_range(v, r.get("events") or []) for r in ranges):
                fixed = sorted(
                    {str(e["fixed"]) for r in ranges for e in r.get("events") or [] if "fixed" in e}
                )
                text = adv.get("summary") or str(adv.get("details", "")).strip()
                summary = " ".join(text.split())[:100]
                aliases = tuple(adv.get("aliases") or ())
                name = normalize(pkg["name"])
                findings.append(Finding(name, pinned, adv["id"], aliases, summary, tuple(fixed)))
                break
    return sorted(findings, key=lambda f: (f.package, f.id))


def export_snapshot(pins: dict[str, str], db: Path, ref: str, target: Path, source: str) -> int:
    """The advisories of the pinned packages, small enough to keep in the repository.

    CI has no copy of the database; this snapshot lets every test run audit the lock.
    It names the packages it was cut for, so a package added to the lock later is
    reported as not covered until the snapshot is made again.
    """
    kept = []
    for adv in iter_advisories(db, ref):
        affected = [
            # OSV's `versions` repeats what the ranges say; keep it only without ranges.
            {k: a[k] for k in ("package", "ranges") if k in a}
            if a.get("ranges")
            else {k: a[k] for k in ("package", "versions") if k in a}
            for a in adv.get("affected") or []
            if normalize(str((a.get("package") or {}).get("name", ""))) in pins
        ]
        if affected and not adv.get("withdrawn"):
            text = adv.get("summary") or str(adv.get("details", "")).strip()
            summary = " ".join(text.split())[:100]
            aliases = adv.get("aliases") or []
            kept.append(
                {"id": adv["id"], "aliases": aliases, "summary": summary, "affected": affected}
            )
    snapshot = {"source": source, "packages": sorted(pins), "advisories": kept}
    target.write_text(json.dumps(snapshot, separators=(",", ":"), sort_keys=True) + "\n")
    return len(kept)


def not_covered(pins: dict[str, str], db: Path) -> list[str]:
    """Pinned packages a snapshot file was not cut for (a directory covers everything)."""
    if not db.is_file():
        return []
    covered = set(json.loads(db.read_text(encoding="utf-8"))["packages"])
    return sorted(set(pins) - covered)


def read_allowed(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """(package, advisory id or alias) -> entry of security/known-findings.yml."""
    if not path.is_file():
        return {}
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("findings") or []
    allowed: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in entries:
        for adv_id in entry.get("ids") or [entry.get("id")]:
            allowed[(normalize(entry["package"]), str(adv_id))] = entry
    return allowed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="OSV directory or bare git dir")
    parser.add_argument("--ref", default="HEAD", help="git ref when --db is a bare git dir")
    parser.add_argument("--lock", type=Path, default=ROOT / "requirements.lock")
    parser.add_argument("--allow", type=Path, default=ROOT / "security/known-findings.yml")
    parser.add_argument("--export", type=Path, help="write a snapshot for the lock's packages")
    parser.add_argument("--source", default="", help="with --export: where the database came from")
    args = parser.parse_args(argv)

    pins = read_lock(args.lock)
    if args.export:
        count = export_snapshot(pins, args.db, args.ref, args.export, args.source)
        print(f"{count} advisories of {len(pins)} pinned packages written to {args.export}")
        return 0
    missing = not_covered(pins, args.db)
    if missing:
        print(f"the snapshot does not cover {', '.join(missing)}: make it again (--export)")
        return 1
    findings = match(pins, iter_advisories(args.db, args.ref))
    allowed = read_allowed(args.allow)
    used: set[tuple[str, str]] = set()
    new = 0
    for finding in findings:
        keys = [(finding.package, i) for i in (finding.id, *finding.aliases)]
        hit = next((k for k in keys if k in allowed), None)
        used.update([hit] if hit else [])
        new += hit is None
        print(("known " if hit else "NEW   ") + finding.line())
    for package, adv_id in sorted(set(allowed) - used):
        print(f"stale allow-list entry (no longer found): {package} {adv_id}")
    print(f"{len(pins)} pins checked, {len(findings)} findings, {new} not in {args.allow.name}")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
