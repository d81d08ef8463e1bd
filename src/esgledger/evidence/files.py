"""Recognise an upload by its content (never by its name or declared type); clean its name."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

# content type -> file name endings accepted for it
ALLOWED: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "text/csv": (".csv",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
}
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MARKUP = re.compile(r"^\s*<|<\s*(script|html|svg|iframe|!doctype|\?xml)\b", re.IGNORECASE)
_MARKUP_WINDOW = 64 * 1024  # where a browser would find a page's start
_UNSAFE = re.compile(r"[^\w.\- ()\[\]+,]", re.UNICODE)
MAX_NAME = 150


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` if it is one of the allowed kinds, else None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return "text/csv" if _is_text(data) else None


def _sniff_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def _is_text(data: bytes) -> bool:
    """Plain text as spreadsheets export it (UTF-8, or GB18030 from a Chinese Excel), and not
    markup: an HTML or SVG page named ``.csv`` is refused."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return (
            bool(text.strip())
            and not _TEXT_CONTROL.search(text)
            and not _MARKUP.search(text[:_MARKUP_WINDOW])
        )
    return False


def safe_name(name: str) -> str:
    """The last path component of ``name`` with unsafe characters replaced, at most 150 chars."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    if len(cleaned) > MAX_NAME:
        stem, dot, suffix = cleaned.rpartition(".")
        keep = MAX_NAME - len(suffix) - 1
        cleaned = f"{stem[:keep]}.{suffix}" if dot and 0 < len(suffix) < 10 else cleaned[:MAX_NAME]
    return cleaned or "file"


def suffix_matches(name: str, content_type: str) -> bool:
    return name.lower().endswith(ALLOWED[content_type])
