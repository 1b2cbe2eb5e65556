"""ISO/IEC 14443 type A at 106 kbit/s, card side: what the PN532 model's radio talks to.

:class:`TypeAPicc` puts an APDU-level card (``vitale_sim.card``) behind the air
interface, frame by frame:

* ISO/IEC 14443-3 (initialisation and anticollision): the PICC states
  POWER-OFF, IDLE, READY, ACTIVE and HALT (READY* / ACTIVE* after a WUPA from
  HALT), REQA / WUPA as 7-bit short frames answered with ATQA, bit-oriented
  anticollision and SELECT per cascade level (UID CLn + BCC, SAK with the
  cascade bit), HLTA, CRC_A on every standard frame.
* ISO/IEC 14443-4 (ISO-DEP): RATS -> ATS enters the PROTOCOL state; I-blocks
  with chaining both ways within FSD / FSC, block numbering (PICC rules C-F),
  R(ACK) / R(NAK) (an R(NAK) that is not for the current block is the presence
  check, answered R(ACK)), S(WTX) while the application computes, S(DESELECT)
  to HALT, CID and NAD as the ATS announces them.

Frames are :class:`AirFrame` (bits LSB first, as they go on air). Only frames
the PCD sends with type A 106 kbit/s framing reach this card; anything it
does not expect is ignored, as a real card does (the PCD sees a timeout).
"""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

from .card import Delayed

REQA = 0x26
WUPA = 0x52
HLTA = b"\x50\x00"
RATS = 0xE0
SEL_CODES = (0x93, 0x95, 0x97)
CASCADE_TAG = 0x88
SAK_CASCADE = 0x04
SAK_ISO_DEP = 0x20

PCB_I = 0x02
PCB_R_ACK = 0xA2
PCB_R_NAK = 0xB2
PCB_S_DESELECT = 0xC2
PCB_S_WTX = 0xF2
PCB_CHAINING = 0x10
PCB_CID = 0x08
PCB_NAD = 0x04

FC = 13.56e6
FSD_TABLE = (16, 24, 32, 40, 48, 64, 96, 128, 256)


class AirFrame:
    """One frame on air: ``data`` holds ``nbits`` bits, LSB of ``data[0]`` first.

    ``parity_ok`` is False when the PCD sent its own parity bits and one was wrong.
    """

    __slots__ = ("data", "nbits", "parity_ok")

    def __init__(self, data: bytes, nbits: Optional[int] = None, parity_ok: bool = True) -> None:
        self.data = bytes(data)
        self.nbits = 8 * len(self.data) if nbits is None else nbits
        self.parity_ok = parity_ok

    @property
    def last_bits(self) -> int:
        """Valid bits in the last byte (0 when it is whole, as the CIU's RxLastBits/TxLastBits count)."""
        return self.nbits % 8

    def whole(self) -> bool:
        return self.nbits == 8 * len(self.data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AirFrame) and (self.data, self.nbits) == (other.data, other.nbits)

    def __repr__(self) -> str:
        return f"AirFrame({self.data.hex()}, {self.nbits} bits)"


#: (frame, seconds after the command frame ended) or None when the card stays silent
Reply = Optional[Tuple[AirFrame, float]]


def crc_a(data: bytes) -> bytes:
    """ISO/IEC 14443-3 CRC_A (preset 0x6363, x^16 + x^12 + x^5 + 1), low byte first."""
    crc = 0x6363
    for b in data:
        b = (b ^ crc) & 0xFF
        b = (b ^ (b << 4)) & 0xFF
        crc = ((crc >> 8) ^ (b << 8) ^ (b << 3) ^ (b >> 4)) & 0xFFFF
    return bytes((crc & 0xFF, crc >> 8))


def with_crc(data: bytes) -> bytes:
    return bytes(data) + crc_a(data)


def crc_ok(data: bytes) -> bool:
    return len(data) >= 3 and crc_a(data[:-2]) == data[-2:]


