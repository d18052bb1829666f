"""Text from a PDF, through pypdf: document blocks sent to the runtime and files a knowledge base ingests.

pypdf reads what real generators write (object streams, cross-reference streams, CID fonts, encryption with an
empty user password); a hand-written reader missed those. :func:`read` says why a file cannot be read;
:func:`extract` is the lenient form the runtime uses (empty text when unreadable, and the engine then says so).
"""

from __future__ import annotations

import io
import logging
import re

_OBJ = re.compile(rb"(?<![0-9])(\d+)\s+(\d+)\s+obj\b")
_ROOT = re.compile(rb"/Root\s+(\d+\s+\d+\s+R)")


class PdfUnreadable(Exception):
    """A PDF that gives no text, with the reason in words a learner can act on."""


def _with_rebuilt_xref(data: bytes) -> bytes | None:
    """The file with a fresh cross-reference table, found by scanning for objects, as PDF viewers repair files
    whose table is missing or wrong; None when there is nothing to rebuild from."""
    offsets = {int(m.group(1)): m.start() for m in _OBJ.finditer(data)}
    root = _ROOT.search(data)
    if not offsets or root is None:
        return None
    size = max(offsets) + 1
    body = data if data.endswith(b"\n") else data + b"\n"
    table = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
    table += [b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n" for n in range(1, size)]
    trailer = b"trailer\n<< /Size %d /Root %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, root.group(1), len(body))
    return body + b"".join(table) + trailer


def _open(data: bytes):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return PdfReader(io.BytesIO(data), strict=False)
    except PdfReadError:
        repaired = _with_rebuilt_xref(data)
        if repaired is None:
            raise
        return PdfReader(io.BytesIO(repaired), strict=False)


def read(data: bytes, limit: int = 2_000_000) -> str:
    """The text of every page, pages separated by a blank line; raises :class:`PdfUnreadable`."""
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files are reported, not logged
    try:
        reader = _open(data)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as exc:  # a missing crypto backend or an unknown algorithm
                raise PdfUnreadable(f"the file is encrypted and could not be opened ({exc})") from None
            if not opened:
                raise PdfUnreadable("the file is password-protected")
        pages = []
        size = 0
        for page in reader.pages:
            text = (page.extract_text() or "").strip()
            if text:
                pages.append(text)
                size += len(text)
            if size >= limit:
                break
    except PdfUnreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise PdfUnreadable(f"the file is not a readable PDF ({type(exc).__name__}: {exc})") from None
    text = "\n\n".join(pages)[:limit]
    if not text.strip():
        raise PdfUnreadable("the PDF has no extractable text (scanned pages need OCR)")
    return text


def extract(data: bytes, limit: int = 200_000) -> str:
    """The text of a PDF, or an empty string when it cannot be read."""
    try:
        return read(data, limit)
    except PdfUnreadable:
        return ""
    except Exception:  # pypdf may raise anything on hostile input; never fail the request for it
        return ""
