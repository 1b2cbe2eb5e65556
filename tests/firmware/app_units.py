"""ReaderApp without hardware (both runtimes): task restart, event outbox, delivery failure.

Time is a clock advanced by hand (``core.clock.use_ticks``): each turn of the
reader's loop is 10 ms later, whatever the machine's load. Prints one JSON
object of the values observed; tests/test_app.py holds them to the figures
derived from SPEC.md §4 by hand.
"""
import json

from app.reader import ReaderApp
from core import clock
from vitale_link import messages
from vitale_link.endpoint import Endpoint

TURN_MS = 10
NOW = [0]
clock.use_ticks(lambda: NOW[0])


class Wire:
    """An in-memory host link: what the firmware writes collects in ``tx``; it reads ``rx``."""

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
        NOW[0] += ms


def turns_until(app, done, limit_ms=20000, host=None):
    """Turns of the reader's loop, TURN_MS apart, until one leaves ``done()`` true: how long after
    the first that turn came (manual time). With ``host`` (an Endpoint), what the reader writes goes
    to it, and what it answers comes back."""
    start = NOW[0]
    while True:
        app.step()
        if host is not None:
            wire = app.board.host_link
            for item in host.receive(wire.tx, NOW[0]):
                if getattr(item, "type", None) == messages.EVENT:
                    got.append(item["event_id"])
            wire.tx = b""
            host.poll(NOW[0])
            wire.rx += host.outgoing()
        if done():
            return NOW[0] - start
        if NOW[0] - start >= limit_ms:
            raise OSError("not done after %d ms" % limit_ms)
        NOW[0] += TURN_MS


out = {}
got = []
board = Board()
app = ReaderApp(board)
out["boot_outbox"] = [e["kind"] for e in app._outbox]  # empty flash is not a corrupt one: no trust_list_invalid

# 1. a service that dies is reported, then restarted on the next turn
starts = []


def flaky():
    starts.append(1)
    if len(starts) == 1:
        raise ValueError("bug")
    while True:
        yield


app._services["flaky"] = flaky
app.scheduler.spawn(flaky(), "flaky")
app.step()  # the link hands reader_started over; flaky dies, is reported and spawned again
app.step()  # the new flaky runs
out["starts"] = len(starts)
out["tasks"] = sorted(app.scheduler.names())
out["died"] = [[e["kind"], e.get("source"), e.get("reason"), e.get("detail")] for e in app._outbox]

# 2. no host: events wait in a bounded outbox; the one in flight fails after the link's tries
for i in range(40):
    app.emit("card_present")
out["queued"] = [len(app._outbox), len(app._inflight), app.dropped_events]
out["failed_after_ms"] = turns_until(app, lambda: app._hold_events_until is not None)
out["after_failure"] = [len(app._outbox), len(app._inflight)]
out["offered_again_after_ms"] = turns_until(app, lambda: app._inflight)

# 3. a host says HELLO: the events flow again, each delivered once, in order
board.host_link.tx = b""  # nobody listened until now
host = Endpoint()
host.send(messages.HELLO, {"protocol_version": 1}, NOW[0])
board.host_link.rx = host.outgoing()
turns_until(app, lambda: not app._outbox and not app._inflight, host=host)
out["delivered"] = got
print(json.dumps(out))
