"""Properties of the shared link codec (protocol/vitale_link): COBS, frames, messages, on CPython.

The vectors (test_link_vectors.py) replay the same codec on MicroPython; the
endpoint's properties are in test_link_endpoint.py.
"""
import binascii
import hmac
import struct
from hashlib import sha256

from hypothesis import assume, given
from hypothesis import strategies as st
from vitale_link import PROTOCOL_VERSION, auth, cobs, frame, messages
from vitale_link.errors import (CobsError, CrcError, FlagsError, FrameError, FrameTooLong, FrameTooShort,
                                MessageError, VersionMismatch)

byte_strings = st.binary(max_size=2000)
keys = st.binary(min_size=32, max_size=32)
data_flags = st.sets(st.sampled_from([frame.FLAG_SYN, frame.FLAG_MORE])).map(sum)


def wire_of(body):
    return b"\x00" + cobs.encode(body) + b"\x00"


def with_crc(body):
    return body + struct.pack("<I", binascii.crc32(body) & 0xFFFFFFFF)


@given(byte_strings)
def test_cobs_round_trip_and_no_zero(data):
    encoded = cobs.encode(data)
    assert b"\x00" not in encoded
    assert len(encoded) <= len(data) + len(data) // 254 + 1
    assert cobs.decode(encoded) == data


@given(st.integers(0, 255), st.integers(0, 255), st.binary(max_size=frame.MAX_FRAGMENT), data_flags,
       st.binary(min_size=4, max_size=4), st.one_of(st.none(), st.tuples(keys, st.integers(1, 2**32 - 1))))
def test_frame_round_trip(msg_type, seq, payload, flags, session, keyed):
    key = auth.MacKey(keyed[0]) if keyed else None
    counter = keyed[1] if keyed else None
    sent = frame.Frame(msg_type, seq, payload, flags, session if flags & frame.FLAG_SYN else None, counter)
    (got,) = frame.FrameDecoder().feed(frame.encode_frame(sent, key))
    assert (got.type, got.seq, got.payload, got.flags) == (msg_type, seq, payload, sent.flags)
    assert got.session == (session if flags & frame.FLAG_SYN else None)
    if keyed:
        assert got.flags & frame.FLAG_AUTH and got.counter == counter
        assert got.verify(key)
        assert not got.verify(auth.MacKey(bytes(b ^ 1 for b in keyed[0])))
    else:
        assert got.counter is None and not got.verify(auth.MacKey(bytes(32)))


@given(keys, st.integers(1, 2**32 - 1), st.integers(0, 255), st.binary(max_size=300))
def test_auth_trailer_is_the_truncated_hmac_of_the_spec(key, counter, seq, payload):
    """Recomputed with the stdlib's hmac over header || payload || counter (SPEC.md section 2)."""
    wire = frame.encode_frame(frame.Frame(messages.PING, seq, payload, counter=counter), auth.MacKey(key))
    body = cobs.decode(wire[1:-1])
    header = bytes([PROTOCOL_VERSION, frame.FLAG_AUTH, seq, messages.PING])
    assert body[:4] == header and body[4:-16] == payload
    assert body[-16:-12] == counter.to_bytes(4, "big")
    expected = hmac.new(key, header + payload + counter.to_bytes(4, "big"), sha256).digest()[:8]
    assert body[-12:-4] == expected


@given(st.lists(st.binary(max_size=300), max_size=20))
def test_decoder_yields_only_frames_or_typed_errors(chunks):
    decoder = frame.FrameDecoder()
    for chunk in chunks:
        for item in decoder.feed(chunk):
            assert isinstance(item, (frame.Frame, FrameError))


@given(st.binary(min_size=0, max_size=60))
def test_any_body_with_a_good_crc_gives_a_frame_or_a_typed_error(body):
    """Past the CRC, the header parsing sees arbitrary bytes: still only Frame or FrameError."""
    body = bytes([PROTOCOL_VERSION]) + body
    (item,) = frame.FrameDecoder().feed(wire_of(with_crc(body)))
    assert isinstance(item, (frame.Frame, FlagsError, FrameTooShort)), item
    if isinstance(item, frame.Frame):
        assert not item.flags & ~frame.KNOWN_FLAGS
        if item.is_control:
            assert item.payload == b"" and item.type == 0


@given(st.integers(0, 255).filter(lambda f: f & ~frame.KNOWN_FLAGS))
def test_unknown_flags_are_refused(flags):
    (item,) = frame.FrameDecoder().feed(wire_of(with_crc(bytes([PROTOCOL_VERSION, flags, 0, 2]))))
    assert isinstance(item, FlagsError)


@given(st.sampled_from([frame.FLAG_ACK, frame.FLAG_NAK]),
       st.sampled_from([frame.FLAG_SYN, frame.FLAG_MORE, frame.FLAG_AUTH, frame.FLAG_ACK | frame.FLAG_NAK, 0]),
       st.integers(0, 255), st.binary(max_size=20))
def test_control_frames_carry_nothing_else(control, extra, msg_type, payload):
    assume(extra or msg_type or payload)
    body = bytes([PROTOCOL_VERSION, control | extra, 9, msg_type]) + payload
    (item,) = frame.FrameDecoder().feed(wire_of(with_crc(body)))
    assert isinstance(item, (FlagsError, FrameTooShort))


