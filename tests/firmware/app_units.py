"""ReaderApp without hardware (both runtimes): task restart, event outbox, delivery failure.

Prints one JSON line of named booleans.
"""
import json
import time

from app.reader import ReaderApp
from vitale_link import messages
from vitale_link.endpoint import Endpoint


class Wire:
    """An in-memory host link: what the firmware writes is kept, ``feed`` is what it reads."""

    def __init__(self):
        self.rx = b""
        self.tx = b""

    def any(self):
        return len(self.rx)

    def read(self, n):
        out, self.rx = self.rx[:n], self.rx[n:]
        return out or None

    def write(self, buf):
        self.tx += bytes(buf)
        return len(buf)


class Flash:
    def __init__(self):
        self.files = {}

    def read(self, name):
        return self.files.get(name)

    def write_atomic(self, name, data):
        self.files[name] = bytes(data)


class Board:
    name = "unit"
    pn532 = None
    scanner = None
    pinned_root = None

    def __init__(self):
        self.host_link = Wire()
        self.storage = Flash()

    def random_bytes(self, n):
        return bytes(n)

    def device_id(self):
        return b"\x01" * 8

    def idle(self, ms):
        time.sleep_ms(ms)


def run_for(app, ms):
    end = time.ticks_add(time.ticks_ms(), ms)
    while time.ticks_diff(end, time.ticks_ms()) > 0:
        if not app.step():
            time.sleep_ms(1)


out = {}
board = Board()
app = ReaderApp(board)
out["boot_event_only"] = [e["kind"] for e in app._outbox] == ["reader_started"]  # empty flash is not corrupt

# 1. a service that dies is reported and restarted
starts = []


def flaky():
    starts.append(1)
    if len(starts) == 1:
        raise ValueError("bug")
    while True:
        yield


app._services["flaky"] = flaky
app.scheduler.spawn(flaky(), "flaky")
run_for(app, 20)
out["restarted"] = len(starts) == 2 and "flaky" in app.scheduler.names()
out["died_reported"] = any(e["kind"] == "capture_error" and e["reason"] == "internal"
                           for e in app._outbox + list(app._inflight.values()))

# 2. no host: events stay queued (bounded), delivery failures re-queue them
for i in range(40):
    app.emit("card_present")
out["outbox_bounded"] = len(app._outbox) <= 32 and len(app._inflight) <= 1 and app.dropped_events >= 7
run_for(app, 1700)  # 6 tries x 250 ms: the first event's delivery fails
out["kept_after_failure"] = len(app._outbox) + len(app._inflight) >= 32 and app._hold_events_until is not None

# 3. a host says HELLO: events flow again and each is delivered once
host = Endpoint(retry_ms=50)
board.host_link.tx = b""
host.send(messages.HELLO, {"protocol_version": 2, "host_nonce": bytes(16), "max_fragment": 64,
                           "max_message": 4096}, 0)
board.host_link.rx = host.outgoing()
got = []
end = time.ticks_add(time.ticks_ms(), 8000)
while time.ticks_diff(end, time.ticks_ms()) > 0:
    if not app.step():
        time.sleep_ms(1)
    for item in host.receive(board.host_link.tx, time.ticks_ms()):
        if hasattr(item, "type") and item.type == messages.EVENT:
            got.append(item["event_id"])
    board.host_link.tx = b""
    board.host_link.rx += host.outgoing()
    if len(got) >= 33:
        break
out["delivered_once_in_order"] = len(got) == len(set(got)) and got == sorted(got) and len(got) >= 33
print(json.dumps(out))
