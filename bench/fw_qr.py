# Run as firmware (bench/bench_qr.py, both runtimes): CPU time of the QR capture path
# for one presentation-sized code: GM65 trigger + ACK, byte assembly, text checks,
# dedup, delivery. The UART is an in-memory fake that answers like the module, so
# only the firmware's own work is timed. Argument: JSON {"codes": [...], "chunk": n}.
# Prints one JSON line.
import json
import time

import simhost

from core.tasks import Scheduler
from qr.capture import QrCapture
from qr.gm65 import ACK, Gm65

cfg = json.loads(json.loads(simhost.argv())[1])
codes = cfg["codes"]
CHUNK = cfg.get("chunk", 32)


class FakeModule:
    """Answers every command with the ACK; a trigger releases the next code + CR LF."""

    def __init__(self, codes, chunk):
        self.codes = [c.encode() + b"\r\n" for c in codes]
        self.out = b""
        self.chunk = chunk
        self.next = 0

    def write(self, frame):
        self.out += ACK
        if frame[4:7] == b"\x00\x02\x01" and self.next < len(self.codes):
            self.out += self.codes[self.next]
            self.next += 1
        return len(frame)

    def any(self):
        return min(len(self.out), self.chunk)

    def read(self, n):
        data = self.out[:n]
        self.out = self.out[n:]
        return data or None


got = []
module = FakeModule(codes, CHUNK)
capture = QrCapture(Gm65(module, session_ms=1000), got.append, None, hold_off_ms=3000)
sched = Scheduler()
sched.spawn(capture.task(), "qr")
# configuration first (not timed): run until the first trigger went out
while module.next == 0:
    sched.run_once()
start = time.ticks_us()
turns = 0
while len(got) < len(codes) and turns < 10 ** 6:
    sched.run_once()
    turns += 1
total_us = time.ticks_diff(time.ticks_us(), start)
ok = got == codes


print(json.dumps({
    "ok": ok,
    # the first code was released with the first trigger, before timing started: n - 1 full cycles + 1 read
    "per_code_ms": total_us / 1000 / len(codes),
    "codes": len(got),
}))
