"""The PN532's RF side: its field, the card in it, and the reader (PCD) procedures its firmware runs.

Everything goes through air frames (``vitale_sim.iso14443a.AirFrame``) between
the CIU and the card, so the RF commands of UM0701-02 section 7.3 and a host
driving the CIU itself (InCommunicateThru, or ReadRegister / WriteRegister on
the FIFO) meet the same card in the same state.

A procedure that waits (for a card, an answer, a time extension) is a
generator: it yields the seconds it waits and returns its result, so the
chip model can keep serving its host interface (an ACK aborts) meanwhile.

Timings the manual does not give, assumed by the model:

* ``TRY_S``: one passive activation attempt that nobody answers (REQA or a
  poll, its response timeout and the firmware's turnaround) costs 5 ms.
* ``FRAME_TIMEOUT_S``: the PCD waits 1 ms for the answer to an anticollision,
  SELECT or RATS frame (the card answers within its frame delay time, ~0.1 ms).
* A card's answer that is not delayed on purpose takes no wall-clock time; the
  air time is in the counters (``rf_bytes_*``, ``rf_frames``) for benchmarks.
* Type A activation uses WUPA, so a card halted by InDeselect is found again
  (PN53x readers do: libnfc issue 476, nfc-list listing one card forever).
* RATS is ``E0 80`` (FSD 256, CID 0), the PN532's largest frame.
"""
from __future__ import annotations

import time
from typing import Any, Generator, List, Optional, Tuple

from ..card import CardRemoved
from ..iso14443a import (HLTA, PCB_CHAINING, PCB_CID, PCB_I, PCB_NAD, PCB_R_ACK, PCB_R_NAK, PCB_S_DESELECT,
                         PCB_S_WTX, RATS, SAK_CASCADE, SAK_ISO_DEP, SEL_CODES, WUPA, AirFrame, Ats, TypeAPicc,
                         bits_of, crc_a, crc_ok, pack_bits, uid_levels, with_crc)
from . import ciu as C

Wait = Generator[float, None, Any]

TRY_S = 0.005
FRAME_TIMEOUT_S = 0.001
RATS_PARAM = 0x80
MAX_DATA = 262  # data bytes per InDataExchange, each way (UM0701-02 section 7.3.8)

# InListPassiveTarget BrTy (section 7.3.5)
BR_106A, BR_212F, BR_424F, BR_106B, BR_106JEWEL = 0, 1, 2, 3, 4

# status codes (section 7.1, table "Error code list")
ST_OK = 0x00
ST_TIMEOUT = 0x01
ST_CRC = 0x02
ST_PROTOCOL = 0x0B
ST_CONTEXT = 0x27

# analog settings (RFConfiguration items 0x0A-0x0D) and the CIU registers they load
ANALOG_REGS = {
    0x0A: (C.RF_CFG, C.GS_N_ON, C.CW_GS_P, C.MOD_GS_P, C.DEMOD, C.RX_THRESHOLD, None, C.GS_N_OFF,
           C.MOD_WIDTH, C.MIF_NFC, C.TX_BIT_PHASE),
    0x0B: (C.RF_CFG, C.GS_N_ON, C.CW_GS_P, C.MOD_GS_P, C.DEMOD, C.RX_THRESHOLD, None, C.GS_N_OFF),
    0x0C: (C.GS_N_ON, C.MOD_GS_P, C.RX_THRESHOLD),
    0x0D: (C.RX_THRESHOLD, C.MOD_WIDTH, C.MIF_NFC) * 3,
}
ANALOG_DEFAULTS = {
    0x0A: bytes.fromhex("59F43F114D85616F266287"),
    0x0B: bytes.fromhex("69FF3F114185616F"),
    0x0C: bytes.fromhex("FF1785"),
    0x0D: bytes.fromhex("85158A8508B28501DA"),
}


