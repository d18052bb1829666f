"""The ``application/vnd.amazon.eventstream`` framing that boto3 decodes for Bedrock's streaming operations.

Written from the format description (prelude, string headers, payload, two CRC32s); big-endian throughout.
"""

from __future__ import annotations

import binascii
import json
import struct

CONTENT_TYPE = "application/vnd.amazon.eventstream"


def _headers(headers: dict[str, str]) -> bytes:
    out = bytearray()
    for name, value in headers.items():
        key, val = name.encode("utf-8"), value.encode("utf-8")
        out += struct.pack("!B", len(key)) + key + b"\x07" + struct.pack("!H", len(val)) + val
    return bytes(out)


def frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One message: prelude (lengths + CRC), headers, payload, message CRC."""
    head = _headers(headers)
    prelude = struct.pack("!II", 16 + len(head) + len(payload), len(head))
    prelude += struct.pack("!I", binascii.crc32(prelude))
    message = prelude + head + payload
    return message + struct.pack("!I", binascii.crc32(message))


def event(event_type: str, body: dict) -> bytes:
    """A modeled event (``chunk`` or one of ConverseStream's members) with a JSON payload."""
    headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    return frame(headers, json.dumps(body, ensure_ascii=False).encode("utf-8"))


def exception(member: str, message: str) -> bytes:
    """A modeled error inside the stream (e.g. ``throttlingException``); botocore raises EventStreamError."""
    headers = {":exception-type": member, ":content-type": "application/json", ":message-type": "exception"}
    return frame(headers, json.dumps({"message": message}).encode("utf-8"))
