"""Inventory-wide settings (base year, restatement threshold, the change that needs an
explanation): read by everyone, changed by ESG managers and admins, each change audited."""

from __future__ import annotations

from typing import Any

from esgledger.ledger import settings
from esgledger.services.operation import Capability, Reading, Writing, reads, writes

SETTING_KEYS = tuple(settings.SETTINGS)  # every setting's key (the API's enum)


class Settings(Capability):
    @reads("period.read")
    def list(self, call: Reading) -> list[dict[str, Any]]:
        """Every setting with its value, default, range and help."""
        values = settings.read_all(call.connection)
        return [declared.as_dict(values[key]) for key, declared in settings.SETTINGS.items()]

    @reads("period.read")
    def get(self, call: Reading, key: str) -> Any:
        return settings.read(call.connection, key)

    @writes("settings.change")
    def set(self, call: Writing, key: str, value: Any) -> dict[str, Any]:
        """Change a setting (checked against its type and range; metric ids against the
        catalogue)."""
        typed = settings.write(call.change, key, value, self.context.catalogue.metrics)
        return settings.setting(key).as_dict(typed)
