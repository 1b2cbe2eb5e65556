"""Firmware-side helpers of the NFC tests (pytest side: tests/test_nfc_support.py).

The script's argument is JSON: ``{"transport", "fd", "ctl", ...}``; ``ctl`` is
a socket to the test, one JSON line per request and per reply.
"""
import binascii
import json
import time

import simhost


def config():
    return json.loads(json.loads(simhost.argv())[1])


class Ctl:
    def __init__(self, fd):
        self.fd = fd
        self._buf = b""

    def call(self, op, **fields):
        fields["op"] = op
        line = json.dumps(fields) + "\n"
        simhost.write(self.fd, binascii.hexlify(line.encode()).decode())
        end = time.ticks_add(time.ticks_ms(), 20000)
        while b"\n" not in self._buf:
            d = simhost.read(self.fd, 4096)
            if d is None:
                if time.ticks_diff(end, time.ticks_ms()) <= 0:
                    raise OSError("control channel: no reply")
                simhost.sleep_ms(1)
                continue
            d = bytes(d)
            if not d:
                raise OSError("control channel closed")
            self._buf += d
        i = self._buf.index(b"\n")
        line, self._buf = self._buf[:i], self._buf[i + 1:]
        reply = json.loads(line)
        if "error" in reply:
            raise OSError("control: " + reply["error"])
        return reply


def bus(cfg):
    """The board's ``pn532`` tuple for the chip descriptor in ``cfg``."""
    if cfg["transport"] == "uart":
        import sim_board
        return ("uart", sim_board.FdStream(cfg["fd"]))
    import sim_buses
    return sim_buses.make_pn532_bus({"bus": cfg["transport"], "fd": cfg["fd"]})


def drive(gen, timeout_ms=30000):
    """Run one generator operation to its end (idle 1 ms when it waits)."""
    end = time.ticks_add(time.ticks_ms(), timeout_ms)
    while True:
        try:
            progress = next(gen)
        except StopIteration as stop:
            return stop.value
        if time.ticks_diff(end, time.ticks_ms()) <= 0:
            raise OSError("operation did not finish")
        if not progress:
            simhost.sleep_ms(1)


def outcome(fn):
    """``fn()``'s value, or the name of the exception it raised."""
    try:
        return {"ok": fn()}
    except Exception as err:  # the test asserts on the type name
        return {"error": type(err).__name__, "code": getattr(err, "code", None)}
