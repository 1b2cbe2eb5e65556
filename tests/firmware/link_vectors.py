"""Check protocol/vectors/link.json against the shared codec, as firmware would run it.

Usage: run.py|run.mjs link_vectors.py VECTORS_JSON. Prints one JSON line:
{"checked": N, "failures": [...]}.
"""
import binascii
import json

import simhost
from vitale_link import frame, messages
from vitale_link.errors import LinkError

args = json.loads(simhost.argv())
vectors = json.loads(bytes(simhost.file_read(args[1])))
checked = 0
failures = []


def unhex(s):
    return binascii.unhexlify(s)


def describe(item):
    if isinstance(item, frame.Frame):
        text = "frame:%d:%d:%d" % (item.type, item.seq, item.flags)
        return text + (":" + binascii.hexlify(item.session).decode() if item.session else "")
    return item.code


for v in vectors["frames"]:
    fields = {}
    for k, val in v["fields"].items():
        fields[k] = unhex(val) if k in v["bytes_fields"] else val
    payload = messages.encode_payload(v["type"], fields)
    wire = frame.encode_frame(frame.Frame(v["type"], v["seq"], payload))
    if binascii.hexlify(wire).decode() != v["wire"]:
        failures.append("encode " + v["name"])
    got = frame.FrameDecoder().feed(unhex(v["wire"]))
    if len(got) != 1 or not isinstance(got[0], frame.Frame) or got[0].payload != unhex(v["payload"]):
        failures.append("decode " + v["name"])
    else:
        msg = messages.decode_payload(got[0].type, got[0].payload)
        if msg.fields != fields:
            failures.append("fields " + v["name"])
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

print(json.dumps({"checked": checked, "failures": failures}))
