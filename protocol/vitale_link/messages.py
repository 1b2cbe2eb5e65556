"""Messages: a type byte and a list of tagged fields (SPEC.md section 3).

Payload = repeated ``tag:u8 len value``, where ``len`` is one byte (< 255) or
0xFF followed by a u16 big-endian. Field kinds: ``u`` unsigned integer
(minimal big-endian, up to 8 bytes), ``s`` UTF-8 text, ``b`` bytes. A tag is
one field in every message; unknown tags are skipped (newer peers may add
fields), missing required fields and bad values are ``MessageError``.
"""
from .errors import MessageError, UnknownMessage

# Message types. Replies set bit 7 of the request's type.
HELLO = 0x01
PING = 0x02
INFO = 0x03
SET_TIME = 0x04
TRUST_UPDATE = 0x05
RELAY = 0x06
EVENT_TAKEN = 0x07
PAIR = 0x08
PAIR_CONFIRM = 0x09
UNPAIR = 0x0A
CHALLENGES = 0x0B
EVENT = 0x40
ERROR = 0x7F
REPLY = 0x80

NAMES = {
    HELLO: "HELLO", PING: "PING", INFO: "INFO", SET_TIME: "SET_TIME",
    TRUST_UPDATE: "TRUST_UPDATE", RELAY: "RELAY", EVENT_TAKEN: "EVENT_TAKEN", PAIR: "PAIR",
    PAIR_CONFIRM: "PAIR_CONFIRM", UNPAIR: "UNPAIR", CHALLENGES: "CHALLENGES", EVENT: "EVENT",
    ERROR: "ERROR",
}

# tag: (name, kind). 0x07 (v1 max_payload) is retired: v2 announces max_fragment and max_message.
FIELDS = {
    0x01: ("ref", "u"),               # seq of the request a reply answers
    0x02: ("protocol_version", "u"),
    0x03: ("firmware_version", "s"),
    0x04: ("board", "s"),
    0x05: ("device_id", "b"),
    0x06: ("features", "u"),
    0x08: ("host", "s"),
    0x09: ("data", "b"),
    0x0A: ("unix_ms", "u"),
    0x0B: ("uptime_ms", "u"),
    0x0C: ("trust_version", "u"),
    0x0D: ("trust_list", "b"),
    0x10: ("kind", "s"),
    0x11: ("source", "s"),
    0x12: ("ok", "u"),
    0x13: ("reason", "s"),
    0x14: ("presentation", "b"),
    0x15: ("nonce", "b"),
    0x16: ("transcript", "b"),
    0x17: ("text", "s"),
    0x18: ("event_id", "u"),
    0x19: ("apdu", "b"),
    0x1A: ("action", "s"),
    0x1B: ("timeout_ms", "u"),
    0x20: ("code", "s"),
    0x21: ("detail", "s"),
    0x22: ("ref_type", "u"),
    0x23: ("identity", "b"),          # CBOR map shaped like CREDENTIAL.md's INS claim
    0x24: ("host_nonce", "b"),        # 16 random bytes, HELLO
    0x25: ("reader_nonce", "b"),      # 16 random bytes, HELLO_REPLY
    0x26: ("pair_id", "u"),
    0x27: ("paired", "u"),            # HELLO_REPLY: 1 if this session is authenticated
    0x28: ("host_key", "b"),          # PAIR: the host's ephemeral P-256 point (65 bytes)
    0x29: ("reader_key", "b"),        # PAIR_REPLY: the reader's ephemeral P-256 point
    0x2A: ("tag", "b"),               # PAIR_REPLY / PAIR_CONFIRM key confirmation
    0x2B: ("boot", "u"),
    0x2C: ("prev_last_event_id", "u"),
    0x2D: ("max_fragment", "u"),
    0x2E: ("max_message", "u"),
    0x2F: ("event_window", "u"),
    0x30: ("captured_ms", "u"),
    0x31: ("age_ms", "u"),
    0x32: ("count", "u"),
    0x33: ("challenges", "b"),        # k x 16 bytes
    0x34: ("nonce_source", "s"),      # "host" or "reader"
    # link statistics (INFO_REPLY): the endpoint's counters, same names
    0x35: ("rx_frames", "u"),
    0x36: ("rx_errors", "u"),
    0x37: ("tx_frames", "u"),
    0x38: ("retransmits", "u"),
    0x39: ("naks_sent", "u"),
    0x3A: ("naks_received", "u"),
    0x3B: ("auth_failures", "u"),
    0x3C: ("replays", "u"),
    0x3D: ("duplicates", "u"),
    0x3E: ("delivery_failed", "u"),
    0x3F: ("unauthenticated", "u"),
    0x40: ("dropped_events", "u"),
}
TAGS = {}
for _tag, (_name, _kind) in FIELDS.items():
    TAGS[_name] = (_tag, _kind)

