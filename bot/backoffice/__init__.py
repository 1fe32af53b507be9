"""The back office: the built-in inbox that receives deliveries, its API, PDF, accounts, audit."""
