"""The simulated PN532: host link, power state, command execution, in a thread serving one fd.

``Pn532Model(fd, transport)`` is the chip: ``transport="uart"`` (HSU, a pty
master or a socket) or ``"i2c"`` / ``"spi"`` (bus transactions, see
``link.BUS_PROTOCOL``). It starts in LowVbat (asleep) as a PN532 C106 does.
On the RF side it holds at most one card (``tap()`` / ``remove()``, any card
of ``vitale_sim.card``). Commands run as UM0701-02 gives them (``commands.py``),
on a radio that exchanges real ISO/IEC 14443 frames with the card
(``radio.py``, ``vitale_sim.iso14443a``).

Host dialogue (section 6.2.2): every well-formed command frame is ACKed at
once (hosts resend after ~15 ms without it), then answered when its RF work is done.
A NACK from the host gets the last response again; an ACK aborts the command
in progress (a new command replaces it too); a bad checksum, an unknown
command or wrong parameters get the error frame. Commands that wait (for a
card, an answer, a time extension) do so in wall-clock time while the host
interface stays live.

Fault injection for tests: ``drop_acks`` (commands lost on the wire),
``corrupt_responses`` (response frames with a bad DCS), ``bus_timeouts`` (I2C
clock stretched past the master's timeout), ``stall_s`` (the next command frame
is taken that many seconds late, ACK included, as by a model thread that a
loaded machine does not schedule: what the simulated board's ACK bound must outlast).
"""
from __future__ import annotations

import collections
import math
import os
import select
import threading
import time
from typing import Any, Callable, Deque, Generator, List, Optional, Tuple

from .commands import F_NO_AMBLE, FIRMWARE, BadCommand, Firmware
from .frames import ACK, CHIP_TFI, ERROR_FRAME, HOST_TFI, NACK, frame, without_amble
from .link import OSC_START_S, WAKE_HSU, WAKE_I2C, WAKE_SPI, BusLink, HsuLink
from .radio import Radio


