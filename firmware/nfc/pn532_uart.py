"""PN532 over HSU (high-speed UART, 115200 8N1 by default).

The chip sleeps after power-up (LowVbat). UM0701-02 section 6.3.2.3: it wakes
on the 5th rising edge on HSU_RX (one 0x55 carries five), then needs
T_osc_start, up to 2 ms, before it takes bytes again. The wake-up preamble
covers that with bytes alone: 0x55 0x55 and 24 zeros last 2.26 ms at 115200
baud, the chip's rate after power-up, and zeros before a frame are preamble to
a chip already awake. No pause is relied on: a pty to a simulated chip does not
carry one, and a real wire needs none after these bytes. The UART
object is shaped like ``machine.UART`` configured with ``timeout=0``:
``any()``, ``read(n)`` → bytes or None, ``write(buf)``; optionally ``init(baudrate=)``.
"""
from micropython import const

from nfc.pn532 import KIND_BAD, KIND_NONE, parse_frame

_WAKEUP = b"\x55\x55" + bytes(24)  # the frame starts 2.18 ms after the 5th rising edge (115200 baud)
_BUF = const(320)  # > the longest frame (8 + 265 + 2)
_FLUSH_MAX = const(4096)


class Pn532Uart:
    name = "uart"

    def __init__(self, uart):
        self.uart = uart
        self._rx = bytearray(_BUF)
        self._n = 0  # bytes held in _rx
        self._pos = 0  # first byte not yet consumed
        self.frames_out = 0
        self.frames_in = 0
        self.bytes_out = 0
        self.bytes_in = 0

    def send(self, data):
        self.uart.write(data)
        self.frames_out += 1
        self.bytes_out += len(data)
        return
        yield  # a generator like the other transports' send (bus retries wait)

    def flush(self):
        """Drop whatever the chip sent that nobody waits for (bounded)."""
        self._n = 0
        self._pos = 0
        dropped = 0
        while dropped < _FLUSH_MAX and self.uart.any():
            d = self.uart.read(256)
            if not d:
                break
            dropped += len(d)

    def wakeup(self):
        self.uart.write(_WAKEUP)
        self.bytes_out += len(_WAKEUP)
        return
        yield  # a generator like the other transports' wakeup (they wait for the chip)

    def set_baudrate(self, baud):
        self.uart.init(baudrate=baud)

    def _compact(self):
        if self._pos:
            m = self._n - self._pos
            if m > 0:
                self._rx[0:m] = bytes(self._rx[self._pos:self._n])
            self._n = max(0, m)
            self._pos = 0

    def receive(self, deadline, size):
        rx = self._rx
        while True:
            self._compact()
            kind, s, e, nxt = parse_frame(rx, 0, self._n)
            if kind != KIND_NONE:
                self._pos = nxt
                if kind != KIND_BAD:
                    self.frames_in += 1
                return kind, rx, s, e
            self._pos = nxt  # garbage before a start code
            self._compact()
            if self._n >= _BUF:  # a frame that cannot fit: resync
                self._n = 0
                return KIND_BAD, rx, 0, 0
            m = self.uart.any()
            if m:
                d = self.uart.read(min(m, _BUF - self._n))
                if d:
                    k = len(d)
                    rx[self._n:self._n + k] = d
                    self._n += k
                    self.bytes_in += k
                    continue
            if deadline.expired():
                return None
            yield
