"""The review workflow: entering and correcting values with optimistic concurrency, submitting,
approving and rejecting them, and locking periods. Every write goes through the ledger."""
