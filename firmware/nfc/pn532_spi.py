"""PN532 over SPI (mode 0, up to 5 MHz, LSB first).

Each transaction starts with an operation byte: 0x01 data write, 0x02 status
read (bit 0 = ready), 0x03 data read (UM0701-02 section 6.2.5). The chip
sends and expects LSB first; ``machine.SPI`` on the RP2040 is MSB-first only,
so by default every byte is bit-reversed in software (``lsb_first=True`` if
the SPI peripheral is configured ``firstbit=SPI.LSB``). ``cs`` is a
``machine.Pin`` (active low).
"""
from micropython import const

from core.tasks import sleep_ms
from nfc.pn532 import KIND_BAD, WAKE_MS, parse_frame

_DW = const(0x01)
_SR = const(0x02)
_DR = const(0x03)
_OVERHEAD = const(10)


def _make_rev():
    t = bytearray(256)
    for i in range(256):
        r = 0
        for b in range(8):
            if i & (1 << b):
                r |= 0x80 >> b
        t[i] = r
    return bytes(t)


REV = _make_rev()


class Pn532Spi:
    name = "spi"

    def __init__(self, spi, cs, lsb_first=False):
        self.spi = spi
        self.cs = cs
        self._rev = not lsb_first
        self._op = bytearray(1)
        self._one = bytearray(1)
        self._buf = bytearray(1 + _OVERHEAD + 2 + 262 + 4)
        self._bufv = memoryview(self._buf)
        self.frames_out = 0
        self.frames_in = 0
        self.bytes_out = 0
        self.bytes_in = 0
        cs.value(1)

    def _wire(self, buf, n):
        if self._rev:
            for i in range(n):
                buf[i] = REV[buf[i]]

    def send(self, data):
        n = len(data) + 1
        buf = self._buf
        buf[0] = _DW
        buf[1:n] = data
        self._wire(buf, n)
        self.cs.value(0)
        try:
            self.spi.write(self._bufv[:n])
        finally:
            self.cs.value(1)
        self.frames_out += 1
        self.bytes_out += len(data)
        return
        yield  # a generator like the other transports' send (bus retries wait)

    def flush(self):
        pass

    def wakeup(self):
        self.cs.value(0)  # NSS low wakes the chip; hold it while the oscillator starts
        yield from sleep_ms(WAKE_MS)
        self.cs.value(1)

    def set_baudrate(self, baud):
        raise ValueError("baud rate is for HSU only")

    def _ready(self):
        self._op[0] = REV[_SR] if self._rev else _SR
        self.cs.value(0)
        try:
            self.spi.write(self._op)
            self.spi.readinto(self._one, 0)
        finally:
            self.cs.value(1)
        b = self._one[0]
        return bool((REV[b] if self._rev else b) & 1)

    def receive(self, deadline, size):
        while not self._ready():
            if deadline.expired():
                return None
            yield
        n = 8 if size == 0 else _OVERHEAD + size
        self._op[0] = REV[_DR] if self._rev else _DR
        view = self._bufv[:n]
        self.cs.value(0)
        try:
            self.spi.write(self._op)
            self.spi.readinto(view, 0)
        finally:
            self.cs.value(1)
        self._wire(self._buf, n)
        self.bytes_in += n
        kind, s, e, nxt = parse_frame(self._buf, 0, n)
        if kind == 0:
            kind = KIND_BAD
        if kind != KIND_BAD:
            self.frames_in += 1
        return kind, self._buf, s, e
