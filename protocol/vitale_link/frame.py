"""Frames: header + payload + CRC-32, COBS-stuffed, delimited by 0x00 (SPEC.md section 2).

    version:u8  flags:u8  seq:u8  type:u8  [session:4]  payload[...]  [auth:23]  crc32:u32le

``FrameDecoder`` takes arbitrary chunks of bytes from the wire and returns
``Frame`` objects and typed ``FrameError`` values; it never raises on bad
input, enforces the maximum size before buffering, and resynchronises on the
next 0x00 after any garbage.
"""
import binascii
import struct

from . import PROTOCOL_VERSION, cobs
from .errors import (AuthUnsupported, CobsError, CrcError, FrameTooLong, FrameTooShort,
                     VersionMismatch)

FLAG_ACK = 0x01  # this frame acknowledges frame `seq` of the peer; no payload
FLAG_SYN = 0x02  # a 4-byte session id follows the header: the sender's sequence starts anew
FLAG_AUTH = 0x80  # reserved: authentication trailer present (not in protocol v1)

HEADER_LEN = 4
SESSION_LEN = 4
CRC_LEN = 4
AUTH_LEN = 23  # key id u8, timestamp u48, HMAC-SHA256/128 tag: reserved for a later version
MAX_PAYLOAD = 4096
MAX_BODY = HEADER_LEN + SESSION_LEN + MAX_PAYLOAD + AUTH_LEN + CRC_LEN
MAX_ENCODED = MAX_BODY + MAX_BODY // 254 + 1  # COBS worst case, delimiter excluded


class Frame:
    __slots__ = ("flags", "seq", "type", "payload", "session")

    def __init__(self, msg_type, seq, payload=b"", flags=0, session=None):
        self.type = msg_type
        self.seq = seq
        self.payload = payload
        self.flags = flags
        self.session = session  # 4 bytes when FLAG_SYN is set

    @property
    def is_ack(self):
        return bool(self.flags & FLAG_ACK)

    def __repr__(self):
        return "Frame(type=0x%02x, seq=%d, flags=0x%02x, %d bytes)" % (
            self.type, self.seq, self.flags, len(self.payload))


def encode_frame(frame):
    """Frame -> bytes for the wire: a leading delimiter (flushes line noise), COBS body, delimiter."""
    if len(frame.payload) > MAX_PAYLOAD:
        raise ValueError("payload larger than MAX_PAYLOAD")
    body = bytearray(struct.pack("BBBB", PROTOCOL_VERSION, frame.flags, frame.seq & 0xFF, frame.type))
    if frame.flags & FLAG_SYN:
        if frame.session is None or len(frame.session) != SESSION_LEN:
            raise ValueError("a SYN frame needs a 4-byte session id")
        body += frame.session
    body += frame.payload
    body += struct.pack("<I", binascii.crc32(body) & 0xFFFFFFFF)
    return b"\x00" + cobs.encode(body) + b"\x00"


def parse_body(body):
    """Check and split one de-stuffed frame body. Returns a Frame or raises FrameError."""
    if len(body) < HEADER_LEN + CRC_LEN:
        raise FrameTooShort("%d bytes" % len(body))
    if len(body) > MAX_BODY:
        raise FrameTooLong("%d bytes" % len(body))
    crc = struct.unpack("<I", body[-CRC_LEN:])[0]
    if binascii.crc32(body[:-CRC_LEN]) & 0xFFFFFFFF != crc:
        raise CrcError("crc mismatch")
    version, flags, seq, msg_type = struct.unpack("BBBB", body[:HEADER_LEN])
    if version != PROTOCOL_VERSION:
        raise VersionMismatch("protocol version %d" % version)
    if flags & FLAG_AUTH:
        raise AuthUnsupported("authenticated frames are reserved")
    start = HEADER_LEN
    session = None
    if flags & FLAG_SYN:
        start += SESSION_LEN
        if len(body) < start + CRC_LEN:
            raise FrameTooShort("SYN frame without a session id")
        session = bytes(body[HEADER_LEN:start])
    return Frame(msg_type, seq, bytes(body[start:-CRC_LEN]), flags, session)


class FrameDecoder:
    """Streaming decoder: ``feed(chunk)`` -> list of Frame and FrameError values."""

    def __init__(self, max_encoded=MAX_ENCODED):
        self._buf = bytearray()
        self._max = max_encoded
        self._discarding = False  # inside an over-long frame: drop bytes until the next delimiter
        self.frames = 0
        self.errors = 0

    def feed(self, data):
        if not isinstance(data, (bytes, bytearray)):
            data = bytes(data)
        out = []
        start = 0
        n = len(data)
        while start < n:
            end = data.find(b"\x00", start)
            if end < 0:
                self._append(data[start:], out)
                break
            self._append(data[start:end], out)
            start = end + 1
            if self._discarding:
                self._discarding = False
            elif self._buf:
                out.append(self._decode(self._buf))
                self._buf = bytearray()
        return out

    def _append(self, chunk, out):
        if self._discarding or not chunk:
            return
        if len(self._buf) + len(chunk) > self._max:
            self._buf = bytearray()
            self._discarding = True
            self.errors += 1
            out.append(FrameTooLong("frame exceeds %d encoded bytes" % self._max))
            return
        self._buf += chunk

    def _decode(self, encoded):
        try:
            frame = parse_body(cobs.decode(encoded))
        except (CobsError, CrcError, FrameTooShort, FrameTooLong, VersionMismatch, AuthUnsupported) as err:
            self.errors += 1
            return err
        self.frames += 1
        return frame
