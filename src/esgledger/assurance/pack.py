"""The assurance pack as files: JSON documents, copied evidence, the README, the standalone
``verify.py`` and the manifest of SHA-256 digests; written as a deterministic zip (fixed order,
times and permissions), so that two packs of one ledger state are the same bytes."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esgledger.assurance import verify_pack

FORMAT = "esgledger-assurance/1"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
README = Path(__file__).with_name("README.txt")


def json_bytes(document: Any) -> bytes:
    """JSON as the pack holds it: keys sorted, indented, UTF-8 (Chinese text as written)."""
    return (json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


@dataclass
class Pack:
    """The files of one pack by their path inside it."""

    files: dict[str, bytes] = field(default_factory=dict)

    def add_json(self, name: str, document: Any) -> None:
        self.files[name] = json_bytes(document)

    def add(self, name: str, data: bytes) -> None:
        self.files[name] = data

    def finish(self, readme_fields: dict[str, Any]) -> None:
        """Add the README, verify.py and the manifest (the SHA-256 of every other file)."""
        self.files["README.txt"] = (
            README.read_text(encoding="utf-8").format(**readme_fields).encode()
        )
        self.files["verify.py"] = Path(verify_pack.__file__).read_bytes()
        digests = {name: hashlib.sha256(data).hexdigest() for name, data in self.files.items()}
        self.files[verify_pack.MANIFEST] = json_bytes(
            {"format": FORMAT, "algorithm": "sha256", "files": dict(sorted(digests.items()))}
        )

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name in sorted(self.files):
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 3  # unix, whatever the platform building it
                archive.writestr(info, self.files[name], compresslevel=9)
        return buffer.getvalue()
