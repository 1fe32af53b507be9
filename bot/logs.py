"""What our processes write to their logs, and how long it is kept.

The parts log no message text, answer or payload at INFO and above. Rasa itself writes
message texts and bot answers at DEBUG (the parsed message, the NLG response), so a
stack refuses to start with `LOG_LEVEL=DEBUG` rather than fill a log with social data.
Each part's output goes through a rotating file (LOG_FILE_BYTES x LOG_BACKUPS), so logs
cannot grow without end.
"""

from __future__ import annotations

import logging
import logging.handlers
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO

LOG_FILE_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 5
FORBIDDEN_LEVELS = ("DEBUG", "NOTSET")


class DebugLoggingRefused(RuntimeError):
    pass


def refuse_debug_logging(env: Mapping[str, str]) -> None:
    """DEBUG makes Rasa log what citizens write; no running service may use it."""
    for name in ("LOG_LEVEL", "LOG_LEVEL_LIBRARIES"):
        if env.get(name, "").strip().upper() in FORBIDDEN_LEVELS:
            raise DebugLoggingRefused(
                f"{name}={env[name]} would write citizens' messages into the logs; "
                "use INFO (the default) or WARNING"
            )


def pump_to_rotating_file(stream: IO[bytes], path: Path) -> threading.Thread:
    """Copy a child's output line by line into `path`, rotating it by size."""
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(message)s"))

    def pump() -> None:
        try:
            with stream:
                for line in stream:
                    text = line.decode("utf-8", "replace").rstrip("\n")
                    handler.emit(logging.makeLogRecord({"msg": text, "args": None}))
        finally:
            handler.close()

    thread = threading.Thread(target=pump, name=f"log-{path.name}", daemon=True)
    thread.start()
    return thread
