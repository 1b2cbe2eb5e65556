"""Write protocol/vectors/link.json: what every implementation of link protocol v2 must match.

    python tools/gen_link_vectors.py

The bytes come from the codec, and the file is checked in: tests replay it
on CPython and MicroPython (tests/firmware/link_vectors.py), so a change to
the wire shows up as a vector diff. Independent checks: the worked examples
of protocol/SPEC.md are rebuilt by tests/test_link_spec.py with zlib, the
stdlib hmac and a reference COBS; the key schedule vectors by
tests/test_link_auth.py with `cryptography`'s HKDF.
"""
import binascii
import json
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "protocol"))

from vitale_link import PROTOCOL_VERSION, auth, cobs, frame, messages  # noqa: E402

KEY = bytes(range(0x40, 0x60))  # a session key for the AUTH vectors (K_h2r of the "session" vector)

MESSAGES = [
    ("hello", messages.HELLO, 0, {"protocol_version": 2, "host": "vitale_reader", "host_nonce": bytes(range(16)),
                                  "max_fragment": 64, "max_message": 65536}),
    ("hello_reply", messages.HELLO | messages.REPLY, 7,
     {"ref": 0, "protocol_version": 2, "firmware_version": "0.1.0", "board": "sim",
      "device_id": bytes.fromhex("0102030405060708"), "features": 3, "max_fragment": 64, "max_message": 24576,
      "reader_nonce": bytes(range(16, 32)), "paired": 1, "boot": 3}),
    ("ping_zeros", messages.PING, 255, {"data": bytes(300)}),
    ("set_time", messages.SET_TIME, 1, {"unix_ms": 1795354275536}),
    ("event_card", messages.EVENT, 9, {"kind": "card_present", "event_id": (3 << 32) | 1, "captured_ms": 1795354275536,
                                       "age_ms": 12}),
    ("event_lost", messages.EVENT, 10, {"kind": "events_lost", "event_id": (3 << 32) | 2, "count": 7,
                                        "reason": "overflow"}),
    ("error", messages.ERROR, 3, {"code": "unknown_message", "detail": "0x55", "ref": 2, "ref_type": 0x55}),
    ("event_taken", messages.EVENT_TAKEN, 4, {"event_id": (3 << 32) | 2}),
    ("pair", messages.PAIR, 5, {"host_key": b"\x04" + bytes(range(64)), "host": "desk-1"}),
    ("pair_reply", messages.PAIR | messages.REPLY, 6, {"ref": 5, "reader_key": b"\x04" + bytes(range(64, 128)),
                                                       "pair_id": 2, "tag": bytes(range(16))}),
    ("pair_confirm", messages.PAIR_CONFIRM, 6, {"pair_id": 2, "tag": bytes(range(16, 32))}),
    ("unpair", messages.UNPAIR, 7, {}),
    ("challenges", messages.CHALLENGES, 8, {"challenges": bytes(range(64))}),
    ("info_reply", messages.INFO | messages.REPLY, 11,
     {"ref": 9, "protocol_version": 2, "firmware_version": "0.1.0", "board": "sim", "device_id": b"\x01" * 8,
      "uptime_ms": 5000, "rx_frames": 120, "rx_errors": 3, "tx_frames": 130, "retransmits": 4, "naks_sent": 2,
      "naks_received": 1, "auth_failures": 0, "replays": 0, "duplicates": 1, "delivery_failed": 0,
      "unauthenticated": 0, "dropped_events": 0}),
]

AUTH_FRAMES = [
    # name, type, seq, flags, session, counter, fields
    ("ping_auth", messages.PING, 5, 0, None, 1, {"data": b"hi"}),
    ("event_taken_auth", messages.EVENT_TAKEN, 200, 0, None, 70000, {"event_id": (3 << 32) | 2}),
    ("syn_more_auth", messages.EVENT, 17, frame.FLAG_SYN | frame.FLAG_MORE, bytes.fromhex("a1b2c3d4"), 2,
     {"kind": "credential", "event_id": 5}),
]


def hexs(b):
    return binascii.hexlify(b).decode()


def jfields(fields):
    return ({k: (hexs(v) if isinstance(v, bytes) else v) for k, v in fields.items()},
            sorted(k for k, v in fields.items() if isinstance(v, bytes)))


def with_crc(body):
    return body + struct.pack("<I", binascii.crc32(body) & 0xFFFFFFFF)


def wire_of(body):
    return "00" + hexs(cobs.encode(body)) + "00"