class Pn532Model:
    """The chip. ``fd`` is served by a thread between :meth:`start` and :meth:`stop`."""

    def __init__(self, fd: int, transport: str = "uart", firmware: bytes = FIRMWARE,
                 i2c_address: int = 0x24, log_frames: int = 2000, osc_start_s: float = OSC_START_S) -> None:
        if transport not in ("uart", "i2c", "spi"):
            raise ValueError(f"unknown transport {transport!r}")
        self.fd = fd
        self.transport = transport
        self._lock = threading.RLock()
        self._wake_r, self._wake_w = os.pipe()
        self._thread: Optional[threading.Thread] = None
        self._running = False
        self.frames: Deque[Tuple[str, bytes]] = collections.deque(maxlen=log_frames)
        self.commands: Deque[int] = collections.deque(maxlen=log_frames)
        self.on_command: Optional[Callable[[int, bytes], None]] = None
        self.errors: List[str] = []  # exceptions caught in the model thread (tests assert it stays empty)
        self.drop_acks = 0
        self.corrupt_responses = 0
        self.stall_s = 0.0
        self.link: Any = HsuLink(self, osc_start_s) if transport == "uart" else BusLink(self, transport, i2c_address)
        self.radio = Radio()
        self.firmware = Firmware(self, self.radio, firmware)
        self.outq: Deque[bytes] = collections.deque()  # I2C/SPI: frames waiting for the host's reads
        self.reset_counters()
        self._power_up()

    # -- state --------------------------------------------------------------------------------------
    def _power_up(self) -> None:
        self.asleep = True  # LowVbat: every host interface wakes it
        self.wake_sources = WAKE_HSU | WAKE_I2C | WAKE_SPI
        self.outq.clear()
        self._last_response: Optional[bytes] = None
        self._op: Optional[Generator[float, None, Optional[bytes]]] = None
        self._op_cmd = 0
        self._op_due: Optional[float] = None
        self._await_baud_ack: Optional[int] = None
        self._after: Optional[Callable[[], None]] = None
        self.link.asleep()
        if isinstance(self.link, HsuLink):
            self.link.baud = 115200

    @property
    def bus_timeouts(self) -> int:
        return getattr(self.link, "bus_timeouts", 0)

    @bus_timeouts.setter
    def bus_timeouts(self, n: int) -> None:
        self.link.bus_timeouts = n

    @property
    def baudrate(self) -> int:
        return getattr(self.link, "baud", 0)

    @property
    def sam_configured(self) -> bool:
        return self.firmware.sam_configured

    @property
    def rf_on(self) -> bool:
        return self.radio.field

    @property
    def card(self) -> Any:
        return self.radio.card

    def reset_counters(self) -> None:
        self.host_bytes_in = 0  # host -> chip (incl. wake-up bytes, ACKs, NACKs)
        self.host_bytes_out = 0  # chip -> host
        self.host_frames_in = 0
        self.host_frames_out = 0
        self.radio.reset_counters()

    def counters(self) -> dict:
        out = {k: getattr(self, k) for k in ("host_bytes_in", "host_bytes_out", "host_frames_in", "host_frames_out")}
        out.update({k: getattr(self.radio, k) for k in ("rf_bytes_to_card", "rf_bytes_from_card", "rf_frames",
                                                          "apdus")})
        return out

    # -- used by the links and the command set ----------------------------------------------------------
    def sleep(self, wake_sources: int) -> None:
        self.asleep = True
        self.wake_sources = wake_sources
        self.link.asleep()

    def wake(self, source: int) -> bool:
        if self.asleep and self.wake_sources & source:
            self.asleep = False
            return True
        return False

    def switch_baud_after_ack(self, rate: int) -> None:
        self._await_baud_ack = rate

    def after_response(self, fn: Callable[[], None]) -> None:
        self._after = fn

    def write_fd(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.fd, view):]
            except BlockingIOError:
                time.sleep(0.0005)
            except OSError:
                return

    # -- lifecycle ----------------------------------------------------------------------------------
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
        """Power-cycle the chip (RSTPDN): LowVbat again, targets and settings lost."""
        with self._lock:
            self._cancel()
            self.radio.reset()
            self.firmware.power_up()
            self._power_up()
        self._poke()

    # -- the field ----------------------------------------------------------------------------------
    def tap(self, card: Any) -> None:
        """Bring ``card`` into the field (replacing any card there)."""
        with self._lock:
            self.radio.tap(card)
        self._poke()

    def remove(self) -> None:
        """Take the card out of the field."""
        with self._lock:
            self.radio.remove()
        self._poke()

    def _poke(self) -> None:
        try:
            os.write(self._wake_w, b"!")
        except OSError:
            pass

    # -- the loop -----------------------------------------------------------------------------------
    def _run(self) -> None:
        while self._running:
            with self._lock:
                timeout = 0.05
                if self._op_due is not None:
                    timeout = max(0.0, min(timeout, self._op_due - time.monotonic()))
            try:
                ready, _, _ = select.select([self.fd, self._wake_r], [], [], timeout)
            except (OSError, ValueError):
                return
            if self._wake_r in ready:
                try:
                    os.read(self._wake_r, 512)
                except OSError:
                    pass
            if self.fd in ready and not self._read_fd():
                return
            with self._lock:
                if self._op is not None and self._op_due is not None and time.monotonic() >= self._op_due:
                    self._step()

    def _read_fd(self) -> bool:
        try:
            data = os.read(self.fd, 4096)
        except BlockingIOError:
            return True
        except OSError:
            data = b""
        if data == b"":
            if not os.isatty(self.fd):
                return False  # the firmware closed its end of the socket
            time.sleep(0.01)  # a pty with nobody on the other side yet
            return True
        with self._lock:
            try:
                if self.transport == "uart":
                    self.host_bytes_in += len(data)
                self.link.received(data)
            except Exception as err:  # a bug must not kill the chip silently: keep serving
                self.errors.append(repr(err))
        return True

    def _send(self, data: bytes) -> None:
        """Chip -> host (HSU: written now; I2C/SPI: queued for the host's reads)."""
        self.host_frames_out += 1
        self.frames.append(("out", data))
        if self.transport == "uart":
            self.host_bytes_out += len(data)
            self.write_fd(data)
        else:
            self.outq.append(data)

    def _out(self, fr: bytes) -> bytes:
        return without_amble(fr) if self.firmware.flags & F_NO_AMBLE else fr

    # -- frames from the host -------------------------------------------------------------------------
    def on_frame(self, kind: str, body: bytes) -> None:
        self.host_frames_in += 1
        if kind == "ack":
            self.frames.append(("in", ACK))
            if self._await_baud_ack is not None:
                self.link.baud, self._await_baud_ack = self._await_baud_ack, None
            self._cancel()  # the host aborts the command in progress
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
        if self.stall_s > 0:
            stall, self.stall_s = self.stall_s, 0.0
            time.sleep(stall)  # the fault itself: this thread unscheduled, the host's bytes waiting
        if self.drop_acks > 0:
            self.drop_acks -= 1
            return
        if body[0] != HOST_TFI or len(body) < 2:
            self._send(ERROR_FRAME)
            return
        self._cancel()  # a new command replaces one in progress
        self._send(self._out(ACK))
        cmd, params = body[1], bytes(body[2:])
        self.commands.append(cmd)
        if self.on_command is not None:
            self.on_command(cmd, params)
        try:
            result = self.firmware.dispatch(cmd, params)
        except BadCommand:
            self._send(ERROR_FRAME)
            return
        if result is None or isinstance(result, bytes):
            self._finish(cmd, result)
            return
        self._op, self._op_cmd = result, cmd
        self._step(first=True)

    def _cancel(self) -> None:
        if self._op is not None:
            self._op.close()
        self._op = self._op_due = None

    def _step(self, first: bool = False) -> None:
        """Run the command in progress until it waits or ends."""
        assert self._op is not None
        try:
            delay = self._op.send(None)
        except StopIteration as done:
            self._op = self._op_due = None
            self._finish(self._op_cmd, done.value)
            return
        except BadCommand as err:
            self._op = self._op_due = None
            if first:  # a generator's parameter checks run on its first step
                self._send(ERROR_FRAME)
            else:
                self.errors.append(repr(err))
            return
        except Exception as err:
            self._op = self._op_due = None
            self.errors.append(repr(err))
            return
        self._op_due = None if math.isinf(delay) else time.monotonic() + delay

    def _finish(self, cmd: int, data: Optional[bytes]) -> None:
        """Send the response; what the command does after it (PowerDown) happens once it is out:
        at once on HSU (its bytes are on the line), when the host has read it on I2C / SPI."""
        after = self._after
        if self.transport == "uart" or data is None:
            self._after = None
            if after is not None:
                after()
        if data is not None:
            fr = frame(CHIP_TFI, bytes([cmd + 1]) + data)
            self._last_response = self._out(fr)
            if self.corrupt_responses > 0:
                self.corrupt_responses -= 1
                fr = fr[:-2] + bytes([fr[-2] ^ 0x5A]) + fr[-1:]  # a bad DCS
            self._send(self._out(fr))

    def response_read(self) -> None:
        """The bus host has read a frame (I2C / SPI)."""
        if not self.outq and self._after is not None:
            after, self._after = self._after, None
            after()
