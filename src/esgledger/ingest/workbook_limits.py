"""Limits an XLSX workbook must keep before it is handed to the spreadsheet reader (calamine),
which would otherwise expand a zip bomb or a sheet with one cell at XFD1048576 in memory.

An XLSX file is a zip archive of XML parts. Each part is inflated here in bounded chunks, counting
what it really expands to (the sizes an archive declares can lie): in all at most
:data:`MAX_UNCOMPRESSED` bytes, and a part larger than :data:`RATIO_FREE` at most :data:`MAX_RATIO`
times its compressed size (real workbooks compress 5-20 times; bombs 1,000 times). The cells of
each worksheet are located as the reader will place them (the ``r`` attributes, or the next row
and column when a cell has none; every XML part is scanned, wherever the workbook puts its
sheets): the sheet's area, from A1 to its last row and column, may hold
at most :data:`MAX_CELLS` cells. The first limit broken ends the check, so a bomb is refused after
inflating a few megabytes.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from esgledger.errors import InputIssue, InputRejected

MAX_FILE_BYTES = 256 * 1024 * 1024  # a CSV or XLSX file as stored
MAX_UNCOMPRESSED = 256 * 1024 * 1024  # all parts of a workbook, inflated
MAX_RATIO = 100
RATIO_FREE = 1024 * 1024  # parts up to this size may compress any amount (styles, strings)
MAX_CELLS = 5_000_000  # the area of one sheet or a CSV file: rows x columns
MAX_PARTS = 10_000
MAX_TAG = 64 * 1024  # a longer XML tag in a worksheet is refused rather than scanned
CHUNK = 256 * 1024

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
# a row or cell tag (any namespace prefix), with its reference r="B12" when it has one
_TAG = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])"""
    rb"""(?:[^>]*?\sr\s*=\s*["']([A-Za-z]*)([0-9]*)["'])?[^>]*>"""
)


@dataclass
class _Area:
    """Where the reader will put the cells of one worksheet (0-based row and column)."""

    row: int = -1
    column: int = -1
    last_row: int = -1
    last_column: int = -1

    def cells(self) -> int:
        return (self.last_row + 1) * (self.last_column + 1)

    def see(self, tags: list[tuple[bytes, bytes, bytes]]) -> None:
        """Place the cells of ``tags`` (``(kind, column letters, row digits)``), in order."""
        row, column = self.row, self.column
        last_row, last_column = self.last_row, self.last_column
        for kind, letters, digits in tags:
            if kind == b"row":
                row = int(digits) - 1 if digits else row + 1
                column = -1
            else:
                if digits:
                    row = int(digits) - 1
                column = _column_index(letters) if letters else column + 1
                if column > last_column:
                    last_column = column
            if row > last_row:
                last_row = row
        self.row, self.column, self.last_row, self.last_column = row, column, last_row, last_column


def _column_index(letters: bytes) -> int:
    found = _COLUMNS.get(letters)
    if found is None:
        found = 0
        for letter in letters.upper()[:8]:
            found = found * 26 + letter - 64
        found -= 1
        if len(_COLUMNS) < 100_000:
            _COLUMNS[letters] = found
    return found


_COLUMNS: dict[bytes, int] = {}


class _Refused(Exception):
    def __init__(self, found: str, expected: str):
        super().__init__(found)
        self.found = found
        self.expected = expected


