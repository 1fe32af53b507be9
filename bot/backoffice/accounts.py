"""Caseworker accounts and their sessions for the inbox API.

People log in with their own account, so the audit log can say who read what;
the machine token stays for machine clients. Passwords are stored only as
argon2id hashes. A session token is shown once, at login; the database keeps
only its keyed hash (`DataBox.fingerprint`), so a copy of the database opens no
session. Disabling an account ends its sessions at once.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.storage.crypto import DataBox
from bot.storage.database import UtcDateTime, metadata, utcnow

SESSION_TTL = timedelta(hours=8)  # one working day; then log in again
SESSION_PREFIX = "bos_"  # tells a session token from the machine token at a glance
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024  # argon2 hashes anything, but a megabyte password is an attack
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

accounts_table = sa.Table(
    "backoffice_accounts",
    metadata,
    sa.Column("login", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

sessions_table = sa.Table(
    "backoffice_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("login", sa.String(64), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)


class AccountError(ValueError):
    """A refused account change; the message names no password."""


@dataclass(frozen=True)
class Session:
    """What login hands out: the token (once) and when it stops working."""

    token: str
    login: str
    expires_at: datetime


class Accounts:
    """Accounts, password checks and sessions, on the project database."""

    def __init__(
        self,
        engine: Engine,
        box: DataBox,
        hasher: PasswordHasher | None = None,
        session_ttl: timedelta = SESSION_TTL,
    ) -> None:
        self._engine = engine
        self._box = box
        self._hasher = hasher or PasswordHasher()
        self._ttl = session_ttl
        # Verified when the login is unknown, so a wrong login takes as long as a wrong password.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    # ------------------------------------------------------------ accounts

    def add(self, login: str, password: str) -> None:
        """Create an account; raises AccountError for a bad login, weak password or a duplicate."""
        if not LOGIN_PATTERN.match(login):
            raise AccountError(
                "login: 2-64 characters a-z 0-9 . _ -, starting with a letter or digit"
            )
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
        if len(password) > MAX_PASSWORD_CHARS:
            raise AccountError(f"the password may have at most {MAX_PASSWORD_CHARS} characters")
        row = {
            "login": login,
            "password_hash": self._hasher.hash(password),
            "disabled": False,
            "created_at": utcnow(),
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(accounts_table.insert().values(**row))
        except IntegrityError:
            raise AccountError(f"an account {login!r} exists already") from None

    def set_disabled(self, login: str, disabled: bool = True) -> None:
        """Disable (ending every session) or enable again; raises AccountError if unknown."""
        with self._engine.begin() as conn:
            changed = conn.execute(
                accounts_table.update()
                .where(accounts_table.c.login == login)
                .values(disabled=disabled)
            ).rowcount
            if disabled:
                conn.execute(sessions_table.delete().where(sessions_table.c.login == login))
        if changed != 1:
            raise AccountError(f"no account {login!r}")

    def logins(self) -> list[tuple[str, bool]]:
        """(login, disabled) for every account, sorted."""
        c = accounts_table.c
        with self._engine.connect() as conn:
            return [
                tuple(r) for r in conn.execute(sa.select(c.login, c.disabled).order_by(c.login))
            ]

    def check_password(self, login: str, password: str) -> bool:
        """True only for an enabled account and its password; slow on purpose (argon2)."""
        if len(password) > MAX_PASSWORD_CHARS:
            return False
        c = accounts_table.c
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(c.password_hash, c.disabled).where(c.login == login)
            ).one_or_none()
        try:
            self._hasher.verify(row.password_hash if row else self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if row is None or row.disabled:
            return False
        if self._hasher.check_needs_rehash(row.password_hash):
            with self._engine.begin() as conn:
                conn.execute(
                    accounts_table.update()
                    .where(c.login == login)
                    .values(password_hash=self._hasher.hash(password))
                )
        return True

    # ------------------------------------------------------------ sessions

    def open_session(self, login: str, now: datetime | None = None) -> Session:
        """A new session for an account whose password was just checked."""
        now = now or utcnow()
        token = SESSION_PREFIX + secrets.token_urlsafe(32)
        expires_at = now + self._ttl
        with self._engine.begin() as conn:
            conn.execute(sessions_table.delete().where(sessions_table.c.expires_at <= now))
            conn.execute(
                sessions_table.insert().values(
                    token_hash=self._box.fingerprint(token),
                    login=login,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        return Session(token, login, expires_at)

    def session_login(self, token: str, now: datetime | None = None) -> str | None:
        """The login a live session token belongs to; None if unknown, expired or disabled."""
        if not token.startswith(SESSION_PREFIX) or len(token) > 128:
            return None
        s, a = sessions_table.c, accounts_table.c
        query = (
            sa.select(s.login)
            .join_from(sessions_table, accounts_table, s.login == a.login)
            .where(
                s.token_hash == self._box.fingerprint(token),
                s.expires_at > (now or utcnow()),
                a.disabled.is_(False),
            )
        )
        with self._engine.connect() as conn:
            return conn.execute(query).scalar_one_or_none()

    def close_session(self, token: str) -> None:
        """Log out: the token stops working."""
        with self._engine.begin() as conn:
            conn.execute(
                sessions_table.delete().where(
                    sessions_table.c.token_hash == self._box.fingerprint(token)
                )
            )
