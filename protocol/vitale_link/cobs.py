"""Consistent Overhead Byte Stuffing: removes every 0x00 so 0x00 can delimit frames.

Overhead is at most one byte per 254 bytes of data. Works block by block
(slices, not bytes) so it is fast on CPython and MicroPython alike.
"""
from .errors import CobsError


def encode(data):
    out = bytearray()
    parts = bytes(data).split(b"\x00")
    last = len(parts) - 1
    for index, part in enumerate(parts):
        start = 0
        n = len(part)
        while n - start >= 254:
            out.append(0xFF)
            out += part[start:start + 254]
            start += 254
        if start < n or index < last or n == 0:
            out.append(n - start + 1)
            out += part[start:]
    return bytes(out)


def decode(data):
    """Decode one COBS block sequence (no delimiter inside). Raises CobsError."""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        code = data[i]
        if code == 0:
            raise CobsError("zero byte inside a frame")
        end = i + code
        if end > n:
            raise CobsError("block runs past the end of the frame")
        out += data[i + 1:end]
        i = end
        if code != 0xFF and i < n:
            out.append(0)
    return out
