"""PDF text through pypdf: plain, encrypted with an empty user password, password-protected, repaired, damaged."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter

from gailab.simulator.bedrock import pdftext
from kbdocs import pdf_bytes

TEXT = "Nova Lite accepts text, images and video."


def _rewritten(**encrypt) -> bytes:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_bytes(TEXT))).pages:
        writer.add_page(page)
    if encrypt:
        writer.encrypt(**encrypt)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_plain_and_rewritten_pdfs_give_their_text():
    assert pdftext.read(pdf_bytes(TEXT)) == TEXT
    assert pdftext.read(_rewritten()) == TEXT


def test_encryption_with_an_empty_user_password_is_opened_and_a_password_is_reported():
    assert pdftext.read(_rewritten(user_password="", owner_password="owner", algorithm="RC4-128")) == TEXT
    with pytest.raises(pdftext.PdfUnreadable, match="password-protected"):
        pdftext.read(_rewritten(user_password="secret", owner_password="owner", algorithm="RC4-128"))


def test_a_missing_cross_reference_table_is_rebuilt_and_garbage_is_reported():
    data = pdf_bytes(TEXT)
    broken = data[: data.index(b"xref")]  # objects without table, trailer or startxref
    broken += b"trailer << /Root 1 0 R >>\n%%EOF\n"
    assert pdftext.read(broken) == TEXT
    with pytest.raises(pdftext.PdfUnreadable, match="not a readable PDF"):
        pdftext.read(b"%PDF-1.4\nnothing here")
    assert pdftext.extract(b"\x00\x01garbage") == ""
