"""Text out of the file formats a knowledge base ingests: txt, md, html, csv, pdf, docx, xlsx.

Each reader returns the document's text or raises :class:`Unreadable` with a reason the ingestion job reports
(AWS lists the files it could not ingest in the job's failure reasons and counts them as failed).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree

from ..bedrock import pdftext

#: AWS's per-file quota for ingestion (50 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024


class Unreadable(Exception):
    """A file the ingestion cannot turn into text."""


def extension(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unreadable("the file is binary, not text")
    for codec in ("utf-8-sig", "utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig",):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise Unreadable("the file is not UTF-8 text") from None


class _Html(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "head"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "title",
              "table", "ul", "ol", "pre", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if not self.skipping:
            self.parts.append(data)


def html_text(text: str) -> str:
    parser = _Html()
    parser.feed(text)
    parser.close()
    body = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in body.splitlines()]
    joined = "\n".join(line for line in lines if line)
    if parser.title.strip() and parser.title.strip() not in joined[:200]:
        joined = parser.title.strip() + "\n" + joined
    return joined


def markdown_text(text: str) -> str:
    text = re.sub(r"```.*?\n(.*?)```", r"\1", text, flags=re.S)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return text


def csv_text(text: str) -> str:
    """One line per row, each cell named by its column ("Plano: Básico; Preço: 10"), so rows read as facts."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return ""
    header = [h.strip() for h in rows[0]]
    if len(rows) == 1 or not all(header):
        return "\n".join(", ".join(r) for r in rows)
    lines = []
    for row in rows[1:]:
        cells = [f"{h}: {c.strip()}" for h, c in zip(header, row) if c.strip()]
        if cells:
            lines.append("; ".join(cells) + ".")
    return "\n".join(lines)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Unreadable("the file is not a valid Office Open XML package") from None


def docx_text(data: bytes) -> str:
    with _zip(data) as z:
        try:
            root = ElementTree.fromstring(z.read("word/document.xml"))
        except (KeyError, ElementTree.ParseError):
            raise Unreadable("the Word document has no readable body") from None
    paragraphs = ["".join(t.text or "" for t in p.iter(_W + "t")) for p in root.iter(_W + "p")]
    return "\n".join(p for p in paragraphs if p.strip())


def xlsx_text(data: bytes) -> str:
    with _zip(data) as z:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(_S + "t")) for si in root.iter(_S + "si")]
        sheets = sorted(n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        if not sheets:
            raise Unreadable("the workbook has no worksheets")
        lines = []
        for name in sheets:
            root = ElementTree.fromstring(z.read(name))
            for row in root.iter(_S + "row"):
                cells = []
                for c in row.iter(_S + "c"):
                    v = c.find(_S + "v")
                    text = "".join(t.text or "" for t in c.iter(_S + "t")) if c.get("t") == "inlineStr" else (v.text if v is not None else "")
                    if c.get("t") == "s" and text and text.isdigit() and int(text) < len(shared):
                        text = shared[int(text)]
                    if text:
                        cells.append(text)
                if cells:
                    lines.append(", ".join(cells))
    return "\n".join(lines)


def _pdf(data: bytes) -> str:
    try:
        return pdftext.read(data)
    except pdftext.PdfUnreadable as exc:
        raise Unreadable(str(exc)) from None


_READERS = {
    "txt": lambda data: _decode(data),
    "text": lambda data: _decode(data),
    "md": lambda data: markdown_text(_decode(data)),
    "markdown": lambda data: markdown_text(_decode(data)),
    "html": lambda data: html_text(_decode(data)),
    "htm": lambda data: html_text(_decode(data)),
    "csv": lambda data: csv_text(_decode(data)),
    "pdf": _pdf,
    "docx": docx_text,
    "xlsx": xlsx_text,
}
SUPPORTED = tuple(_READERS)
#: The extension a byte-content document's MIME type stands for (RetrieveAndGenerate's external sources).
MIME_EXTENSION = {
    "text/plain": ".txt", "text/markdown": ".md", "text/html": ".html", "text/csv": ".csv", "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


def supported(key: str) -> bool:
    return extension(key) in _READERS


def text_of(key: str, data: bytes) -> str:
    """The text of one file; raises :class:`Unreadable`."""
    ext = extension(key)
    reader = _READERS.get(ext)
    if reader is None:
        if ext in ("doc", "xls"):
            raise Unreadable(f"the legacy .{ext} format is not readable by the local cloud; save it as .{ext}x")
        raise Unreadable(f"the file format {'.' + ext if ext else '(no extension)'} is not supported")
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"the file is {len(data) // (1024 * 1024)} MB, above the 50 MB ingestion quota")
    try:
        text = reader(data)
    except Unreadable:
        raise
    except Exception as exc:  # hostile or damaged files never fail the whole job
        raise Unreadable(f"the file could not be parsed ({type(exc).__name__})") from None
    if not text.strip():
        raise Unreadable("the file has no text content")
    return text
