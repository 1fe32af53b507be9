"""From confirmed answers to a submission in the outbox: payload, reference, submit."""
