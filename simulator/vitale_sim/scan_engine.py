"""A simulated GM65-class scan engine on a file descriptor (socketpair end or pty master).

The firmware's ``qr.gm65`` driver talks to this exactly as to the module:

- command frames ``7E 00 type len addr_hi addr_lo data crc_hi crc_lo`` are
  checked (CRC-CCITT, poly 0x1021, init 0, over ``type .. data``; the
  module's ``AB CD`` "no CRC" wildcard is accepted); a frame with a bad CRC
  gets no answer, like the module;
- write (08) stores the bytes in the zone table and answers
  ``02 00 00 01 00 33 31``; read (07) answers ``02 00 00 n bytes crc``;
  save (09) answers the same ACK; writing 01 to 0x0002 starts a scan
  session in command-trigger mode (00 stops it);
- a code "in view" (``present``) is output as its bytes plus the tail the
  firmware configured in zone 0x0060 (bit0 on, bits 6-5: 00 CR, 01 CR LF,
  10 TAB, 11 none), byte for byte: in command-trigger mode only during a
  session (one code per session, then the session ends), in continuous,
  manual or induction mode as soon as it is shown.

The harness uses ``Gm65Model(fd)``, ``start()``, ``present(text)``,
``stop()``; ``config`` tells what the firmware configured, ``received``
logs every command frame, ``emitted`` every symbol output.
"""
from __future__ import annotations

import os
import select
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

ACK = bytes.fromhex("02000001003331")
WILDCARD_CRC = b"\xab\xcd"

REG_MODE = 0x0000
REG_TRIGGER = 0x0002
REG_SESSION = 0x0006
REG_QR = 0x003F
REG_DATAMATRIX = 0x0054
REG_OUTPUT = 0x0060
ZONE_SIZE = 0x0200

MODES = {0: "manual", 1: "trigger", 2: "continuous", 3: "induction"}
TAILS = {0: b"\r", 1: b"\r\n", 2: b"\t", 3: b""}
TAIL_NAMES = {b"\r": "CR", b"\r\n": "CRLF", b"\t": "TAB", b"": "none"}


def crc16(data: bytes, crc: int = 0) -> int:
    """CRC-CCITT (XModem flavour): poly 0x1021, init 0, MSB first."""
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def command_frame(kind: int, addr: int, data: bytes) -> bytes:
    body = bytes((kind, len(data), addr >> 8, addr & 0xFF)) + bytes(data)
    return b"\x7e\x00" + body + crc16(body).to_bytes(2, "big")


def response_frame(data: bytes, status: int = 0) -> bytes:
    body = bytes((status, len(data))) + bytes(data)
    return b"\x02\x00" + body + crc16(body).to_bytes(2, "big")


def default_zone() -> bytearray:
    """Power-on zone values of the model (the firmware overwrites what it relies on)."""
    zone = bytearray(ZONE_SIZE)
    zone[REG_MODE] = 0xD4  # manual mode, LED and beep on
    zone[REG_SESSION] = 50  # 5.0 s sessions
    zone[REG_QR] = 0x01
    zone[REG_DATAMATRIX] = 0x01
    zone[REG_OUTPUT] = 0x01  # raw output, CR tail
    return zone


@dataclass
class _InView:
    text: "str | bytes"
    until: Optional[float]  # None: read once
    next_read: float = 0.0
    reads: int = 0


@dataclass
class Gm65Config:
    """What the firmware configured, decoded from the zone table."""

    mode: str
    tail: str
    tail_bytes: bytes
    session_ms: Optional[int]  # None: until a code is read
    qr: bool
    datamatrix: bool
    protocol_output: bool
    written: dict = field(default_factory=dict)  # address -> last value written
    saved: bool = False  # a 09 (save to flash) was received


