"""Learner-supplied text made safe for where it goes: spreadsheets and terminals.

A learner picks their own name, lab files and answers; an instructor opens the exports. A CSV cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or NUL is run as a formula by Excel, LibreOffice Calc and
Google Sheets ("CSV injection", OWASP; ASVS 1.2.10), so such a cell gets a leading apostrophe, which spreadsheets
take as "this is text". Text printed to a terminal must not carry control sequences (a name holding ``ESC [2J``
clears the instructor's screen) nor bidirectional overrides that reorder what is shown, so those become visible
escapes such as ``\\x1b``. Every export of the gradebook goes through these two functions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
# Bidirectional embeddings, overrides and isolates (Unicode 15, "Trojan Source"): they reorder the text shown.
_BIDI = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C}


def csv_cell(value):
    """One CSV value: strings that a spreadsheet would evaluate get a leading ``'``; numbers, booleans and None
    pass unchanged (a negative score is a number, not a formula)."""
    if not isinstance(value, str):
        return value
    value = value.replace("\0", "")
    if value.startswith(FORMULA_PREFIXES) or (value[:1].isspace() and value.lstrip()[:1] in ("=", "+", "-", "@")):
        return "'" + value
    return value


def csv_text(header: list[str], rows: Iterable[Mapping | list]) -> str:
    """A whole CSV document (RFC 4180 quoting, ``\\n`` line ends), every cell through :func:`csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        values = [row.get(h, "") for h in header] if isinstance(row, Mapping) else list(row)
        writer.writerow([csv_cell(v) for v in values])
    return out.getvalue()


def terminal_text(value, *, keep_newlines: bool = False) -> str:
    """``value`` as text that prints as itself: control characters (C0, DEL, C1) and bidi overrides become
    visible escapes (``\\x1b``, ``\\u202e``); tabs become a space; newlines stay only when ``keep_newlines``."""
    text = value if isinstance(value, str) else str(value)
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif code in _BIDI:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
