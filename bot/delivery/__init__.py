"""Delivery: the outbox, the worker that empties it, and the targets it hands submissions to.

Submission puts a checked payload in; a target (the built-in inbox by default)
takes it out. Once a target has it, the outbox keeps only the reference.
"""
