"""A report file written whole: under a temporary name beside it, then put in its place, so that
a reader (a download while the report is rebuilt) gets the old file or the new one, never part of
one, and a write that fails leaves neither a cut file nor the temporary one."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path


def written_whole(path: Path, write: Callable[[Path], object]) -> Path:
    """``path`` written by ``write`` (given the temporary path) and then put in place."""
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def text_written_whole(path: Path, text: str) -> Path:
    """``path`` holding ``text`` (UTF-8), written whole."""
    return written_whole(path, lambda partial: partial.write_text(text, encoding="utf-8"))
