"""Frames: header, payload, optional AUTH trailer, CRC-32; COBS-stuffed, 0x00-delimited (SPEC.md section 2).

    version:u8=2  flags:u8  seq:u8  type:u8  [session:4 if SYN]  payload  [counter:u32be tag:8 if AUTH]  crc32:u32le

``encode_frame`` builds the wire bytes (MACed when given a key);
``FrameDecoder`` takes arbitrary chunks from the wire and returns ``Frame``
objects and typed ``FrameError`` values: it never raises on bad input,
refuses a frame as soon as it outgrows its size limit (before buffering
more), and resynchronises on the next 0x00 after any garbage. A decoded AUTH
frame is NOT yet trusted: ``Frame.verify(key)`` checks its tag.
"""
import binascii
import struct

from . import PROTOCOL_VERSION, auth, cobs
from .errors import CobsError, CrcError, FlagsError, FrameTooLong, FrameTooShort, VersionMismatch

FLAG_ACK = 0x01  # acknowledges the peer's frame `seq`; type 0, no payload, nothing else set
FLAG_SYN = 0x02  # a 4-byte session id follows the header: the sender's sequence starts anew
FLAG_MORE = 0x04  # a fragment: the message goes on in the sender's next frame
FLAG_NAK = 0x08  # "I received a damaged frame": seq = the last good seq received; type 0, no payload
FLAG_AUTH = 0x80  # the 12-byte AUTH trailer precedes the CRC
KNOWN_FLAGS = FLAG_ACK | FLAG_SYN | FLAG_MORE | FLAG_NAK | FLAG_AUTH
CONTROL_FLAGS = FLAG_ACK | FLAG_NAK
CONTROL_FLAGS_ALONE = (FLAG_ACK, FLAG_NAK)

HEADER_LEN = 4
SESSION_LEN = 4
COUNTER_LEN = 4
AUTH_LEN = COUNTER_LEN + auth.TAG_LEN  # 12
CRC_LEN = 4
MIN_FRAGMENT = 16  # smallest max_fragment a peer may announce
MAX_FRAGMENT = 1024  # largest payload one frame may carry, whatever a peer announces
MAX_COUNTER = 0xFFFFFFFF


def max_body(max_fragment):
    return HEADER_LEN + SESSION_LEN + max_fragment + AUTH_LEN + CRC_LEN


def max_wire(max_fragment):
    """Longest COBS-encoded frame (delimiters excluded) carrying at most ``max_fragment`` payload bytes."""
    body = max_body(max_fragment)
    return body + body // 254 + 1


MAX_BODY = max_body(MAX_FRAGMENT)
MAX_FRAGMENT_WIRE = max_wire(MAX_FRAGMENT)


class Frame:
    __slots__ = ("flags", "seq", "type", "payload", "session", "counter", "tag")

    def __init__(self, msg_type, seq, payload=b"", flags=0, session=None, counter=None, tag=None):
        self.type = msg_type
        self.seq = seq
        self.payload = payload
        self.flags = flags
        self.session = session  # 4 bytes when FLAG_SYN is set
        self.counter = counter  # AUTH frames: the sender's frame counter (u32)
        self.tag = tag  # AUTH frames, as received: the 8-byte tag, checked by verify()

    @property
    def is_control(self):
        """ACK or NAK: unauthenticated, only ever used to drive retransmission."""
        return bool(self.flags & CONTROL_FLAGS)

    def header(self):
        return bytes((PROTOCOL_VERSION, self.flags, self.seq & 0xFF, self.type))

    def compute_tag(self, key):
        """The AUTH tag of this frame under ``key`` (an ``auth.MacKey``): HMAC over header,
        session id, payload and counter, truncated to 8 bytes."""
        return key.mac(self.header(), self.session or b"", self.payload,
                       struct.pack(">I", self.counter))[:auth.TAG_LEN]

    def verify(self, key):
        """True if this received AUTH frame's tag is right under ``key`` (constant-time compare)."""
        if self.tag is None or self.counter is None:
            return False
        return auth.compare_digest(self.compute_tag(key), self.tag)

    def __repr__(self):
        return "Frame(type=0x%02x, seq=%d, flags=0x%02x, %d bytes)" % (
            self.type, self.seq, self.flags, len(self.payload))


