"""Base45 (RFC 9285): the QR alphanumeric alphabet carrying binary data.

``decode`` rejects, with ``Base45Error`` (reason ``base45``): a character
outside the 45-character alphabet (lower case included: QR alphanumeric
mode has none), a trailing single character, a 3-character group over
65535 and a 2-character group over 255 (RFC 9285 §6).
"""
from verify.errors import VerifyError
from vitale_spec.reasons import BASE45

ALPHABET = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


class Base45Error(VerifyError):
    code = BASE45


def _table():
    t = bytearray(b"\xff" * 256)
    for i in range(45):
        t[ALPHABET[i]] = i
    return bytes(t)


_DEC = _table()


def decode(text):
    """``str`` or ``bytes`` in, ``bytes`` out."""
    if isinstance(text, str):
        try:
            text = text.encode("ascii")
        except ValueError:
            raise Base45Error("non-ascii character")
    n = len(text)
    if n % 3 == 1:
        raise Base45Error("dangling character")
    out = bytearray((n // 3) * 2 + (1 if n % 3 else 0))
    dec = _DEC
    o = 0
    i = 0
    while i + 3 <= n:
        c = dec[text[i]]
        d = dec[text[i + 1]]
        e = dec[text[i + 2]]
        if c == 255 or d == 255 or e == 255:
            raise Base45Error("character outside the alphabet")
        v = c + d * 45 + e * 2025
        if v > 0xFFFF:
            raise Base45Error("group out of range")
        out[o] = v >> 8
        out[o + 1] = v & 0xFF
        o += 2
        i += 3
    if i < n:
        c = dec[text[i]]
        d = dec[text[i + 1]]
        if c == 255 or d == 255:
            raise Base45Error("character outside the alphabet")
        v = c + d * 45
        if v > 0xFF:
            raise Base45Error("group out of range")
        out[o] = v
    return bytes(out)


def encode(data):
    """``bytes`` in, ``str`` out (used by tests and tools)."""
    out = bytearray()
    a = ALPHABET
    n = len(data)
    i = 0
    while i + 2 <= n:
        v = (data[i] << 8) | data[i + 1]
        out.append(a[v % 45])
        v //= 45
        out.append(a[v % 45])
        out.append(a[v // 45])
        i += 2
    if i < n:
        v = data[i]
        out.append(a[v % 45])
        out.append(a[v // 45])
    return str(bytes(out), "ascii")
