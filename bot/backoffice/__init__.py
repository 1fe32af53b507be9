"""The back office side: delivery worker, delivery targets, and the built-in inbox with its API."""
