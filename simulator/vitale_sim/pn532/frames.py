"""PN532 host frames (UM0701-02 section 6.2.1): information frames, ACK, NACK, error frame.

::

    normal    00 00 FF LEN LCS TFI PD0..PDn DCS 00        LEN + LCS = 0, TFI + PD0 + ... + DCS = 0
    extended  00 00 FF FF FF LENM LENL LCS TFI ... DCS 00  LENM + LENL + LCS = 0
    ACK       00 00 FF 00 FF 00        NACK  00 00 FF FF 00 00
    error     00 00 FF 01 FF 7F 81 00  (application-level error, section 6.2.1.5)

TFI is D4 host -> PN532 and D5 PN532 -> host. The PN532 takes at most 265
bytes in a frame's data field (TFI included, section 6.2.1.2) and always
answers with the smallest frame that fits. Preamble and postamble may be any
number of zeros (section 6.2.1.6); with SetParameters' fRemovePrePostAmble the
chip sends none.
"""
from __future__ import annotations

from typing import List, Tuple

ACK = b"\x00\x00\xff\x00\xff\x00"
NACK = b"\x00\x00\xff\xff\x00\x00"
ERROR_FRAME = b"\x00\x00\xff\x01\xff\x7f\x81\x00"
HOST_TFI = 0xD4
CHIP_TFI = 0xD5
MAX_FRAME_DATA = 265  # TFI + PD0..PDn


def frame(tfi: int, data: bytes) -> bytes:
    """A normal (up to 254 data bytes after TFI) or extended information frame."""
    body = bytes([tfi]) + bytes(data)
    n = len(body)
    if n <= 255:
        head = bytes([0, 0, 0xFF, n, (-n) & 0xFF])
    else:
        hi, lo = n >> 8, n & 0xFF
        head = bytes([0, 0, 0xFF, 0xFF, 0xFF, hi, lo, (-(hi + lo)) & 0xFF])
    return head + body + bytes([(-sum(body)) & 0xFF, 0])


def without_amble(fr: bytes) -> bytes:
    """The same frame with no preamble and no postamble (fRemovePrePostAmble)."""
    return fr[1:-1]


class FrameParser:
    """Incremental host-frame parser (an HSU byte stream, or one bus write)."""

    def __init__(self) -> None:
        self.buf = bytearray()

    def feed(self, data: bytes) -> List[Tuple[str, bytes]]:
        """``(kind, body)`` for each complete frame: 'ack', 'nack', 'data' (TFI + data) or 'bad'."""
        self.buf += data
        out: List[Tuple[str, bytes]] = []
        b = self.buf
        while True:
            i = b.find(b"\x00\xff")
            if i < 0:
                del b[: max(0, len(b) - 1)]
                if b and b[0] != 0:
                    del b[:]
                return out
            del b[:i]
            if len(b) < 4:
                return out
            x, y = b[2], b[3]
            if (x, y) in ((0x00, 0xFF), (0xFF, 0x00)):
                if len(b) < 5:
                    return out
                del b[:5]
                out.append(("ack" if x == 0 else "nack", b""))
                continue
            if x == 0xFF and y == 0xFF:
                if len(b) < 7:
                    return out
                n = (b[4] << 8) | b[5]
                if (b[4] + b[5] + b[6]) & 0xFF:
                    del b[:2]
                    out.append(("bad", b""))
                    continue
                d = 7
            else:
                if (x + y) & 0xFF:
                    del b[:2]
                    out.append(("bad", b""))
                    continue
                n, d = x, 4
            if n > MAX_FRAME_DATA:
                del b[:2]
                out.append(("bad", b""))  # longer than the chip's buffer: it cannot take it
                continue
            if len(b) < d + n + 1:
                return out
            body = bytes(b[d:d + n])
            dcs = b[d + n]
            del b[:d + n + 1]
            out.append(("bad", b"") if n == 0 or (sum(body) + dcs) & 0xFF else ("data", body))
