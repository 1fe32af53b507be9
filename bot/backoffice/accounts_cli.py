"""`python -m bot.cli caseworker ...`: city IT manages caseworker accounts.

The password is typed at a prompt (twice) or piped on stdin, never passed as
an argument: argv shows up in `ps`, shell history and process accounting.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.backoffice.accounts import AccountError, Accounts
from bot.storage.crypto import DataBox
from bot.storage.database import create_tables, make_engine


def read_password(from_stdin: bool) -> str:
    """One line from stdin (scripts, or when stdin is not a terminal), else a prompt twice."""
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Same password again: ") != first:
        sys.exit("error: the passwords differ; nothing was changed")
    return first


def caseworker(args: argparse.Namespace) -> None:
    engine = make_engine()
    create_tables(engine)
    accounts = Accounts(engine, DataBox.from_env())
    try:
        if args.action == "add":
            accounts.add(args.login, read_password(args.password_stdin))
            print(f"account {args.login} created")
        elif args.action in ("disable", "enable"):
            accounts.set_disabled(args.login, args.action == "disable")
            print(f"account {args.login} {args.action}d")
        else:
            for login, disabled in accounts.logins():
                print(f"{login}\t{'disabled' if disabled else 'active'}")
    except AccountError as exc:
        sys.exit(f"error: {exc}")
    finally:
        engine.dispose()
