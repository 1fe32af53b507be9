"""The rasa-sdk action server, closed to everyone but our Rasa.

`rasa run actions` listens on every interface, answers anyone, inflates
`Content-Encoding: deflate` bodies without limit and echoes the request body (the
whole conversation) in its error responses. This starts the same rasa-sdk app with:

- 127.0.0.1 unless told otherwise (`--host`);
- `Authorization: Bearer <internal token>` required (bot/internal_auth.py), except on
  `/health`;
- deflate bodies inflated up to MAX_BODY_BYTES, larger ones refused with 413;
- errors answered with a bare 500 and logged by type only.

    python -m bot.action_server --port 5055
"""

from __future__ import annotations

import argparse
import logging
import sys
import zlib

from rasa_sdk.endpoint import create_app
from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.internal_auth import internal_call_ok, internal_token
from bot.storage.crypto import KeyFileExposed
from bot.storage.permissions import secure_start

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 16 * 1024 * 1024


def inflate(body: bytes, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The inflated body, or None when it is not deflate data or would exceed `limit`."""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error:
        return None
    if len(data) > limit or inflater.unconsumed_tail:
        return None
    return data


def create_action_app(actions_package: str = "actions") -> Sanic:
    app = create_app(actions_package, cors_origins=None)
    token = internal_token()

    @app.middleware("request")
    async def only_our_rasa(request: Request) -> HTTPResponse | None:
        if request.path == "/health":
            return None
        if not internal_call_ok(request.headers.get("Authorization"), token):
            return json({"error": "unauthorized"}, status=401)
        if request.headers.get("Content-Encoding") == "deflate":
            inflated = inflate(request.body)
            if inflated is None:
                return json({"error": "body too large or not deflate"}, status=413)
            request.body = inflated
            del request.headers["Content-Encoding"]
        return None

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException):
            return json({"error": type(exception).__name__}, status=exception.status_code)
        logger.error("action call failed: %s", type(exception).__name__)
        return json({"error": "action failed"}, status=500)

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.action_server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    try:
        secure_start()  # umask 077 also when started by hand; refuses an exposed key file
    except KeyFileExposed as exc:
        sys.exit(f"error: {exc}")
    logging.basicConfig(level=logging.INFO)
    create_action_app(args.actions).run(args.host, args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
