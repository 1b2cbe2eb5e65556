"""Firmware-side link bench: decode throughput of 1 KiB frames (run by bench_link.py on both runtimes)."""
import json
import time

from vitale_link import frame, messages

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
print(json.dumps({"payload_bytes": 64 * len(payload) * n, "us": elapsed}))
