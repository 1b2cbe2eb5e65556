"""The PN532's host interfaces (UM0701-02 section 6.2 and 6.3): HSU, I2C, SPI, and their wake-up.

HSU is a byte stream on a pty or socket. The chip wakes from LowVbat or
PowerDown as section 6.3.2.3 gives it: on the 5th rising edge on HSU_RX
(0x55 carries five: its stop bit is the 5th), then it needs T_osc_start
before it understands bytes again; bytes that start on the line before that
are lost. The manual puts T_osc_start at "typically a few 100 us, up to 2
ms": the model takes 1 ms (``OSC_START_S``), the manual's maximum is
``OSC_START_MAX_S``.

Line time is counted in bytes, at the chip's baud rate, and never read from a
clock: a pty or socket carries the bytes but not their timing, and when this
thread gets to read them is the host machine's scheduling, not the wire's. So
what is lost to T_osc_start depends on the bytes alone, however late or in
however many pieces they arrive: ``55 55`` then 14 zeros (libnfc, Adafruit's
driver) covers 1 ms, the firmware's 24 zeros cover 2 ms. A pause the host
makes instead of sending zeros does not reach the model (a frame right behind
a lone ``55`` is lost here even if the host waited): it gets no ACK and must
resend.

I2C and SPI arrive as bus transactions over a socket, from the firmware's bus
objects (``simulator/board_sim/sim_buses.py``), see :data:`BUS_PROTOCOL`. I2C
wakes the chip on its address (that transaction is NACKed); SPI on NSS going
low (that transaction is lost).
"""
from __future__ import annotations

import struct
from typing import Any, Optional, Tuple

from .frames import FrameParser

OSC_START_S = 1e-3  # T_osc_start the model takes: the manual's "typically a few 100 us"
OSC_START_MAX_S = 2e-3  # the manual's "up to 2 ms": what a host must cover

WAKE_HSU = 0x10
WAKE_SPI = 0x20
WAKE_I2C = 0x80

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


class HsuLink:
    """High-speed UART: wake-up on the 5th rising edge, T_osc_start, frames from the stream."""

    transport = "uart"

    def __init__(self, chip: Any, osc_start_s: float = OSC_START_S) -> None:
        self.chip = chip
        self.osc_start_s = osc_start_s
        self.baud = 115200
        self.parser = FrameParser()
        self.lost = 0  # bytes that started on the line within T_osc_start
        self._line = 0.0  # line time (s) at which the next byte starts: bytes received so far, back to back
        self._level = 1
        self._edges = 0
        self._ready_at = 0.0

    def asleep(self) -> None:
        self.parser = FrameParser()
        self._edges = 0

    def received(self, data: bytes) -> None:
        byte_s = 10.0 / self.baud  # start bit, 8 data bits, stop bit
        t = self._line
        if not self.chip.asleep and t >= self._ready_at:
            self._line = t + byte_s * len(data)
            self._feed(data)
            return
        kept = bytearray()
        for b in data:
            if self.chip.asleep:
                edge_at = self._rising_edges(b, t, byte_s / 10)
                if edge_at is not None and self.chip.wake(WAKE_HSU):
                    self._ready_at = edge_at + self.osc_start_s
                self.lost += 1
            elif t >= self._ready_at:
                kept.append(b)
            else:
                self.lost += 1
            t += byte_s
        self._line = t
        if kept:
            self._feed(bytes(kept))

    def _rising_edges(self, b: int, t: float, bit_s: float) -> Optional[float]:
        """Count this byte's rising edges; the time of the 5th since the chip fell asleep, if here."""
        for i, level in enumerate([0] + [(b >> k) & 1 for k in range(8)] + [1]):
            if level and not self._level:
                self._edges += 1
                if self._edges == 5:
                    self._edges = 0
                    self._level = 1
                    return t + i * bit_s
            self._level = level
        return None

    def _feed(self, data: bytes) -> None:
        for kind, body in self.parser.feed(data):
            self.chip.on_frame(kind, body)