class Gm65Model:
    """The module's behaviour on ``fd``; a thread serves it between ``start()`` and ``stop()``."""

    def __init__(self, fd: int, decode_delay: float = 0.02, repeat_interval: float = 1.0,
                 baud: Optional[int] = None):
        self.fd = fd
        self.decode_delay = decode_delay
        self.repeat_interval = repeat_interval
        self.baud = baud  # pace output like a UART at this rate (None: as fast as the fd takes it)
        self.zone = default_zone()
        self.received: list[bytes] = []  # every complete command frame, in order
        self.rejected: list[bytes] = []  # frames with a bad CRC (not answered)
        self.emitted: list[bytes] = []  # every symbol output, tail included
        self.sessions = 0
        self._written: dict[int, int] = {}
        self._saved = False
        self._rx = bytearray()
        self._in_view: list[_InView] = []
        self._session_start: Optional[float] = None
        self._session_end: Optional[float] = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._changed = threading.Condition(self._lock)

    # -- public API ---------------------------------------------------------
    def start(self) -> "Gm65Model":
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="gm65-model", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> "Gm65Model":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def present(self, text: "str | bytes", hold: float = 0.0) -> None:
        """Put a code in front of the camera: read once, or again and again for ``hold`` seconds.

        ``bytes`` are output as they are (to test unreadable content); ``str`` as UTF-8.
        """
        now = time.monotonic()
        with self._lock:
            self._in_view.append(_InView(text, now + hold if hold > 0 else None, now + self.decode_delay))
            self._changed.notify_all()

    def clear(self) -> None:
        """Take every code away from the camera."""
        with self._lock:
            self._in_view.clear()

    @property
    def in_view(self) -> int:
        """How many codes are in front of the camera now."""
        with self._lock:
            return len(self._in_view)

    @property
    def mode(self) -> str:
        return MODES[self.zone[REG_MODE] & 0x03]

    @property
    def tail(self) -> bytes:
        out = self.zone[REG_OUTPUT]
        if not out & 0x01:
            return b""
        return TAILS[(out >> 5) & 0x03]

    @property
    def session_active(self) -> bool:
        return self._session_start is not None

    @property
    def config(self) -> Gm65Config:
        tenths = self.zone[REG_SESSION]
        return Gm65Config(
            mode=self.mode,
            tail=TAIL_NAMES[self.tail],
            tail_bytes=self.tail,
            session_ms=tenths * 100 if tenths else None,
            qr=bool(self.zone[REG_QR] & 1),
            datamatrix=bool(self.zone[REG_DATAMATRIX] & 1),
            protocol_output=bool(self.zone[REG_OUTPUT] & 0x80),
            written=dict(self._written),
            saved=self._saved,
        )

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        """Block until ``predicate(self)`` is true (tests): True, or False on timeout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate(self):
                return True
            time.sleep(0.005)
        return bool(predicate(self))

    # -- the serving thread ---------------------------------------------------
    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.005)
            except (OSError, ValueError):
                return
            if ready:
                try:
                    data = os.read(self.fd, 4096)
                except BlockingIOError:
                    data = None
                except OSError:
                    return  # the firmware side went away
                if data == b"":
                    return
                if data:
                    self._on_bytes(data)
            self._tick(time.monotonic())

    def _write(self, data: bytes) -> None:
        if self.baud:
            step = max(1, self.baud // 10 // 100)  # bytes per 10 ms
            for i in range(0, len(data), step):
                self._write_all(data[i:i + step])
                time.sleep(len(data[i:i + step]) * 10 / self.baud)
        else:
            self._write_all(data)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.fd, view):]
            except BlockingIOError:
                select.select([], [self.fd], [], 0.05)

    def _on_bytes(self, data: bytes) -> None:
        rx = self._rx
        rx.extend(data)
        while True:
            start = rx.find(b"\x7e\x00")
            if start < 0:
                if rx[-1:] == b"\x7e":
                    del rx[:-1]  # a trailing 7E may start the next frame
                else:
                    rx.clear()
                return
            if start:
                del rx[:start]
            if len(rx) < 6:
                return
            size = 8 + rx[3]
            if len(rx) < size:
                return
            frame = bytes(rx[:size])
            del rx[:size]
            self._on_frame(frame)

    def _on_frame(self, frame: bytes) -> None:
        self.received.append(frame)
        body, crc = frame[2:-2], frame[-2:]
        if crc != WILDCARD_CRC and crc16(body) != int.from_bytes(crc, "big"):
            self.rejected.append(frame)
            return
        kind, length, addr = body[0], body[1], (body[2] << 8) | body[3]
        data = body[4:4 + length]
        if kind == 0x08:
            if addr + length > ZONE_SIZE:
                return
            with self._lock:
                self.zone[addr:addr + length] = data
                for i, b in enumerate(data):
                    self._written[addr + i] = b
            self._write(ACK)
            if addr <= REG_TRIGGER < addr + length:
                self._trigger(data[REG_TRIGGER - addr])
        elif kind == 0x07:
            count = data[0] if data else 1
            if addr + count > ZONE_SIZE:
                return
            self._write(response_frame(bytes(self.zone[addr:addr + count])))
        elif kind == 0x09:
            self._saved = True
            self._write(ACK)
        # any other type: the module does not answer

    def _trigger(self, value: int) -> None:
        with self._lock:
            if self.mode != "trigger":
                return
            if value & 0x01:
                now = time.monotonic()
                tenths = self.zone[REG_SESSION]
                self._session_start = now
                self._session_end = now + tenths / 10 if tenths else None
                self.sessions += 1
                for item in self._in_view:
                    item.next_read = max(item.next_read, now + self.decode_delay)
            else:
                self._session_start = self._session_end = None

    def _tick(self, now: float) -> None:
        out = None
        with self._lock:
            self._in_view = [v for v in self._in_view if v.until is None or v.until > now or v.reads == 0]
            if self.mode == "trigger":
                if self._session_start is None:
                    return
                if self._session_end is not None and now >= self._session_end:
                    self._session_start = self._session_end = None
                    return
                item = next((v for v in self._in_view if v.next_read <= now), None)
                if item is None:
                    return
                self._session_start = self._session_end = None  # one read ends the session
            else:
                item = next((v for v in self._in_view if v.next_read <= now), None)
                if item is None:
                    return
            item.reads += 1
            item.next_read = now + (self.decode_delay if self.mode == "trigger" else self.repeat_interval)
            if item.until is None:
                self._in_view.remove(item)
            text = item.text
            out = (text if isinstance(text, bytes) else text.encode("utf-8")) + self.tail
            self.emitted.append(out)
        self._write(out)
