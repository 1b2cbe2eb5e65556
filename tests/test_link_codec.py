"""Properties of the shared link codec (protocol/vitale_link) on CPython."""
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from support import FUZZ
from vitale_link import cobs, frame, messages
from vitale_link.endpoint import Endpoint
from vitale_link.errors import FrameError, FrameTooLong, LinkError, MessageError

byte_strings = st.binary(max_size=2000)


@given(byte_strings)
def test_cobs_round_trip_and_no_zero(data):
    encoded = cobs.encode(data)
    assert b"\x00" not in encoded
    assert len(encoded) <= len(data) + len(data) // 254 + 1
    assert cobs.decode(encoded) == data


@given(st.integers(0, 255), st.integers(0, 255), st.binary(max_size=frame.MAX_PAYLOAD))
def test_frame_round_trip(msg_type, seq, payload):
    wire = frame.encode_frame(frame.Frame(msg_type, seq, payload))
    (got,) = frame.FrameDecoder().feed(wire)
    assert (got.type, got.seq, got.payload, got.flags) == (msg_type, seq, payload, 0)


@given(st.lists(st.binary(max_size=300), max_size=20))
def test_decoder_yields_only_frames_or_typed_errors(chunks):
    decoder = frame.FrameDecoder()
    for chunk in chunks:
        for item in decoder.feed(chunk):
            assert isinstance(item, (frame.Frame, FrameError))


@given(st.binary(max_size=6000), st.binary(max_size=500), st.integers(1, 64))
def test_resync_after_garbage_prefix(garbage, payload, chunk):
    wire = garbage + frame.encode_frame(frame.Frame(messages.PING, 42, payload))
    decoder = frame.FrameDecoder()
    items = []
    for i in range(0, len(wire), chunk):
        items += decoder.feed(wire[i:i + chunk])
    assert isinstance(items[-1], frame.Frame)
    assert items[-1].payload == payload and items[-1].seq == 42


def test_oversized_frame_is_refused_before_buffering():
    decoder = frame.FrameDecoder()
    items = decoder.feed(b"\x01" * (frame.MAX_ENCODED + 1))
    assert len(items) == 1 and isinstance(items[0], FrameTooLong)
    assert len(decoder._buf) == 0  # nothing kept from the oversized frame
    assert decoder.feed(b"\x01" * 1000) == []  # still discarding until the next delimiter


fields_strategy = st.fixed_dictionaries({
    "kind": st.text(max_size=40), "event_id": st.integers(0, 2**64 - 1),
}, optional={"presentation": st.binary(max_size=3000), "reason": st.text(max_size=100),
             "ok": st.integers(0, 1), "unix_ms": st.integers(0, 2**64 - 1)})


@given(fields_strategy)
def test_message_round_trip(fields):
    payload = messages.encode_payload(messages.EVENT, fields)
    assert messages.decode_payload(messages.EVENT, payload).fields == fields


@given(st.integers(0, 255), st.binary(max_size=400))
def test_message_decoder_raises_only_typed_errors(msg_type, payload):
    try:
        messages.decode_payload(msg_type, payload)
    except MessageError:
        pass


def test_repr_hides_field_values():
    msg = messages.Message(messages.EVENT, {"kind": "credential", "text": "1 84 12 75 115 002 47"})
    assert "115" not in repr(msg)


class LossyWire:
    """Drops, corrupts, splits and duplicates chunks, from a seeded RNG."""

    def __init__(self, rng, loss):
        self.rng = rng
        self.loss = loss

    def carry(self, data):
        out = bytearray()
        if not data:
            return bytes(out)
        r = self.rng.random()
        if r < self.loss:
            return b""
        data = bytearray(data)
        if r < 2 * self.loss:
            data[self.rng.randrange(len(data))] ^= 1 << self.rng.randrange(8)
        out += data
        if self.rng.random() < self.loss:
            out += data  # duplicated
        return bytes(out)


@settings(max_examples=60 * FUZZ, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([0.0, 0.05, 0.2]))
def test_endpoint_delivers_exactly_once_in_order_over_a_lossy_wire(seed, loss):
    rng = random.Random(seed)
    a, b = Endpoint(retry_ms=10, max_tries=50), Endpoint(retry_ms=10, max_tries=50)
    wire_ab, wire_ba = LossyWire(rng, loss), LossyWire(rng, loss)
    sent = [rng.randbytes(rng.randrange(0, 600)) for _ in range(a.queue_len)]
    for data in sent:
        a.send(messages.PING, {"data": data}, 0)
    queued = len(sent)
    got = []
    now = 0
    while len(got) < queued and now < 100000:
        now += 5
        a.poll(now)
        for item in b.receive(wire_ab.carry(a.outgoing()), now):
            if not isinstance(item, LinkError):
                got.append(item["data"])
        a.receive(wire_ba.carry(b.outgoing()), now)
    assert got == sent


def test_endpoint_reports_delivery_failure_when_the_peer_is_gone():
    a = Endpoint(retry_ms=10, max_tries=3)
    seq = a.send(messages.PING, {}, 0)
    failures = []
    for now in range(0, 100, 5):
        failures += a.poll(now)
        a.outgoing()
    assert [f.seq for f in failures] == [seq]
    assert a.pending() == 0


def test_a_restarted_peer_is_never_taken_for_a_duplicate():
    """A peer's first frame carries SYN and a session id: after a restart, a repeated seq is new."""
    a, b = Endpoint(initial_seq=7, session=b"AAAA"), Endpoint()
    a.send(messages.PING, {"data": b"one"}, 0)
    first = a.outgoing()
    assert [m["data"] for m in b.receive(first, 0)] == [b"one"]
    assert b.receive(first, 1) == []  # the same SYN frame again (its ACK was lost): a duplicate
    restarted = Endpoint(initial_seq=7, session=b"BBBB")  # same seq as the frame b saw last
    restarted.send(messages.PING, {"data": b"two"}, 0)
    assert [m["data"] for m in b.receive(restarted.outgoing(), 2)] == [b"two"]
    restarted.receive(b.outgoing(), 3)
    restarted.send(messages.PING, {"data": b"three"}, 3)
    frames = frame.FrameDecoder().feed(restarted.outgoing())
    assert frames[0].flags == 0 and frames[0].session is None  # SYN only on the first frame
