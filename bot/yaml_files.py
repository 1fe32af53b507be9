"""YAML read with libyaml's C parser: our texts, definitions and tables, at every start.

PyYAML's pure-Python `safe_load` took 5.5 s for the 88 files of locales/ alone, which
`make run` reads before it starts anything (to generate Rasa's files) and the action
server and the service read again; the C parser reads the same data in 0.6 s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML without libyaml: slower


def read_yaml(path: Path) -> Any:
    """yaml.safe_load of the file, by the C parser where PyYAML has it."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506 - safe
