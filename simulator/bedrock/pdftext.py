"""Best-effort text from a PDF document block, so documents sent as PDF can become context.

Handles what common generators write: FlateDecode content streams, simple fonts, and CID fonts with
ToUnicode maps. No object streams, no encryption, no layout analysis: one line per text block. Anything it
cannot read gives an empty string, and the engine then says honestly that it could not read the file.
"""

from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+)\s+0\s+obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.S)
_REF = rb"(\d+)\s+0\s+R"


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(num): body for num, body in _OBJ.findall(data)}


def _stream(body: bytes) -> bytes | None:
    m = _STREAM.search(body)
    if not m:
        return None
    raw = m.group(1)
    if b"/FlateDecode" in body[: m.start()]:
        try:
            return zlib.decompress(raw)
        except zlib.error:
            try:
                return zlib.decompressobj().decompress(raw)
            except zlib.error:
                return None
    return raw


def _cmap(data: bytes) -> dict[int, str]:
    table: dict[int, str] = {}

    def text(hexa: bytes) -> str:
        raw = bytes.fromhex(hexa.decode())
        try:
            return raw.decode("utf-16-be")
        except UnicodeDecodeError:
            return ""

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(src, 16)] = text(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start, end, base = int(lo, 16), int(hi, 16), int(dst, 16)
            for i, code in enumerate(range(start, min(end, start + 4096) + 1)):
                table[code] = chr(base + i) if base + i < 0x110000 else ""
    return table


def _literal(raw: bytes) -> bytes:
    raw = re.sub(rb"\\([nrtbf()\\])", lambda m: {b"n": b"\n", b"r": b"", b"t": b"\t", b"b": b"", b"f": b""}.get(m.group(1), m.group(1)), raw)
    return re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8) & 0xFF]), raw)


_TOKENS = re.compile(rb"/([^\s/\[\]()<>]+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f\s]*)>|\(((?:\\.|[^\\)])*)\)|(TJ|Tj|'|\"|ET|T\*)", re.S)


def extract(data: bytes, limit: int = 200_000) -> str:
    if not data.startswith(b"%PDF"):
        return ""
    objects = _objects(data)
    fonts: dict[int, tuple[bool, dict[int, str]]] = {}

    def font(num: int) -> tuple[bool, dict[int, str]]:
        if num not in fonts:
            body = objects.get(num, b"")
            cid = b"/Type0" in body
            m = re.search(rb"/ToUnicode\s+" + _REF, body)
            cmap = _cmap(_stream(objects.get(int(m.group(1)), b"")) or b"") if m else {}
            fonts[num] = (cid, cmap)
        return fonts[num]

    def resolve_dict(body: bytes, key: bytes) -> bytes:
        m = re.search(rb"/" + key + rb"\s+" + _REF, body)
        if m:
            return objects.get(int(m.group(1)), b"")
        m = re.search(rb"/" + key + rb"\s*<<(.*?)>>", body, re.S)
        return m.group(1) if m else b""

    lines: list[str] = []
    pages = [(n, b) for n, b in sorted(objects.items()) if re.search(rb"/Type\s*/Page(?!s)", b)]
    for _, page in pages:
        resources = resolve_dict(page, b"Resources") or page
        font_source = resolve_dict(resources, b"Font") or resolve_dict(page, b"Font")
        font_map = {name.decode(): int(ref) for name, ref in re.findall(rb"/([^\s/]+)\s+" + _REF, font_source)}
        m = re.search(rb"/Contents\s*(\[[^\]]*\]|" + _REF + rb")", page)
        if not m:
            continue
        refs = [int(r) for r in re.findall(_REF, m.group(1))]
        content = b"\n".join(_stream(objects.get(r, b"")) or b"" for r in refs)
        current = (False, {})
        pending: list[str] = []
        for f_name, hexa, lit, op in _TOKENS.findall(content):
            if f_name:
                num = font_map.get(f_name.decode(errors="replace"))
                current = font(num) if num is not None else (False, {})
            elif hexa or lit:
                cid, cmap = current
                raw = bytes.fromhex(re.sub(rb"\s", b"", hexa).decode()) if hexa else _literal(lit)
                if cid:
                    codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
                else:
                    codes = list(raw)
                pending.append("".join(cmap.get(c, chr(c) if not cid and 32 <= c < 256 else "") for c in codes))
            elif op in (b"ET", b"T*", b"'", b'"'):
                line = "".join(pending).strip()
                if line and any(ch.isalpha() for ch in line):
                    lines.append(line)
                pending = []
        if sum(len(x) for x in lines) > limit:
            break
    text = "\n".join(lines)
    return re.sub(r"[ \t]+", " ", text)[:limit]