# Required fields per message type (requests, replies = type | REPLY, events, errors).
REQUIRED = {
    HELLO: ("protocol_version", "host_nonce", "max_fragment", "max_message"),
    PING: (),
    INFO: (),
    SET_TIME: ("unix_ms",),
    TRUST_UPDATE: ("trust_list",),
    RELAY: ("action",),
    EVENT_TAKEN: ("event_id",),
    PAIR: ("host_key", "host"),
    PAIR_CONFIRM: ("pair_id", "tag"),
    UNPAIR: (),
    CHALLENGES: ("challenges",),
    EVENT: ("kind", "event_id"),
    ERROR: ("code",),
    HELLO | REPLY: ("ref", "protocol_version", "firmware_version", "board", "device_id", "features",
                    "max_fragment", "max_message", "reader_nonce", "paired"),
    PING | REPLY: ("ref",),
    INFO | REPLY: ("ref", "protocol_version", "firmware_version", "board", "device_id", "uptime_ms"),
    SET_TIME | REPLY: ("ref", "unix_ms"),
    TRUST_UPDATE | REPLY: ("ref", "trust_version"),
    RELAY | REPLY: ("ref",),
    EVENT_TAKEN | REPLY: ("ref",),
    PAIR | REPLY: ("ref", "reader_key", "pair_id", "tag"),
    PAIR_CONFIRM | REPLY: ("ref", "pair_id"),
    UNPAIR | REPLY: ("ref",),
    CHALLENGES | REPLY: ("ref",),
}

# Feature bits announced in HELLO.
FEATURE_NFC = 0x01
FEATURE_QR = 0x02
FEATURE_RELAY = 0x04
FEATURE_DATAMATRIX = 0x08


class Message:
    """A decoded message: ``type`` and a dict of ``fields``.

    The endpoint sets ``seq`` (its first frame's sequence number) and
    ``authenticated`` (True only when every frame of it carried a verified AUTH trailer).
    """

    __slots__ = ("type", "fields", "seq", "authenticated")

    def __init__(self, msg_type, fields=None, seq=None):
        self.type = msg_type
        self.fields = fields if fields is not None else {}
        self.seq = seq
        self.authenticated = False

    def get(self, name, default=None):
        return self.fields.get(name, default)

    def __getitem__(self, name):
        return self.fields[name]

    def __repr__(self):
        # Field names only: values may carry credentials or identity data.
        return "Message(%s, fields=%s)" % (type_name(self.type), sorted(self.fields))


def type_name(msg_type):
    base = NAMES.get(msg_type & 0x7F, "0x%02x" % msg_type)
    return base + "_REPLY" if msg_type & REPLY and msg_type != ERROR else base


def _encode_value(name, kind, value):
    if kind == "u":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value >= 1 << 64:
            raise MessageError("field %s: not a u64" % name)
        n = 1
        while value >> (8 * n):
            n += 1
        return value.to_bytes(n, "big")
    if kind == "s":
        if not isinstance(value, str):
            raise MessageError("field %s: not text" % name)
        return value.encode("utf-8")
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise MessageError("field %s: not bytes" % name)
    return bytes(value)


def encode_payload(msg_type, fields):
    """Fields -> payload, in ascending tag order (canonical: same bytes on every runtime).

    Raises MessageError for an unknown field name or a value of the wrong kind."""
    items = []
    for name, value in fields.items():
        if value is None:
            continue
        spec = TAGS.get(name)
        if spec is None:
            raise MessageError("unknown field %s" % name)
        items.append((spec[0], spec[1], name, value))
    items.sort(key=lambda item: item[0])
    out = bytearray()
    for tag, kind, name, value in items:
        raw = _encode_value(name, kind, value)
        out.append(tag)
        if len(raw) < 0xFF:
            out.append(len(raw))
        elif len(raw) <= 0xFFFF:
            out.append(0xFF)
            out += len(raw).to_bytes(2, "big")
        else:
            raise MessageError("field %s too long" % name)
        out += raw
    return bytes(out)


def decode_payload(msg_type, payload):
    """bytes -> Message. Raises only UnknownMessage or MessageError, whatever the bytes.

    Canonical form only: a tag at most once, integers 1-8 bytes without leading
    zeros, the long length form only for lengths >= 255. Unknown tags are skipped.
    """
    if msg_type not in REQUIRED:
        raise UnknownMessage("message type 0x%02x" % msg_type)
    fields = {}
    seen = set()
    i = 0
    n = len(payload)
    while i < n:
        if i + 2 > n:
            raise MessageError("truncated field header")
        tag = payload[i]
        length = payload[i + 1]
        i += 2
        if length == 0xFF:
            if i + 2 > n:
                raise MessageError("truncated field length")
            length = (payload[i] << 8) | payload[i + 1]
            i += 2
            if length < 0xFF:
                raise MessageError("field 0x%02x: long length form for %d bytes" % (tag, length))
        if i + length > n:
            raise MessageError("field 0x%02x runs past the payload" % tag)
        if tag in seen:
            raise MessageError("field 0x%02x twice" % tag)
        seen.add(tag)
        raw = payload[i:i + length]
        i += length
        spec = FIELDS.get(tag)
        if spec is None:
            continue
        name, kind = spec
        if kind == "u":
            if not 1 <= length <= 8 or (length > 1 and raw[0] == 0):
                raise MessageError("field %s: not a minimal u64" % name)
            fields[name] = int.from_bytes(raw, "big")
        elif kind == "s":
            try:
                fields[name] = bytes(raw).decode("utf-8")
            except UnicodeError:
                raise MessageError("field %s: not UTF-8" % name)
        else:
            fields[name] = bytes(raw)
    for name in REQUIRED[msg_type]:
        if name not in fields:
            raise MessageError("%s lacks field %s" % (type_name(msg_type), name))
    return Message(msg_type, fields)
