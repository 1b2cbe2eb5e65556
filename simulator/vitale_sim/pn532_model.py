"""A simulated NXP PN532, byte for byte on its host interface (UM0701-02).

The model runs in a thread and serves one file descriptor:

* ``transport="uart"``: HSU, a byte stream (a pty master or a socket). The chip
  starts asleep (LowVbat); bytes are ignored until a 0x55 wake-up byte.
* ``transport="i2c"`` / ``"spi"``: the firmware's bus objects
  (``simulator/board_sim/sim_buses.py``) send one request per bus transaction
  over a socket, see :data:`BUS_PROTOCOL`.

On the RF side the model holds at most one card (a simulated phone, see
``vitale_sim.phone``). A card is any object with::

    sens_res: bytes (2, as the PN532 reports them)   sel_res: int
    power_on()            # enters a powered field (an HCE phone draws a new random UID)
    uid() -> bytes        ats() -> bytes (TL first)
    apdu(data) -> bytes | Delayed    (may raise CardRemoved)
    deselect()            power_off()

What is modelled: normal and extended frames, ACK after each well-formed
command, error frame for a bad checksum / unknown command / bad parameters,
NACK → resend of the last response, ACK from the host → abort, status codes,
the 262-byte InDataExchange limit with MI chaining both ways, InListPassiveTarget
waiting for a card for MxRtyPassiveActivation tries (0xFF: forever), a silent
or removed card → status 0x01 after the frame waiting time, released target →
0x27. Not modelled: Mifare, FeliCa, type B, target mode, SAM, registers beyond
a plain register file, exact chip timings (answers are immediate unless a card
is slow).
"""
from __future__ import annotations

import collections
import errno
import os
import select
import socket
import struct
import threading
import time
from typing import Any, Callable, Deque, List, Optional, Tuple

ACK = b"\x00\x00\xff\x00\xff\x00"
NACK = b"\x00\x00\xff\xff\x00\x00"
ERROR_FRAME = b"\x00\x00\xff\x01\xff\x7f\x81\x00"
MAX_DATA = 262
FIRMWARE = bytes((0x32, 0x01, 0x06, 0x07))  # IC PN532, version 1.6, supports ISO 18092 + 14443 A/B

#: Per passive-activation try, when no card answers (approximate).
PASSIVE_TRY_S = 0.005
#: RATS sent by the chip after a SEL_RES with the ISO-DEP bit: FSDI 8 (256 bytes), CID 0.
RATS = b"\xe0\x80"

BUS_PROTOCOL = """
Bus transactions between sim_buses.py (firmware side) and the model, over a socket:
request  = op(1) len(2, big-endian) payload(len)
response = status(1) len(2, big-endian) payload(len)
  op 'W' I2C write:  payload = addr(1) data      -> status 0 ok, 1 NACK (OSError ENODEV), 2 timeout (ETIMEDOUT)
  op 'R' I2C read:   payload = addr(1) n(2)      -> status as above, payload = n bytes read
  op 'C' SPI chip select: payload = level(1)     -> status 0
  op 'X' SPI transfer: payload = MOSI bytes      -> status 0, payload = MISO bytes (same length)
SPI bytes travel as a MSB-first SPI peripheral clocks them: the model, like the
chip, reads each byte LSB first (it bit-reverses them).
"""

_REV = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


class CardRemoved(Exception):
    """Raised by a card's ``apdu()`` to leave the field in the middle of an exchange."""


class Delayed:
    """A card answer that comes after ``seconds``.

    ``wtx=True`` (an Android phone): the card asks for waiting-time extensions,
    the chip keeps waiting and the host must abort on its own timeout.
    ``wtx=False``: the card is silent; the chip gives up after the frame waiting
    time with status 0x01 and drops the late answer.
    """

    def __init__(self, seconds: float, response: Optional[bytes], wtx: bool = True) -> None:
        self.seconds = seconds
        self.response = response
        self.wtx = wtx


