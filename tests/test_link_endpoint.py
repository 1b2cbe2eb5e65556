"""Properties of the sans-IO link endpoint (protocol/vitale_link/endpoint.py), driven by a fake clock.

Fragments, NAK, retransmission, duplicates, sessions, authentication and the
replay window, over vitale_sim.line (seeded byte-level noise): no wall time.
"""
import binascii
import os
import random
import struct

from hypothesis import given, settings
from hypothesis import strategies as st
from support import FUZZ
from vitale_link import auth, cobs, frame, messages
from vitale_link.endpoint import DEFAULT_FRAGMENT, DEFAULT_MAX_MESSAGE, Endpoint
from vitale_link.errors import (AuthFailed, DeliveryFailed, FragmentError, LinkError, MessageTooLong, Replayed,
                                Unauthenticated)
from vitale_sim.line import Line, LineNoise, LinkPair

K_PAIR = bytes(range(32))


def session_keys(host_nonce=b"H" * 16, reader_nonce=b"R" * 16):
    return auth.session_keys(K_PAIR, host_nonce, reader_nonce, 1)


def keyed_pair(**kw):
    """A 'host' and a 'reader' endpoint sharing session keys, as after a paired HELLO."""
    h2r, r2h = session_keys()
    host, reader = Endpoint(session=b"HOST", **kw), Endpoint(session=b"READ", initial_seq=200, **kw)
    host.set_keys(h2r, r2h)
    reader.set_keys(r2h, h2r)
    return host, reader


def messages_only(items):
    return [m for m in items if isinstance(m, messages.Message)]


def run(pair, until, done):
    """Step the pair one fake millisecond at a time until ``done(at_a, at_b)`` or ``until`` ms."""
    at_a, at_b = [], []
    for now in range(until):
        got_a, got_b = pair.step(now)
        at_a += got_a
        at_b += got_b
        if done(at_a, at_b):
            break
    return at_a, at_b


def datas(items):
    return [m["data"] for m in messages_only(items)]


# -- fragments --------------------------------------------------------------------
@settings(max_examples=25 * FUZZ)
@given(st.binary(max_size=DEFAULT_MAX_MESSAGE * 6 - 8), st.integers(frame.MIN_FRAGMENT, frame.MAX_FRAGMENT),
       st.booleans())
