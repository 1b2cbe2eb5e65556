"""The worked examples of protocol/SPEC.md, parsed out of the spec text and rebuilt two ways:
independently (``link_reference``: zlib's CRC-32, the stdlib's hmac and hashlib, cryptography's HKDF,
a byte-by-byte COBS written from the paper) and with the shared codec. A spec that drifts from the
code, or code that drifts from the spec, fails here."""
import zlib

import link_reference as ref
import pytest
from vitale_link import auth, frame, messages
from vitale_link.endpoint import Endpoint

EXAMPLES = ref.examples()


def test_every_example_is_found():
    assert set(EXAMPLES) == {"hello", "ack_nak", "auth", "fragments", "pairing", "session"}


def test_hello():
    ex = EXAMPLES["hello"]
    fields = {"protocol_version": 2, "host": "vitale_reader", "host_nonce": bytes(range(16)),
              "max_fragment": 64, "max_message": 65536}
    assert ex["payload"] == ref.payload(fields)
    assert ex["header"] == bytes([2, 0x02, 0, 0x01])  # version 2, SYN, seq 0, HELLO
    body = ex["header"] + ex["session"] + ex["payload"]
    assert ex["crc"] == zlib.crc32(body).to_bytes(4, "little")
    assert ex["wire"] == ref.on_wire(body)
    # the codec: same bytes out, same fields back
    payload = messages.encode_payload(messages.HELLO, fields)
    assert frame.encode_frame(frame.Frame(messages.HELLO, 0, payload, frame.FLAG_SYN, ex["session"])) == ex["wire"]
    (got,) = frame.FrameDecoder().feed(ex["wire"])
    assert messages.decode_payload(got.type, got.payload).fields == fields and got.session == ex["session"]


def test_ack_nak():
    ex = EXAMPLES["ack_nak"]
    assert ex["ack"] == ref.on_wire(bytes([2, 0x01, 5, 0])) == frame.control_frame(frame.FLAG_ACK, 5)
    assert ex["nak"] == ref.on_wire(bytes([2, 0x08, 9, 0])) == frame.control_frame(frame.FLAG_NAK, 9)


def test_auth():
    ex = EXAMPLES["auth"]
    assert ex["key"] == bytes(range(0x40, 0x60))
    assert ex["header"] == bytes([2, 0x80, 5, 0x02]) and ex["payload"] == ref.payload({"data": b"hi"})
    assert ex["counter"] == (1).to_bytes(4, "big")
    signed = ex["header"] + ex["payload"] + ex["counter"]
    assert ex["tag"] == ref.auth_tag(ex["key"], signed)
    assert signed + ex["tag"] == ref.body(messages.PING, 5, ex["payload"], key=ex["key"], counter=1)
    body = signed + ex["tag"]
    assert ex["crc"] == zlib.crc32(body).to_bytes(4, "little")
    assert ex["wire"] == ref.on_wire(body)
    key = auth.MacKey(ex["key"])
    fr = frame.Frame(messages.PING, 5, ex["payload"], counter=1)
    assert frame.encode_frame(fr, key) == ex["wire"]
    (got,) = frame.FrameDecoder().feed(ex["wire"])
    assert got.verify(key) and got.counter == 1


def test_fragments():
    ex = EXAMPLES["fragments"]
    data = bytes(range(20))
    assert ex["payload"] == ref.payload({"data": data})
    assert ex["frame1"] == ref.on_wire(bytes([2, 0x04, 255, 0x02]) + ex["payload"][:16])
    assert ex["frame2"] == ref.on_wire(bytes([2, 0x00, 0, 0x02]) + ex["payload"][16:])
    assert [ex["frame1"], ex["frame2"]] == ref.fragments(messages.PING, 255, ex["payload"], 16)
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
    expected = ref.pairing(ex["z"], ex["device_id"], ex["host_key"], ex["reader_key"])
    assert expected == {name: ex[name] for name in ("transcript", "k_pair", "reader_tag", "host_tag")}
    transcript, k_pair = expected["transcript"], expected["k_pair"]
    assert auth.pairing_transcript(ex["device_id"], ex["host_key"], ex["reader_key"]) == transcript
    assert auth.pairing_key(ex["z"], transcript) == k_pair
    assert auth.pairing_tag(k_pair, b"reader", transcript) == ex["reader_tag"]
    assert auth.pairing_tag(k_pair, b"host", transcript) == ex["host_tag"]


@pytest.mark.parametrize("implementation", [ref.session_keys, auth.session_keys], ids=["reference", "vitale_link"])
def test_session(implementation):
    ex = EXAMPLES["session"]
    keys = implementation(ex["k_pair"], ex["host_nonce"], ex["reader_nonce"], ex["pair_id"][0])
    assert keys == (ex["k_h2r"], ex["k_r2h"])