def frame(tfi: int, data: bytes) -> bytes:
    """A normal (≤ 254 data bytes) or extended information frame."""
    body = bytes([tfi]) + bytes(data)
    n = len(body)
    if n <= 255:
        head = bytes([0, 0, 0xFF, n, (-n) & 0xFF])
    else:
        hi, lo = n >> 8, n & 0xFF
        head = bytes([0, 0, 0xFF, 0xFF, 0xFF, hi, lo, (-(hi + lo)) & 0xFF])
    return head + body + bytes([(-sum(body)) & 0xFF, 0])


def fwt_seconds(ats: bytes) -> float:
    """Frame waiting time from the ATS's TB(1) FWI (ISO/IEC 14443-4 section 7.2): 256·16/fc·2^FWI."""
    fwi = 4
    if len(ats) >= 2:
        t0 = ats[1]
        i = 2
        if t0 & 0x10:
            i += 1
        if t0 & 0x20 and i < len(ats):
            fwi = ats[i] >> 4
    return 256 * 16 / 13.56e6 * (1 << min(fwi, 14))


def fsc_bytes(ats: bytes) -> int:
    table = (16, 24, 32, 40, 48, 64, 96, 128, 256)
    fsci = (ats[1] & 0x0F) if len(ats) >= 2 else 2
    return table[min(fsci, 8)]


class _Parser:
    """Incremental host-frame parser (HSU stream, or one bus write)."""

    def __init__(self) -> None:
        self.buf = bytearray()

    def feed(self, data: bytes) -> List[Tuple[str, bytes]]:
        """Return a list of (kind, payload): 'ack', 'nack', 'data' (TFI+data), 'bad'."""
        self.buf += data
        out: List[Tuple[str, bytes]] = []
        b = self.buf
        while True:
            i = b.find(b"\x00\xff")
            if i < 0:
                del b[: max(0, len(b) - 1)]
                if b and b[0] != 0:
                    del b[:]
                return out
            del b[:i]
            if len(b) < 4:
                return out
            x, y = b[2], b[3]
            if x == 0x00 and y == 0xFF:
                if len(b) < 5:
                    return out
                del b[:5]
                out.append(("ack", b""))
                continue
            if x == 0xFF and y == 0x00:
                if len(b) < 5:
                    return out
                del b[:5]
                out.append(("nack", b""))
                continue
            if x == 0xFF and y == 0xFF:
                if len(b) < 7:
                    return out
                n = (b[4] << 8) | b[5]
                if (b[4] + b[5] + b[6]) & 0xFF:
                    del b[:2]
                    out.append(("bad", b""))
                    continue
                d = 7
            else:
                if (x + y) & 0xFF:
                    del b[:2]
                    out.append(("bad", b""))
                    continue
                n = x
                d = 4
            if len(b) < d + n + 1:
                return out
            body = bytes(b[d:d + n])
            dcs = b[d + n]
            del b[:d + n + 1]
            if n == 0 or (sum(body) + dcs) & 0xFF:
                out.append(("bad", b""))
            else:
                out.append(("data", body))


class _Target:
    def __init__(self, tg: int, card: Any, generation: int) -> None:
        self.tg = tg
        self.card = card
        self.generation = generation
        self.active = True


