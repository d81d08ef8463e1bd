"""A ledger set up and read by its first admin, for the benchmarks.

The benchmarks drive the same service layer as every interface. They reuse the tests' facade
(:class:`tests.ledger_fixture.Ledger`: the real operations, acting as the admin ``init`` made for
the OS login) rather than keeping a second copy of it here.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.ledger_fixture import Ledger  # noqa: E402

from esgledger.services import Options, Services  # noqa: E402


def create_ledger(url: str, files_dir: Path | None = None) -> Ledger:
    """A new ledger at ``url`` (SQLite path or database URL), initialised; its first admin is
    the OS login."""
    services = Services.open(url, Options(files_dir=files_dir), create=True)
    services.init()
    return Ledger(services)


def open_ledger(url: str, files_dir: Path | None = None) -> Ledger:
    """The existing ledger at ``url``, acting as its first admin."""
    return Ledger(Services.open(url, Options(files_dir=files_dir)))


__all__ = ["Ledger", "create_ledger", "open_ledger"]