def bits_of(data: bytes, nbits: int) -> List[int]:
    return [(data[i // 8] >> (i % 8)) & 1 for i in range(nbits)]


def pack_bits(bits: List[int], offset: int = 0) -> bytes:
    """Bits LSB first into bytes, the first one at bit ``offset`` of the first byte."""
    out = bytearray((offset + len(bits) + 7) // 8)
    for i, bit in enumerate(bits):
        if bit:
            out[(offset + i) // 8] |= 1 << ((offset + i) % 8)
    return bytes(out)


class Ats:
    """What the ATS (ISO/IEC 14443-4 section 5.2) says: frame size, waiting time, CID / NAD."""

    def __init__(self, ats: bytes) -> None:
        self.raw = bytes(ats)
        t0 = ats[1] if len(ats) >= 2 else 0x02  # absent T0: FSCI 2
        fsci, fwi, tc1 = t0 & 0x0F, 4, 0x02  # defaults: FWI 4, CID supported, NAD not
        i = 2
        if t0 & 0x10:  # TA(1)
            i += 1
        if t0 & 0x20 and i < len(ats):  # TB(1): FWI, SFGI
            fwi = ats[i] >> 4
            i += 1
        if t0 & 0x40 and i < len(ats):  # TC(1)
            tc1 = ats[i]
        self.fsc = FSD_TABLE[min(fsci, 8)]
        self.fwi = min(fwi, 14)
        self.cid = bool(tc1 & 0x02)
        self.nad = bool(tc1 & 0x01)

    @property
    def fwt(self) -> float:
        """Frame waiting time (ISO/IEC 14443-4 section 7.2): 256 * 16 / fc * 2^FWI."""
        return 256 * 16 / FC * (1 << self.fwi)


def fsd_of_rats(param: int) -> int:
    return FSD_TABLE[min(param >> 4, 8)]


def uid_levels(uid: bytes) -> List[bytes]:
    """UID CLn per cascade level (ISO/IEC 14443-3 section 6.5.4): 4 bytes each, CT first when it cascades."""
    if len(uid) == 4:
        parts = [uid]
    elif len(uid) == 7:
        parts = [bytes([CASCADE_TAG]) + uid[:3], uid[3:]]
    elif len(uid) == 10:
        parts = [bytes([CASCADE_TAG]) + uid[:3], bytes([CASCADE_TAG]) + uid[3:6], uid[6:]]
    else:
        raise ValueError("a UID has 4, 7 or 10 bytes")
    return [p + bytes([p[0] ^ p[1] ^ p[2] ^ p[3]]) for p in parts]  # + BCC


OFF, IDLE, READY, ACTIVE, HALT, PROTOCOL = "off", "idle", "ready", "active", "halt", "protocol"


class TypeAPicc:
    """A type A card in the field of a PCD; ``receive()`` is one frame in, the card's reply out."""

    def __init__(self, card: Any) -> None:
        self.card = card
        self.state = OFF
        self.halted = False  # READY* / ACTIVE*: a failure goes back to HALT, not IDLE
        self.session = 0  # bumps at every power-up: targets of an earlier session are gone
        self._level = 0
        self._reset_protocol()

    def _reset_protocol(self) -> None:
        self.ats: Optional[Ats] = None
        self.cid = 0
        self.fsd = 256
        self.bn = 1  # ISO/IEC 14443-4 rule C
        self._rx_chain = b""
        self._tx_rest = b""
        self._last: Optional[AirFrame] = None
        self._busy: Optional[Tuple[float, Optional[bytes], bool]] = None  # ready_at, answer, wtx
        self._fwt_window = 0.0

    # -- field -----------------------------------------------------------------------------
    def power(self, on: bool) -> None:
        if on and self.state == OFF:
            self.card.power_on()
            self.session += 1
            self.state, self.halted, self._level = IDLE, False, 0
            self._reset_protocol()
        elif not on and self.state != OFF:
            self.card.power_off()
            self.state = OFF
            self._reset_protocol()

    @property
    def powered(self) -> bool:
        return self.state != OFF

    def _fail(self) -> None:
        """An unexpected frame in READY / ACTIVE: back to IDLE (or HALT for the * states)."""
        self.state = HALT if self.halted else IDLE
        self._level = 0

    # -- one frame ---------------------------------------------------------------------------
    def receive(self, frame: AirFrame, now: float) -> Reply:
        """The card's reply to ``frame`` (may raise ``CardRemoved`` from the application)."""
        if self.state == OFF or not frame.parity_ok:
            return None
        if self.state == PROTOCOL:
            return self._iso_dep(frame, now)
        if frame.nbits == 7:
            return self._short(frame.data[0] & 0x7F)
        if not frame.whole() or not frame.data:
            if self.state == READY and frame.data and frame.data[0] in SEL_CODES:
                return self._anticollision(frame)
            if self.state in (READY, ACTIVE):
                self._fail()
            return None
        if self.state == READY:
            return self._anticollision(frame)
        if self.state == ACTIVE:
            return self._active(frame)
        return None  # IDLE / HALT ignore all but REQA / WUPA

    def _short(self, cmd: int) -> Reply:
        if (cmd == REQA and self.state == IDLE) or (cmd == WUPA and self.state in (IDLE, HALT)):
            self.halted = self.state == HALT
            self.state, self._level = READY, 0
            s = self.card.sens_res
            return AirFrame(bytes((s[1], s[0]))), 0.0  # ATQA, least significant byte first on air
        if self.state in (READY, ACTIVE):
            self._fail()
        return None

    def _anticollision(self, frame: AirFrame) -> Reply:
        """SEL NVB [UID bits] (ISO/IEC 14443-3 section 6.5.3): anticollision, or SELECT when NVB is 0x70."""
        data = frame.data
        levels = uid_levels(bytes(self.card.uid()))
        if len(data) < 2 or self._level >= len(levels) or data[0] != SEL_CODES[self._level]:
            self._fail()
            return None
        nvb = data[1]
        uid_bcc = levels[self._level]
        if nvb == 0x70 and frame.whole() and len(data) == 9 and crc_ok(data):
            if data[2:7] != uid_bcc:
                self._fail()
                return None
            self._level += 1
            if self._level < len(levels):
                return AirFrame(with_crc(bytes((SAK_CASCADE,)))), 0.0
            self.state = ACTIVE
            return AirFrame(with_crc(bytes((self.card.sel_res & ~SAK_CASCADE,)))), 0.0
        known = ((nvb >> 4) - 2) * 8 + (nvb & 0x07)
        if not 0 <= known < 40 or frame.nbits != 16 + known:
            self._fail()
            return None
        mine = bits_of(uid_bcc, 40)
        if bits_of(data, frame.nbits)[16:] != mine[:known]:
            return None  # another card's UID: stay READY, silent
        rest = mine[known:]
        return AirFrame(pack_bits(rest), len(rest)), 0.0

    def _active(self, frame: AirFrame) -> Reply:
        data = frame.data
        if data == with_crc(HLTA):
            self.state, self._level = HALT, 0
            return None
        if len(data) == 4 and data[0] == RATS and crc_ok(data) and self.card.sel_res & SAK_ISO_DEP:
            self.ats = Ats(bytes(self.card.ats()))
            self.cid = data[1] & 0x0F
            self.fsd = fsd_of_rats(data[1])
            self.state = PROTOCOL
            return AirFrame(with_crc(self.ats.raw)), 0.0
        self._fail()
        return None

    # -- ISO/IEC 14443-4 ------------------------------------------------------------------------
    def _block(self, pcb: int, inf: bytes = b"", cid: bool = False, nad: Optional[int] = None) -> AirFrame:
        head = bytes([pcb | (PCB_CID if cid else 0) | (PCB_NAD if nad is not None else 0)])
        if cid:
            head += bytes([self.cid])
        if nad is not None:
            head += bytes([nad])
        return AirFrame(with_crc(head + inf))

    def _iso_dep(self, frame: AirFrame, now: float) -> Reply:
        data = frame.data
        if not frame.whole() or not crc_ok(data) or self.ats is None:
            return None
        pcb, pos = data[0], 1
        has_cid = bool(pcb & PCB_CID)
        if has_cid:
            if not self.ats.cid or (data[1] & 0x0F) != self.cid:
                return None
            pos = 2
        elif self.cid:
            return None  # a PICC given a CID answers only blocks that carry it
        nad = None
        if (pcb & 0xE2) == PCB_I:
            if pcb & PCB_NAD:
                if not self.ats.nad:
                    return None
                nad, pos = data[pos], pos + 1
            return self._i_block(pcb, data[pos:-2], has_cid, nad, now)
        if (pcb & 0xE6) == 0xA2:
            return self._r_block(pcb, has_cid, now)
        if (pcb & 0xC7) == 0xC2:
            return self._s_block(pcb, data[pos:-2], has_cid, now)
        return None

    def _send(self, frame: AirFrame, delay: float = 0.0) -> Reply:
        self._last = frame
        return frame, delay

    def _i_block(self, pcb: int, inf: bytes, cid: bool, nad: Optional[int], now: float) -> Reply:
        self.bn ^= 1  # rule D
        self._busy = None  # a new command: an answer the PCD gave up on is lost
        self._tx_rest = b""
        self._rx_chain += inf
        if pcb & PCB_CHAINING:
            return self._send(self._block(PCB_R_ACK | self.bn, cid=cid))
        command, self._rx_chain = self._rx_chain, b""
        answer = self.card.apdu(command)
        if answer is None:
            return None
        if isinstance(answer, Delayed):
            self._busy = (now + answer.seconds, answer.response, answer.wtx)
            self._fwt_window = self.ats.fwt if self.ats else 0.0
            return self._later(now, cid, nad)
        return self._answer(bytes(answer), cid, nad)

    def _answer(self, answer: bytes, cid: bool, nad: Optional[int] = None, delay: float = 0.0) -> Reply:
        room = self.fsd - 3 - (1 if cid else 0) - (1 if nad is not None else 0)
        part, self._tx_rest = answer[:room], answer[room:]
        pcb = PCB_I | self.bn | (PCB_CHAINING if self._tx_rest else 0)
        return self._send(self._block(pcb, part, cid, nad), delay)

    def _later(self, now: float, cid: bool, nad: Optional[int] = None) -> Reply:
        """The application is computing: answer when it is ready, asking for time extensions if it
        needs more than the PCD waits; a card without WTX stays silent."""
        assert self._busy is not None
        ready_at, answer, wtx = self._busy
        remaining = max(0.0, ready_at - now)
        if remaining <= 0.8 * self._fwt_window:
            self._busy = None
            return None if answer is None else self._answer(bytes(answer), cid, nad, remaining)
        if not wtx:
            return None
        fwt = self.ats.fwt if self.ats else self._fwt_window
        wtxm = max(1, min(59, int(remaining / fwt) + 1))
        delay = 0.8 * self._fwt_window  # asked before the PCD's current waiting time runs out
        self._fwt_window = fwt * wtxm
        return self._send(self._block(PCB_S_WTX, bytes([wtxm]), cid), delay)

    def _r_block(self, pcb: int, cid: bool, now: float) -> Reply:
        bn = pcb & 1
        if pcb & 0x10:  # R(NAK)
            if bn != self.bn:
                return self._send(self._block(PCB_R_ACK | self.bn, cid=cid))  # presence check
            return self._retransmit(now, cid)
        if bn != self.bn and self._tx_rest:  # R(ACK) for our chained block: the next one
            self.bn ^= 1
            return self._answer(self._tx_rest, cid)
        if bn == self.bn:
            return self._retransmit(now, cid)
        return None

    def _retransmit(self, now: float, cid: bool) -> Reply:
        if self._busy is not None:
            ready_at, answer, wtx = self._busy
            if now >= ready_at and answer is not None:  # the answer, asked for again
                self._busy = None
                return self._answer(bytes(answer), cid)
            if not wtx:
                return None  # a silent card stays silent
        return None if self._last is None else (self._last, 0.0)  # e.g. its S(WTX) request again

    def _s_block(self, pcb: int, inf: bytes, cid: bool, now: float) -> Reply:
        if pcb & 0x30 == 0x00:  # DESELECT
            self.card.deselect()
            frame = self._block(PCB_S_DESELECT, cid=cid)
            self.state, self.halted, self._level = HALT, False, 0
            self._reset_protocol()
            return frame, 0.0
        if pcb & 0x30 == 0x30 and self._busy is not None:  # the PCD's answer to our S(WTX)
            return self._later(now, cid)
        return None
