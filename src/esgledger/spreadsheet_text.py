"""Text that a spreadsheet would run as a formula (CSV or formula injection, OWASP): a cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return. Every file esgledger writes for
a spreadsheet (the audit CSV export, the collection workbook sent to plants) keeps such text as
text: a name like ``=HYPERLINK(...)`` must never become a live formula."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV cell: text a spreadsheet would run gets a leading apostrophe (the
    spreadsheet's own mark for "this is text")."""
    return "'" + value if looks_like_formula(value) else value


def keep_text(book: Workbook) -> None:
    """Make every text cell of ``book`` that looks like a formula a text cell (openpyxl turns
    a string starting with ``=`` into a formula), marked with the quote prefix so that editing
    the cell keeps it text; the text itself is unchanged and reads back as written."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if looks_like_formula(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