def test_decoder_error_kinds():
    body = bytearray(cobs.decode(frame.encode_frame(frame.Frame(messages.PING, 1, b"abc"))[1:-1]))
    body[5] ^= 0x40  # a payload byte: the CRC no longer matches
    bad_crc = wire_of(bytes(body))
    v1 = wire_of(with_crc(bytes([1, 0, 0, 2])))
    short_auth = wire_of(with_crc(bytes([PROTOCOL_VERSION, frame.FLAG_AUTH, 0, 2]) + bytes(11)))
    got = frame.FrameDecoder().feed(bytes(bad_crc) + v1 + short_auth + b"\x00\x05\x01\x02\x00")
    assert [type(x) for x in got] == [CrcError, VersionMismatch, FrameTooShort, CobsError]


@given(st.binary(max_size=6000), st.binary(max_size=500), st.integers(1, 64))
def test_resync_after_garbage_prefix(garbage, payload, chunk):
    wire = garbage + frame.encode_frame(frame.Frame(messages.PING, 42, payload))
    decoder = frame.FrameDecoder()
    items = []
    for i in range(0, len(wire), chunk):
        items += decoder.feed(wire[i:i + chunk])
    assert isinstance(items[-1], frame.Frame)
    assert items[-1].payload == payload and items[-1].seq == 42


@given(st.integers(frame.MIN_FRAGMENT, frame.MAX_FRAGMENT))
def test_oversized_frame_is_refused_before_buffering(max_fragment):
    decoder = frame.FrameDecoder(max_fragment)
    items = decoder.feed(b"\x01" * (frame.max_wire(max_fragment) + 1))
    assert len(items) == 1 and isinstance(items[0], FrameTooLong)
    assert len(decoder._buf) == 0  # nothing kept from the oversized frame
    assert decoder.feed(b"\x01" * 1000) == []  # still discarding until the next delimiter
    # One byte of payload too many is refused even when the encoded length fits.
    one_too_many = with_crc(bytes([PROTOCOL_VERSION, 0, 0, 2]) + bytes(max_fragment + 1))
    (item,) = decoder.feed(wire_of(one_too_many))
    assert isinstance(item, FrameTooLong)
    (item,) = decoder.feed(frame.encode_frame(frame.Frame(2, 0, bytes(max_fragment))))
    assert isinstance(item, frame.Frame)


# -- messages ---------------------------------------------------------------------
def field_value(kind):
    return {"u": st.integers(0, 2**64 - 1), "s": st.text(max_size=60), "b": st.binary(max_size=300)}[kind]


all_fields = st.fixed_dictionaries({}, optional={
    name: field_value(kind) for _tag, (name, kind) in messages.FIELDS.items()})


@given(st.sampled_from(sorted(messages.REQUIRED)), all_fields)
def test_message_round_trip_every_field(msg_type, fields):
    for name in messages.REQUIRED[msg_type]:
        fields.setdefault(name, {"u": 1, "s": "x", "b": b"\x01"}[messages.TAGS[name][1]])
    payload = messages.encode_payload(msg_type, fields)
    msg = messages.decode_payload(msg_type, payload)
    assert msg.fields == fields and msg.authenticated is False


@given(st.integers(0, 255), st.binary(max_size=400))
def test_message_decoder_raises_only_typed_errors(msg_type, payload):
    try:
        messages.decode_payload(msg_type, payload)
    except MessageError:
        pass


tlv = st.tuples(st.sampled_from(sorted(messages.FIELDS) + [0x00, 0x07, 0xF0]), st.binary(max_size=300),
                st.booleans())


@given(st.sampled_from(sorted(messages.REQUIRED)), st.lists(tlv, max_size=12))
def test_structured_garbage_gives_messages_or_typed_errors(msg_type, items):
    """Well-framed fields with arbitrary values reach every kind check: still only typed errors."""
    payload = bytearray()
    for tag, raw, long_form in items:
        payload.append(tag)
        if long_form or len(raw) >= 0xFF:
            payload += b"\xff" + len(raw).to_bytes(2, "big")
        else:
            payload.append(len(raw))
        payload += raw
    try:
        msg = messages.decode_payload(msg_type, bytes(payload))
    except MessageError:
        return
    for name, value in msg.fields.items():
        kind = messages.TAGS[name][1]
        assert isinstance(value, {"u": int, "s": str, "b": bytes}[kind])
        if kind == "u":
            assert 0 <= value < 2**64


def test_canonical_form_only():
    assert messages.decode_payload(messages.SET_TIME, bytes.fromhex("0a0101")).fields == {"unix_ms": 1}
    for bad in ("0a020001",  # leading zero
                "0a09" + "01" * 9,  # 9-byte integer
                "0a00",  # empty integer
                "0a01010a0102",  # the same tag twice
                "09ff0001aa"):  # long length form for 1 byte
        try:
            messages.decode_payload(messages.SET_TIME, bytes.fromhex(bad))
        except MessageError:
            continue
        raise AssertionError(bad)


def test_encoder_refuses_values_of_the_wrong_kind():
    for fields in ({"unix_ms": 2**64}, {"unix_ms": -1}, {"unix_ms": True}, {"unix_ms": "1"},
                   {"host": b"x"}, {"data": 3}, {"data": "text"}, {"no_such_field": 1}):
        try:
            messages.encode_payload(messages.SET_TIME, fields)
        except MessageError:
            continue
        raise AssertionError(fields)


def test_repr_hides_field_values():
    msg = messages.Message(messages.EVENT, {"kind": "credential", "text": "1 84 12 75 115 002 47"})
    assert "115" not in repr(msg)
    assert "MacKey(...)" == repr(auth.MacKey(b"secret key"))
