"""Encryption of personal data at rest.

Everything a citizen tells us is social data (Sozialdaten); it is stored only as
Fernet tokens (AES-128-CBC + HMAC-SHA-256). `MultiFernet` lets operators rotate
keys: the first key encrypts, all keys decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.storage import var_dir

log = logging.getLogger(__name__)

DATA_KEY_ENV = "ANTRAGSLOTSE_DATA_KEY"
KEY_FILE_NAME = "data.key"

__all__ = ["DATA_KEY_ENV", "DataBox", "InvalidToken"]


def _split_keys(text: str) -> list[str]:
    """Keys are separated by commas or line breaks; blanks are ignored."""
    return [k.strip() for k in text.replace("\n", ",").split(",") if k.strip()]


class DataBox:
    """Seals bytes or JSON values with the project's data key(s)."""

    def __init__(self, keys: Iterable[str | bytes]) -> None:
        keys = list(keys)
        fernets = []
        for number, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                # never echo the key itself
                raise ValueError(f"data key #{number} is not a valid Fernet key") from None
        if not fernets:
            raise ValueError("at least one data key is needed")
        self._fernet = MultiFernet(fernets)
        first = next(iter(keys))
        self._lookup_key = hashlib.sha256(b"lookup:" + _as_bytes(first)).digest()

    @staticmethod
    def generate_key() -> str:
        """A fresh key, e.g. for `ANTRAGSLOTSE_DATA_KEY`."""
        return Fernet.generate_key().decode("ascii")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DataBox:
        """Keys from `ANTRAGSLOTSE_DATA_KEY`, else from `<var dir>/data.key` (created if needed).

        The key file makes local runs work without setup; production sets the
        variable (from a secret store) so the key never sits next to the data.
        """
        env = os.environ if environ is None else environ
        keys = _split_keys(env.get(DATA_KEY_ENV, ""))
        if keys:
            return cls(keys)
        return cls(_split_keys(_key_file(var_dir() / KEY_FILE_NAME)))

    def fingerprint(self, text: str) -> str:
        """A keyed hash for finding a secret (a resume code) without storing it.

        Keyed, so a stolen database alone cannot test all codes offline.
        """
        return hmac.new(self._lookup_key, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def seal(self, data: bytes) -> bytes:
        """Encrypt with the first key."""
        return self._fernet.encrypt(data)

    def open(self, token: bytes) -> bytes:
        """Decrypt with any key; raises `InvalidToken` if none fits or the token was altered."""
        return self._fernet.decrypt(bytes(token))

    def seal_json(self, obj: Any) -> bytes:
        """Encrypt a JSON value; key order is kept so the payload round-trips exactly."""
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return self.seal(text.encode("utf-8"))

    def open_json(self, token: bytes) -> Any:
        """Decrypt a token made by `seal_json`."""
        return json.loads(self.open(token).decode("utf-8"))

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt a token with the current first key (for key rotation jobs)."""
        return self._fernet.rotate(bytes(token))


def _as_bytes(key: str | bytes) -> bytes:
    return key.encode("ascii") if isinstance(key, str) else key


def _key_file(path: Path) -> str:
    """Read the key file, creating it atomically (mode 0600) if it does not exist.

    Two processes (action server, service) may start at once: each writes a
    candidate to its own temp file and hard-links it into place; `link` fails
    for the loser, which then reads the winner's key.
    """
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(DataBox.generate_key() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, path)
                log.warning(
                    "created a new data key file %s; set %s in production",
                    path,
                    DATA_KEY_ENV,
                )
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("data key file %s is readable by others (mode %o)", path, mode)
    return path.read_text(encoding="ascii")
