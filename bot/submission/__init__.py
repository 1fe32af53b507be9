"""From confirmed answers to a delivered application: payload, schema check, reference, outbox."""