def check_file_size(path: Path) -> None:
    """Refuse a file larger than :data:`MAX_FILE_BYTES` before it is read."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputRejected(
            [
                InputIssue(
                    str(path),
                    None,
                    "file",
                    f"a file of {size:,} bytes",
                    f"a file of at most {MAX_FILE_BYTES:,} bytes (split it into several files)",
                )
            ]
        )


def check_workbook(path: Path) -> None:
    """Raise :class:`InputRejected` naming the file and the limit when the workbook breaks one."""
    check_file_size(path)
    try:
        with zipfile.ZipFile(path) as archive, path.open("rb") as raw:
            _check_parts(archive.infolist(), raw)
    except zipfile.BadZipFile as exc:
        raise InputRejected(
            [
                InputIssue(
                    str(path),
                    None,
                    "file",
                    f"an unreadable workbook (not a zip archive: {exc})",
                    "a valid .xlsx workbook",
                )
            ]
        ) from None
    except _Refused as refused:
        raise InputRejected(
            [InputIssue(str(path), None, "file", refused.found, refused.expected)]
        ) from None


def _check_parts(parts: list[zipfile.ZipInfo], raw: BinaryIO) -> None:
    if len(parts) > MAX_PARTS:
        raise _Refused(f"a workbook of {len(parts):,} parts", f"at most {MAX_PARTS:,} parts")
    declared = sum(part.file_size for part in parts)
    if declared > MAX_UNCOMPRESSED:
        raise _Refused(
            f"a workbook that expands to {declared:,} bytes",
            f"a workbook of at most {MAX_UNCOMPRESSED:,} bytes uncompressed",
        )
    total = 0
    for part in parts:
        area = _Area() if part.filename.lower().endswith(".xml") else None
        carry = b""
        size = 0
        for chunk in _inflate(part, raw):
            size += len(chunk)
            total += len(chunk)
            if total > MAX_UNCOMPRESSED:
                raise _Refused(
                    "a workbook that expands to more than "
                    f"{MAX_UNCOMPRESSED:,} bytes (at part {part.filename})",
                    f"a workbook of at most {MAX_UNCOMPRESSED:,} bytes uncompressed",
                )
            if size > RATIO_FREE and size > MAX_RATIO * part.compress_size:
                raise _Refused(
                    f"part {part.filename} compressed more than {MAX_RATIO} times "
                    f"({part.compress_size:,} bytes expand to over {size:,})",
                    f"a workbook whose parts compress at most {MAX_RATIO} times, as "
                    "spreadsheets do (this looks like a zip bomb)",
                )
            if area is not None:
                carry = _scan(area, carry + chunk, part.filename)
        if area is not None and area.cells() > MAX_CELLS:
            raise _Refused(*_too_many_cells(area, part.filename))


def _too_many_cells(area: _Area, name: str) -> tuple[str, str]:
    return (
        f"sheet {name} spans {area.last_row + 1:,} rows and {area.last_column + 1:,} columns "
        f"({area.cells():,} cells from A1)",
        f"a sheet of at most {MAX_CELLS:,} cells (rows x columns)",
    )


def _scan(area: _Area, text: bytes, name: str) -> bytes:
    """Place the cells of complete tags in ``text``; return the unfinished tag at its end."""
    start = text.rfind(b"<")
    tail = b""
    if start >= 0 and text.find(b">", start) < 0:
        text, tail = text[:start], text[start:]
        if len(tail) > MAX_TAG:
            raise _Refused(
                f"sheet {name} has an XML tag longer than {MAX_TAG:,} characters",
                "a worksheet as spreadsheet programs write it",
            )
    area.see(_TAG.findall(text))
    if area.cells() > MAX_CELLS:
        raise _Refused(*_too_many_cells(area, name))
    return tail


def _inflate(part: zipfile.ZipInfo, raw: BinaryIO) -> Iterator[bytes]:
    """The bytes of ``part`` as the reader will inflate them: the compressed data the central
    directory points at, through zlib, whatever size the archive declares."""
    raw.seek(part.header_offset)
    header = raw.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _Refused(f"part {part.filename} without its local header", "a valid .xlsx workbook")
    name_length, extra_length = struct.unpack("<2H", header[26:30])
    raw.seek(part.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    remaining = part.compress_size
    if part.compress_type == zipfile.ZIP_STORED:
        while remaining > 0:
            chunk = raw.read(min(CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk
        return
    if part.compress_type != zipfile.ZIP_DEFLATED:
        raise _Refused(
            f"part {part.filename} compressed with method {part.compress_type}",
            "a workbook compressed as spreadsheet programs do (deflate)",
        )
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        while remaining > 0 and not inflater.eof:
            data = raw.read(min(CHUNK, remaining))
            if not data:
                return
            remaining -= len(data)
            while data and not inflater.eof:
                chunk = inflater.decompress(data, CHUNK)
                data = inflater.unconsumed_tail
                if chunk:
                    yield chunk
        rest = inflater.flush()
    except zlib.error as exc:
        raise _Refused(
            f"part {part.filename} that cannot be inflated ({exc})", "a valid .xlsx workbook"
        ) from None
    if rest:
        yield rest
