"""vitale_reader: host library for the open e-Carte Vitale reader.

    from vitale_reader import Reader
    with Reader("/dev/ttyACM0") as reader:
        event = reader.next_event(timeout=30)

PC/SC readers (``pip install 'vitale_reader[pcsc]'``): ``from vitale_reader import PcscReader``,
imported on first use so that this package never needs pyscard.
"""
from typing import TYPE_CHECKING, Any

from .errors import (CommandFailed, LinkFailure, ProtocolError, ReaderTimeout, ReaderUnavailable,
                     VitaleError)
from .events import CaptureErrorEvent, CardEvent, CredentialEvent, Event, InsDatamatrixEvent, UnknownEvent
from .base import BaseReader, ReaderInfo
from .reader import Reader
from .transport import SerialTransport, Transport, list_ports, open_transport

__version__ = "0.1.0"
__all__ = [
    "BaseReader", "Reader", "ReaderInfo", "Event", "CredentialEvent", "CaptureErrorEvent", "CardEvent",
    "InsDatamatrixEvent", "UnknownEvent", "VitaleError", "ReaderUnavailable", "LinkFailure",
    "ReaderTimeout", "ProtocolError", "CommandFailed", "Transport", "SerialTransport", "open_transport",
    "list_ports", "PcscReader",
]

if TYPE_CHECKING:
    from .pcsc import PcscReader


def __getattr__(name: str) -> Any:
    if name == "PcscReader":  # lazily: the PC/SC backend is optional
        from .pcsc import PcscReader

        return PcscReader
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