class BusLink:
    """I2C (address, status byte before every read) or SPI (DW / SR / DR operations, LSB first)."""

    def __init__(self, chip: Any, transport: str, i2c_address: int = 0x24) -> None:
        self.chip = chip
        self.transport = transport
        self.i2c_address = i2c_address
        self.bus_timeouts = 0  # the next N I2C transactions fail as a stretched clock would
        self._buf = bytearray()
        self._spi_op: Optional[int] = None
        self._spi_selected = False
        self._spi_frame = bytearray()
        self._spi_read: Optional[bytes] = None
        self._spi_read_pos = 0

    def asleep(self) -> None:
        pass

    def received(self, data: bytes) -> None:
        self._buf += data
        while len(self._buf) >= 3:
            op = self._buf[0]
            n = (self._buf[1] << 8) | self._buf[2]
            if len(self._buf) < 3 + n:
                return
            payload = bytes(self._buf[3:3 + n])
            del self._buf[:3 + n]
            status, reply = self._request(op, payload)
            self.chip.write_fd(struct.pack(">BH", status, len(reply)) + reply)

    def _frames(self, data: bytes) -> None:
        self.chip.host_bytes_in += len(data)
        for kind, body in FrameParser().feed(data):  # one frame per write transaction
            self.chip.on_frame(kind, body)

    def _request(self, op: int, payload: bytes) -> Tuple[int, bytes]:
        if op in (0x57, 0x52):  # 'W', 'R': I2C
            return self._i2c(op, payload)
        if op == 0x43:  # 'C': chip select
            return self._chip_select(payload[0] if payload else 1)
        if op == 0x58:  # 'X': SPI transfer
            return self._spi_transfer(payload)
        return 1, b""

    def _i2c(self, op: int, payload: bytes) -> Tuple[int, bytes]:
        chip = self.chip
        if self.transport != "i2c" or not payload or payload[0] != self.i2c_address:
            return 1, b""  # nobody at that address
        if self.bus_timeouts > 0:
            self.bus_timeouts -= 1
            return 2, b""
        if chip.asleep:
            chip.wake(WAKE_I2C)  # woken by its address (if enabled); this transaction is NACKed
            return 1, b""
        if op == 0x57:
            self._frames(payload[1:])
            return 0, b""
        n = (payload[1] << 8) | payload[2]
        out = bytearray(n)
        if chip.outq and n:
            out[0] = 0x01  # ready
            if n > 1:
                fr = chip.outq.popleft()
                out[1:1 + len(fr)] = fr[: n - 1]
                del out[n:]
                chip.host_bytes_out += min(len(fr), n - 1)
                chip.response_read()
        return 0, bytes(out)

    def _chip_select(self, level: int) -> Tuple[int, bytes]:
        chip = self.chip
        if self.transport != "spi":
            return 0, b""
        if level == 0 and not self._spi_selected:
            self._spi_selected = True
            self._spi_op, self._spi_frame, self._spi_read, self._spi_read_pos = None, bytearray(), None, 0
            if chip.asleep:
                chip.wake(WAKE_SPI)
                self._spi_op = -1  # woken by NSS (if enabled); this transaction is lost
        elif level and self._spi_selected:
            self._spi_selected = False
            if self._spi_op == 0x01 and self._spi_frame:
                self._frames(bytes(self._spi_frame))
            elif self._spi_op == 0x03 and self._spi_read is not None and self._spi_read_pos:
                chip.outq.popleft()
                chip.host_bytes_out += min(self._spi_read_pos, len(self._spi_read))
                chip.response_read()
        return 0, b""

    def _spi_transfer(self, payload: bytes) -> Tuple[int, bytes]:
        chip = self.chip
        if self.transport != "spi" or not self._spi_selected:
            return 0, bytes(len(payload))
        miso = bytearray(len(payload))
        for i, wire in enumerate(payload):
            b = _REV[wire]
            if self._spi_op is None:
                self._spi_op = b
                if b == 0x03 and chip.outq:
                    self._spi_read = chip.outq[0]
                continue
            if self._spi_op == 0x01:
                self._spi_frame.append(b)
            elif self._spi_op == 0x02:
                miso[i] = _REV[0x01 if chip.outq else 0x00]
            elif self._spi_op == 0x03:
                if self._spi_read is not None and self._spi_read_pos < len(self._spi_read):
                    miso[i] = _REV[self._spi_read[self._spi_read_pos]]
                if self._spi_read is not None:
                    self._spi_read_pos += 1
        return 0, bytes(miso)
