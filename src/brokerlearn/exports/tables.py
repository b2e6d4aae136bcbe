"""CSV tables for spreadsheets: one header row, CRLF line ends (RFC 4180), and text cells that a
spreadsheet would run as a formula neutralised."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe (OWASP's
    advice against CSV injection: learners choose their names); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: list[str], rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()
