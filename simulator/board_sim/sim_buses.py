"""Simulated I2C and SPI buses for the firmware, shaped like machine.I2C / machine.SPI / machine.Pin.

Each bus transaction is one request/response over a socket to the chip
model (``vitale_sim.pn532.Pn532Model``, see ``vitale_sim.pn532.link.BUS_PROTOCOL``)::

    request  = op(1) len(2 BE) payload      response = status(1) len(2 BE) payload

A transaction blocks like a real bus transfer does (bounded: a model that does
not answer within ``_REPLY_MS`` raises OSError(ETIMEDOUT), as a hung bus
would). Runs under CPython and MicroPython (wasm) through ``simhost``.
"""
import binascii
import time

import simhost

_REPLY_MS = 1000
_ENODEV = 19
_ETIMEDOUT = 110


class _Wire:
    """Request/response over a non-blocking descriptor."""

    def __init__(self, fd):
        self.fd = fd
        self._buf = b""
        self.transactions = 0

    def request(self, op, payload):
        n = len(payload)
        head = bytes((op, n >> 8, n & 0xFF))
        simhost.write(self.fd, binascii.hexlify(head + bytes(payload)).decode())
        self.transactions += 1
        end = time.ticks_add(time.ticks_ms(), _REPLY_MS)
        spins = 0
        while True:
            if len(self._buf) >= 3:
                m = (self._buf[1] << 8) | self._buf[2]
                if len(self._buf) >= 3 + m:
                    status = self._buf[0]
                    data = self._buf[3:3 + m]
                    self._buf = self._buf[3 + m:]
                    return status, data
            d = simhost.read(self.fd, 4096)
            if d is not None:
                d = bytes(d)
                if not d:
                    raise OSError(_ENODEV)  # the model is gone
                self._buf += d
                continue
            if time.ticks_diff(end, time.ticks_ms()) <= 0:
                raise OSError(_ETIMEDOUT)
            spins += 1
            if spins > 50:
                simhost.sleep_ms(1)


def _check(status):
    if status == 1:
        raise OSError(_ENODEV)
    if status == 2:
        raise OSError(_ETIMEDOUT)
    if status:
        raise OSError(5)


class SimI2C:
    """The subset of machine.I2C the PN532 driver uses."""

    def __init__(self, fd):
        self._wire = _Wire(fd)

    def writeto(self, addr, buf, stop=True):
        status, _ = self._wire.request(0x57, bytes((addr,)) + bytes(buf))
        _check(status)
        return len(buf)

    def readfrom_into(self, addr, buf, stop=True):
        n = len(buf)
        status, data = self._wire.request(0x52, bytes((addr, n >> 8, n & 0xFF)))
        _check(status)
        for i in range(n):
            buf[i] = data[i] if i < len(data) else 0

    def readfrom(self, addr, nbytes, stop=True):
        buf = bytearray(nbytes)
        self.readfrom_into(addr, buf)
        return bytes(buf)

    def scan(self):
        try:
            self.readfrom(0x24, 1)
            return [0x24]
        except OSError:
            return []


class SimSPI:
    """The subset of machine.SPI the PN532 driver uses (an MSB-first peripheral)."""

    def __init__(self, fd):
        self._wire = _Wire(fd)

    def _xfer(self, out):
        status, data = self._wire.request(0x58, out)
        _check(status)
        return data

    def write(self, buf):
        self._xfer(bytes(buf))

    def read(self, nbytes, write=0x00):
        return bytes(self._xfer(bytes((write,)) * nbytes))

    def readinto(self, buf, write=0x00):
        data = self._xfer(bytes((write,)) * len(buf))
        for i in range(len(buf)):
            buf[i] = data[i]

    def write_readinto(self, wbuf, rbuf):
        data = self._xfer(bytes(wbuf))
        for i in range(len(rbuf)):
            rbuf[i] = data[i]


class SimPin:
    """A chip-select line shaped like machine.Pin (output)."""

    def __init__(self, wire):
        self._wire = wire
        self._level = 1

    def value(self, v=None):
        if v is None:
            return self._level
        v = 1 if v else 0
        if v != self._level:
            self._level = v
            status, _ = self._wire.request(0x43, bytes((v,)))
            _check(status)
        return None

    def __call__(self, v=None):
        return self.value(v)

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)


def make_pn532_bus(spec):
    """The board's ``pn532`` tuple from the simulator config ``{"bus": "i2c"|"spi", "fd": N}``."""
    if spec["bus"] == "i2c":
        return ("i2c", SimI2C(spec["fd"]))
    if spec["bus"] == "spi":
        spi = SimSPI(spec["fd"])
        return ("spi", spi, SimPin(spi._wire))
    raise ValueError("unknown PN532 bus")