def fragments(msg_type, first_seq, fields, max_fragment, key, first_counter):
    """The frames of one message as SPEC.md section 4 cuts it (and an Endpoint sends it)."""
    payload = messages.encode_payload(msg_type, fields)
    chunks = [payload[i:i + max_fragment] for i in range(0, len(payload), max_fragment)] or [b""]
    wires = []
    for i, chunk in enumerate(chunks):
        flags = frame.FLAG_MORE if i < len(chunks) - 1 else 0
        fr = frame.Frame(msg_type, (first_seq + i) & 0xFF, chunk, flags, counter=first_counter + i if key else None)
        wires.append(hexs(frame.encode_frame(fr, auth.MacKey(key) if key else None)))
    return wires


def kdf_vectors():
    z = bytes(range(0xA0, 0xC0))
    device_id, host_key, reader_key = bytes.fromhex("0102030405060708"), b"\x04" + bytes(64), b"\x04" + b"\x01" * 64
    transcript = auth.pairing_transcript(device_id, host_key, reader_key)
    k_pair = auth.pairing_key(z, transcript)
    host_nonce, reader_nonce, pair_id = bytes(range(16)), bytes(range(16, 32)), 2
    h2r, r2h = auth.session_keys(k_pair, host_nonce, reader_nonce, pair_id)
    return {
        "pairing": {"shared_secret": hexs(z), "device_id": hexs(device_id), "host_key": hexs(host_key),
                    "reader_key": hexs(reader_key), "transcript": hexs(transcript), "k_pair": hexs(k_pair),
                    "reader_tag": hexs(auth.pairing_tag(k_pair, b"reader", transcript)),
                    "host_tag": hexs(auth.pairing_tag(k_pair, b"host", transcript))},
        "session": {"k_pair": hexs(k_pair), "host_nonce": hexs(host_nonce), "reader_nonce": hexs(reader_nonce),
                    "pair_id": pair_id, "k_h2r": hexs(h2r), "k_r2h": hexs(r2h)},
    }


