"""The ledger: data points, entities and the append-only, hash-chained audit log."""
