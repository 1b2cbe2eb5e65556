"""A stand-in for MicroPython's ``machine`` module (tests/test_boards.py): it records what a board
builds, with the arguments of the real API, and does nothing else."""
made = []


class Pin:
    OUT = 1
    IN = 0

    def __init__(self, id, mode=-1, *args, **kwargs):
        self.id = id
        self._value = 0

    def value(self, v=None):
        if v is None:
            return self._value
        self._value = v


class UART:
    def __init__(self, id, baudrate=115200, *, tx=None, rx=None, timeout=0, rxbuf=256):
        made.append(["UART", id, baudrate, tx.id, rx.id, timeout, rxbuf])


class I2C:
    def __init__(self, id, *, sda=None, scl=None, freq=400000, timeout=50000):
        made.append(["I2C", id, sda.id, scl.id, freq, timeout])


class SPI:
    MSB = 0
    LSB = 1

    def __init__(self, id, baudrate=1000000, *, sck=None, mosi=None, miso=None, **kwargs):
        made.append(["SPI", id, baudrate, sck.id, mosi.id, miso.id])


def unique_id():
    return b"\xe6\x61\x41\x04\x03\x22\x5b\x2a"