def main():
    frames = []
    for name, mtype, seq, fields in MESSAGES:
        payload = messages.encode_payload(mtype, fields)
        jf, bytes_fields = jfields(fields)
        frames.append({"name": name, "type": mtype, "seq": seq, "fields": jf, "bytes_fields": bytes_fields,
                       "payload": hexs(payload), "wire": hexs(frame.encode_frame(frame.Frame(mtype, seq, payload)))})
    auth_frames = []
    for name, mtype, seq, flags, session, counter, fields in AUTH_FRAMES:
        payload = messages.encode_payload(mtype, fields)
        fr = frame.Frame(mtype, seq, payload, flags, session, counter)
        jf, bytes_fields = jfields(fields)
        auth_frames.append({"name": name, "key": hexs(KEY), "type": mtype, "seq": seq, "flags": flags,
                            "session": hexs(session) if session else None, "counter": counter, "fields": jf,
                            "bytes_fields": bytes_fields, "wire": hexs(frame.encode_frame(fr, auth.MacKey(KEY)))})
    fragment_cases = []
    for name, max_fragment, key, fields in [
            ("plain_150", 64, None, {"data": bytes(range(150))}),
            ("auth_150", 64, KEY, {"data": bytes(range(150))}),
            ("auth_exact_2x32", 32, KEY, {"data": bytes(62)}),
            ("plain_1k_in_128", 128, None, {"data": bytes(range(256)) * 4})]:
        jf, bytes_fields = jfields(fields)
        fragment_cases.append({"name": name, "type": messages.PING, "first_seq": 254, "max_fragment": max_fragment,
                               "key": hexs(key) if key else None, "first_counter": 1, "fields": jf,
                               "bytes_fields": bytes_fields,
                               "wires": fragments(messages.PING, 254, fields, max_fragment, key, 1)})
    v = PROTOCOL_VERSION
    good = bytes.fromhex(frames[0]["wire"])
    bad_crc = bytearray(good)
    bad_crc[-3] ^= 0x01 if bad_crc[-3] != 0x01 else 0x02
    decoder_cases = [
        {"name": "ack", "wire": hexs(frame.control_frame(frame.FLAG_ACK, 5)), "expect": ["frame:0:5:1"]},
        {"name": "nak", "wire": hexs(frame.control_frame(frame.FLAG_NAK, 9)), "expect": ["frame:0:9:8"]},
        {"name": "syn_with_session", "wire": hexs(frame.encode_frame(frame.Frame(
            messages.PING, 200, b"", frame.FLAG_SYN, bytes.fromhex("a1b2c3d4")))), "expect": ["frame:2:200:2:a1b2c3d4"]},
        {"name": "syn_without_session", "wire": wire_of(with_crc(bytes([v, 2, 0, 1, 0xA1]))), "expect": ["too_short"]},
        {"name": "garbage_then_frame", "wire": "5a5a5aff13" + frames[3]["wire"], "expect": ["cobs", "frame:4:1:0"]},
        {"name": "bad_crc", "wire": hexs(bytes(bad_crc)), "expect": ["crc"]},
        {"name": "too_short", "wire": "00020100", "expect": ["too_short"]},
        {"name": "cobs_overrun", "wire": "00090102030400", "expect": ["cobs"]},
        {"name": "version_1", "wire": wire_of(with_crc(bytes([1, 0, 0, 2]))), "expect": ["version"]},
        {"name": "unknown_flag", "wire": wire_of(with_crc(bytes([v, 0x10, 0, 2]))), "expect": ["flags"]},
        {"name": "ack_with_payload", "wire": wire_of(with_crc(bytes([v, 1, 5, 0, 0xAA]))), "expect": ["flags"]},
        {"name": "ack_with_auth", "wire": wire_of(with_crc(bytes([v, 0x81, 5, 0]) + bytes(12))), "expect": ["flags"]},
        {"name": "nak_with_type", "wire": wire_of(with_crc(bytes([v, 8, 5, 2]))), "expect": ["flags"]},
        {"name": "auth_trailer_cut", "wire": wire_of(with_crc(bytes([v, 0x80, 0, 2]) + bytes(11))),
         "expect": ["too_short"]},
        {"name": "auth_frame", "wire": auth_frames[0]["wire"], "expect": ["frame:2:5:128"]},
        {"name": "too_long_then_frame", "wire": "01" * (frame.MAX_FRAGMENT_WIRE + 10) + frames[3]["wire"],
         "expect": ["too_long", "frame:4:1:0"]},
        {"name": "payload_above_max_fragment",
         "wire": wire_of(with_crc(bytes([v, 0, 0, 2]) + bytes(frame.MAX_FRAGMENT + 1))), "expect": ["too_long"]},
        {"name": "empty_delimiters", "wire": "0000000000", "expect": []},
    ]
    message_cases = [
        {"name": "unknown_type", "type": 0x55, "payload": "", "expect": "unknown_message"},
        {"name": "truncated_field", "type": messages.PING, "payload": "0905aabb", "expect": "bad_message"},
        {"name": "missing_required", "type": messages.SET_TIME, "payload": "", "expect": "bad_message"},
        {"name": "pair_without_host_key", "type": messages.PAIR, "payload": "080161", "expect": "bad_message"},
        {"name": "bad_utf8", "type": messages.ERROR, "payload": "2002c328", "expect": "bad_message"},
        {"name": "int_too_long", "type": messages.SET_TIME, "payload": "0a09" + "01" * 9, "expect": "bad_message"},
        {"name": "int_leading_zero", "type": messages.SET_TIME, "payload": "0a020001", "expect": "bad_message"},
        {"name": "int_empty", "type": messages.SET_TIME, "payload": "0a00", "expect": "bad_message"},
        {"name": "tag_twice", "type": messages.SET_TIME, "payload": "0a01010a0102", "expect": "bad_message"},
        {"name": "long_form_below_255", "type": messages.PING, "payload": "09ff0001aa", "expect": "bad_message"},
        {"name": "u64_max", "type": messages.SET_TIME, "payload": "0a08" + "ff" * 8, "expect": "ok"},
        {"name": "unknown_tag_skipped", "type": messages.PING, "payload": "f00100" + "0901aa", "expect": "ok"},
        {"name": "retired_tag_skipped", "type": messages.PING, "payload": "07021000", "expect": "ok"},
        {"name": "long_length_form", "type": messages.PING, "payload": "09ff0100" + "ab" * 256, "expect": "ok"},
    ]
    out = {"comment": "Generated by tools/gen_link_vectors.py; see protocol/SPEC.md section 10.",
           "protocol_version": PROTOCOL_VERSION, "frames": frames, "auth_frames": auth_frames,
           "fragments": fragment_cases, "decoder": decoder_cases, "messages": message_cases, "kdf": kdf_vectors()}
    path = os.path.join(ROOT, "protocol", "vectors", "link.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
