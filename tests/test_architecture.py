"""The rooms of bot/ and their one-way arrows (docs/architecture.md), checked on the source.

A module may import from its own room and from rooms on lower layers only, so a
newcomer can change a lower room without reading the ones above it, and no cycle
can creep in. A new top-level module or package must be given a layer here.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Bottom first. A room is a package of bot/ or a top-level module of it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("yaml_files",),  # reading YAML: nothing of ours
    ("languages", "contracts", "bearer", "logs", "rasa_speedups"),  # nothing else of ours
    ("parsing", "nlp"),  # reading answers and messages
    ("definitions", "nlg"),  # applications as data; texts and their formatting
    ("forms",),  # the dialogue, pure: no I/O
    ("storage",),  # the database, encryption, files
    ("internal_auth", "tracker_store", "backoffice"),  # the inbox only receives
    ("delivery",),  # outbox, worker, targets
    ("submission", "housekeeping"),
    ("turns", "channels", "action_server", "nlg_endpoint"),  # one turn; the doors
    ("actions", "service", "stack"),  # wiring: the action, the service, the processes
    ("cluster",),  # several stacks behind a load balancer
    ("cli",),  # the commands that start them
)
LAYER = {room: depth for depth, rooms in enumerate(LAYERS) for room in rooms}


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[0] if parts[0] == "actions" else parts[1]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "bot" or name.startswith("bot.")}


def _modules() -> list[tuple[str, Path]]:
    paths = [*sorted((ROOT / "bot").rglob("*.py")), *sorted((ROOT / "actions").rglob("*.py"))]
    modules = [(".".join(p.relative_to(ROOT).with_suffix("").parts), p) for p in paths]
    return [(m, p) for m, p in modules if m not in ("bot.__init__", "actions.__init__")]


def test_every_room_has_a_layer() -> None:
    assert sorted({_room(m) for m, _ in _modules()} - set(LAYER)) == []


def test_imports_only_go_down() -> None:
    against = sorted(
        f"{module} -> {imported}"
        for module, path in _modules()
        for imported in _imports(path)
        if imported != "bot"
        and _room(imported) != _room(module)
        and LAYER.get(_room(imported), 99) >= LAYER.get(_room(module), -1)
    )
    assert against == []


def test_no_module_is_much_over_400_lines() -> None:
    long = {m: n for m, p in _modules() if (n := len(p.read_text("utf-8").splitlines())) > 420}
    assert long == {}