def parity_wrap(data: bytes, nbits: int) -> Tuple[bytes, int]:
    """Data bits with an odd parity bit after each whole byte, as the host sees them with ParityDisable."""
    bits = bits_of(data, nbits)
    out: List[int] = []
    for i in range(0, nbits, 8):
        chunk = bits[i:i + 8]
        out += chunk
        if len(chunk) == 8:
            out.append(1 - (sum(chunk) & 1))
    return pack_bits(out), len(out)


def parity_unwrap(data: bytes, nbits: int) -> Tuple[bytes, int, bool]:
    """The inverse: data bits, their count, and whether every parity bit was right."""
    bits = bits_of(data, nbits)
    out: List[int] = []
    ok = True
    i = 0
    while i < nbits:
        chunk = bits[i:i + 8]
        out += chunk
        if len(chunk) == 8 and i + 8 < nbits:
            ok = ok and bits[i + 8] == 1 - (sum(chunk) & 1)
            i += 9
        else:
            i += 8
    return pack_bits(out), len(out), ok


class Target:
    """A target in the PN532's list (InListPassiveTarget, InAutoPoll): what it answered and its
    ISO-DEP state on the reader side (block number, frame size, chained answer not yet given)."""

    def __init__(self, tg: int, picc: TypeAPicc, sens_res: bytes, sel_res: int, uid: bytes,
                 ats: Optional[Ats]) -> None:
        self.tg = tg
        self.picc = picc
        self.session = picc.session
        self.sens_res = sens_res
        self.sel_res = sel_res
        self.uid = uid
        self.ats = ats
        self.selected = True
        self.bn = 0  # ISO/IEC 14443-4 rule A
        self.rx_buffer = b""  # answer bytes the host has not fetched (MI)
        self.rx_open = False  # the card waits for an R(ACK) to send the rest of its chain

    @property
    def iso_dep(self) -> bool:
        return self.ats is not None

    def target_data(self) -> bytes:
        """TargetData of a 106 kbps type A target (section 7.3.5): Tg SENS_RES SEL_RES NFCIDLength NFCID1 [ATS]."""
        data = bytes([self.tg]) + self.sens_res + bytes([self.sel_res, len(self.uid)]) + self.uid
        return data + (self.ats.raw if self.ats is not None else b"")


