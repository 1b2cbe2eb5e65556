# Run as firmware (CPython and MicroPython): the GM65 driver + QrCapture over a
# file descriptor whose other end is vitale_sim.scan_engine.Gm65Model.
# Argument: JSON {"fd", "mode", "hold_off_ms", "max_len", "run_ms", "expect",
# "session_ms", "ack_ms", "retry_ms", "gap_ms", "parse_ins"}; with "parse_ins", codes
# shaped like a Datamatrix INS are parsed (events "ins" / "ins_error").
# Prints one JSON line: the codes and errors in order, and counters.
import json
import time

import simhost
from sim_board import FdStream

from app.tasks import Deadline, Scheduler, sleep_ms
from qr.capture import make_qr_capture
from verify import ins_datamatrix

cfg = json.loads(json.loads(simhost.argv())[1])


class Board:
    name = "test"

    def __init__(self, uart):
        self.scanner = ("gm65", uart)

    def idle(self, ms):
        simhost.sleep_ms(ms)


events = []


def on_code(text):
    if cfg.get("parse_ins") and ins_datamatrix.looks_like(text):
        try:
            events.append(["ins", ins_datamatrix.parse(text).as_dict()])
        except ins_datamatrix.DatamatrixError as err:
            events.append(["ins_error", err.code])
        return
    events.append(["code", text])


def on_error(code, detail):
    events.append(["error", code, detail])


opts = {}
for name in ("mode", "session_ms", "ack_ms", "retry_ms", "gap_ms"):
    if name in cfg:
        opts[name] = cfg[name]
board = Board(FdStream(cfg["fd"]))
capture = make_qr_capture(board, on_code, on_error, hold_off_ms=cfg.get("hold_off_ms", 3000),
                          max_len=cfg.get("max_len", 2048), **opts)
sched = Scheduler()
sched.spawn(capture.task(), "qr")
pause = cfg.get("pause")  # [after_ms, for_ms]: pause capture, then resume


def pauser():
    yield from sleep_ms(pause[0])
    capture.pause()
    print(json.dumps({"paused_at_sessions": capture.engine.sessions}))
    yield from sleep_ms(pause[1])
    print(json.dumps({"resumed_at_sessions": capture.engine.sessions}))
    capture.resume()


if pause:
    sched.spawn(pauser(), "pauser")
deadline = Deadline(cfg.get("run_ms", 5000))
expect = cfg.get("expect", 0)
started = time.ticks_ms()
turns = 0


def done():
    return deadline.expired() or (expect and len(events) >= expect)


sched.run(board, stop=done)
engine = capture.engine
print(json.dumps({
    "events": events,
    "delivered": capture.delivered,
    "duplicates": capture.duplicates,
    "errors": capture.errors,
    "sessions": engine.sessions,
    "state": engine.state,
    "elapsed_ms": time.ticks_diff(time.ticks_ms(), started),
}))
