"""What every reader backend offers, written once.

``Reader`` (our board over a serial link) and ``PcscReader`` (an
off-the-shelf PC/SC reader, the session run on the host) both derive from
:class:`BaseReader`, so practice software can take either.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional, TypeVar

from .errors import ReaderTimeout
from .events import Event


@dataclass(frozen=True)
class ReaderInfo:
    protocol_version: int
    firmware_version: str
    board: str
    device_id: str
    features: frozenset
    uptime_ms: Optional[int] = None
    reader_unix_ms: Optional[int] = None
    trust_version: Optional[int] = None


_R = TypeVar("_R", bound="BaseReader")


class BaseReader:
    """A source of events (credentials, capture errors, cards) with a transparent relay."""

    def next_event(self, timeout: Optional[float] = None) -> Event:
        """The next event; raises :class:`ReaderTimeout` (a ``TimeoutError``) when none comes."""
        raise NotImplementedError

    def info(self) -> ReaderInfo:
        raise NotImplementedError

    def relay(self, enabled: bool) -> None:
        """Transparent relay mode: no session of the reader's own; APDUs go through :meth:`transmit`."""
        raise NotImplementedError

    def transmit(self, apdu: bytes, timeout: float = 2.0) -> bytes:
        """One command APDU to the phone in the field (relay mode); its response APDU."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the reader; safe to call twice."""
        raise NotImplementedError

    def events(self, timeout: Optional[float] = None) -> Iterator[Event]:
        """Iterate over events until ``timeout`` seconds pass with none."""
        while True:
            try:
                yield self.next_event(timeout)
            except ReaderTimeout:
                return

    def __enter__(self: _R) -> _R:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
