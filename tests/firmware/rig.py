"""Firmware side of a rig (pytest side: tests/rigs.py): the control channel to the test, and helpers.

The script's argument is JSON: ``{"ctl": fd, ...}``. ``Ctl.call(op, ...)``
sends one JSON line to the test and waits for its reply (the firmware stands
still meanwhile, as a board waiting on a bus would); ``Ctl.pushed()`` returns
what the test sent on its own (``rig.push(...)``), without waiting.
"""
import binascii
import json

import simhost
from core.tasks import Deadline

_REPLY_MS = 60000  # the test answers at once; this only bounds a test that died


def config():
    return json.loads(json.loads(simhost.argv())[1])


class Ctl:
    def __init__(self, fd):
        self.fd = fd
        self._buf = b""
        self._pushed = []

    def _lines(self):
        while b"\n" in self._buf:
            i = self._buf.index(b"\n")
            line, self._buf = self._buf[:i], self._buf[i + 1:]
            msg = json.loads(line)
            if msg.get("push"):
                self._pushed.append(msg)
            else:
                return msg
        return None

    def _read(self):
        d = simhost.read(self.fd, 4096)
        if d is None:
            return False
        d = bytes(d)
        if not d:
            raise OSError("control channel closed")
        self._buf += d
        return True

    def call(self, op, **fields):
        fields["op"] = op
        line = json.dumps(fields) + "\n"
        simhost.write(self.fd, binascii.hexlify(line.encode()).decode())
        deadline = Deadline(_REPLY_MS)
        while True:
            reply = self._lines()
            if reply is not None:
                break
            if not self._read():
                if deadline.expired():
                    raise OSError("control channel: no reply")
                simhost.sleep_ms(1)
        if "error" in reply:
            raise OSError("control: " + reply["error"])
        return reply

    def pushed(self):
        """Messages the test pushed since the last call (each a dict with its ``op``)."""
        while self._read():
            pass
        self._lines()
        out, self._pushed = self._pushed, []
        return out


def bus(cfg):
    """The board's ``pn532`` tuple for the chip descriptor in ``cfg``."""
    if cfg["transport"] == "uart":
        import sim_board
        return ("uart", sim_board.FdStream(cfg["fd"]))
    import sim_buses
    return sim_buses.make_pn532_bus({"bus": cfg["transport"], "fd": cfg["fd"]})


def drive(gen, timeout_ms=30000):
    """Run one generator operation to its end (idle 1 ms when it waits)."""
    deadline = Deadline(timeout_ms)
    while True:
        try:
            progress = next(gen)
        except StopIteration as stop:
            return stop.value
        if deadline.expired():
            raise OSError("operation did not finish")
        if not progress:
            simhost.sleep_ms(1)


def outcome(fn):
    """``fn()``'s value, or the name of the exception it raised."""
    try:
        return {"ok": fn()}
    except Exception as err:  # the test asserts on the type name
        return {"error": type(err).__name__, "code": getattr(err, "code", None)}


class IdleBoard:
    """What ``Scheduler.run`` needs of a board: a way to rest when no task has work."""

    def idle(self, ms):
        simhost.sleep_ms(ms)
