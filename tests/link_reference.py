"""Link protocol v2 as protocol/SPEC.md writes it: the reference the codec is checked against.

The numbers are read from the spec text (the version and the trailer of the
§2 layout line, the flag bits, the field and message tables of §3, the
limits and the decoder error codes), the bytes are built with the standard
library alone (``zlib.crc32``, ``hmac``, ``hashlib``), a COBS written from
Cheshire & Baker's definition and ``cryptography``'s HKDF. Nothing here
imports ``vitale_link``: a spec that drifts from the code, or code that drifts
from the spec, fails the tests that compare the two (test_link_vectors.py,
test_link_spec.py, test_link_auth.py).
"""
import hashlib
import hmac
import os
import re
import zlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from support import ROOT

SPEC = os.path.join(ROOT, "protocol", "SPEC.md")
with open(SPEC, encoding="utf-8") as _f:
    TEXT = _f.read()


def _number(pattern):
    return int(re.search(pattern, TEXT, re.M).group(1), 0)


VERSION = _number(r"^version:u8=(\d+) ")  # §2 layout line
TAG_LEN = _number(r"tag:(\d+) if AUTH")  # ... [counter:u32be tag:8 if AUTH]
COUNTER_LEN = 4  # u32be
FLAGS = {name: int(bit, 16) for bit, name in re.findall(r"^  - `(0x[0-9A-F]{2}) ([A-Z]+)`", TEXT, re.M)}
#: {name: (tag, kind)}, both halves of every row of the §3 field table (retired tags have no kind)
FIELDS = {name: (int(tag, 16), kind)
          for tag, name, kind in re.findall(r"\| (0x[0-9A-F]{2}) \| (\w+) \| ([usb]) (?=\|)", TEXT)}
TYPES = {name: int(value, 16) for value, name in re.findall(r"^\| (0x[0-9A-F]{2}) \| ([A-Z_]+) \| ", TEXT, re.M)}
MAX_FRAGMENT = _number(r"`MAX_FRAGMENT` = (\d+)")
MAX_FRAGMENT_WIRE = _number(r"\((\d+) bytes for \d+\)")  # of MAX_FRAGMENT payload bytes
DECODER_ERRORS = re.findall(r"`([a-z_]+)`", re.search(r"next 0x00\): (.*?)\.\n", TEXT, re.S).group(1))


def examples():
    """{name: {label: bytes}} from the first code block of every '### Example: NAME' section."""
    found = {}
    for match in re.finditer(r"^### Example: (\w+)\n.*?```\n(.*?)```", TEXT, re.S | re.M):
        lines = {}
        for line in match.group(2).splitlines():
            label, _, rest = line.partition(" ")
            lines[label] = bytes.fromhex(rest.strip())
        found[match.group(1)] = lines
    return found


def cobs(data):
    """COBS: each block is a code byte n (1..255) and n-1 data bytes; n < 255 stands for a zero after them."""
    out, block = bytearray(), bytearray()
    for byte in data:
        if byte == 0:
            out += bytes([len(block) + 1]) + block
            block = bytearray()
        else:
            block.append(byte)
            if len(block) == 254:
                out += b"\xff" + block
                block = bytearray()
    return bytes(out + bytes([len(block) + 1]) + block)


def payload(fields):
    """§3: ``tag len value`` in ascending tag order; len one byte below 255, else FF + u16 BE;
    ``u`` minimal big-endian (at least one byte), ``s`` UTF-8, ``b`` as is."""
    out = b""
    for name, value in sorted(fields.items(), key=lambda kv: FIELDS[kv[0]][0]):
        tag, kind = FIELDS[name]
        if kind == "u":
            value = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
        elif kind == "s":
            value = value.encode()
        n = len(value)
        out += bytes([tag]) + (bytes([n]) if n < 255 else b"\xff" + n.to_bytes(2, "big")) + value
    return out


def auth_tag(key, signed):
    """§2: the first TAG_LEN bytes of HMAC-SHA256(key, every body byte before the trailer || counter)."""
    return hmac.new(key, signed, hashlib.sha256).digest()[:TAG_LEN]


def body(msg_type, seq, data=b"", flags=0, session=b"", key=None, counter=None):
    """§2 before the CRC: version, flags, seq, type, [session], payload, [counter, tag if AUTH]."""
    if key is not None:
        flags |= FLAGS["AUTH"]
    out = bytes([VERSION, flags, seq, msg_type]) + (session or b"") + data
    if key is not None:
        out += counter.to_bytes(COUNTER_LEN, "big")
        out += auth_tag(key, out)
    return out


def on_wire(frame_body):
    """§2: ``00 COBS(body || CRC-32 LE) 00``."""
    return b"\x00" + cobs(frame_body + zlib.crc32(frame_body).to_bytes(4, "little")) + b"\x00"


def frame(msg_type, seq, data=b"", flags=0, session=b"", key=None, counter=None):
    return on_wire(body(msg_type, seq, data, flags, session, key, counter))


def control(flag, seq):
    """An ACK or NAK (§2 control frame): the flag alone, type 0, no payload."""
    return frame(0, seq, flags=FLAGS[flag])


def fragments(msg_type, first_seq, data, max_fragment, key=None, first_counter=1):
    """§4: the payload cut in pieces of exactly ``max_fragment`` bytes (the last shorter), MORE on
    every piece but the last, one seq each (mod 256) and, keyed, one counter each."""
    pieces = [data[i:i + max_fragment] for i in range(0, len(data), max_fragment)] or [b""]
    return [frame(msg_type, (first_seq + i) & 0xFF, piece, FLAGS["MORE"] if i < len(pieces) - 1 else 0,
                  key=key, counter=first_counter + i if key is not None else None)
            for i, piece in enumerate(pieces)]


def hkdf(ikm, salt, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def pairing(shared_secret, device_id, host_key, reader_key):
    """§7: transcript, K_pair and both confirmation tags."""
    transcript = hashlib.sha256(device_id + host_key + reader_key).digest()
    k_pair = hkdf(shared_secret, transcript, b"VitaleLink2 pair", 32)
    return {"transcript": transcript, "k_pair": k_pair,
            "reader_tag": hmac.new(k_pair, b"reader" + transcript, hashlib.sha256).digest()[:16],
            "host_tag": hmac.new(k_pair, b"host" + transcript, hashlib.sha256).digest()[:16]}


def session_keys(k_pair, host_nonce, reader_nonce, pair_id):
    """§8: (K_h2r, K_r2h)."""
    okm = hkdf(k_pair, host_nonce + reader_nonce, b"VitaleLink2 session" + bytes([pair_id]), 64)
    return okm[:32], okm[32:]
