"""The link vectors (protocol/vectors/link.json) against SPEC.md, then the shared codec against the vectors.

The vectors are made by ``tools/gen_link_vectors.py`` with the codec itself,
so they are first rebuilt here from the specification alone
(``link_reference``: the field table of SPEC.md §3, the frame layout, flags
and AUTH trailer of §2, the cutting into fragments of §4, with ``zlib``,
``hmac`` and a COBS written from Cheshire & Baker's definition). Then the codec
(``vitale_link``) must match the vectors on CPython and on real MicroPython
(tests/firmware/link_vectors.py). The worked examples printed in SPEC.md are
test_link_spec.py's; the key schedule vectors are test_link_auth.py's.
"""
import json
import os

import link_reference as ref
import pytest

from support import ROOT, check

VECTORS = os.path.join(ROOT, "protocol", "vectors", "link.json")
SESSION = bytes.fromhex("a1b2c3d4")


def _vectors():
    with open(VECTORS) as f:
        return json.load(f)


def _fields(vector):
    return {k: bytes.fromhex(v) if k in vector["bytes_fields"] else v for k, v in vector["fields"].items()}


def _key(vector):
    return bytes.fromhex(vector["key"]) if vector["key"] else None


def test_reference_cobs_on_the_papers_examples():
    # Cheshire & Baker's examples (also Wikipedia's table)
    assert ref.cobs(b"\x00") == b"\x01\x01"
    assert ref.cobs(b"\x00\x00") == b"\x01\x01\x01"
    assert ref.cobs(b"\x11\x22\x00\x33") == b"\x03\x11\x22\x02\x33"
    assert ref.cobs(b"\x11\x22\x33\x44") == b"\x05\x11\x22\x33\x44"
    assert ref.cobs(bytes(range(1, 255))) == b"\xff" + bytes(range(1, 255)) + b"\x01"


def test_the_reference_reads_the_whole_spec():
    """What link_reference parsed out of SPEC.md, against the vectors' own claims and SPEC's prose."""
    assert ref.VERSION == _vectors()["protocol_version"]
    assert ref.FLAGS == {"ACK": 0x01, "SYN": 0x02, "MORE": 0x04, "NAK": 0x08, "AUTH": 0x80}
    assert ref.TAG_LEN == 8 and ref.MAX_FRAGMENT == 1024
    most = 4 + 4 + ref.MAX_FRAGMENT + 12 + 4  # B of §2: header, session, payload, AUTH trailer, CRC
    assert ref.MAX_FRAGMENT_WIRE == most + most // 254 + 1
    # both halves of the two-column field table, and every message type of §3
    assert ref.FIELDS["ref"] == (0x01, "u") and ref.FIELDS["dropped_events"] == (0x40, "u")
    assert len(ref.FIELDS) == len({tag for tag, _ in ref.FIELDS.values()}) == 57
    assert ref.TYPES["HELLO"] == 0x01 and ref.TYPES["ERROR"] == 0x7F and len(ref.TYPES) == 13


@pytest.mark.parametrize("vector", _vectors()["frames"], ids=lambda v: v["name"])
def test_frame_vectors_follow_the_spec(vector):
    data = ref.payload(_fields(vector))
    assert data.hex() == vector["payload"]
    assert ref.frame(vector["type"], vector["seq"], data).hex() == vector["wire"]


@pytest.mark.parametrize("vector", _vectors()["auth_frames"], ids=lambda v: v["name"])
def test_auth_frame_vectors_follow_the_spec(vector):
    session = bytes.fromhex(vector["session"]) if vector["session"] else b""
    wire = ref.frame(vector["type"], vector["seq"], ref.payload(_fields(vector)), vector["flags"], session,
                     _key(vector), vector["counter"])
    assert wire.hex() == vector["wire"]


@pytest.mark.parametrize("vector", _vectors()["fragments"], ids=lambda v: v["name"])
def test_fragment_vectors_follow_the_spec(vector):
    wires = ref.fragments(vector["type"], vector["first_seq"], ref.payload(_fields(vector)), vector["max_fragment"],
                          _key(vector), vector["first_counter"])
    assert [w.hex() for w in wires] == vector["wires"]
    assert len(wires) > 1  # each case is a fragmented message


