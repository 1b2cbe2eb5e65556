"""The GM65 driver + QrCapture as the firmware runs them, over a descriptor whose other end is
vitale_sim.scan_engine.Gm65Model (tests/test_qr_gm65.py, through tests/rigs.py: Gm65Rig).

Config (JSON): {"ctl", "fd", "mode", "session_ms", "ack_ms", "retry_ms", "gap_ms", "hold_off_ms",
"max_len", "parse_ins"}; with "parse_ins", codes shaped like a Datamatrix INS are parsed.
Each outcome goes to the test as it happens (``event``): ``read`` for every symbol the engine
hands the capture, then ``code`` / ``error`` (or ``ins`` / ``ins_error``) for what the capture
passes on. The test pushes ``stop``, or ``pause`` {"for_ms"}: capture paused, ``paused``
reported, ``for_ms`` of the firmware's own time, ``resuming`` reported, capture resumed.
Prints one JSON line of counters at the end.
"""
import json

from rig import Ctl, IdleBoard, config
from sim_board import FdStream

from core.tasks import Scheduler, sleep_ms
from qr.capture import make_qr_capture
from verify import ins_datamatrix

cfg = config()
ctl = Ctl(cfg["ctl"])
state = {"stop": False}


def report(kind, **fields):
    fields["kind"] = kind
    if ctl.call("event", event=fields).get("stop"):
        state["stop"] = True


def on_code(text):
    if cfg.get("parse_ins") and ins_datamatrix.looks_like(text):
        try:
            report("ins", identity=ins_datamatrix.parse(text).as_dict())
        except ins_datamatrix.DatamatrixError as err:
            report("ins_error", code=err.code)
        return
    report("code", text=text)


def on_error(code, detail):
    report("error", code=code, detail=detail)


class Board(IdleBoard):
    name = "test"

    def __init__(self, uart):
        self.scanner = ("gm65", uart)


opts = {}
for name in ("mode", "session_ms", "ack_ms", "retry_ms", "gap_ms", "hold_off_ms", "max_len"):
    if name in cfg:
        opts[name] = cfg[name]
capture = make_qr_capture(Board(FdStream(cfg["fd"])), on_code, on_error, **opts)
engine = capture.engine
_deliver = capture.deliver


def deliver_and_report(data):
    report("read", sessions=engine.sessions)
    _deliver(data)


capture.deliver = deliver_and_report


def control():
    """The test's pushed requests, each turn."""
    while True:
        for msg in ctl.pushed():
            if msg["op"] == "stop":
                state["stop"] = True
            elif msg["op"] == "pause":
                capture.pause()
                report("paused", sessions=engine.sessions)
                yield from sleep_ms(msg["for_ms"])
                report("resuming", sessions=engine.sessions)
                capture.resume()
        yield


sched = Scheduler()
sched.spawn(capture.task(), "qr")
sched.spawn(control(), "control")
sched.run(Board(None), stop=lambda: state["stop"])
print(json.dumps({
    "delivered": capture.delivered,
    "duplicates": capture.duplicates,
    "errors": capture.errors,
    "sessions": engine.sessions,
    "state": engine.state,
}))
