"""A bounded CBOR (RFC 8949) decoder and a tiny encoder, for MicroPython.

Only what a credential needs, with every resource bounded before it is
used. ``decode(data)`` returns plain values:

    unsigned / negative integer  -> int          (tags 2 and 3, bignums -> int)
    byte string                  -> bytes
    text string                  -> str          (invalid UTF-8 rejected)
    array                        -> list
    map                          -> dict         (keys: int, str or bytes only;
                                                  duplicate keys rejected)
    false / true / null          -> False / True / None
    undefined                    -> UNDEFINED
    simple(n), 32 <= n <= 255 or n < 20 -> Simple(n)
    any other tag                -> Tag(number, value)

Rejected with ``CborError`` (a ``ValueError``), by design (CREDENTIAL.md §3):

* indefinite-length strings, arrays and maps (and a stray "break");
* floating-point numbers (half, single, double): no float in the profile,
  and boards with single-precision floats could not decode doubles alike;
* non-preferred ("non-minimal") heads, e.g. 0x18 0x17 for 23: the profile
  uses deterministic encoding (RFC 8949 §4.2.1), so this closes a
  malleability channel for free;
* the reserved additional-information values 28..30, and simple values
  24..31 in two bytes (not well-formed, RFC 8949 §3.3);
* trailing bytes after the top-level item;
* nesting deeper than ``max_depth`` (arrays, maps and tags count), more
  than ``max_items`` data items in all, a string longer than ``max_str``
  bytes, an input longer than ``max_size`` bytes, a bignum over 64 bytes.

Counts are checked against the bytes left before anything is allocated,
so a header announcing 2**64 elements costs nothing.
"""
from verify.errors import VerifyError
from vitale_spec.reasons import CBOR

MAX_DEPTH = 16
MAX_ITEMS = 512
MAX_STR = 4096
MAX_SIZE = 8192
_MAX_BIGNUM = 64


class CborError(VerifyError):
    code = CBOR


class Tag:
    """A tagged item that the decoder does not interpret (anything but 2 and 3)."""

    def __init__(self, tag, value):
        self.tag = tag
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Tag) and self.tag == other.tag and self.value == other.value

    def __repr__(self):
        return "Tag(%d)" % self.tag


class Simple:
    """An unassigned simple value (not false/true/null/undefined)."""

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Simple) and self.value == other.value

    def __repr__(self):
        return "simple(%d)" % self.value


class _Undefined:
    def __repr__(self):
        return "undefined"


UNDEFINED = _Undefined()


class _Decoder:
    def __init__(self, data, max_depth, max_items, max_str):
        self.data = data
        self.pos = 0
        self.end = len(data)
        self.max_depth = max_depth
        self.items = max_items
        self.max_str = max_str

    def _take(self, n):
        pos = self.pos
        if n > self.end - pos:
            raise CborError("truncated")
        self.pos = pos + n
        return self.data[pos : pos + n]

    def item(self, depth):
        self.items -= 1
        if self.items < 0:
            raise CborError("too many items")
        data = self.data
        pos = self.pos
        if pos >= self.end:
            raise CborError("truncated")
        ib = data[pos]
        self.pos = pos + 1
        mt = ib >> 5
        ai = ib & 31
        if ai < 24:
            arg = ai
        elif ai < 28:
            if mt == 7:
                if ai == 24:
                    arg = self._take(1)[0]
                    if arg < 32:
                        raise CborError("simple value not well-formed")
                    return Simple(arg)
                raise CborError("float not supported")
            n = 1 << (ai - 24)
            arg = int.from_bytes(self._take(n), "big")
            if arg < (24 if n == 1 else 1 << (4 * n)):
                raise CborError("non-minimal head")
        elif ai == 31:
            if mt == 7:
                raise CborError("unexpected break")
            if mt in (2, 3, 4, 5):
                raise CborError("indefinite length not supported")
            raise CborError("reserved additional information")
        else:
            raise CborError("reserved additional information")

        if mt == 0:
            return arg
        if mt == 1:
            return -1 - arg
        if mt == 2 or mt == 3:
            if arg > self.max_str:
                raise CborError("string too long")
            raw = self._take(arg)
            if mt == 2:
                return bytes(raw)
            try:
                return str(raw, "utf-8")
            except ValueError:  # UnicodeError is a ValueError on both runtimes
                raise CborError("invalid utf-8")
        if mt == 7:
            if arg == 20:
                return False
            if arg == 21:
                return True
            if arg == 22:
                return None
            if arg == 23:
                return UNDEFINED
            return Simple(arg)
        # containers and tags
        if depth >= self.max_depth:
            raise CborError("too deep")
        if mt == 4:
            if arg > self.end - self.pos or arg > self.items:
                raise CborError("array longer than input")
            out = []
            for _ in range(arg):
                out.append(self.item(depth + 1))
            return out
        if mt == 5:
            if 2 * arg > self.end - self.pos or 2 * arg > self.items:
                raise CborError("map longer than input")
            out = {}
            for _ in range(arg):
                key = self.item(depth + 1)
                tk = type(key)
                if tk is not int and tk is not str and tk is not bytes:
                    raise CborError("map key type")
                if key in out:
                    raise CborError("duplicate map key")
                out[key] = self.item(depth + 1)
            return out
        # mt == 6: tag
        value = self.item(depth + 1)
        if arg == 2 or arg == 3:
            if type(value) is not bytes or len(value) > _MAX_BIGNUM:
                raise CborError("bad bignum")
            n = int.from_bytes(value, "big") if value else 0
            return n if arg == 2 else -1 - n
        return Tag(arg, value)


