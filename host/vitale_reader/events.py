"""What the reader reports: one class per kind of event, built from EVENT messages.

Events that carry identity data keep it in an ``Identity`` whose repr is
redacted; ``repr`` of an event never shows personal data.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(frozen=True)
class Event:
    kind: str
    event_id: int
    reader_time: Optional[datetime.datetime]


@dataclass(frozen=True)
class CredentialEvent(Event):
    """A presentation captured by NFC or QR.

    ``verified`` is this library's own re-verification, never the reader's
    word alone; ``reader_ok``/``reader_reason`` are what the reader found.
    """

    source: str
    verified: bool
    reason: Optional[str]
    identity: Any = field(default=None)  # vitale_reader.identity.Identity when the payload parsed
    reader_ok: bool = False
    reader_reason: Optional[str] = None
    app_id: Optional[bytes] = field(default=None, repr=False)
    raw: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class CaptureErrorEvent(Event):
    """A phone or code that could not be read (pulled away, timeout, unreadable code...)."""

    source: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class CardEvent(Event):
    """A phone entered (``present``) or left the NFC field."""

    present: bool


@dataclass(frozen=True)
class InsDatamatrixEvent(Event):
    """An INS Datamatrix read from a printed document: UNSIGNED, not a verified credential."""

    valid: bool
    reason: Optional[str]
    identity: Any = field(default=None)
    signed: bool = False


@dataclass(frozen=True)
class UnknownEvent(Event):
    """An event kind this version does not know (a newer firmware); field names only."""

    field_names: tuple = ()


def reader_time(fields: dict) -> Optional[datetime.datetime]:
    unix_ms = fields.get("unix_ms")
    if unix_ms is None:
        return None
    return datetime.datetime.fromtimestamp(unix_ms / 1000, tz=datetime.timezone.utc)
