"""Support for the NFC tests (no tests here): a firmware child driving the simulated PN532.

``Rig(runtime, transport, script)`` starts the chip model in this process on a
real pty (HSU) or a socket (I2C/SPI framings), runs ``script`` as firmware on
``runtime`` with the chip's descriptor and a control socket, and serves the
script's control requests (arm a fault, tap a card, report an event) with a
handler. Firmware side: ``tests/firmware/nfc_rig.py``.
"""
import fcntl
import json
import os
import socket
import subprocess
import sys
import threading
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "simulator"))
sys.path.insert(0, HERE)

from runtimes import command  # noqa: E402
from vitale_sim.phone import EchoCard  # noqa: E402
from vitale_sim.card import Delayed  # noqa: E402
from vitale_sim.pn532 import Pn532Model  # noqa: E402

FIRMWARE = os.path.join(HERE, "firmware")


def _nonblocking(fd):
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)


class ApduCard(EchoCard):
    """An ISO-DEP card with command chaining and 61xx/GET RESPONSE (INS E0 echoes its data)."""

    def __init__(self):
        super().__init__(reply=self._handle)
        self._chain = b""
        self._pending = b""
        self.chained_parts = 0

    def _out(self, data):
        part, self._pending = data[:256], data[256:]
        if self._pending:
            return part + bytes([0x61, min(len(self._pending), 256) & 0xFF])
        return part + b"\x90\x00"

    def _handle(self, apdu):
        cla, ins = apdu[0], apdu[1]
        data = apdu[5:5 + apdu[4]] if len(apdu) > 5 else b""
        if cla & 0x10:
            self._chain += data
            self.chained_parts += 1
            return b"\x90\x00"
        data, self._chain = self._chain + data, b""
        if ins == 0xC0:
            return self._out(self._pending)
        if ins == 0xE0:
            return self._out(data)
        if ins == 0xE2:  # "wrong Le" then the data
            if len(apdu) == 5 and apdu[4] != 0x03:
                return b"\x6c\x03"
            return b"abc\x90\x00"
        return b"\x6d\x00"


def make_card(spec):
    kind = spec.get("card")
    if kind == "echo":
        return EchoCard()
    if kind == "apdu":
        return ApduCard()
    if kind == "slow":
        return EchoCard(reply=lambda d: Delayed(spec.get("seconds", 2.0), d + b"\x90\x00", wtx=True))
    if kind == "phone":
        from vitale_sim.phone import SimPhone
        return SimPhone(spec["wallet"], spec.get("fault"))
    raise ValueError(kind)


class Rig:
    def __init__(self, runtime, transport, script, handler=None, args=None, model_kwargs=None):
        self.runtime = runtime
        self.transport = transport
        self.handler = handler
        self.events = []
        self._closers = []
        if transport == "uart":
            master, slave = os.openpty()
            tty.setraw(master)
            tty.setraw(slave)
            model_fd, child_fd = master, slave
            self._closers += [lambda: os.close(master), lambda: os.close(slave)]
        else:
            a, b = socket.socketpair()
            model_fd, child_fd = a.fileno(), b.fileno()
            self._closers += [a.close, b.close]
        _nonblocking(child_fd)
        self.ctl, ctl_child = socket.socketpair()
        _nonblocking(ctl_child.fileno())
        self.model = Pn532Model(model_fd, transport, **(model_kwargs or {})).start()
        cfg = {"transport": transport, "fd": child_fd, "ctl": ctl_child.fileno()}
        cfg.update(args or {})
        cmd = command(runtime, os.path.join(FIRMWARE, script), json.dumps(cfg))
        self.proc = subprocess.Popen(cmd, pass_fds=(child_fd, ctl_child.fileno()), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=ROOT)
        ctl_child.close()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        f = self.ctl.makefile("rwb", buffering=0)
        for line in f:
            try:
                msg = json.loads(line)
                reply = self.handle(msg)
            except Exception as err:  # reported to the script, which fails loudly
                reply = {"error": repr(err)}
            f.write(json.dumps(reply).encode() + b"\n")

    def handle(self, msg):
        op = msg.get("op")
        m = self.model
        if op == "event":
            self.events.append(msg["event"])
            if self.handler is not None:
                return self.handler(self, msg["event"]) or {}
            return {}
        if op == "tap":
            m.tap(make_card(msg))
        elif op == "remove":
            m.remove()
        elif op == "reset":
            m.reset()
        elif op in ("drop_acks", "corrupt_responses", "bus_timeouts"):
            setattr(m, op, msg["n"])
        elif op == "counters":
            return m.counters()
        elif op == "reset_counters":
            m.reset_counters()
        elif op == "card":
            card = m.card
            return {"received": [r.hex() for r in getattr(card, "received", [])],
                    "chained_parts": getattr(card, "chained_parts", 0)}
        elif self.handler is not None:
            return self.handler(self, msg) or {}
        else:
            raise ValueError(op)
        return {}

    def wait(self, timeout=120):
        try:
            out, err = self.proc.communicate(timeout=timeout)
        finally:
            self.close()
        if self.proc.returncode != 0:
            raise AssertionError(f"{self.runtime} exited {self.proc.returncode}\nstdout:\n{out.decode()[-3000:]}"
                                 f"\nstderr:\n{err.decode()[-3000:]}")
        assert not self.model.errors, self.model.errors
        lines = [ln for ln in out.decode().splitlines() if ln.startswith("{")]
        return json.loads(lines[-1]) if lines else None

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.model.stop()
        self.ctl.close()
        for c in self._closers:
            try:
                c()
            except OSError:
                pass
