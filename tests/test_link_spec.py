"""The worked examples of protocol/SPEC.md, parsed out of the spec text and rebuilt two ways:
independently (zlib's CRC-32, the stdlib's hmac and hashlib, cryptography's HKDF, a byte-by-byte
COBS written here from the paper) and with the shared codec. A spec that drifts from the code,
or code that drifts from the spec, fails here."""
import hashlib
import hmac
import os
import re
import zlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from runtimes import ROOT
from vitale_link import auth, frame, messages
from vitale_link.endpoint import Endpoint

SPEC = os.path.join(ROOT, "protocol", "SPEC.md")


def examples():
    """{name: {label: bytes}} from every '### Example: NAME' section's first code block."""
    with open(SPEC, encoding="utf-8") as f:
        text = f.read()
    found = {}
    for match in re.finditer(r"^### Example: (\w+)\n.*?```\n(.*?)```", text, re.S | re.M):
        lines = {}
        for line in match.group(2).splitlines():
            label, _, rest = line.partition(" ")
            lines[label] = bytes.fromhex(rest.strip())
        found[match.group(1)] = lines
    return found


EXAMPLES = examples()


def reference_cobs(data):
    """COBS as Cheshire & Baker describe it, one byte at a time."""
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


def on_wire(body):
    return b"\x00" + reference_cobs(body + zlib.crc32(body).to_bytes(4, "little")) + b"\x00"


def tlv(fields):
    """The field encoding of SPEC.md section 3, written out for the fields of these examples."""
    out = b""
    for tag, value in sorted(fields):
        if isinstance(value, int):
            value = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
        elif isinstance(value, str):
            value = value.encode()
        out += bytes([tag, len(value)]) + value
    return out


def hkdf(ikm, salt, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def test_every_example_is_found():
    assert set(EXAMPLES) == {"hello", "ack_nak", "auth", "fragments", "pairing", "session"}


def test_hello():
    ex = EXAMPLES["hello"]
    fields = {"protocol_version": 2, "host": "vitale_reader", "host_nonce": bytes(range(16)),
              "max_fragment": 64, "max_message": 65536}
    assert ex["payload"] == tlv([(0x02, 2), (0x08, "vitale_reader"), (0x24, bytes(range(16))), (0x2D, 64),
                                 (0x2E, 65536)])
    assert ex["header"] == bytes([2, 0x02, 0, 0x01])  # version 2, SYN, seq 0, HELLO
    body = ex["header"] + ex["session"] + ex["payload"]
    assert ex["crc"] == zlib.crc32(body).to_bytes(4, "little")
    assert ex["wire"] == on_wire(body)
    # the codec: same bytes out, same fields back
    payload = messages.encode_payload(messages.HELLO, fields)
    assert frame.encode_frame(frame.Frame(messages.HELLO, 0, payload, frame.FLAG_SYN, ex["session"])) == ex["wire"]
    (got,) = frame.FrameDecoder().feed(ex["wire"])
    assert messages.decode_payload(got.type, got.payload).fields == fields and got.session == ex["session"]


def test_ack_nak():
    ex = EXAMPLES["ack_nak"]
    assert ex["ack"] == on_wire(bytes([2, 0x01, 5, 0])) == frame.control_frame(frame.FLAG_ACK, 5)
    assert ex["nak"] == on_wire(bytes([2, 0x08, 9, 0])) == frame.control_frame(frame.FLAG_NAK, 9)


def test_auth():
    ex = EXAMPLES["auth"]
    assert ex["key"] == bytes(range(0x40, 0x60))
    assert ex["header"] == bytes([2, 0x80, 5, 0x02]) and ex["payload"] == tlv([(0x09, b"hi")])
    assert ex["counter"] == (1).to_bytes(4, "big")
    signed = ex["header"] + ex["payload"] + ex["counter"]
    assert ex["tag"] == hmac.new(ex["key"], signed, hashlib.sha256).digest()[:8]
    body = signed + ex["tag"]
    assert ex["crc"] == zlib.crc32(body).to_bytes(4, "little")
    assert ex["wire"] == on_wire(body)
    key = auth.MacKey(ex["key"])
    fr = frame.Frame(messages.PING, 5, ex["payload"], counter=1)
    assert frame.encode_frame(fr, key) == ex["wire"]
    (got,) = frame.FrameDecoder().feed(ex["wire"])
    assert got.verify(key) and got.counter == 1


def test_fragments():
    ex = EXAMPLES["fragments"]
    data = bytes(range(20))
    assert ex["payload"] == tlv([(0x09, data)])
    assert ex["frame1"] == on_wire(bytes([2, 0x04, 255, 0x02]) + ex["payload"][:16])
    assert ex["frame2"] == on_wire(bytes([2, 0x00, 0, 0x02]) + ex["payload"][16:])
    sender, receiver = Endpoint(initial_seq=255), Endpoint()
    sender.set_peer_limits(max_fragment=16)
    sender.send(messages.PING, {"data": data}, 0)
    first = sender.outgoing()
    assert first == ex["frame1"]
    assert receiver.receive(first, 0) == []
    sender.receive(receiver.outgoing(), 1)  # its ACK releases the next fragment
    second = sender.outgoing()
    assert second == ex["frame2"]
    (msg,) = receiver.receive(second, 2)
    assert msg["data"] == data and msg.seq == 255


def test_pairing():
    ex = EXAMPLES["pairing"]
    transcript = hashlib.sha256(ex["device_id"] + ex["host_key"] + ex["reader_key"]).digest()
    k_pair = hkdf(ex["z"], transcript, b"VitaleLink2 pair", 32)
    assert (ex["transcript"], ex["k_pair"]) == (transcript, k_pair)
    assert ex["reader_tag"] == hmac.new(k_pair, b"reader" + transcript, hashlib.sha256).digest()[:16]
    assert ex["host_tag"] == hmac.new(k_pair, b"host" + transcript, hashlib.sha256).digest()[:16]
    assert auth.pairing_transcript(ex["device_id"], ex["host_key"], ex["reader_key"]) == transcript
    assert auth.pairing_key(ex["z"], transcript) == k_pair
    assert auth.pairing_tag(k_pair, b"reader", transcript) == ex["reader_tag"]
    assert auth.pairing_tag(k_pair, b"host", transcript) == ex["host_tag"]


@pytest.mark.parametrize("implementation", ["cryptography", "vitale_link"])
def test_session(implementation):
    ex = EXAMPLES["session"]
    pair_id = ex["pair_id"][0]
    if implementation == "cryptography":
        okm = hkdf(ex["k_pair"], ex["host_nonce"] + ex["reader_nonce"], b"VitaleLink2 session" + bytes([pair_id]), 64)
        keys = (okm[:32], okm[32:])
    else:
        keys = auth.session_keys(ex["k_pair"], ex["host_nonce"], ex["reader_nonce"], pair_id)
    assert keys == (ex["k_h2r"], ex["k_r2h"])
