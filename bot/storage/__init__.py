"""Where the project keeps state on disk: the database and the data key.

Only `var_dir()` lives here so that `crypto` and `database` can share it without
importing each other.
"""

from __future__ import annotations

import os
from pathlib import Path

VAR_DIR_ENV = "ANTRAGSLOTSE_VAR_DIR"


def var_dir(create: bool = True) -> Path:
    """Return the directory for local state (`ANTRAGSLOTSE_VAR_DIR`, default `./var`).

    Created with mode 0700 on first use, because it may hold the data key and
    the SQLite database with (encrypted) personal data.
    """
    path = Path(os.environ.get(VAR_DIR_ENV) or "var")
    if create:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path