def decode(data, max_depth=MAX_DEPTH, max_items=MAX_ITEMS, max_str=MAX_STR, max_size=MAX_SIZE):
    """Decode exactly one CBOR item filling ``data``; raise ``CborError`` otherwise."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CborError("not bytes")
    if len(data) > max_size:
        raise CborError("input too large")
    if not isinstance(data, bytes):
        data = bytes(data)
    dec = _Decoder(data, max_depth, max_items, max_str)
    try:
        value = dec.item(0)
    except RuntimeError:  # MicroPython's "maximum recursion depth exceeded"
        raise CborError("too deep")
    if dec.pos != dec.end:
        raise CborError("trailing bytes")
    return value


# ---------------------------------------------------------------- encoder


def _head(buf, mt, n):
    mt <<= 5
    if n < 24:
        buf.append(mt | n)
    elif n < 0x100:
        buf.append(mt | 24)
        buf.append(n)
    elif n < 0x10000:
        buf.append(mt | 25)
        buf.extend(n.to_bytes(2, "big"))
    elif n < 0x100000000:
        buf.append(mt | 26)
        buf.extend(n.to_bytes(4, "big"))
    elif n < 0x10000000000000000:
        buf.append(mt | 27)
        buf.extend(n.to_bytes(8, "big"))
    else:
        raise CborError("integer too large")


def _enc(buf, obj, depth):
    if depth > MAX_DEPTH:
        raise CborError("too deep")
    if obj is False:
        buf.append(0xF4)
    elif obj is True:
        buf.append(0xF5)
    elif obj is None:
        buf.append(0xF6)
    elif obj is UNDEFINED:
        buf.append(0xF7)
    elif isinstance(obj, Simple):
        _head(buf, 7, obj.value)
    elif isinstance(obj, int):
        n = obj if obj >= 0 else -1 - obj
        if n < 0x10000000000000000:
            _head(buf, 0 if obj >= 0 else 1, n)
        else:  # bignum, tag 2 / 3
            _head(buf, 6, 2 if obj >= 0 else 3)
            size = 0
            t = n
            while t:  # no int.bit_length() on MicroPython
                t >>= 8
                size += 1
            raw = n.to_bytes(size, "big")
            _head(buf, 2, len(raw))
            buf.extend(raw)
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        _head(buf, 2, len(obj))
        buf.extend(obj)
    elif isinstance(obj, str):
        raw = obj.encode("utf-8")
        _head(buf, 3, len(raw))
        buf.extend(raw)
    elif isinstance(obj, (list, tuple)):
        _head(buf, 4, len(obj))
        for x in obj:
            _enc(buf, x, depth + 1)
    elif isinstance(obj, dict):
        # deterministic: keys sorted by their encoding (RFC 8949 §4.2.1), whatever the
        # dict's iteration order (MicroPython's is not insertion order)
        pairs = []
        for k in obj:
            kb = bytearray()
            _enc(kb, k, depth + 1)
            pairs.append((bytes(kb), k))
        pairs.sort()
        _head(buf, 5, len(pairs))
        for kb, k in pairs:
            buf.extend(kb)
            _enc(buf, obj[k], depth + 1)
    elif isinstance(obj, Tag):
        _head(buf, 6, obj.tag)
        _enc(buf, obj.value, depth + 1)
    else:
        raise CborError("cannot encode")


def head(major, n):
    """The encoded head of an item: major type ``major``, argument ``n``."""
    buf = bytearray()
    _head(buf, major, n)
    return bytes(buf)


def encode(obj):
    """Encode ints (bignums as tags 2/3), bytes, str, lists/tuples, dicts (deterministic key
    order), bools, None, UNDEFINED, Simple, Tag."""
    buf = bytearray()
    _enc(buf, obj, 0)
    return bytes(buf)
