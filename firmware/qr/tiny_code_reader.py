"""Useful Sensors Tiny Code Reader on I2C (address 0x0C).

The module decodes QR codes by itself (about five times a second) and
holds the latest result; a read of 256 bytes returns it:

    u16 little-endian content length | 254 content bytes

A length of 0 means "no code in view". The module zero-fills the array after
the content (Useful Sensors developer guide), so a complete code has at most
253 bytes; a length of 254 or more means the content was cut (or may have
been): the driver never delivers it and reports ``too_long`` instead (once
per presentation, through the capture's de-duplication). A signed e-Carte Vitale QR presentation is far
longer than 254 characters (see protocol/QR.md), so this engine only suits
short QR codes (the vendor recommends 20 characters or less); it is a
QR-only decoder and does not read Data Matrix.

The driver polls every ``poll_ms`` (200 ms: the module's own rate, faster
reads return the same result), with a bounded wait between polls and
``readfrom_into`` into one preallocated buffer. A bus error (``OSError``:
no ACK at 0x0C, ESP32 timeout) is reported once as ``engine_error`` and
retried after ``retry_ms``.
"""
from micropython import const

from core.tasks import sleep_ms
from qr import ENGINE_ERROR, TOO_LONG

ADDRESS = const(0x0C)
CONTENT_MAX = const(254)  # the content array; complete codes are shorter (zero terminator)
_READ_LEN = const(256)


class TinyCodeReader:
    def __init__(self, i2c, address=ADDRESS, poll_ms=200, retry_ms=1000):
        self._i2c = i2c
        self.address = address
        self.poll_ms = poll_ms
        self.retry_ms = retry_ms
        self._buf = bytearray(_READ_LEN)
        self.state = "starting"

    def read_once(self):
        """One poll: ``None`` (no code), ``bytes`` (a code) or ``int`` (length of a cut code)."""
        buf = self._buf
        self._i2c.readfrom_into(self.address, buf)
        n = buf[0] | (buf[1] << 8)
        if n == 0:
            return None
        if n >= CONTENT_MAX:
            return n
        return bytes(buf[2:2 + n])

    def run(self, sink):
        while True:
            yield from sleep_ms(self.poll_ms)  # at least one turn, whatever poll_ms is
            if not sink.active:
                continue
            try:
                got = self.read_once()
            except OSError as err:
                if self.state != "failed":
                    sink.error(ENGINE_ERROR, "tiny code reader: i2c " + str(err.args[0] if err.args else ""),
                               "tcr")
                self.state = "failed"
                yield from sleep_ms(self.retry_ms)
                continue
            self.state = "ready"
            if got is None:
                continue
            if isinstance(got, int):
                sink.error(TOO_LONG, "tiny code reader: " + str(got) + " bytes, max " + str(CONTENT_MAX - 1),
                           "tcr" + str(got))
                continue
            sink.deliver(got)