def test_fragmented_round_trip_up_to_max_message(data, max_fragment, keyed):
    a, b = keyed_pair() if keyed else (Endpoint(), Endpoint())
    b.max_message = DEFAULT_MAX_MESSAGE * 6
    a.set_peer_limits(max_fragment, b.max_message)
    seq = a.send(messages.PING, {"data": data}, 0)
    out = a.outgoing()
    frames = frame.FrameDecoder().feed(out)
    assert len(frames) == 1 and len(frames[0].payload) <= max_fragment
    pair = LinkPair(a, b)
    pair.ab.write(out, 0)
    _, got = run(pair, 100000, lambda _a, _b: a.pending() == 0)
    (msg,) = got
    assert msg["data"] == data and msg.seq == seq and msg.authenticated == keyed
    frames = -(-len(messages.encode_payload(messages.PING, {"data": data})) // max_fragment)
    assert a.pending() == 0 and a.stats["tx_frames"] == max(1, frames)


def test_send_refuses_a_message_above_the_peers_max_message():
    a = Endpoint()
    try:
        a.send(messages.PING, {"data": bytes(DEFAULT_MAX_MESSAGE)}, 0)
    except MessageTooLong:
        pass
    else:
        raise AssertionError("sent above the peer's max_message")
    a.set_peer_limits(max_message=10 * DEFAULT_MAX_MESSAGE)
    a.send(messages.PING, {"data": bytes(DEFAULT_MAX_MESSAGE)}, 0)


def test_a_message_above_max_message_is_dropped_whole_and_the_next_arrives():
    a, b = Endpoint(), Endpoint()
    a.set_peer_limits(64, 3 * DEFAULT_MAX_MESSAGE)  # a believes more than b reassembles
    a.send(messages.PING, {"data": bytes(2 * DEFAULT_MAX_MESSAGE)}, 0)
    a.send(messages.PING, {"data": b"next"}, 0)
    _, got = run(LinkPair(a, b), 100000, lambda _a, got_b: messages_only(got_b))
    errors = [x for x in got if isinstance(x, LinkError)]
    assert [type(e) for e in errors] == [MessageTooLong] and errors[0].msg_type == messages.PING
    assert datas(got) == [b"next"]
    assert len(b._partial or b"") == 0


def test_an_abandoned_fragmented_message_is_never_spliced_onto_the_next():
    a, b = Endpoint(retry_ms=10, max_tries=2), Endpoint()
    a.send(messages.PING, {"data": bytes(range(200))}, 0)  # 4 fragments of 64
    first = frame.FrameDecoder().feed(a.outgoing())[0]
    b.receive(frame.encode_frame(first), 0)  # b holds fragment 1 of 4; its ACK is lost
    failed = a.poll(10) + a.poll(20)
    assert [type(f) for f in failed] == [DeliveryFailed]
    a.outgoing()
    a.send(messages.PING, {"data": b"second"}, 30)
    wire = a.outgoing()
    (next_frame,) = frame.FrameDecoder().feed(wire)
    assert next_frame.flags & frame.FLAG_SYN  # a new sequence: the peer drops its partial
    got = b.receive(wire, 30)
    assert [type(x) for x in got] == [FragmentError, messages.Message] and got[1]["data"] == b"second"


def test_a_frame_of_another_type_inside_a_message_is_reported():
    a, b = Endpoint(), Endpoint()
    a.send(messages.PING, {"data": bytes(100)}, 0)
    first = frame.FrameDecoder().feed(a.outgoing())[0]
    assert first.flags & frame.FLAG_MORE
    b.receive(frame.encode_frame(first), 0)
    intruder = frame.encode_frame(frame.Frame(messages.INFO, (first.seq + 1) & 0xFF, b""))
    got = b.receive(intruder, 1)
    assert [type(x) for x in got] == [FragmentError, messages.Message] and got[1].type == messages.INFO


# -- exactly once, in order, over a bad line ---------------------------------------
@settings(max_examples=15 * FUZZ, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([(0.0, 0.0), (0.001, 0.0005), (0.01, 0.005)]),
       st.lists(st.integers(0, 1500), min_size=1, max_size=6), st.sampled_from([32, 64, 128]))
def test_exactly_once_in_order_over_a_noisy_line_with_keys(seed, noise, sizes, fragment):
    rng = random.Random(seed)
    host, reader = keyed_pair(retry_ms=40, max_tries=10**6, max_fragment=fragment)
    host.set_peer_limits(reader.max_fragment, reader.max_message)  # as HELLO / HELLO_REPLY announce
    reader.set_peer_limits(host.max_fragment, host.max_message)
    ab = Line(LineNoise(noise[0], noise[1], seed))
    ba = Line(LineNoise(noise[0], noise[1], seed + 1))
    sent_h = [rng.randbytes(n) for n in sizes]
    sent_r = [rng.randbytes(n) for n in reversed(sizes)]
    for data in sent_h:
        host.send(messages.PING, {"data": data}, 0)
    for data in sent_r:
        reader.send(messages.EVENT, {"kind": "test", "event_id": 1, "data": data}, 0)
    pair = LinkPair(host, reader, ab, ba)
    at_h, at_r = run(pair, 300_000, lambda a, b: len(messages_only(a)) == len(sent_r)
                     and len(messages_only(b)) == len(sent_h))
    assert datas(at_r) == sent_h and datas(at_h) == sent_r  # every message once, in order
    assert all(m.authenticated for m in messages_only(at_h + at_r))
    assert not [x for x in at_h + at_r if isinstance(x, (DeliveryFailed, AuthFailed, Replayed))]


@settings(max_examples=10 * FUZZ, deadline=None)
@given(st.integers(0, 2**32))
def test_every_message_is_delivered_at_most_once_and_every_loss_is_reported(seed):
    """With few tries on a very bad line, what does not arrive is reported to the sender, and
    what arrives, arrives once, in order, whole (never a splice of two messages)."""
    rng = random.Random(seed)
    a, b = Endpoint(retry_ms=20, max_tries=2), Endpoint()
    pair = LinkPair(a, b, Line(LineNoise(0.03, 0.01, seed)), Line(LineNoise(0.03, 0.01, seed + 1)))
    sent = {}
    for i in range(8):
        data = bytes([i]) * rng.randrange(1, 300)
        sent[a.send(messages.PING, {"data": data}, 0)] = data
    failed, got = run(pair, 200000, lambda fa, _b: a.pending() == 0)
    failed_seqs = [f.seq for f in failed if isinstance(f, DeliveryFailed)]
    got_data = datas(got)
    order = list(sent.values())
    assert got_data == [d for d in order if d in got_data]  # in order, no duplicates, no splices
    assert len(set(got_data)) == len(got_data)
    for seq, data in sent.items():
        assert data in got_data or seq in failed_seqs


# -- NAK and retransmission --------------------------------------------------------
def test_a_damaged_frame_is_nakked_and_resent_at_once():
    a, b = Endpoint(retry_ms=250), Endpoint()
    a.send(messages.PING, {"data": b"hello"}, 0)
    wire = bytearray(a.outgoing())
    wire[6] ^= 0x10
    b.receive(bytes(wire), 1)
    nak = frame.FrameDecoder().feed(b.outgoing())
    assert [f.flags for f in nak] == [frame.FLAG_NAK]
    b.receive(bytes(wire), 2)  # a second damaged frame within 20 ms: no second NAK
    assert b.outgoing() == b"" and b.stats["naks_sent"] == 1
    a.receive(frame.control_frame(frame.FLAG_NAK, 0), 3)  # 3 ms after sending, far below retry_ms
    assert datas(b.receive(a.outgoing(), 4)) == [b"hello"]
    assert a.stats["naks_received"] == 1 and a.stats["retransmits"] == 1
    a.receive(frame.control_frame(frame.FLAG_NAK, 0), 5)  # a NAK flood gets one reaction per interval
    assert a.outgoing() == b""


def test_a_lost_frame_is_resent_by_the_timer_and_failure_reported_when_the_peer_is_gone():
    a = Endpoint(retry_ms=10, max_tries=3)
    seq = a.send(messages.PING, {}, 0)
    failures = []
    sends = 0
    for now in range(0, 100, 5):
        failures += a.poll(now)
        sends += len(frame.FrameDecoder().feed(a.outgoing()))
    assert [f.seq for f in failures] == [seq] and sends == 3
    assert a.pending() == 0 and a.stats["delivery_failed"] == 1


def test_nak_repeats_the_last_ack():
    a, b = Endpoint(), Endpoint()
    a.send(messages.PING, {"data": b"x"}, 0)
    b.receive(a.outgoing(), 0)
    b.outgoing()  # the ACK is lost
    b.receive(b"\x00\x05\x01\x00", 1)  # ...then b sees line noise and NAKs; a sees it damaged too
    a.receive(b"garbage\x00", 1)
    a.receive(b.outgoing(), 2)  # nothing whole from b yet
    b.receive(a.outgoing(), 3)  # a's NAK and its retransmission: b ACKs again (a duplicate)
    a.receive(b.outgoing(), 4)
    assert a.pending() == 0 and b.stats["duplicates"] == 1


# -- sessions ----------------------------------------------------------------------
def test_a_restarted_peer_is_never_taken_for_a_duplicate():
    """A peer's first frame carries SYN and a session id: after a restart, a repeated seq is new."""
    a, b = Endpoint(initial_seq=7, session=b"AAAA"), Endpoint()
    a.send(messages.PING, {"data": b"one"}, 0)
    first = a.outgoing()
    assert datas(b.receive(first, 0)) == [b"one"]
    assert b.receive(first, 1) == []  # the same SYN frame again (its ACK was lost): a duplicate
    restarted = Endpoint(initial_seq=7, session=b"BBBB")  # same seq as the frame b saw last
    restarted.send(messages.PING, {"data": b"two"}, 0)
    assert datas(b.receive(restarted.outgoing(), 2)) == [b"two"]
    restarted.receive(b.outgoing(), 3)
    restarted.send(messages.PING, {"data": b"three"}, 3)
    frames = frame.FrameDecoder().feed(restarted.outgoing())
    assert frames[0].flags == 0 and frames[0].session is None  # SYN only on the first frame


# -- authentication ----------------------------------------------------------------
def authed_stream(n=4):
    """The wire frames of ``n`` PINGs from a keyed host, each acknowledged by a keyed reader."""
    host, reader = keyed_pair()
    wires = []
    for i in range(n):
        host.send(messages.PING, {"data": bytes([i]) * 10}, i)
        wire = host.outgoing()
        wires.append(wire)
        assert datas(reader.receive(wire, i)) == [bytes([i]) * 10]
        host.receive(reader.outgoing(), i)
    return wires, reader


def test_counters_start_at_one_and_a_retransmission_reuses_its_counter():
    host, _ = keyed_pair(retry_ms=10)
    host.send(messages.PING, {}, 0)
    (first,) = frame.FrameDecoder().feed(host.outgoing())
    host.poll(10)
    (again,) = frame.FrameDecoder().feed(host.outgoing())
    assert first.counter == again.counter == 1 and first.tag == again.tag


@given(st.data())
def test_an_altered_authenticated_frame_is_never_delivered(data):
    """Any byte changed before the CRC, and the CRC fixed up so the frame reaches the MAC check."""
    wires, _ = authed_stream(1)
    _, reader = keyed_pair()
    body = bytearray(cobs.decode(wires[0][1:-1]))
    i = data.draw(st.integers(0, len(body) - 5), label="byte")
    body[i] ^= data.draw(st.integers(1, 255), label="xor")
    body[-4:] = struct.pack("<I", binascii.crc32(bytes(body[:-4])) & 0xFFFFFFFF)
    got = reader.receive(b"\x00" + cobs.encode(bytes(body)) + b"\x00", 0)
    assert messages_only(got) == []


def test_a_replayed_authenticated_frame_is_never_delivered_again():
    wires, reader = authed_stream(4)
    for wire in wires[:3]:  # older frames: counter below the last accepted
        got = reader.receive(wire, 10)
        assert [type(x) for x in got] == [Replayed]
    assert reader.receive(wires[3], 11) == []  # the last one again: a duplicate, acknowledged only
    assert reader.stats["replays"] == 3 and reader.stats["duplicates"] == 1
    assert frame.FrameDecoder().feed(reader.outgoing())[-1].flags == frame.FLAG_ACK


@given(st.binary(min_size=16, max_size=16), st.binary(min_size=16, max_size=16))
def test_a_frame_of_an_earlier_session_never_verifies(host_nonce, reader_nonce):
    old = Endpoint()
    h2r, r2h = session_keys()
    old.set_keys(h2r, r2h)
    old.send(messages.PING, {"data": b"from the old session"}, 0)
    wire = old.outgoing()
    new = Endpoint()
    if (host_nonce, reader_nonce) == (b"H" * 16, b"R" * 16):
        host_nonce = bytes(16)
    h2r2, r2h2 = session_keys(host_nonce, reader_nonce)
    new.set_keys(r2h2, h2r2)
    got = new.receive(wire, 1)
    assert [type(x) for x in got] == [AuthFailed] and new.stats["auth_failures"] == 1
    assert new.outgoing() == b""  # not even acknowledged


def test_plain_frames_while_keyed_follow_the_applications_allow_list():
    _, reader = keyed_pair()
    reader.allow_plain = (messages.HELLO, messages.PING)
    plain = Endpoint(session=b"NEW!")
    plain.send(messages.HELLO, {"protocol_version": 2, "host_nonce": bytes(16), "max_fragment": 64,
                                "max_message": 4096}, 0)
    got = reader.receive(plain.outgoing(), 0)
    assert [m.type for m in messages_only(got)] == [messages.HELLO] and not got[0].authenticated
    plain.receive(reader.outgoing(), 0)
    plain.send(messages.SET_TIME, {"unix_ms": 1}, 1)  # not allowed plain
    plain.send(messages.PING, {"data": bytes(100)}, 1)  # allowed, but fragmented: refused
    got = reader.receive(plain.outgoing(), 1)
    assert [type(x) for x in got] == [Unauthenticated] and reader.stats["unauthenticated"] == 1
    assert reader.outgoing() == b""  # no ACK for a dropped frame


def test_a_forged_ack_can_only_stop_retransmission():
    host, reader = keyed_pair()
    seq = host.send(messages.PING, {"data": b"important"}, 0)
    host.outgoing()  # lost on the wire
    host.receive(frame.control_frame(frame.FLAG_ACK, seq), 1)  # forged by a device on the port
    assert host.pending() == 0  # the link believes it delivered: the application level must
    # not forget anything on a link ACK (EVENT_TAKEN, SPEC.md "Delivery"); nothing was delivered
    assert reader.receive(b"", 2) == []


def test_key_deriver_authenticates_the_first_frame_with_keys_from_its_content():
    """The host learns reader_nonce from the HELLO_REPLY that is itself MACed under K_r2h."""
    host_nonce, reader_nonce = os.urandom(16), os.urandom(16)
    h2r, r2h = session_keys(host_nonce, reader_nonce)
    reader = Endpoint(initial_seq=9)
    reader.set_keys(r2h, h2r)
    reply = {"ref": 1, "protocol_version": 2, "firmware_version": "x", "board": "b", "device_id": b"d",
             "features": 0, "max_fragment": 64, "max_message": 4096, "reader_nonce": reader_nonce, "paired": 1}
    reader.send(messages.HELLO | messages.REPLY, reply, 0)
    wire = reader.outgoing()

    def deriver(msg):
        if msg.type == messages.HELLO | messages.REPLY and msg.get("reader_nonce"):
            return session_keys(host_nonce, msg["reader_nonce"])
        return None

    host = Endpoint()
    host.key_deriver = deriver
    (msg,) = host.receive(wire, 1)
    assert msg.authenticated and msg["reader_nonce"] == reader_nonce and host.keyed
    host.receive(reader.outgoing(), 1)
    # A rogue that does not know K_pair cannot make its own HELLO_REPLY verify.
    rogue = Endpoint()
    rogue.set_keys(os.urandom(32), os.urandom(32))
    rogue.send(messages.HELLO | messages.REPLY, reply, 0)
    victim = Endpoint()
    victim.key_deriver = deriver
    assert [type(x) for x in victim.receive(rogue.outgoing(), 1)] == [AuthFailed] and not victim.keyed


def test_default_fragment_is_what_a_peer_assumes_before_the_handshake():
    a = Endpoint()
    a.send(messages.PING, {"data": bytes(1000)}, 0)
    (first,) = frame.FrameDecoder().feed(a.outgoing())
    assert len(first.payload) == DEFAULT_FRAGMENT


frames_on_the_port = st.lists(st.tuples(
    st.sampled_from(sorted(messages.REQUIRED)), st.integers(0, 255),
    st.sets(st.sampled_from([frame.FLAG_SYN, frame.FLAG_MORE])).map(sum),
    st.sampled_from(["plain", "right_key", "wrong_key"]), st.integers(1, 40), st.binary(max_size=80)), max_size=25)


@settings(max_examples=60 * FUZZ)
@given(frames_on_the_port, st.binary(max_size=200))
def test_whatever_a_device_sends_only_authentic_or_allowed_messages_come_out(frames, garbage):
    """A device on the port sends any mix of plain frames, frames MACed under the right key with any
    counters, frames under another key, and garbage: the endpoint returns only Message and LinkError
    values; a message marked authenticated is of a type only right-key frames carried (none if
    there were none); a plain message is of an allowed type."""
    h2r, r2h = session_keys()
    reader = Endpoint(max_message=8192)
    reader.set_keys(r2h, h2r)
    reader.allow_plain = (messages.HELLO, messages.PING)
    right, wrong = auth.MacKey(h2r), auth.MacKey(os.urandom(32))
    authentic_types = set()
    wire = bytearray(garbage)
    for msg_type, seq, flags, keying, counter, payload in frames:
        fr = frame.Frame(msg_type, seq, payload, flags, b"SESS" if flags & frame.FLAG_SYN else None, counter)
        key = {"plain": None, "right_key": right, "wrong_key": wrong}[keying]
        if key is right:
            authentic_types.add(msg_type)
        wire += frame.encode_frame(fr, key)
    for item in reader.receive(bytes(wire), 0):
        assert isinstance(item, (messages.Message, LinkError))
        if isinstance(item, messages.Message):
            if item.authenticated:
                assert item.type in authentic_types
            else:
                assert item.type in reader.allow_plain
