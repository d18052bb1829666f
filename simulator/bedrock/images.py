"""Deterministic PNG images: a gradient sky, a ground band and shapes whose colours, places and sizes come
from the prompt and seed — a valid image of the requested size, visibly different for different prompts.
Written with zlib and struct only; rows are built as whole byte strings so large images stay fast.
"""

from __future__ import annotations

import hashlib
import random
import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(prompt: str, seed: int, width: int, height: int) -> bytes:
    rng = random.Random(hashlib.sha256(f"{prompt}|{seed}".encode("utf-8")).digest())
    top = [rng.randint(0, 255) for _ in range(3)]
    bottom = [rng.randint(0, 255) for _ in range(3)]
    ground = [rng.randint(0, 200) for _ in range(3)]
    horizon = int(height * rng.uniform(0.55, 0.8))
    shapes = []
    for _ in range(rng.randint(3, 7)):
        r = int(min(width, height) * rng.uniform(0.05, 0.22))
        shapes.append((rng.choice(("disc", "box")), rng.randint(0, width - 1), rng.randint(0, height - 1), r,
                       bytes(rng.randint(0, 255) for _ in range(3))))
    rows = []
    for y in range(height):
        if y < horizon:
            t = y / max(1, horizon - 1)
            color = bytes(int(a + (b - a) * t) for a, b in zip(top, bottom))
        else:
            color = bytes(ground)
        row = bytearray(color * width)
        for kind, cx, cy, r, fill in shapes:
            dy = y - cy
            if abs(dy) > r:
                continue
            half = r if kind == "box" else int((r * r - dy * dy) ** 0.5)
            x0, x1 = max(0, cx - half), min(width, cx + half + 1)
            if x1 > x0:
                row[3 * x0 : 3 * x1] = fill * (x1 - x0)
        rows.append(b"\x00" + bytes(row))
    raw = b"".join(rows)
    header = struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


ASPECT_RATIOS = {
    "1:1": (1024, 1024), "16:9": (1344, 768), "21:9": (1536, 640), "2:3": (832, 1216), "3:2": (1216, 832),
    "4:5": (896, 1088), "5:4": (1088, 896), "9:16": (768, 1344), "9:21": (640, 1536),
}
