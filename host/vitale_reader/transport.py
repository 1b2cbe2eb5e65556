"""Transports: how bytes reach the reader. A small base class and pluggable backends.

``open_transport(url)`` picks a backend by URL scheme, importing it on first
use (python-can's lazy registry): a plain path or any pyserial URL
(``/dev/ttyACM0``, ``socket://host:port``, ``loop://``, ``rfc2217://...``)
goes to :class:`SerialTransport`. Backends from other packages register
through the ``vitale_reader.transports`` entry-point group.
"""
from __future__ import annotations

import importlib
from typing import Optional

from .errors import LinkFailure, ReaderUnavailable


class Transport:
    """A byte pipe to the reader. ``read`` waits at most ``timeout`` seconds and may return b''."""

    def read(self, size: int, timeout: Optional[float]) -> bytes:
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SerialTransport(Transport):
    """A serial port (USB CDC, UART bridge, pty) through pyserial's ``serial_for_url``."""

    def __init__(self, url: str, baudrate: int = 115200):
        import serial

        try:
            self._port = serial.serial_for_url(url, baudrate=baudrate, timeout=0.05, write_timeout=2,
                                               exclusive=True)
        except (serial.SerialException, OSError, ValueError) as err:
            raise ReaderUnavailable(f"cannot open {url}: {err}") from err
        self._serial = serial

    def read(self, size: int, timeout: Optional[float]) -> bytes:
        self._port.timeout = timeout
        try:
            first = self._port.read(1)
            if not first:
                return b""
            waiting = self._port.in_waiting
            return first + (self._port.read(min(waiting, size - 1)) if waiting else b"")
        except (self._serial.SerialException, OSError, TypeError) as err:
            raise LinkFailure(f"serial read failed: {err}") from err

    def write(self, data: bytes) -> None:
        try:
            self._port.write(data)
        except (self._serial.SerialException, OSError) as err:
            raise LinkFailure(f"serial write failed: {err}") from err

    def close(self) -> None:
        self._port.close()


# scheme -> (module, class); a URL with no known scheme is a serial port or pyserial URL.
BACKENDS: dict[str, tuple[str, str]] = {}


def _entry_point_backends() -> dict[str, tuple[str, str]]:
    from importlib.metadata import entry_points

    found = {}
    for ep in entry_points(group="vitale_reader.transports"):
        module, _, cls = ep.value.partition(":")
        found[ep.name] = (module, cls)
    return found


def open_transport(url: str) -> Transport:
    scheme = url.split("://", 1)[0] if "://" in url else ""
    backends = {**_entry_point_backends(), **BACKENDS}
    if scheme in backends:
        module_name, class_name = backends[scheme]
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except ImportError as err:
            raise ReaderUnavailable(f"backend {scheme!r} is not installed: {err}") from err
        return cls(url)
    return SerialTransport(url)


def list_ports() -> list[tuple[str, str, Optional[int], Optional[int]]]:
    """Serial ports present: (device, description, USB VID, USB PID)."""
    from serial.tools import list_ports as lp

    return [(p.device, p.description, p.vid, p.pid) for p in lp.comports()]