def encode_frame(frame, key=None):
    """Frame -> wire bytes: a leading delimiter (it ends any line noise before), COBS body, delimiter.

    With ``key`` (an ``auth.MacKey``) FLAG_AUTH is set on ``frame`` and the body gets a
    trailer with ``frame.counter`` and the tag. Raises ValueError on a frame the spec forbids (a caller bug).
    """
    if len(frame.payload) > MAX_FRAGMENT:
        raise ValueError("payload larger than MAX_FRAGMENT")
    if frame.flags & ~KNOWN_FLAGS & 0xFF:
        raise ValueError("unknown flags")
    if key is not None:
        if frame.counter is None or not 1 <= frame.counter <= MAX_COUNTER:
            raise ValueError("an AUTH frame needs a counter in 1..2^32-1")
        frame.flags |= FLAG_AUTH
    elif frame.flags & FLAG_AUTH:
        raise ValueError("FLAG_AUTH without a key")
    if frame.flags & FLAG_SYN and (frame.session is None or len(frame.session) != SESSION_LEN):
        raise ValueError("a SYN frame needs a 4-byte session id")
    body = bytearray(frame.header())
    if frame.flags & FLAG_SYN:
        body += frame.session
    body += frame.payload
    if key is not None:
        body += struct.pack(">I", frame.counter)
        body += frame.compute_tag(key)
    body += struct.pack("<I", binascii.crc32(body) & 0xFFFFFFFF)
    return b"\x00" + cobs.encode(body) + b"\x00"


def control_frame(flag, seq):
    """Wire bytes of an ACK or NAK frame."""
    return encode_frame(Frame(0, seq, b"", flag))


def parse_body(body, max_fragment=MAX_FRAGMENT):
    """Check and split one de-stuffed frame body. Returns a Frame or raises FrameError."""
    n = len(body)
    if n < HEADER_LEN + CRC_LEN:
        raise FrameTooShort("%d bytes" % n)
    if n > max_body(max_fragment):
        raise FrameTooLong("%d bytes" % n)
    crc = struct.unpack("<I", body[-CRC_LEN:])[0]
    if binascii.crc32(body[:-CRC_LEN]) & 0xFFFFFFFF != crc:
        raise CrcError("crc mismatch")
    version, flags, seq, msg_type = struct.unpack("BBBB", body[:HEADER_LEN])
    if version != PROTOCOL_VERSION:
        raise VersionMismatch("protocol version %d" % version)
    if flags & ~KNOWN_FLAGS:
        raise FlagsError("unknown flags 0x%02x" % flags)
    start = HEADER_LEN
    end = n - CRC_LEN
    if flags & CONTROL_FLAGS:
        if flags not in CONTROL_FLAGS_ALONE or msg_type != 0 or end != start:
            raise FlagsError("a control frame carries nothing but its seq")
        return Frame(0, seq, b"", flags)
    session = None
    if flags & FLAG_SYN:
        start += SESSION_LEN
    counter = tag = None
    if flags & FLAG_AUTH:
        end -= AUTH_LEN
    if end < start:
        raise FrameTooShort("no room for the session id or the AUTH trailer")
    if flags & FLAG_SYN:
        session = bytes(body[HEADER_LEN:start])
    if flags & FLAG_AUTH:
        counter = struct.unpack(">I", body[end:end + COUNTER_LEN])[0]
        tag = bytes(body[end + COUNTER_LEN:end + AUTH_LEN])
    if end - start > max_fragment:
        raise FrameTooLong("payload of %d bytes" % (end - start))
    return Frame(msg_type, seq, bytes(body[start:end]), flags, session, counter, tag)


class FrameDecoder:
    """Streaming decoder: ``feed(chunk)`` -> list of Frame and FrameError values.

    ``max_fragment``: the largest payload this receiver accepts per frame (what it
    announces); longer frames are refused once their encoded length passes
    ``max_wire(max_fragment)``, without buffering the rest.
    """

    def __init__(self, max_fragment=MAX_FRAGMENT):
        self._buf = bytearray()
        self.max_fragment = max_fragment
        self._max = max_wire(max_fragment)
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
            frame = parse_body(cobs.decode(encoded), self.max_fragment)
        except (CobsError, CrcError, FrameTooShort, FrameTooLong, VersionMismatch, FlagsError) as err:
            self.errors += 1
            return err
        self.frames += 1
        return frame
