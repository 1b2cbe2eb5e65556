"""Check protocol/vectors/link.json against the shared codec, as firmware would run it.

Usage: run.py|run.mjs link_vectors.py VECTORS_JSON. Prints one JSON line:
{"checked": N, "failures": [...]}.
"""
import binascii
import json

import simhost
from vitale_link import auth, frame, messages
from vitale_link.endpoint import Endpoint
from vitale_link.errors import LinkError

args = json.loads(simhost.argv())
vectors = json.loads(bytes(simhost.file_read(args[1])))
checked = 0
failures = []


def unhex(s):
    return binascii.unhexlify(s)


def hexs(b):
    return binascii.hexlify(b).decode()


def fields_of(v):
    fields = {}
    for k, val in v["fields"].items():
        fields[k] = unhex(val) if k in v["bytes_fields"] else val
    return fields


def describe(item):
    if isinstance(item, frame.Frame):
        text = "frame:%d:%d:%d" % (item.type, item.seq, item.flags)
        return text + (":" + hexs(item.session) if item.session else "")
    return item.code


def decoded_fields(fr):
    return messages.decode_payload(fr.type, fr.payload).fields


for v in vectors["frames"]:
    fields = fields_of(v)
    payload = messages.encode_payload(v["type"], fields)
    wire = frame.encode_frame(frame.Frame(v["type"], v["seq"], payload))
    if hexs(wire) != v["wire"]:
        failures.append("encode " + v["name"])
    got = frame.FrameDecoder().feed(unhex(v["wire"]))
    if len(got) != 1 or not isinstance(got[0], frame.Frame) or got[0].payload != unhex(v["payload"]):
        failures.append("decode " + v["name"])
    elif decoded_fields(got[0]) != fields:
        failures.append("fields " + v["name"])
    checked += 1

for v in vectors["auth_frames"]:
    key = auth.MacKey(unhex(v["key"]))
    fields = fields_of(v)
    session = unhex(v["session"]) if v["session"] else None
    fr = frame.Frame(v["type"], v["seq"], messages.encode_payload(v["type"], fields), v["flags"], session,
                     v["counter"])
    if hexs(frame.encode_frame(fr, key)) != v["wire"]:
        failures.append("encode " + v["name"])
    got = frame.FrameDecoder().feed(unhex(v["wire"]))
    if len(got) != 1 or not isinstance(got[0], frame.Frame):
        failures.append("decode " + v["name"])
    elif not got[0].verify(key) or got[0].counter != v["counter"] or decoded_fields(got[0]) != fields:
        failures.append("verify " + v["name"])
    elif got[0].verify(auth.MacKey(bytes(32))):
        failures.append("wrong key verifies " + v["name"])
    checked += 1

for v in vectors["fragments"]:
    # The sender: an Endpoint cuts the message into exactly these frames (each ACKed in turn).
    fields = fields_of(v)
    key = unhex(v["key"]) if v["key"] else None
    sender = Endpoint(initial_seq=v["first_seq"])
    sender.set_peer_limits(v["max_fragment"], 65536)
    receiver = Endpoint(max_fragment=max(v["max_fragment"], 64), max_message=65536)
    if key:
        sender.set_keys(key, bytes(32))
        receiver.set_keys(bytes(32), key)
    sender.send(v["type"], fields, 0)
    sent = []
    delivered = []
    for now in range(len(v["wires"]) + 2):
        wire = sender.outgoing()
        if wire:
            sent.append(hexs(wire))
        delivered += receiver.receive(wire, now)
        sender.receive(receiver.outgoing(), now)
    if sent != v["wires"]:
        failures.append("fragments sent " + v["name"])
    if len(delivered) != 1 or not isinstance(delivered[0], messages.Message) or delivered[0].fields != fields \
            or delivered[0].authenticated != bool(key) or delivered[0].seq != v["first_seq"]:
        failures.append("fragments delivered %s: %s" % (v["name"], delivered))
    checked += 1

for case in vectors["decoder"]:
    decoder = frame.FrameDecoder()
    wire = unhex(case["wire"])
    got = []
    for i in range(0, len(wire), 7):  # odd-sized chunks: the stream is cut anywhere
        got += [describe(x) for x in decoder.feed(wire[i:i + 7])]
    if got != case["expect"]:
        failures.append("decoder %s: %s" % (case["name"], got))
    checked += 1

for case in vectors["messages"]:
    try:
        messages.decode_payload(case["type"], unhex(case["payload"]))
        outcome = "ok"
    except LinkError as err:
        outcome = err.code
    if outcome != case["expect"]:
        failures.append("message %s: %s" % (case["name"], outcome))
    checked += 1

p = vectors["kdf"]["pairing"]
transcript = auth.pairing_transcript(unhex(p["device_id"]), unhex(p["host_key"]), unhex(p["reader_key"]))
k_pair = auth.pairing_key(unhex(p["shared_secret"]), transcript)
if [hexs(transcript), hexs(k_pair), hexs(auth.pairing_tag(k_pair, b"reader", transcript)),
        hexs(auth.pairing_tag(k_pair, b"host", transcript))] != [p["transcript"], p["k_pair"], p["reader_tag"],
                                                                 p["host_tag"]]:
    failures.append("kdf pairing")
checked += 1
s = vectors["kdf"]["session"]
h2r, r2h = auth.session_keys(unhex(s["k_pair"]), unhex(s["host_nonce"]), unhex(s["reader_nonce"]), s["pair_id"])
if [hexs(h2r), hexs(r2h)] != [s["k_h2r"], s["k_r2h"]]:
    failures.append("kdf session")
checked += 1

print(json.dumps({"checked": checked, "failures": failures}))
