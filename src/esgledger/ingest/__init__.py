"""Importers: CSV and Excel into the ledger, all-or-nothing, with cell-level errors."""
