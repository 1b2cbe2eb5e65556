"""PN532 over I2C (7-bit address 0x24).

Every read starts with a status byte whose bit 0 says "ready"; the host
polls it, then reads status + frame in one transaction (UM0701-02 section
6.2.4). The PN532 stretches SCL while busy, past some MCUs' bus timeout
(ESP32): a failed transaction (OSError) is retried a bounded number of times
after a short wait. ``i2c`` is shaped like ``machine.I2C``.
"""
from micropython import const

from core.tasks import sleep_ms
from nfc.pn532 import KIND_BAD, WAKE_MS, Pn532BusError, parse_frame

ADDRESS = const(0x24)
_RETRIES = const(6)
_RETRY_MS = const(1)
_OVERHEAD = const(11)  # status + 00 00 FF FF FF LENM LENL LCS ... DCS 00


class Pn532I2c:
    name = "i2c"

    def __init__(self, i2c, address=ADDRESS):
        self.i2c = i2c
        self.address = address
        self._status = bytearray(1)
        self._buf = bytearray(_OVERHEAD + 2 + 262 + 4)
        self._bufv = memoryview(self._buf)
        self.bus_retries = 0
        self.frames_out = 0
        self.frames_in = 0
        self.bytes_out = 0
        self.bytes_in = 0

    def send(self, data):
        for attempt in range(_RETRIES):
            try:
                self.i2c.writeto(self.address, data)
                self.frames_out += 1
                self.bytes_out += len(data)
                return
            except OSError:
                self.bus_retries += 1
                yield from sleep_ms(_RETRY_MS)
        raise Pn532BusError("I2C write failed")

    def flush(self):
        pass  # nothing buffers on this side: a pending frame is replaced by the next command's

    def wakeup(self):
        # The chip wakes on its address; the first transaction may be NACKed.
        try:
            self.i2c.writeto(self.address, b"\x00")
        except OSError:
            pass
        yield from sleep_ms(WAKE_MS)

    def set_baudrate(self, baud):
        raise ValueError("baud rate is for HSU only")

    def _ready(self):
        try:
            self.i2c.readfrom_into(self.address, self._status)
        except OSError:
            self.bus_retries += 1  # clock stretched too long, or asleep: poll again
            return False
        return bool(self._status[0] & 1)

    def receive(self, deadline, size):
        while not self._ready():
            if deadline.expired():
                return None
            yield
        n = 1 + (8 if size == 0 else _OVERHEAD + size)  # an ACK, or an error frame in its place
        view = self._bufv[:n]
        for attempt in range(_RETRIES):
            try:
                self.i2c.readfrom_into(self.address, view)
                break
            except OSError:
                self.bus_retries += 1
                yield from sleep_ms(_RETRY_MS)
        else:
            raise Pn532BusError("I2C read failed")
        self.bytes_in += n
        kind, s, e, nxt = parse_frame(self._buf, 1, n)
        if kind == 0:  # KIND_NONE: truncated
            kind = KIND_BAD
        if kind != KIND_BAD:
            self.frames_in += 1
        return kind, self._buf, s, e
