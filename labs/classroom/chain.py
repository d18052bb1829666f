"""Tamper evidence: every row the class keeps (labs, roster, submissions, results) is a link of one hash chain.

A row's ``chain_hash`` covers the previous row's hash and the row's whole content (a result's checks included; a
submission's file by its sha256), so an edit, an insertion or a deletion made after the fact — with ``sqlite3``,
``psql`` or any other tool — breaks the chain where it happened, and :func:`verify` names that row. The chain's
head (position and hash) is kept in ``class_settings``, so rows cut off the end are missed too.

Without a key the hashes are SHA-256: they catch any edit made by someone who does not recompute the chain after
it. With a class key (``GAILAB_CLASS_KEY``) they are HMAC-SHA256, and recomputing them needs the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timezone

GENESIS = "genesis"


def _plain(value):
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, (bytes, bytearray)):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    return value


def row_content(row, checks: list | None = None) -> dict:
    """What a row's hash covers: every column but its own hash (and a result's checks, in id order)."""
    content = {name: _plain(getattr(row, name)) for name in type(row).model_fields if name != "chain_hash"}
    if checks is not None:
        content["checks"] = [{name: _plain(getattr(c, name)) for name in type(c).model_fields}
                             for c in sorted(checks, key=lambda c: c.id)]
    return content


def link_hash(key: bytes | None, prev: str, table: str, content: dict) -> str:
    data = b"\n".join([prev.encode(), table.encode(),
                       json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()])
    if key:
        return "hmac-sha256:" + hmac.new(key, data, hashlib.sha256).hexdigest()
    return "sha256:" + hashlib.sha256(data).hexdigest()


def key_fingerprint(key: bytes | None) -> str:
    return "sha256:" + hashlib.sha256(key).hexdigest()[:16] if key else "none"


@dataclass
class Link:
    """A chained row as verify sees it."""

    table: str
    row_id: int
    seq: int | None
    prev: str | None
    hash: str | None
    content: dict
    label: str  # who/what the row is about, for the message

    @property
    def name(self) -> str:
        return f"{self.table} row {self.row_id} ({self.label})"


@dataclass
class Problem:
    table: str
    row_id: int | None
    seq: int | None
    message: str


def verify(links: list[Link], head: tuple[int, str] | None, key: bytes | None) -> list[Problem]:
    """Every break in the chain, each naming the row where it is (empty: the chain is whole)."""
    problems: list[Problem] = []
    outside = [link for link in links if link.seq is None or link.hash is None or link.prev is None]
    for link in outside:
        problems.append(Problem(link.table, link.row_id, None, f"{link.name} is not in the chain: it was inserted "
                                                               "after the fact, not by gailab"))
    chained = sorted((link for link in links if link not in outside), key=lambda l: (l.seq, l.table, l.row_id))
    by_seq: dict[int, list[Link]] = {}
    for link in chained:
        by_seq.setdefault(link.seq, []).append(link)
    previous: Link | None = None
    expected_seq = 1
    for seq in sorted(by_seq):
        group = by_seq[seq]
        if seq > expected_seq:
            where = f"after {previous.name}" if previous else "at the start"
            gap = f"position {expected_seq}" if seq == expected_seq + 1 else f"positions {expected_seq}–{seq - 1}"
            problems.append(Problem(group[0].table, None, expected_seq,
                                    f"chain {gap} missing {where}: a row was deleted"))
        if previous is not None and previous.seq == seq - 1:
            prev_hash = previous.hash
        else:
            prev_hash = GENESIS if seq == 1 else None
        matched = [link for link in group if link_hash(key, link.prev, link.table, link.content) == link.hash]
        for link in group:
            if link not in matched:
                problems.append(Problem(link.table, link.row_id, seq, f"{link.name} was edited after it was written: "
                                                                      "its content no longer matches its hash"))
            elif len(group) > 1 and (prev_hash is None or link.prev != prev_hash):
                problems.append(Problem(link.table, link.row_id, seq, f"{link.name} takes chain position {seq}, "
                                                                      "which another row holds: it was inserted"))
            elif prev_hash is not None and link.prev != prev_hash:
                problems.append(Problem(link.table, link.row_id, seq, f"{link.name} does not follow "
                                        f"{previous.name if previous else 'the start'}: a row before it was "
                                        "inserted, removed or rewritten"))
        winners = [link for link in matched if prev_hash is None or link.prev == prev_hash] or group
        previous = winners[0]
        expected_seq = seq + 1
    last = (previous.seq, previous.hash) if previous else (0, GENESIS)
    if head is None:
        if chained:
            problems.append(Problem("class_settings", None, None, "the chain's head is missing from class_settings: "
                                                                  "it was deleted"))
    elif head[0] > last[0]:
        problems.append(Problem("class_settings", None, head[0], f"the chain ends at position {last[0]} but the class "
                                f"recorded {head[0]} rows: the last {head[0] - last[0]} row(s) were deleted"))
    elif head != last:
        problems.append(Problem("class_settings", None, head[0], f"the chain's head in class_settings (position "
                                f"{head[0]}) does not match its last row (position {last[0]}): it was edited"))
    return problems