class Radio:
    """The field, the card in it, the CIU registers, and the PCD procedures."""

    def __init__(self) -> None:
        self.ciu = C.Ciu(self._field_changed, self._ciu_start)
        self.picc: Optional[TypeAPicc] = None
        self.analog = {k: bytearray(v) for k, v in ANALOG_DEFAULTS.items()}
        self.max_rty_com = 0
        self.retry_timeout_code = 0x0A  # RFConfiguration item 0x02 fRetryTimeout: 51.2 ms
        self.atr_timeout_code = 0x0B  # fATR_RES_Timeout: 102.4 ms
        self.reset_counters()

    def reset(self) -> None:
        if self.ciu.field_on():
            self.ciu.set_field(False)
        self.ciu.reset()
        self.analog = {k: bytearray(v) for k, v in ANALOG_DEFAULTS.items()}
        self.max_rty_com = 0
        self.retry_timeout_code = 0x0A
        self.atr_timeout_code = 0x0B

    def reset_counters(self) -> None:
        self.rf_bytes_to_card = 0  # every frame byte on air, CRC included
        self.rf_bytes_from_card = 0
        self.rf_frames = 0  # both ways
        self.apdus = 0  # commands completed towards an ISO-DEP card (InDataExchange)

    # -- the field and the card in it ---------------------------------------------------------------
    @property
    def field(self) -> bool:
        return self.ciu.field_on()

    def set_field(self, on: bool) -> None:
        self.ciu.set_field(on)

    def _field_changed(self, on: bool) -> None:
        if self.picc is not None:
            self.picc.power(on)

    def tap(self, card: Any) -> None:
        self.remove()
        self.picc = TypeAPicc(card)
        if self.field:
            self.picc.power(True)

    def remove(self) -> None:
        if self.picc is not None:
            self.picc.power(False)
        self.picc = None

    @property
    def card(self) -> Any:
        return None if self.picc is None else self.picc.card

    def present(self, t: Target) -> bool:
        return self.picc is t.picc and t.picc.powered and t.picc.session == t.session

    # -- one frame on air -------------------------------------------------------------------------
    def _type_a_106(self) -> bool:
        """The CIU sends and listens with ISO/IEC 14443 type A framing at 106 kbit/s."""
        return (self.ciu[C.TX_MODE] & 0x73) == 0 and (self.ciu[C.RX_MODE] & 0x73) == 0

    def air(self, frame: Optional[AirFrame], timeout: Optional[float]) -> Wait:
        """Send ``frame`` (None: only listen) and wait up to ``timeout`` (None: forever) for the answer."""
        if frame is not None:
            self.rf_frames += 1
            self.rf_bytes_to_card += len(frame.data)
        picc = self.picc
        reply = None
        if frame is not None and picc is not None and self.field and self._type_a_106() \
                and not self.ciu[C.STATUS2] & 0x08:  # MFCrypto1On: no card here speaks Crypto1
            try:
                reply = picc.receive(frame, time.monotonic())
            except CardRemoved:
                self.remove()
        if reply is None or (timeout is not None and reply[1] > timeout):
            yield float("inf") if timeout is None else timeout
            return None
        answer, delay = reply
        if delay > 0:
            yield delay
        if self.picc is not picc or picc is None or not picc.powered:
            return None  # the card left while it was computing
        self.rf_frames += 1
        self.rf_bytes_from_card += len(answer.data)
        return answer

    # -- the firmware's settings for a modulation ------------------------------------------------------
    def _load_analog(self, item: int) -> None:
        for reg, value in zip(ANALOG_REGS[item], self.analog[item]):
            if reg is not None:
                self.ciu[reg] = value

    def mode_a(self, crc: bool) -> None:
        self.ciu[C.TX_MODE] = 0x80 if crc else 0x00
        self.ciu[C.RX_MODE] = 0x80 if crc else 0x00
        self.ciu[C.MODE] = (self.ciu[C.MODE] & 0xFC) | 0x01  # CRC preset 6363
        self.ciu[C.TX_AUTO] |= 0x40  # Force100ASK
        self.ciu[C.CONTROL] |= 0x10  # initiator
        self._load_analog(0x0A)

    def mode_felica(self, rate: int) -> None:
        speed = 0x10 if rate == BR_212F else 0x20
        self.ciu[C.TX_MODE] = self.ciu[C.RX_MODE] = 0x80 | speed | 0x02
        self.ciu[C.MODE] = self.ciu[C.MODE] & 0xFC
        self.ciu[C.TX_AUTO] &= ~0x40
        self._load_analog(0x0B)

    def mode_b(self) -> None:
        self.ciu[C.TX_MODE] = self.ciu[C.RX_MODE] = 0x83
        self.ciu[C.MODE] = self.ciu[C.MODE] | 0x03
        self.ciu[C.TX_AUTO] &= ~0x40
        self._load_analog(0x0C)

    def _fw_exchange(self, frame: AirFrame, timeout: Optional[float]) -> Wait:
        """A frame the firmware sends; the CIU's FIFO, IRQ and RxLastBits registers keep the outcome."""
        self.ciu[C.BIT_FRAMING] = (self.ciu[C.BIT_FRAMING] & 0xF8) | frame.last_bits
        answer = yield from self.air(frame, timeout)
        self.ciu[C.BIT_FRAMING] &= 0xF8
        if answer is None:
            self.ciu.exchange_done(None, 0, 0, 0)
        else:
            self.ciu.exchange_done(answer.data, answer.last_bits, 0, 0)
            self.ciu.fifo = []  # the firmware reads it
        return answer

    # -- passive activation (InListPassiveTarget, InAutoPoll, InSelect) --------------------------------
    def poll(self, brty: int, init: bytes, auto_rats: bool, tg: int) -> Wait:
        """One activation attempt for ``brty``; the target found, or None."""
        self.set_field(True)
        if brty == BR_106A:
            return (yield from self.activate_a(tg, init or None, auto_rats))
        if brty in (BR_212F, BR_424F):
            self.mode_felica(brty)
            yield from self._fw_exchange(AirFrame(bytes([len(init) + 1]) + init), TRY_S)  # POL_REQ
            return None  # only type A cards live in this simulator
        if brty == BR_106B:
            self.mode_b()
            afi = init[:1] or b"\x00"
            yield from self._fw_exchange(AirFrame(b"\x05" + afi + b"\x00"), TRY_S)  # REQB
            return None
        # Innovision Jewel: SENS_REQ, then RID; a type A card does not know RID
        self.mode_a(crc=False)
        atqa = yield from self._fw_exchange(AirFrame(bytes([0x26]), 7), TRY_S)
        if atqa is not None:
            self.mode_a(crc=True)
            yield from self._fw_exchange(AirFrame(with_crc(b"\x78" + bytes(6))), TRY_S)
        return None

    def activate_a(self, tg: int, uid: Optional[bytes], auto_rats: bool, try_s: float = TRY_S) -> Wait:
        """WUPA, anticollision and SELECT per cascade level (SELECT directly when ``uid`` is known),
        then RATS for an ISO-DEP card when ``auto_rats``."""
        self.mode_a(crc=False)
        atqa = yield from self._fw_exchange(AirFrame(bytes([WUPA]), 7), try_s)
        picc = self.picc
        if atqa is None or len(atqa.data) != 2 or picc is None:
            return None
        levels = uid_levels(uid) if uid else [None, None, None]
        found = b""
        sak = 0
        for level, known in enumerate(levels):
            self.mode_a(crc=False)
            if known is None:
                known_frame = yield from self._fw_exchange(AirFrame(bytes([SEL_CODES[level], 0x20])),
                                                           FRAME_TIMEOUT_S)
                if known_frame is None or len(known_frame.data) != 5:
                    return None
                known = known_frame.data
                if known[0] ^ known[1] ^ known[2] ^ known[3] != known[4]:
                    return None  # BCC wrong (status 0x23 on a real chip's retry path)
            self.mode_a(crc=True)
            sel = yield from self._fw_exchange(AirFrame(with_crc(bytes([SEL_CODES[level], 0x70]) + known)),
                                               FRAME_TIMEOUT_S)
            if sel is None or not crc_ok(sel.data) or len(sel.data) != 3:
                return None
            sak = sel.data[0]
            if sak & SAK_CASCADE:
                found += known[1:4]
                continue
            found += known[:4]
            break
        else:
            return None
        ats = None
        if sak & SAK_ISO_DEP and auto_rats:
            answer = yield from self._fw_exchange(AirFrame(with_crc(bytes([RATS, RATS_PARAM]))), FRAME_TIMEOUT_S)
            if answer is not None and crc_ok(answer.data):
                ats = Ats(answer.data[:-2])
        sens_res = bytes((atqa.data[1], atqa.data[0]))
        return Target(tg, picc, sens_res, sak, found, ats)

    def reselect(self, t: Target) -> Wait:
        """InSelect of a deselected target: WUPA, SELECT with its UID, RATS again for ISO-DEP."""
        again = yield from self.activate_a(t.tg, t.uid, t.iso_dep, FRAME_TIMEOUT_S)
        if again is None or again.picc is not t.picc:
            return False
        t.ats, t.bn, t.selected = again.ats, 0, True
        t.rx_buffer, t.rx_open = b"", False
        return True

    # -- ISO/IEC 14443-4, reader side -------------------------------------------------------------------
    def _block(self, t: Target, pcb: int, inf: bytes = b"", nad: Optional[int] = None,
               use_cid: bool = False) -> AirFrame:
        head = bytes([pcb | (PCB_CID if use_cid else 0) | (PCB_NAD if nad is not None else 0)])
        if use_cid:
            head += b"\x00"
        if nad is not None:
            head += bytes([nad])
        return AirFrame(with_crc(head + inf))

    def _parse(self, frame: AirFrame) -> Optional[Tuple[int, bytes]]:
        data = frame.data
        if not frame.whole() or not crc_ok(data):
            return None
        pcb, pos = data[0], 1
        if pcb & PCB_CID:
            pos += 1
        if (pcb & 0xE2) == PCB_I and pcb & PCB_NAD:
            pos += 1
        return pcb, data[pos:-2]

    def _block_exchange(self, t: Target, frame: AirFrame, use_cid: bool) -> Wait:
        """Send a block and get the card's next I- or R-block: answers S(WTX), sends R(NAK) after
        a timeout or a bad frame (twice, ISO/IEC 14443-4 section 7.5.5), MaxRtyCOM more rounds."""
        window = t.ats.fwt if t.ats else FRAME_TIMEOUT_S
        sent = frame
        failures = 0
        allowed = 3 * (1 + self.max_rty_com)
        while True:
            answer = yield from self.air(sent, window)
            parsed = None if answer is None else self._parse(answer)
            if parsed is None:
                failures += 1
                if failures >= allowed:
                    return None
                sent = self._block(t, PCB_R_NAK | t.bn, use_cid=use_cid)
                window = t.ats.fwt if t.ats else FRAME_TIMEOUT_S
                continue
            pcb, inf = parsed
            if (pcb & 0xC7) == 0xC2 and pcb & 0x30 == 0x30:  # S(WTX) request
                wtxm = (inf[0] & 0x3F) if inf else 1
                sent = self._block(t, PCB_S_WTX, bytes([wtxm]), use_cid=use_cid)
                window = (t.ats.fwt if t.ats else FRAME_TIMEOUT_S) * max(1, min(wtxm, 59))
                continue
            if (pcb & 0xE6) == 0xA2 and not pcb & 0x10 and (pcb & 1) != t.bn and sent is not frame:
                sent = frame  # R(ACK) to our R(NAK): the card never got the block, send it again
                continue
            return pcb, inf

    def data_exchange(self, t: Target, data: bytes, more: bool, nad: Optional[int], use_cid: bool) -> Wait:
        """InDataExchange to an ISO-DEP target: (status, data for the host, MI)."""
        if not data and not more and (t.rx_buffer or t.rx_open):
            return (yield from self._next_part(t, use_cid))
        t.rx_buffer, t.rx_open = b"", False
        room = (t.ats.fsc if t.ats else 16) - 3 - (1 if use_cid else 0) - (1 if nad is not None else 0)
        parts = [data[i:i + room] for i in range(0, len(data), room)] or [b""]
        for i, part in enumerate(parts):
            chained = i < len(parts) - 1 or more
            self.apdus += not chained
            frame = self._block(t, PCB_I | t.bn | (PCB_CHAINING if chained else 0), part, nad, use_cid)
            got = yield from self._block_exchange(t, frame, use_cid)
            if got is None:
                return ST_TIMEOUT, b"", False
            pcb, inf = got
            if chained:
                if (pcb & 0xE6) != 0xA2 or (pcb & 1) != t.bn:
                    return ST_PROTOCOL, b"", False
                t.bn ^= 1  # rule B
                continue
            return (yield from self._take_answer(t, pcb, inf, use_cid))
        return ST_OK, b"", False  # MI from the host: the card has acknowledged every block

    def _take_answer(self, t: Target, pcb: int, inf: bytes, use_cid: bool) -> Wait:
        """Collect the card's (chained) answer until it ends or the host's 262 bytes are full."""
        while True:
            if (pcb & 0xE2) != PCB_I or (pcb & 1) != t.bn:
                return ST_PROTOCOL, b"", False
            t.bn ^= 1
            t.rx_buffer += inf
            t.rx_open = bool(pcb & PCB_CHAINING)
            if not t.rx_open or len(t.rx_buffer) >= MAX_DATA:
                return self._give(t)
            got = yield from self._block_exchange(t, self._block(t, PCB_R_ACK | t.bn, use_cid=use_cid), use_cid)
            if got is None:
                t.rx_buffer, t.rx_open = b"", False
                return ST_TIMEOUT, b"", False
            pcb, inf = got

    def _next_part(self, t: Target, use_cid: bool) -> Wait:
        if len(t.rx_buffer) >= MAX_DATA or not t.rx_open:
            return self._give(t)
        got = yield from self._block_exchange(t, self._block(t, PCB_R_ACK | t.bn, use_cid=use_cid), use_cid)
        if got is None:
            t.rx_buffer, t.rx_open = b"", False
            return ST_TIMEOUT, b"", False
        return (yield from self._take_answer(t, got[0], got[1], use_cid))

    @staticmethod
    def _give(t: Target) -> Tuple[int, bytes, bool]:
        part, t.rx_buffer = t.rx_buffer[:MAX_DATA], t.rx_buffer[MAX_DATA:]
        return ST_OK, part, bool(t.rx_buffer) or t.rx_open

    def raw_exchange(self, t: Target, data: bytes) -> Wait:
        """InDataExchange to a type A target without ISO-DEP (MIFARE-style): the bytes with CRC_A."""
        self.mode_a(crc=True)
        answer = yield from self._fw_exchange(AirFrame(with_crc(data)), self.retry_timeout())
        if answer is None:
            return ST_TIMEOUT, b""
        if not crc_ok(answer.data):
            return (ST_OK, answer.data) if not answer.whole() else (ST_CRC, b"")  # 4-bit ACK / NAK
        return ST_OK, answer.data[:-2]

    def presence(self, t: Target, use_cid: bool) -> Wait:
        """Diagnose 0x06 on an ISO-DEP target (section 7.2.1): R(NAK) out; any valid block back (R(ACK),
        or the S(WTX) of a card still computing) means it is there. Retried as an exchange is."""
        nak = self._block(t, PCB_R_NAK | t.bn, use_cid=use_cid)
        for _ in range(3 * (1 + self.max_rty_com)):
            answer = yield from self.air(nak, t.ats.fwt if t.ats else FRAME_TIMEOUT_S)
            if answer is not None and self._parse(answer) is not None:
                return True
        return False

    def deselect(self, t: Target, use_cid: bool) -> Wait:
        """S(DESELECT) for ISO-DEP, HLTA otherwise: the card goes to HALT."""
        if not self.present(t):
            return False
        if t.ats is not None:
            got = yield from self.air(self._block(t, PCB_S_DESELECT, use_cid=use_cid), t.ats.fwt)
            ok = got is not None
        else:
            self.mode_a(crc=True)
            yield from self.air(AirFrame(with_crc(HLTA)), FRAME_TIMEOUT_S)  # a halted card does not answer
            ok = True
        t.selected = False
        t.rx_buffer, t.rx_open = b"", False
        return ok

    # -- the CIU driven by the host (InCommunicateThru, WriteRegister) ---------------------------------
    def retry_timeout(self) -> Optional[float]:
        code = self.retry_timeout_code
        return None if code == 0 else 100e-6 * (1 << (min(code, 0x10) - 1))

    def ciu_frame(self, payload: bytes) -> AirFrame:
        """The frame the CIU sends for ``payload`` under its current settings."""
        tx_last = self.ciu[C.BIT_FRAMING] & 0x07
        nbits = 8 * len(payload) if tx_last == 0 or not payload else 8 * (len(payload) - 1) + tx_last
        if self.ciu[C.MANUAL_RCV] & 0x10:  # ParityDisable: the host's bits carry the parity
            data, nbits, parity_ok = parity_unwrap(payload, nbits)
            return AirFrame(data, nbits, parity_ok)
        data = bytes(payload)
        if self.ciu[C.TX_MODE] & 0x80 and tx_last == 0 and data:
            data += crc_a(data)
            nbits += 16
        return AirFrame(data, nbits)

    def ciu_reply(self, answer: AirFrame) -> Tuple[int, bytes, int, int]:
        """What the CIU makes of the card's frame: (status, bytes for the host, RxLastBits, Error bits)."""
        data, nbits = answer.data, answer.nbits
        if self.ciu[C.RX_MODE] & 0x80:
            if not answer.whole() or not crc_ok(data):
                return ST_CRC, b"", 0, C.ERR_CRC
            data, nbits = data[:-2], nbits - 16
        if self.ciu[C.MANUAL_RCV] & 0x10:
            data, nbits = parity_wrap(data, nbits)
        align = (self.ciu[C.BIT_FRAMING] >> 4) & 0x07
        if align:
            data = pack_bits(bits_of(data, nbits), align)
            nbits += align
        return ST_OK, data, nbits % 8, 0

    def communicate_thru(self, payload: bytes) -> Wait:
        """InCommunicateThru (section 7.3.9): the bytes as the CIU is set (TxLastBits, CRC, parity,
        framing), the answer within fRetryTimeout. Returns (status, DataIn)."""
        self.set_field(True)
        code = self.retry_timeout_code
        self.ciu[C.T_MODE], self.ciu[C.T_PRESCALER] = 0x82, 0xA5  # 100 us ticks
        ticks = 0 if code == 0 else 1 << (min(code, 0x10) - 1)
        self.ciu[C.T_RELOAD_HI], self.ciu[C.T_RELOAD_LO] = ticks >> 8, ticks & 0xFF
        status, data = yield from self._ciu_transceive(payload if payload else None, self.retry_timeout())
        self.ciu.fifo = []  # the firmware read the answer out of the FIFO
        return status, data

    def _ciu_transceive(self, payload: Optional[bytes], timeout: Optional[float]) -> Wait:
        frame = self.ciu_frame(payload) if payload is not None else None
        answer = yield from self.air(frame, timeout)
        if answer is None:
            self.ciu.exchange_done(None, 0, 0, 0)
            return ST_TIMEOUT, b""
        status, data, last_bits, errors = self.ciu_reply(answer)
        # ISO/IEC 14443-3 frame delay time (n = 9) after the PCD's last bit (the last byte's odd parity),
        # plus the 5 bits the CIU's timer runs into the answer
        last = frame.data[-1] if frame is not None and frame.data else 0
        fdt_cycles = 1236 if bin(last).count("1") % 2 == 0 else 1172
        ticks = (fdt_cycles + 5 * 128) // self.ciu.timer_divider()
        self.ciu.exchange_done(data, last_bits, errors, ticks)
        return status, data

    def _ciu_start(self, command: int) -> None:
        """A host started Transmit / Transceive through the Command and BitFraming registers: the FIFO
        goes on air now (the answer, if any, is in the FIFO when the host reads it back)."""
        payload = bytes(self.ciu.fifo)
        self.ciu.fifo = []
        if command == C.CMD_TRANSMIT:
            _drain(self.air(self.ciu_frame(payload), 0.0))
            self.ciu.exchange_done(None, 0, 0, 0)
            self.ciu.regs[C.COMM_IRQ] &= ~C.IRQ_TIMER
            return
        _drain(self._ciu_transceive(payload, 0.0))  # the answer is immediate or never


def _drain(gen: Wait) -> None:
    """Run a procedure to its end without waiting (its waits are all zero here)."""
    for _ in gen:
        pass
