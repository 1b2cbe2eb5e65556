"""A simulated phone as the card of a vsmartcard virtual reader (``vpcd``), so real PC/SC
software (``pcscd`` + pyscard) talks to it exactly as to a phone on a contactless reader.

``vpcd`` is a ``pcscd`` driver (Debian ``vsmartcard-vpcd``) that listens on
TCP port 35963 (``Virtual PCD 00 00``; 35964 for ``... 00 01``) for a
virtual card. Messages both ways: a 2-byte big-endian length, then the bytes.
From the reader, one byte is a control message (0 power off, 1 power on,
2 reset, 4 "send your ATR"); anything longer is a command APDU, answered by
the response APDU. A card is in the field while its connection is open::

    phone = SimPhone(wallet_path)
    with VpcdCard(phone) as card:
        card.insert()            # the phone enters the field
        ...                      # pyscard sees a card in "Virtual PCD 00 00"
        card.remove()            # and leaves it

A phone that raises ``CardRemoved`` in the middle of an exchange (fault
``pulled_away``) drops the connection: the reader sees the card gone.
"""
from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from typing import Any, Optional

from .card import CardRemoved, Delayed

log = logging.getLogger(__name__)

DEFAULT_PORT = 35963
#: PC/SC part 3 ATR of a contactless ISO 14443-4 card without historical bytes (T=0 then T=1 indicated)
CONTACTLESS_ATR = bytes.fromhex("3B80800101")

CTRL_OFF = 0
CTRL_ON = 1
CTRL_RESET = 2
CTRL_ATR = 4


class VpcdError(ConnectionError):
    """The virtual reader cannot be reached (is ``pcscd`` running with the vpcd driver?)."""


class VpcdCard:
    """Serves ``phone`` (anything with ``apdu(bytes)``, ``power_on()``, ``power_off()``, e.g. a
    ``SimPhone``) as the card in the vpcd slot at ``host:port``.

    :param atr: what the card answers to "get ATR".
    :param connect_timeout: how long :meth:`insert` retries while the port refuses (pcscd starting).
    """

    def __init__(self, phone: Any, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 atr: bytes = CONTACTLESS_ATR, connect_timeout: float = 10.0) -> None:
        self.phone = phone
        self.host = host
        self.port = port
        self.atr = bytes(atr)
        self.connect_timeout = connect_timeout
        self.apdus = 0  # command APDUs served (all insertions)
        self.insertions = 0
        self._sock: Optional[socket.socket] = None
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.error: Optional[BaseException] = None  # what ended the last serving thread, if not a removal

    def __repr__(self) -> str:
        return f"VpcdCard({self.host}:{self.port}, inserted={self.inserted})"

    def __enter__(self) -> "VpcdCard":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def inserted(self) -> bool:
        return self._sock is not None

    # -- the phone enters / leaves the field ------------------------------------------------
    def insert(self) -> None:
        """Connect to vpcd (the card is then in the field) and serve it on a thread.

        :raises VpcdError: nothing listens on the port within ``connect_timeout``.
        """
        self.remove()
        deadline = time.monotonic() + self.connect_timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2.0)
                break
            except OSError as err:
                if time.monotonic() >= deadline:
                    raise VpcdError(f"no virtual reader on {self.host}:{self.port} ({err}); "
                                    "is pcscd running with vsmartcard-vpcd?") from err
                time.sleep(0.1)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._stop = threading.Event()
        self.error = None
        with self._lock:
            self._sock = sock
        self.insertions += 1
        self._thread = threading.Thread(target=self._serve, args=(sock, self._stop),
                                        name=f"vpcd-card-{self.port}", daemon=True)
        self._thread.start()

    def remove(self) -> None:
        """Leave the field: close the connection (vpcd then reports the card gone). Safe to repeat."""
        self._stop.set()
        self._drop()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10.0)

    def close(self) -> None:
        self.remove()

    def _drop(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
            self._power_off()

    def _power_off(self) -> None:
        try:
            self.phone.power_off()
        except Exception:  # a phone model's problem must not break the transport
            log.exception("phone power_off failed")

    # -- the wire ------------------------------------------------------------------------
    @staticmethod
    def _recv_exact(sock: socket.socket, n: int) -> Optional[bytes]:
        buf = b""
        while len(buf) < n:
            part = sock.recv(n - len(buf))
            if not part:
                return None
            buf += part
        return buf

    @staticmethod
    def _send(sock: socket.socket, data: bytes) -> None:
        sock.sendall(struct.pack(">H", len(data)) + data)

    def _serve(self, sock: socket.socket, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                head = self._recv_exact(sock, 2)
                if head is None:
                    break
                (size,) = struct.unpack(">H", head)
                msg = self._recv_exact(sock, size) if size else b""
                if msg is None:
                    break
                if size == 1:
                    self._control(sock, msg[0])
                    continue
                answer = self._apdu(msg, stop)
                if answer is None:  # the phone left the field mid-exchange
                    break
                self._send(sock, answer)
        except OSError as err:
            if not stop.is_set() and self._sock is sock:
                self.error = err
                log.debug("vpcd connection ended: %s", err)
        finally:
            if self._sock is sock:
                self._drop()

    def _control(self, sock: socket.socket, code: int) -> None:
        if code == CTRL_ATR:
            self._send(sock, self.atr)
        elif code == CTRL_ON:
            self.phone.power_on()
        elif code == CTRL_OFF:
            self.phone.power_off()
        elif code == CTRL_RESET:
            self.phone.power_off()
            self.phone.power_on()
        else:
            log.debug("unknown vpcd control byte %d", code)

    def _apdu(self, command: bytes, stop: threading.Event) -> Optional[bytes]:
        """The phone's response to one command APDU; None when the phone left the field."""
        self.apdus += 1
        try:
            rsp = self.phone.apdu(command)
        except CardRemoved:
            return None
        if isinstance(rsp, Delayed):  # a slow phone (the contactless reader keeps granting WTX)
            if stop.wait(rsp.seconds):
                return None
            rsp = rsp.response
        return b"" if rsp is None else bytes(rsp)
