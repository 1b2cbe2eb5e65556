"""The link vectors (protocol/vectors/link.json) against SPEC.md, then the shared codec against the vectors.

The vectors are made by ``tools/gen_link_vectors.py`` with the codec itself,
so they are first rebuilt here from the specification alone: the field table
of SPEC.md §3, the frame layout of §2, ``zlib.crc32`` and a COBS encoder
written here from Cheshire & Baker's definition. The worked example of §2 is
checked byte for byte as printed. Then the codec (``vitale_link``) must match
the vectors on CPython and on real MicroPython (tests/firmware/link_vectors.py).
"""
import json
import os
import re
import zlib

import pytest

from support import ROOT, check

VECTORS = os.path.join(ROOT, "protocol", "vectors", "link.json")
SPEC = os.path.join(ROOT, "protocol", "SPEC.md")
HELLO, ACK, SYN = 0x01, 0x01, 0x02  # §3 message type; §2 flag bits 0 and 1


def _spec():
    with open(SPEC) as f:
        return f.read()


def _vectors():
    with open(VECTORS) as f:
        return json.load(f)


def spec_fields():
    """{name: (tag, kind)} from the two-column field table of SPEC.md §3."""
    fields = {}
    for tag, name, kind in re.findall(r"\| (0x[0-9A-F]{2}) \| (\w+) \| ([usb]) \|", _spec()):
        fields[name] = (int(tag, 16), kind)
    return fields


def cobs(data):
    """COBS: each block is a code byte n (1..255) and n-1 data bytes; n < 255 stands for a zero after them."""
    out, block = bytearray(), bytearray()
    for b in data:
        if b == 0:
            out += bytes([len(block) + 1]) + block
            block = bytearray()
        else:
            block.append(b)
            if len(block) == 254:
                out += b"\xff" + block
                block = bytearray()
    return bytes(out + bytes([len(block) + 1]) + block)


def payload(fields):
    """§3: ``tag len value`` in ascending tag order; len one byte below 255, else FF + u16 BE;
    ``u`` minimal big-endian (at least one byte), ``s`` UTF-8, ``b`` as is."""
    table = spec_fields()
    out = b""
    for name, value in sorted(fields.items(), key=lambda kv: table[kv[0]][0]):
        tag, kind = table[name]
        if kind == "u":
            value = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
        elif kind == "s":
            value = value.encode()
        n = len(value)
        out += bytes([tag]) + (bytes([n]) if n < 255 else b"\xff" + n.to_bytes(2, "big")) + value
    return out


def wire(msg_type, seq, body_payload=b"", flags=0, session=b""):
    """§2: version 1, flags, seq, type, [session], payload, CRC-32 LE over all that; 00 COBS 00."""
    body = bytes([1, flags, seq, msg_type]) + session + body_payload
    body += zlib.crc32(body).to_bytes(4, "little")
    return b"\x00" + cobs(body) + b"\x00"


def test_reference_cobs_on_the_papers_examples():
    # Cheshire & Baker's examples (also Wikipedia's table)
    assert cobs(b"\x00") == b"\x01\x01"
    assert cobs(b"\x00\x00") == b"\x01\x01\x01"
    assert cobs(b"\x11\x22\x00\x33") == b"\x03\x11\x22\x02\x33"
    assert cobs(b"\x11\x22\x33\x44") == b"\x05\x11\x22\x33\x44"
    assert cobs(bytes(range(1, 255))) == b"\xff" + bytes(range(1, 255)) + b"\x01"


def test_worked_example_of_the_spec():
    """SPEC.md §2 "Worked example", as printed: payload, CRC and wire bytes."""
    text = _spec()[_spec().index("### Worked example"):]
    printed = re.search(r"\nwire\s+((?:[0-9a-f]{2} )*[0-9a-f]{2})", text).group(1)
    example = bytes.fromhex(printed.replace(" ", ""))
    crc = int(re.search(r"= 0x([0-9a-f]{8}), LE", text).group(1), 16)
    fields = {"protocol_version": 1, "host": "vitale_reader"}
    assert zlib.crc32(bytes([1, 0, 0, HELLO]) + payload(fields)) == crc == 0x69820EA4
    assert wire(HELLO, 0, payload(fields)) == example
    hello = _vectors()["frames"][0]
    assert hello["name"] == "hello" and bytes.fromhex(hello["wire"]) == example


@pytest.mark.parametrize("vector", _vectors()["frames"], ids=lambda v: v["name"])
def test_frame_vectors_follow_the_spec(vector):
    fields = {k: bytes.fromhex(v) if k in vector["bytes_fields"] else v for k, v in vector["fields"].items()}
    assert payload(fields).hex() == vector["payload"]
    assert wire(vector["type"], vector["seq"], payload(fields)).hex() == vector["wire"]


def test_decoder_vectors_are_the_frames_they_say():
    cases = {c["name"]: bytes.fromhex(c["wire"]) for c in _vectors()["decoder"]}
    hello = wire(HELLO, 0, payload({"protocol_version": 1, "host": "vitale_reader"}))
    assert cases["ack"] == wire(0, 5, flags=ACK)
    assert cases["syn_with_session"] == wire(HELLO, 200, payload({"protocol_version": 1}), SYN,
                                             bytes.fromhex("a1b2c3d4"))
    assert cases["garbage_then_frame"] == bytes.fromhex("5a5a5aff13") + hello
    bad = cases["bad_crc"]  # the hello frame with one CRC bit changed
    assert len(bad) == len(hello) and sum(a != b for a, b in zip(bad, hello)) == 1 and bad[-3] != hello[-3]
    assert cases["version_2"] == b"\x00" + cobs(_with_crc(b"\x02\x00\x00\x02")) + b"\x00"
    assert cases["auth_flag"] == b"\x00" + cobs(_with_crc(b"\x01\x80\x00\x02")) + b"\x00"


def _with_crc(body):
    return body + zlib.crc32(body).to_bytes(4, "little")


def test_vectors_on_both_runtimes(runtime):
    result = check(runtime, "link_vectors.py", VECTORS)
    vectors = _vectors()
    assert result["failures"] == []
    assert result["checked"] == len(vectors["frames"]) + len(vectors["decoder"]) + len(vectors["messages"])
