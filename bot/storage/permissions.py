"""Private files: the var dir 0700, everything in it 0600, and key files nobody else reads.

Every process we start calls `secure_start` first. Its umask (077) makes what the
process creates later private: databases with their WAL files, logs, keys; Rasa
and the action server, started by `bot.stack` as children, inherit it. A var dir
left by an older version is tightened. A key file that group or others could read
is not tightened but refused: its key may already have been copied, so the
operator has to replace it (`python -m bot.cli rotate-key`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.storage import var_dir
from bot.storage.crypto import check_private

PRIVATE_UMASK = 0o077
SECRET_SUFFIXES = (".key", ".token")  # data.key, lookup.key, session.key, internal.token


def secure_start(root: Path | None = None) -> Path:
    """Set the umask, refuse exposed key files, tighten the var dir; returns the var dir.

    Raises `KeyFileExposed` (its message names the file, never the key).
    """
    os.umask(PRIVATE_UMASK)
    root = root or var_dir()
    for path in root.iterdir():
        if path.suffix in SECRET_SUFFIXES and path.is_file() and not path.is_symlink():
            check_private(path)
    tighten(root)
    return root


def tighten(root: Path) -> None:
    """Directories 0700, files 0600 (symlinks are left alone: they may point anywhere)."""
    root.chmod(0o700)
    for folder, dirs, files in os.walk(root):  # does not follow symlinks
        for name in dirs + files:
            path = Path(folder, name)
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode):
                path.chmod(0o700)
            elif stat.S_ISREG(mode):
                path.chmod(0o600)
