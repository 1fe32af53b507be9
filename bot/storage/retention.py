"""How long unfinished conversations are kept: drafts and Rasa's event history.

Social data may only be kept as long as needed (Art. 5(1)(e) GDPR). A draft
nobody touched for this long is abandoned; submitted applications live on in
the outbox and the office's inbox, not here.
"""

from __future__ import annotations

import os
from datetime import timedelta

RETENTION_ENV = "ANTRAGSLOTSE_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30  # resume codes are valid this long after the last edit


def retention() -> timedelta:
    return timedelta(days=float(os.environ.get(RETENTION_ENV) or DEFAULT_RETENTION_DAYS))
