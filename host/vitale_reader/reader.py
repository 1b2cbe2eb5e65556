"""``Reader``: the practice software's handle on one e-Carte Vitale reader.

    with Reader("/dev/ttyACM0") as reader:
        print(reader.info().firmware_version)
        event = reader.next_event(timeout=30)

Opening handshakes (HELLO) and sets the reader's clock; events are
re-verified here before the caller sees them.
"""
from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass
from typing import Any, Iterator, Optional

from vitale_link import PROTOCOL_VERSION, messages

from . import events as ev
from .errors import ProtocolError, ReaderTimeout
from .link import LinkSession
from .transport import Transport, open_transport

log = logging.getLogger(__name__)

FEATURE_NAMES = {
    messages.FEATURE_NFC: "nfc",
    messages.FEATURE_QR: "qr",
    messages.FEATURE_RELAY: "relay",
    messages.FEATURE_DATAMATRIX: "datamatrix",
}


@dataclass(frozen=True)
class ReaderInfo:
    protocol_version: int
    firmware_version: str
    board: str
    device_id: str
    features: frozenset
    uptime_ms: Optional[int] = None
    reader_unix_ms: Optional[int] = None


def _features(bits: int) -> frozenset:
    return frozenset(name for bit, name in FEATURE_NAMES.items() if bits & bit)


class Reader:
    """One reader on ``url``: a serial device path or any pyserial URL.

    :param pki: test PKI directory made by ``vitale-issuer init`` whose root this
        host trusts; ``None`` uses the built-in TEST PKI (demo only).
    :param timeout: seconds to wait for each reply.
    :param sync_time: set the reader's clock from this host's when opening.
    :raises ReaderUnavailable: the port cannot be opened.
    :raises ProtocolError: the device does not speak a compatible protocol.
    """

    def __init__(self, url: str, pki: Optional[str] = None, timeout: float = 2.0, sync_time: bool = True,
                 transport: Optional[Transport] = None):
        self.url = url
        self.timeout = timeout
        self._transport = transport if transport is not None else open_transport(url)
        self._link: Optional[LinkSession] = LinkSession(self._transport)
        self.hello: Optional[ReaderInfo] = None
        try:
            self.hello = self._handshake()
            if sync_time:
                self.set_time()
        except BaseException:
            self.close()
            raise

    # -- lifecycle ----------------------------------------------------------------
    def close(self) -> None:
        """Close the link and the port; safe to call twice."""
        link, self._link = self._link, None
        if link is not None:
            link.close()
            self._transport.close()

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_link", None) is not None:
            warnings.warn(f"Reader({self.url!r}) was never closed", ResourceWarning, stacklevel=1)

    def __repr__(self) -> str:
        return f"Reader({self.url!r}, open={self._link is not None})"

    @property
    def link(self) -> LinkSession:
        if self._link is None:
            raise ProtocolError("reader is closed")
        return self._link

    def _request(self, msg_type: int, fields: Optional[dict[str, Any]] = None,
                 timeout: Optional[float] = None) -> messages.Message:
        return self.link.request(msg_type, fields or {}, self.timeout if timeout is None else timeout)

    # -- requests -------------------------------------------------------------------
    def _handshake(self, attempts: int = 3) -> ReaderInfo:
        last: Optional[Exception] = None
        for _ in range(attempts):
            try:
                reply = self._request(messages.HELLO, {"protocol_version": PROTOCOL_VERSION,
                                                       "host": "vitale_reader"})
            except ReaderTimeout as err:  # e.g. the HELLO collided with the reader's last seq: ask again
                last = err
                continue
            if reply["protocol_version"] != PROTOCOL_VERSION:
                raise ProtocolError(f"reader speaks protocol {reply['protocol_version']}, "
                                    f"this library {PROTOCOL_VERSION}")
            return ReaderInfo(reply["protocol_version"], reply["firmware_version"], reply["board"],
                              reply["device_id"].hex(), _features(reply["features"]))
        raise ProtocolError(f"no HELLO reply from {self.url}: {last}")

    def info(self) -> ReaderInfo:
        reply = self._request(messages.INFO)
        return ReaderInfo(reply["protocol_version"], reply["firmware_version"], reply["board"],
                          reply["device_id"].hex(), _features(reply.get("features", 0)),
                          reply["uptime_ms"], reply.get("unix_ms"))

    def ping(self, data: bytes = b"") -> float:
        """Round trip in seconds; raises ProtocolError if the echo differs."""
        start = time.perf_counter()
        reply = self._request(messages.PING, {"data": data})
        if reply.get("data", b"") != data:
            raise ProtocolError("PING echo differs")
        return time.perf_counter() - start

    def set_time(self, unix_ms: Optional[int] = None) -> int:
        """Set the reader's clock (default: now); returns the reader's new time in ms."""
        when = int(time.time() * 1000) if unix_ms is None else unix_ms
        return int(self._request(messages.SET_TIME, {"unix_ms": when})["unix_ms"])

    # -- events ---------------------------------------------------------------------
    def next_event(self, timeout: Optional[float] = None) -> ev.Event:
        """The next event from the reader.

        :raises ReaderTimeout: (a ``TimeoutError``) nothing came within ``timeout`` seconds.
        :raises LinkFailure: the link broke.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            msg = self.link.next_message(left)
            if msg.type == messages.ERROR:
                log.warning("reader reported error %s", msg.get("code"))
                continue
            return self._make_event(msg.fields)

    def events(self, timeout: Optional[float] = None) -> Iterator[ev.Event]:
        """Iterate over events until ``timeout`` seconds pass with none."""
        while True:
            try:
                yield self.next_event(timeout)
            except ReaderTimeout:
                return

    def _make_event(self, fields: dict[str, Any]) -> ev.Event:
        kind = fields["kind"]
        common = dict(kind=kind, event_id=fields["event_id"], reader_time=ev.reader_time(fields))
        if kind == "capture_error":
            return ev.CaptureErrorEvent(source=fields.get("source", ""), reason=fields.get("reason", ""),
                                        detail=fields.get("detail", ""), **common)
        if kind in ("card_present", "card_removed"):
            return ev.CardEvent(present=kind == "card_present", **common)
        return ev.UnknownEvent(field_names=tuple(sorted(fields)), **common)
