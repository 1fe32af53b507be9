"""Encryption of personal data at rest.

Everything a citizen tells us is social data (Sozialdaten); it is stored only as
Fernet tokens (AES-128-CBC + HMAC-SHA-256). `MultiFernet` lets operators rotate
keys: the first key encrypts, all keys decrypt.

Resume codes are found by a keyed hash whose key (the lookup key) is kept apart
from the data keys (`ANTRAGSLOTSE_LOOKUP_KEY` or `<var dir>/lookup.key`): a key
rotation must not turn every issued code into a stranger. The lookup key file is
made once from the first data key as it was before (the old derivation), so codes
issued before the file existed keep working.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.storage import var_dir

log = logging.getLogger(__name__)

DATA_KEY_ENV = "ANTRAGSLOTSE_DATA_KEY"
KEY_FILE_NAME = "data.key"
LOOKUP_KEY_ENV = "ANTRAGSLOTSE_LOOKUP_KEY"
LOOKUP_KEY_FILE_NAME = "lookup.key"
MIN_LOOKUP_SECRET = 32  # characters of an operator-chosen lookup key

__all__ = ["DATA_KEY_ENV", "DataBox", "InvalidToken", "KeyFileExposed"]


class KeyFileExposed(RuntimeError):
    """A key file may be read or changed by others: refuse to start rather than use it."""


def _split_keys(text: str) -> list[str]:
    """Keys are separated by commas or line breaks; blanks are ignored."""
    return [k.strip() for k in text.replace("\n", ",").split(",") if k.strip()]


class DataBox:
    """Seals bytes or JSON values with the project's data key(s)."""

    def __init__(self, keys: Iterable[str | bytes], lookup_key: bytes | None = None) -> None:
        """`lookup_key` keys `fingerprint`; by default derived from the first key (old way)."""
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
        self._lookup_key = lookup_key or legacy_lookup_key(keys[0])

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
        keys = _split_keys(env.get(DATA_KEY_ENV, "")) or _split_keys(
            _key_file(var_dir() / KEY_FILE_NAME)
        )
        lookup = env.get(LOOKUP_KEY_ENV, "").strip() or _key_file(
            var_dir() / LOOKUP_KEY_FILE_NAME,
            lambda: base64.urlsafe_b64encode(legacy_lookup_key(keys[0])).decode("ascii"),
        )
        return cls(keys, lookup_key=_lookup_secret(lookup))

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


def legacy_lookup_key(first_data_key: str | bytes) -> bytes:
    """How the lookup key used to be derived: from the first data key."""
    return hashlib.sha256(b"lookup:" + _as_bytes(first_data_key)).digest()


def _lookup_secret(text: str) -> bytes:
    """The file's form (base64 of 32 bytes), or any secret of at least 32 characters."""
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
        if len(raw) == 32:
            return raw
    except (binascii.Error, ValueError, UnicodeEncodeError):
        pass
    if len(text) < MIN_LOOKUP_SECRET:
        raise ValueError(f"{LOOKUP_KEY_ENV} must have at least {MIN_LOOKUP_SECRET} characters")
    return text.encode("utf-8")


def check_private(path: Path) -> None:
    """Refuse a key file that group or others may read or write (its key may have leaked).

    The message names the file and its mode, never its content.
    """
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise KeyFileExposed(
            f"{path} is readable or writable by group or others (mode {mode:o}); "
            f"its key may have leaked. Run `chmod 600 {path}`, then replace the key "
            "(`python -m bot.cli rotate-key`)."
        )


def _key_file(path: Path, new: Callable[[], str] | None = None) -> str:
    """Read the key file, creating it atomically (mode 0600) if it does not exist.

    `new` makes the content of a new file (default: a fresh data key). A file that
    group or others may access is refused (`KeyFileExposed`).

    Two processes (action server, service) may start at once: each writes a
    candidate to its own temp file and hard-links it into place; `link` fails
    for the loser, which then reads the winner's key.
    """
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write((new or DataBox.generate_key)() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, path)
                log.warning(
                    "created the key file %s; production sets keys from a secret store", path
                )
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    check_private(path)
    return path.read_text(encoding="ascii")


def secret_from_file(name: str) -> str:
    """A random secret kept in `<var dir>/<name>` (0600), made on first use.

    For secrets that must survive restarts and be shared by our processes on one
    machine (conversation tokens, the internal token); production may set them instead.
    """
    return _key_file(var_dir() / name).strip()