class Pn532Model:
    """The chip. ``fd`` is served by a thread between :meth:`start` and :meth:`stop`."""

    def __init__(self, fd: int, transport: str = "uart", firmware: bytes = FIRMWARE,
                 i2c_address: int = 0x24, log_frames: int = 2000) -> None:
        if transport not in ("uart", "i2c", "spi"):
            raise ValueError(f"unknown transport {transport!r}")
        self.fd = fd
        self.transport = transport
        self.firmware = bytes(firmware)
        self.i2c_address = i2c_address
        self._lock = threading.RLock()
        self._wake_r, self._wake_w = os.pipe()
        self._thread: Optional[threading.Thread] = None
        self._running = False
        # --- observable state, counters ---
        self.frames: Deque[Tuple[str, bytes]] = collections.deque(maxlen=log_frames)
        self.commands: Deque[int] = collections.deque(maxlen=log_frames)
        self.on_command: Optional[Callable[[int, bytes], None]] = None
        self.errors: List[str] = []  # exceptions caught in the model thread (tests assert it stays empty)
        self.reset_counters()
        # --- fault injection for tests ---
        self.drop_acks = 0  # the next N commands are "lost on the wire": no ACK, not executed
        self.corrupt_responses = 0  # the next N response frames go out with a bad DCS
        self.bus_timeouts = 0  # the next N I2C transactions fail as a stretched clock would
        self._power_up()
        # RF side
        self.card: Any = None
        self._card_generation = 0  # bumps on every tap / power cycle of the card

    # -- lifecycle -------------------------------------------------------------------
    def reset_counters(self) -> None:
        self.host_bytes_in = 0  # host -> chip (incl. wake-up bytes, ACKs, NACKs)
        self.host_bytes_out = 0  # chip -> host
        self.host_frames_in = 0
        self.host_frames_out = 0
        self.rf_bytes_to_card = 0  # incl. PCB, CRC, R-blocks and activation frames
        self.rf_bytes_from_card = 0
        self.rf_frames = 0
        self.apdus = 0

    def counters(self) -> dict:
        return {k: getattr(self, k) for k in (
            "host_bytes_in", "host_bytes_out", "host_frames_in", "host_frames_out",
            "rf_bytes_to_card", "rf_bytes_from_card", "rf_frames", "apdus")}

    def _power_up(self) -> None:
        self.asleep = True
        self.sam_configured = False
        self.rf_on = False
        self.baudrate = 115200
        self.max_retries = [0xFF, 0x01, 0xFF]  # MxRtyATR, MxRtyPSL, MxRtyPassiveActivation
        self.max_rty_com = 0
        self.registers: dict = {}
        self._parser = _Parser()
        self._outq: Deque[bytes] = collections.deque()  # I2C/SPI: frames waiting for the host
        self._last_response: Optional[bytes] = None
        self._pending: Optional[Tuple[str, Optional[float], Any]] = None  # (what, deadline or None, data)
        self._await_baud_ack: Optional[int] = None
        self._targets: List[_Target] = []
        self._tx_chain = bytearray()
        self._rx_chain = b""
        self._spi_op: Optional[int] = None
        self._spi_selected = False
        self._spi_frame = bytearray()
        self._spi_read: Optional[bytes] = None
        self._spi_read_pos = 0
        self._bus_buf = bytearray()

    def start(self) -> "Pn532Model":
        if self._thread is None:
            self._running = True
            self._thread = threading.Thread(target=self._run, name=f"pn532-{self.transport}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._running = False
        self._poke()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> "Pn532Model":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def reset(self) -> None:
        """Power-cycle the chip (RSTPDN): asleep again, targets and settings lost."""
        with self._lock:
            if self.card is not None:
                self.card.power_off()
            self._power_up()
        self._poke()

    # -- the field ---------------------------------------------------------------------
    def tap(self, card: Any) -> None:
        """Bring ``card`` into the field (replacing any card there)."""
        with self._lock:
            if self.card is not None:
                self.card.power_off()
            self.card = card
            self._card_generation += 1
            if self.rf_on:
                card.power_on()
        self._poke()

    def remove(self) -> None:
        """Take the card out of the field."""
        with self._lock:
            if self.card is not None:
                self.card.power_off()
            self.card = None
            self._card_generation += 1
        self._poke()

    def _poke(self) -> None:
        try:
            os.write(self._wake_w, b"!")
        except OSError:
            pass

    # -- the loop -----------------------------------------------------------------------
    def _run(self) -> None:
        while self._running:
            with self._lock:
                timeout = 0.05
                if self._pending is not None and self._pending[1] is not None:
                    timeout = max(0.0, min(timeout, self._pending[1] - time.monotonic()))
                elif self._pending is not None:
                    timeout = 0.002  # waiting for a card: look again soon
            try:
                ready, _, _ = select.select([self.fd, self._wake_r], [], [], timeout)
            except (OSError, ValueError):
                return
            if self._wake_r in ready:
                try:
                    os.read(self._wake_r, 512)
                except OSError:
                    pass
            if self.fd in ready:
                try:
                    data = os.read(self.fd, 4096)
                except BlockingIOError:
                    data = None
                except OSError:
                    data = b""
                if data == b"":
                    if not os.isatty(self.fd):
                        return  # the firmware closed its end of the socket
                    time.sleep(0.01)  # a pty with nobody on the other side yet
                elif data:
                    with self._lock:
                        try:
                            if self.transport == "uart":
                                self._host_bytes(data)
                            else:
                                self._bus_bytes(data)
                        except Exception as err:  # a bug must not kill the chip silently: keep serving
                            self.errors.append(repr(err))
            with self._lock:
                try:
                    self._check_pending()
                except Exception as err:
                    self._pending = None
                    self.errors.append(repr(err))

    def _send(self, data: bytes) -> None:
        """Chip -> host (HSU: written now; I2C/SPI: queued for the host's reads)."""
        self.host_frames_out += 1
        self.frames.append(("out", data))
        if self.transport == "uart":
            self.host_bytes_out += len(data)
            self._write_fd(data)
        else:
            self._outq.append(data)

    def _write_fd(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.fd, view):]
            except BlockingIOError:
                time.sleep(0.0005)
            except OSError:
                return

    # -- HSU ----------------------------------------------------------------------------
    def _host_bytes(self, data: bytes) -> None:
        self.host_bytes_in += len(data)
        if self.asleep:
            i = data.find(b"\x55")
            if i < 0:
                return  # asleep: nothing but the wake-up byte gets through
            self.asleep = False
            data = data[i + 1:]
        for kind, body in self._parser.feed(data):
            self._on_frame(kind, body)

    # -- I2C / SPI transactions -------------------------------------------------------------
    def _bus_bytes(self, data: bytes) -> None:
        self._bus_buf += data
        while len(self._bus_buf) >= 3:
            op = self._bus_buf[0]
            n = (self._bus_buf[1] << 8) | self._bus_buf[2]
            if len(self._bus_buf) < 3 + n:
                return
            payload = bytes(self._bus_buf[3:3 + n])
            del self._bus_buf[:3 + n]
            status, reply = self._bus_request(op, payload)
            self._write_fd(struct.pack(">BH", status, len(reply)) + reply)

    def _bus_request(self, op: int, payload: bytes) -> Tuple[int, bytes]:
        if op in (0x57, 0x52):  # 'W', 'R': I2C
            if self.transport != "i2c" or not payload or payload[0] != self.i2c_address:
                return 1, b""  # nobody at that address
            if self.bus_timeouts > 0:
                self.bus_timeouts -= 1
                return 2, b""
            if self.asleep:
                self.asleep = False  # woken by its address; this transaction is NACKed
                return 1, b""
            if op == 0x57:
                data = payload[1:]
                self.host_bytes_in += len(data)
                for kind, body in self._parser.feed(data):
                    self._on_frame(kind, body)
                self._parser = _Parser()  # one frame per write transaction
                return 0, b""
            n = (payload[1] << 8) | payload[2]
            out = bytearray(n)
            if self._outq:
                if n:
                    out[0] = 0x01
                if n > 1:
                    fr = self._outq.popleft()
                    out[1:1 + len(fr)] = fr[: n - 1]
                    del out[n:]
                    self.host_bytes_out += min(len(fr), n - 1)
            self.host_bytes_in += 0
            return 0, bytes(out)
        if op == 0x43:  # 'C': chip select
            level = payload[0] if payload else 1
            if self.transport != "spi":
                return 0, b""
            if level == 0 and not self._spi_selected:
                self._spi_selected = True
                self._spi_op = None
                self._spi_frame = bytearray()
                self._spi_read = None
                self._spi_read_pos = 0
                if self.asleep:
                    self.asleep = False
                    self._spi_op = -1  # woken by NSS; this transaction is lost
            elif level and self._spi_selected:
                self._spi_selected = False
                if self._spi_op == 0x01 and self._spi_frame:
                    self.host_bytes_in += len(self._spi_frame)
                    parser = _Parser()
                    for kind, body in parser.feed(bytes(self._spi_frame)):
                        self._on_frame(kind, body)
                elif self._spi_op == 0x03 and self._spi_read is not None and self._spi_read_pos:
                    self._outq.popleft()
                    self.host_bytes_out += min(self._spi_read_pos, len(self._spi_read))
            return 0, b""
        if op == 0x58:  # 'X': SPI transfer
            if self.transport != "spi" or not self._spi_selected:
                return 0, bytes(len(payload))
            miso = bytearray(len(payload))
            for i, wire in enumerate(payload):
                b = _REV[wire]
                if self._spi_op is None:
                    self._spi_op = b
                    if b == 0x03 and self._outq:
                        self._spi_read = self._outq[0]
                    continue
                if self._spi_op == 0x01:
                    self._spi_frame.append(b)
                elif self._spi_op == 0x02:
                    miso[i] = _REV[0x01 if self._outq else 0x00]
                elif self._spi_op == 0x03:
                    if self._spi_read is not None and self._spi_read_pos < len(self._spi_read):
                        miso[i] = _REV[self._spi_read[self._spi_read_pos]]
                    if self._spi_read is not None:
                        self._spi_read_pos += 1
            return 0, bytes(miso)
        return 1, b""

    # -- frames ---------------------------------------------------------------------------
    def _on_frame(self, kind: str, body: bytes) -> None:
        self.host_frames_in += 1
        if kind == "ack":
            self.frames.append(("in", ACK))
            if self._await_baud_ack is not None:
                self.baudrate = self._await_baud_ack
                self._await_baud_ack = None
            if self._pending is not None:
                self._pending = None  # the host aborted the command in progress
            return
        if kind == "nack":
            self.frames.append(("in", NACK))
            if self._last_response is not None:
                self._send(self._last_response)
            return
        if kind == "bad":
            self.frames.append(("in", b"?"))
            self._send(ERROR_FRAME)
            return
        self.frames.append(("in", frame(body[0], body[1:])))
        if self.drop_acks > 0:
            self.drop_acks -= 1
            return
        if body[0] != 0xD4 or len(body) < 2:
            self._send(ERROR_FRAME)
            return
        self._pending = None  # a new command replaces one in progress
        self._send(ACK)
        cmd, params = body[1], body[2:]
        self.commands.append(cmd)
        if self.on_command is not None:
            self.on_command(cmd, params)
        handler = self._COMMANDS.get(cmd)
        if handler is None:
            self._send(ERROR_FRAME)
            return
        try:
            handler(self, params)
        except (IndexError, ValueError):
            self._send(ERROR_FRAME)  # wrong syntax (too short, out of range)

    def _respond(self, cmd: int, data: bytes) -> None:
        fr = frame(0xD5, bytes([cmd + 1]) + bytes(data))
        self._last_response = fr
        if self.corrupt_responses > 0:
            self.corrupt_responses -= 1
            fr = fr[:-2] + bytes([fr[-2] ^ 0x5A]) + fr[-1:]
        self._send(fr)

    def _check_pending(self) -> None:
        if self._pending is None:
            return
        what, deadline, data = self._pending
        now = time.monotonic()
        due = deadline is not None and now >= deadline
        if what == "list":
            found = self._try_activate()
            if found is not None:
                self._pending = None
                self._respond(0x4A, found)
            elif due:
                self._pending = None
                self._respond(0x4A, b"\x00")
        elif what == "answer" and due:
            self._pending = None
            target, gen, resp = data
            self._deliver(target, gen, resp)
        elif what == "status" and due:
            self._pending = None
            cmd, payload = data
            self._respond(cmd, payload)

    # -- RF helpers -------------------------------------------------------------------------
    def _rf(self, to_card: int, from_card: int, frames: int = 2) -> None:
        self.rf_bytes_to_card += to_card
        self.rf_bytes_from_card += from_card
        self.rf_frames += frames

    def _set_rf(self, on: bool) -> None:
        if on == self.rf_on:
            return
        self.rf_on = on
        if self.card is not None:
            if on:
                self.card.power_on()
            else:
                self.card.power_off()
        if not on:
            self._targets = []
            self._card_generation += 1

    def _card_state(self) -> str:
        return getattr(self, "_card_mode", "idle")

    def _try_activate(self) -> Optional[bytes]:
        """REQA, anticollision, SELECT (and RATS for an ISO-DEP card). Target list or None."""
        self._set_rf(True)
        card = self.card
        if card is None or self._halted_generation == self._card_generation:
            return None
        uid = bytes(card.uid())
        cascade = 1 if len(uid) == 4 else 2 if len(uid) == 7 else 3
        # REQA (7 bits) / ATQA, then per cascade level: ANTICOLL / UID+BCC, SELECT / SAK
        self._rf(1, 2)
        self._rf(2 * cascade, 5 * cascade, 2 * cascade)
        self._rf(9 * cascade, 3 * cascade, 2 * cascade)
        data = bytes([1, 1]) + bytes(card.sens_res) + bytes([card.sel_res, len(uid)]) + uid
        if card.sel_res & 0x20:
            ats = bytes(card.ats())
            self._rf(len(RATS) + 2, len(ats) + 2)
            data += ats
            self._fwt = fwt_seconds(ats)
            self._fsc = fsc_bytes(ats)
        self._targets = [_Target(1, card, self._card_generation)]
        self._tx_chain = bytearray()
        self._rx_chain = b""
        return data

    _halted_generation = -1
    _fwt = 0.0387
    _fsc = 256

    def _target(self, tg: int) -> Optional[_Target]:
        for t in self._targets:
            if t.tg == tg and t.active:
                return t
        return None

    def _present(self, target: _Target) -> bool:
        return self.card is target.card and self._card_generation == target.generation and self.rf_on

    def _silent_timeout(self) -> float:
        # the chip waits FWT, then retries per ISO 14443-4 error handling (R(NAK) twice), MaxRtyCOM more
        return self._fwt * 3 * (1 + self.max_rty_com)

    def _blocks(self, n: int, size: int) -> int:
        per = max(1, size - 3)  # PCB + CRC_A
        return max(1, -(-n // per))

    def _rf_iblocks_to_card(self, n: int) -> None:
        k = self._blocks(n, self._fsc)
        self._rf(n + 3 * k + 3 * (k - 1), 3 * (k - 1), 2 * k - 1)  # I-blocks, R(ACK)s between

    def _rf_iblocks_from_card(self, n: int) -> None:
        k = self._blocks(n, 256)
        self._rf(3 * (k - 1), n + 3 * k, 2 * k - 1)

    # -- commands ----------------------------------------------------------------------------
    def _cmd_diagnose(self, p: bytes) -> None:
        test = p[0]
        if test == 0x00:  # communication line test: echo
            self._respond(0x00, bytes(p))
        elif test == 0x06:  # ISO-DEP card presence
            t = self._targets[0] if self._targets else None
            if t is not None and self._present(t):
                self._rf(3, 3)  # R(NAK) / R(ACK)
                self._respond(0x00, b"\x00")
            else:
                self._rf(3, 0, 1)
                self._pending = ("status", time.monotonic() + self._silent_timeout(), (0x00, b"\x01"))
        else:
            raise ValueError("diagnose test not modelled")

    def _cmd_get_firmware_version(self, p: bytes) -> None:
        self._respond(0x02, self.firmware)

    def _cmd_get_general_status(self, p: bytes) -> None:
        data = bytes([0x00, 0x01 if self.rf_on else 0x00, len(self._targets)])
        for t in self._targets:
            data += bytes([t.tg, 0x00, 0x00, 0x00])
        self._respond(0x04, data + b"\x01")

    def _cmd_read_register(self, p: bytes) -> None:
        if len(p) < 2 or len(p) % 2:
            raise ValueError("register list")
        vals = bytes(self.registers.get((p[i] << 8) | p[i + 1], 0) for i in range(0, len(p), 2))
        self._respond(0x06, vals)

    def _cmd_write_register(self, p: bytes) -> None:
        if len(p) < 3 or len(p) % 3:
            raise ValueError("register list")
        for i in range(0, len(p), 3):
            self.registers[(p[i] << 8) | p[i + 1]] = p[i + 2]
        self._respond(0x08, b"")

    def _cmd_set_parameters(self, p: bytes) -> None:
        self.registers["flags"] = p[0]
        self._respond(0x12, b"")

    def _cmd_set_serial_baud_rate(self, p: bytes) -> None:
        rates = (9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1288000)
        if self.transport != "uart" or p[0] >= len(rates):
            raise ValueError("baud rate")
        self._respond(0x10, b"")
        self._await_baud_ack = rates[p[0]]

    def _cmd_sam_configuration(self, p: bytes) -> None:
        mode = p[0]
        if mode not in (1, 2, 3, 4):
            raise ValueError("SAM mode")
        self.sam_configured = True
        self._respond(0x14, b"")

    def _cmd_power_down(self, p: bytes) -> None:
        self._respond(0x16, b"\x00")
        self.asleep = True

    def _cmd_rf_configuration(self, p: bytes) -> None:
        item = p[0]
        if item == 0x01:
            self._set_rf(bool(p[1] & 0x01))
        elif item == 0x02:
            p[3]
        elif item == 0x04:
            self.max_rty_com = p[1]
        elif item == 0x05:
            self.max_retries = [p[1], p[2], p[3]]
        elif item in (0x0A, 0x0B, 0x0C, 0x0D):
            pass  # analog settings: accepted, not modelled
        else:
            raise ValueError("CfgItem")
        self._respond(0x32, b"")

    def _cmd_in_list_passive_target(self, p: bytes) -> None:
        max_tg, brty = p[0], p[1]
        if max_tg not in (1, 2) or brty > 4:
            raise ValueError("MaxTg/BrTy")
        self._targets = []
        found = self._try_activate() if brty == 0 else None
        if found is not None:
            self._respond(0x4A, found)
            return
        tries = self.max_retries[2]
        deadline = None if tries == 0xFF else time.monotonic() + (tries + 1) * PASSIVE_TRY_S
        self._pending = ("list", deadline, None)

    def _cmd_in_data_exchange(self, p: bytes) -> None:
        tg, data = p[0], p[1:]
        target = self._target(tg & 0x3F)
        if target is None:
            self._tx_chain = bytearray()
            self._respond(0x40, b"\x27")
            return
        if len(data) > MAX_DATA:
            raise ValueError("DataOut over 262 bytes")
        if not data and not (tg & 0x40) and self._rx_chain:
            self._send_chunk()  # the host fetches the rest of a chained answer
            return
        self._rx_chain = b""
        if tg & 0x40:  # MI from the host: more to come, sent as a chained I-block
            self._tx_chain += data
            if not self._present(target):
                self._pending = ("status", time.monotonic() + self._silent_timeout(), (0x40, b"\x01"))
                return
            self._rf_iblocks_to_card(len(data))
            self._rf(0, 3, 1)  # the card's R(ACK)
            self._respond(0x40, b"\x00")
            return
        apdu = bytes(self._tx_chain) + bytes(data)
        self._tx_chain = bytearray()
        if not self._present(target):
            self._rf(len(data) + 3, 0, 1)
            self._pending = ("status", time.monotonic() + self._silent_timeout(), (0x40, b"\x01"))
            return
        self._rf_iblocks_to_card(len(apdu))
        self.apdus += 1
        try:
            resp = target.card.apdu(apdu)
        except CardRemoved:
            self.card.power_off()
            self.card = None
            self._card_generation += 1
            self._pending = ("status", time.monotonic() + self._silent_timeout(), (0x40, b"\x01"))
            return
        if isinstance(resp, Delayed):
            if resp.wtx or resp.seconds <= self._fwt:
                self._pending = ("answer", time.monotonic() + resp.seconds,
                                 (target, target.generation, resp.response))
            else:
                self._pending = ("status", time.monotonic() + self._silent_timeout(), (0x40, b"\x01"))
            return
        self._deliver(target, target.generation, resp)

    def _deliver(self, target: _Target, generation: int, resp: Optional[bytes]) -> None:
        if resp is None or not self._present(target) or generation != target.generation:
            self._pending = ("status", time.monotonic() + self._silent_timeout(), (0x40, b"\x01"))
            return
        resp = bytes(resp)
        self._rf_iblocks_from_card(len(resp))
        self._rx_chain = resp
        self._send_chunk()

    def _send_chunk(self) -> None:
        chunk, self._rx_chain = self._rx_chain[:MAX_DATA], self._rx_chain[MAX_DATA:]
        status = 0x40 if self._rx_chain else 0x00
        self._respond(0x40, bytes([status]) + chunk)

    def _cmd_in_release(self, p: bytes) -> None:
        tg = p[0]
        if tg and self._target(tg) is None:
            self._respond(0x52, b"\x27")
            return
        for t in list(self._targets):
            if tg == 0 or t.tg == tg:
                if self._present(t):
                    self._rf(4, 4)  # S(DESELECT) and its answer
                    t.card.deselect()
                    self._halted_generation = self._card_generation
                self._targets.remove(t)
        self._tx_chain = bytearray()
        self._rx_chain = b""
        self._respond(0x52, b"\x00")

    def _cmd_in_deselect(self, p: bytes) -> None:
        tg = p[0]
        for t in self._targets:
            if tg == 0 or t.tg == tg:
                if self._present(t):
                    self._rf(4, 4)
                    t.card.deselect()
                t.active = False
        self._respond(0x44, b"\x00")

    def _cmd_in_select(self, p: bytes) -> None:
        for t in self._targets:
            if t.tg == p[0]:
                if not self._present(t):
                    self._pending = ("status", time.monotonic() + self._silent_timeout(), (0x54, b"\x01"))
                    return
                t.active = True
                self._rf(len(RATS) + 2, len(t.card.ats()) + 2)
                self._respond(0x54, b"\x00")
                return
        self._respond(0x54, b"\x27")

    _COMMANDS = {
        0x00: _cmd_diagnose,
        0x02: _cmd_get_firmware_version,
        0x04: _cmd_get_general_status,
        0x06: _cmd_read_register,
        0x08: _cmd_write_register,
        0x10: _cmd_set_serial_baud_rate,
        0x12: _cmd_set_parameters,
        0x14: _cmd_sam_configuration,
        0x16: _cmd_power_down,
        0x32: _cmd_rf_configuration,
        0x40: _cmd_in_data_exchange,
        0x44: _cmd_in_deselect,
        0x4A: _cmd_in_list_passive_target,
        0x52: _cmd_in_release,
        0x54: _cmd_in_select,
    }


def run_pn532_alone(link_path: str, phone_wallet: Optional[str] = None, *, transport: str = "uart",
                    ready: Optional[Callable[[Pn532Model], None]] = None,
                    stop: Optional[threading.Event] = None) -> None:
    """Serve a simulated PN532 (HSU) on a pty symlinked at ``link_path`` until interrupted.

    With ``phone_wallet``, a simulated phone (``vitale_sim.phone.SimPhone``) stays in
    the field, so any PN532 host software (libnfc, nfcpy, Adafruit's driver...) can
    read it. ``ready`` is called with the running model; ``stop`` ends the loop.
    """
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)
    tty.setraw(master)
    path = os.path.abspath(link_path)
    if os.path.lexists(path):
        os.unlink(path)
    os.symlink(os.ttyname(slave), path)
    model = Pn532Model(master, transport="uart").start()
    if phone_wallet:
        from vitale_sim.phone import SimPhone

        model.tap(SimPhone(phone_wallet))
    if ready is not None:
        ready(model)
    else:
        print(f"simulated PN532 (HSU, 115200 8N1) on {path}" + (" with a phone in the field" if phone_wallet else ""),
              flush=True)
    try:
        while stop is None or not stop.is_set():
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        model.stop()
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(master)
        os.close(slave)
