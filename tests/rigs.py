"""Rigs: a firmware check script in a child process (any runtime), its chips simulated here.

``FirmwareRig(runtime, script, ...)`` runs ``tests/firmware/SCRIPT`` through
``vitale_sim.runtimes`` with a control socket (firmware side:
``tests/firmware/rig.py``): the script's requests (report an event, tap a
card...) are answered by ``handle``; ``push`` sends the script a message of
the test's own. Tests wait on what the script reports, never on the clock.

``Pn532Rig`` adds the simulated PN532 (on a real pty for HSU, a socket
carrying the bus transactions for I2C/SPI) and the cards that tap on it;
``Gm65Rig`` the simulated GM65 scan engine (``run_gm65`` runs tests/firmware/qr_gm65.py on it).
"""
import fcntl
import json
import os
import socket
import threading
import tty

from support import FIRMWARE_CHECKS, wait_until
from vitale_sim import runtimes
from vitale_sim.card import Delayed
from vitale_sim.phone import EchoCard, SimPhone
from vitale_sim.pn532 import Pn532Model
from vitale_sim.scan_engine import Gm65Model


def _nonblocking(fd):
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)


class FirmwareRig:
    """``script`` (a name in tests/firmware/) on ``runtime``; ``handler(rig, msg)`` answers its requests.

    ``args`` go into the script's JSON config with ``ctl`` (the control socket);
    ``pass_fds`` are further descriptors the script uses (named in ``args``).
    """

    def __init__(self, runtime, script, handler=None, args=None, pass_fds=()):
        self.runtime = runtime
        self.handler = handler
        self.events = []
        self._closers = []
        self._write_lock = threading.Lock()
        self.ctl, ctl_child = socket.socketpair()
        _nonblocking(ctl_child.fileno())
        cfg = {"ctl": ctl_child.fileno()}
        cfg.update(args or {})
        self.proc = runtimes.get(runtime).spawn(os.path.join(FIRMWARE_CHECKS, script), json.dumps(cfg),
                                                pass_fds=(ctl_child.fileno(), *pass_fds))
        ctl_child.close()
        self._file = self.ctl.makefile("rwb", buffering=0)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _send(self, msg):
        with self._write_lock:
            self._file.write(json.dumps(msg).encode() + b"\n")

    def _serve(self):
        try:
            for line in self._file:
                try:
                    reply = self.handle(json.loads(line))
                except Exception as err:  # reported to the script, which fails loudly
                    reply = {"error": repr(err)}
                self._send(reply)
        except (OSError, ValueError):
            pass  # the script ended and the socket closed

    def handle(self, msg):
        """The reply to one request: ``event`` goes to ``events`` and the handler, which answers
        anything else too."""
        if msg.get("op") == "event":
            self.events.append(msg["event"])
            return (self.handler(self, msg["event"]) if self.handler is not None else None) or {}
        if self.handler is None:
            raise ValueError(f"no handler for {msg.get('op')!r}")
        return self.handler(self, msg) or {}

    def push(self, op, **fields):
        """A message for the script, which reads it with ``Ctl.pushed()``."""
        fields.update(op=op, push=True)
        self._send(fields)

    def wait(self, timeout=180):
        """Wait for the script to end; return the JSON of its last line of output."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
        finally:
            self.close()
        if self.proc.returncode != 0:
            raise AssertionError(f"{self.runtime} exited {self.proc.returncode}\nstdout:\n{out.decode()[-3000:]}"
                                 f"\nstderr:\n{err.decode()[-3000:]}")
        lines = [ln for ln in out.decode().splitlines() if ln.startswith("{")]
        return json.loads(lines[-1]) if lines else None

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.ctl.close()
        for close in self._closers:
            try:
                close()
            except OSError:
                pass


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
        return SimPhone(spec["wallet"], spec.get("fault"))
    raise ValueError(kind)


class Pn532Rig(FirmwareRig):
    """A firmware script driving the simulated PN532 over ``transport`` (``uart``, ``i2c``, ``spi``).

    ``faults``: the model's fault injections (``drop_acks``, ``stall_s``...) armed before the script starts.
    """

    def __init__(self, runtime, transport, script, handler=None, args=None, model_kwargs=None, faults=None):
        closers = []
        if transport == "uart":
            master, slave = os.openpty()
            tty.setraw(master)
            tty.setraw(slave)
            model_fd, child_fd = master, slave
            closers += [lambda: os.close(master), lambda: os.close(slave)]
        else:
            a, b = socket.socketpair()
            model_fd, child_fd = a.fileno(), b.fileno()
            closers += [a.close, b.close]
        _nonblocking(child_fd)
        self.model = Pn532Model(model_fd, transport, **(model_kwargs or {}))
        for name, value in (faults or {}).items():
            if not hasattr(self.model, name):
                raise ValueError(f"no fault {name!r} in the PN532 model")
            setattr(self.model, name, value)
        self.model.start()
        closers.insert(0, self.model.stop)
        super().__init__(runtime, script, handler, dict(args or {}, transport=transport, fd=child_fd),
                         pass_fds=(child_fd,))
        self._closers += closers

    def handle(self, msg):
        op = msg.get("op")
        m = self.model
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
        else:
            return super().handle(msg)
        return {}

    def wait(self, timeout=180):
        result = super().wait(timeout)
        assert not self.model.errors, self.model.errors
        return result


class Gm65Rig(FirmwareRig):
    """A firmware script driving the simulated GM65 scan engine over a socket (``model=False``: nothing
    on the other end, a dead module)."""

    def __init__(self, runtime, script, handler=None, args=None, model=True):
        ours, theirs = socket.socketpair()
        theirs.setblocking(False)
        self._ours = ours
        self._unanswered = b""
        self.model = Gm65Model(ours.fileno(), decode_delay=0.01).start() if model else None
        super().__init__(runtime, script, handler, dict(args or {}, fd=theirs.fileno()), pass_fds=(theirs.fileno(),))
        if self.model is not None:
            self._closers.append(self.model.stop)
        self._closers += [ours.close, theirs.close]

    def unanswered(self):
        """Without a model: every byte the firmware wrote to the module so far."""
        self._ours.setblocking(False)
        try:
            while True:
                data = self._ours.recv(4096)
                if not data:
                    break
                self._unanswered += data
        except BlockingIOError:
            pass
        return self._unanswered


def run_gm65(runtime, args, scenario, handler=None, model=True):
    """Run tests/firmware/qr_gm65.py with ``args``; ``scenario(rig)`` drives it, then it is stopped.
    Returns the script's counters and the rig (``rig.events``: what the firmware reported)."""
    rig = Gm65Rig(runtime, "qr_gm65.py", handler, args, model)
    try:
        scenario(rig)
    except BaseException:
        rig.close()
        raise
    rig.push("stop")
    return rig.wait(120), rig


def outcomes(rig):
    """What the capture passed on, in order: codes and typed errors (not the reads before them)."""
    return [e for e in rig.events if e["kind"] in ("code", "error", "ins", "ins_error")]


def configured(rig):
    """Wait until the driver has configured the module and triggered a scan."""
    wait_until(lambda: rig.model.sessions >= 1, what="the module configured and triggered")