def test_decoder_vectors_are_the_frames_they_say():
    """Each decoder case's bytes rebuilt from its name's description, and its expected outcomes: the
    frames that were built, and error codes that SPEC.md §2 lists."""
    vectors = _vectors()
    frames = {v["name"]: bytes.fromhex(v["wire"]) for v in vectors["frames"]}
    hello, set_time = frames["hello"], frames["set_time"]
    v, flag, ping, hello_type = ref.VERSION, ref.FLAGS, ref.TYPES["PING"], ref.TYPES["HELLO"]
    trailer = ref.COUNTER_LEN + ref.TAG_LEN
    auth = vectors["auth_frames"][0]
    built = {  # name: (wire, the frames in it as "frame:type:seq:flags[:session]")
        "ack": (ref.control("ACK", 5), ["frame:0:5:%d" % flag["ACK"]]),
        "nak": (ref.control("NAK", 9), ["frame:0:9:%d" % flag["NAK"]]),
        "syn_with_session": (ref.frame(ping, 200, flags=flag["SYN"], session=SESSION),
                             ["frame:%d:200:%d:%s" % (ping, flag["SYN"], SESSION.hex())]),
        "syn_without_session": (ref.on_wire(bytes([v, flag["SYN"], 0, hello_type, 0xA1])), []),
        "garbage_then_frame": (bytes.fromhex("5a5a5aff13") + set_time, ["frame:%d:1:0" % ref.TYPES["SET_TIME"]]),
        "too_short": (b"\x00" + ref.cobs(b"\x01") + b"\x00", []),
        "version_1": (ref.on_wire(bytes([1, 0, 0, ping])), []),
        "unknown_flag": (ref.on_wire(bytes([v, 0x10, 0, ping])), []),
        "ack_with_payload": (ref.on_wire(bytes([v, flag["ACK"], 5, 0, 0xAA])), []),
        "ack_with_auth": (ref.on_wire(bytes([v, flag["ACK"] | flag["AUTH"], 5, 0]) + bytes(trailer)), []),
        "nak_with_type": (ref.on_wire(bytes([v, flag["NAK"], 5, ping])), []),
        "auth_trailer_cut": (ref.on_wire(bytes([v, flag["AUTH"], 0, ping]) + bytes(trailer - 1)), []),
        "auth_frame": (bytes.fromhex(auth["wire"]), ["frame:%d:%d:%d" % (auth["type"], auth["seq"], flag["AUTH"])]),
        "too_long_then_frame": (b"\x01" * (ref.MAX_FRAGMENT_WIRE + 10) + set_time,
                                ["frame:%d:1:0" % ref.TYPES["SET_TIME"]]),
        "payload_above_max_fragment": (ref.on_wire(bytes([v, 0, 0, ping]) + bytes(ref.MAX_FRAGMENT + 1)), []),
        "empty_delimiters": (b"\x00" * 5, []),
    }
    assert 0x10 not in flag.values()
    cases = {c["name"]: c for c in vectors["decoder"]}
    assert set(cases) == set(built) | {"bad_crc", "cobs_overrun"}
    for name, (wire, good_frames) in built.items():
        assert bytes.fromhex(cases[name]["wire"]) == wire, name
        assert [e for e in cases[name]["expect"] if e.startswith("frame:")] == good_frames, name
    for case in vectors["decoder"]:
        assert set(e for e in case["expect"] if not e.startswith("frame:")) <= set(ref.DECODER_ERRORS), case["name"]
    bad = bytes.fromhex(cases["bad_crc"]["wire"])  # the hello frame with one CRC bit changed
    assert len(bad) == len(hello) and bad[-3] != hello[-3] and bad[:-3] + bad[-2:] == hello[:-3] + hello[-2:]
    assert bin(bad[-3] ^ hello[-3]).count("1") == 1
    overrun = bytes.fromhex(cases["cobs_overrun"]["wire"])  # a code byte promising more than the frame holds
    assert overrun[0] == overrun[-1] == 0 and 0 not in overrun[1:-1] and overrun[1] > len(overrun) - 2


def test_vectors_on_both_runtimes(runtime):
    result = check(runtime, "link_vectors.py", VECTORS)
    vectors = _vectors()
    assert result["failures"] == []
    sections = ("frames", "auth_frames", "fragments", "decoder", "messages", "kdf")
    assert result["checked"] == sum(len(vectors[name]) for name in sections)
