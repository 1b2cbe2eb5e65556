"""Firmware-side link bench (run by bench_link.py on both runtimes): decode throughput of 1 KiB
frames, and the AUTH tag of a 1 KiB frame (compute as a sender does + verify as a receiver does)."""
import json
import time

from vitale_link import auth, frame, messages

payload = messages.encode_payload(messages.PING, {"data": bytes(range(256)) * 4})[:1024]
wire = frame.encode_frame(frame.Frame(messages.PING, 1, payload)) * 64
decoder = frame.FrameDecoder()
n = 0
start = time.ticks_us()
while True:
    got = decoder.feed(wire)
    n += 1
    elapsed = time.ticks_diff(time.ticks_us(), start)
    if elapsed > 1000000 or n >= 200:
        break
if len(got) != 64 or not isinstance(got[0], frame.Frame):
    raise SystemExit("decode failed")

key = auth.MacKey(bytes(range(32)))
authed = frame.Frame(messages.PING, 1, payload, counter=1)
received = frame.FrameDecoder().feed(frame.encode_frame(authed, key))[0]
macs = 0
mac_start = time.ticks_us()
while True:
    authed.compute_tag(key)
    if not received.verify(key):
        raise SystemExit("verify failed")
    macs += 1
    mac_us = time.ticks_diff(time.ticks_us(), mac_start)
    if mac_us > 500000 or macs >= 500:
        break
print(json.dumps({"payload_bytes": 64 * len(payload) * n, "us": elapsed, "mac_us": mac_us / macs}))
