"""The PN532 firmware's command set (UM0701-02 section 7), on top of the radio (``radio.py``).

Each handler takes the command's parameters and returns the response data
(after the response code), or is a generator that yields the seconds it waits
and returns it; ``None`` means the command sends no response. Wrong syntax
(too short, out of range) raises :class:`BadCommand`: the chip answers with
the error frame. Status bytes follow section 7.1.

What the model assumes where the manual is silent is said at the handler.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Generator, List, Optional, Union

from ..iso14443a import AirFrame, with_crc
from . import ciu as C
from .link import WAKE_HSU, WAKE_I2C, WAKE_SPI
from .radio import (BR_106A, BR_106B, BR_106JEWEL, BR_212F, BR_424F, MAX_DATA, ST_CONTEXT, ST_OK, ST_TIMEOUT,
                    TRY_S, Radio, Target)

Result = Union[None, bytes, Generator[float, None, Optional[bytes]]]

FIRMWARE = bytes((0x32, 0x01, 0x06, 0x07))  # IC PN532, version 1.6, supports ISO 18092 + 14443 A/B

# SetParameters flags (section 7.2.9)
F_NAD_USED = 0x01
F_DID_USED = 0x02
F_AUTO_ATR_RES = 0x04
F_AUTO_RATS = 0x10
F_NO_AMBLE = 0x40
DEFAULT_FLAGS = F_AUTO_ATR_RES | F_AUTO_RATS  # assumption: drivers that never send SetParameters get the ATS

BAUD_RATES = (9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1288000)
RF_ITEM_LENGTHS = {0x01: 1, 0x02: 3, 0x04: 1, 0x05: 3, 0x0A: 11, 0x0B: 8, 0x0C: 3, 0x0D: 9}
AUTOPOLL_TYPES = (0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12, 0x20, 0x23, 0x40, 0x41, 0x42, 0x80, 0x81, 0x82)
# ATR_REQ at 106 kbps passive (ISO/IEC 18092): start byte F0, LEN, D4 00, NFCID3i, DIDi BSi BRi PPi, CRC_A
ATR_REQ_106 = AirFrame(with_crc(bytes.fromhex("F011D400") + bytes(14)))

WAKE_RF = 0x08  # PowerDown WakeUpEnable: the RF level detector (the host interfaces' bits are in link.py)

SFR_P3 = 0xFFB0
SFR_P7 = 0xFFF7


class BadCommand(ValueError):
    """Wrong syntax: the chip answers the error frame (section 6.2.1.5)."""


def need(condition: bool, what: str) -> None:
    if not condition:
        raise BadCommand(what)


class Firmware:
    """The command set and what it keeps between commands (targets, settings, GPIO).

    ``chip`` provides ``transport`` ("uart", "i2c", "spi"), ``sleep(wake_sources)``,
    ``switch_baud_after_ack(rate)`` and ``after_response(fn)``.
    """

    def __init__(self, chip: Any, radio: Radio, firmware: bytes = FIRMWARE) -> None:
        self.chip = chip
        self.radio = radio
        self.firmware = bytes(firmware)
        self.power_up()

    def power_up(self) -> None:
        self.sam_mode = 0  # 0 until SAMConfiguration: LowVbat
        self.flags = DEFAULT_FLAGS
        self.max_retries = [0xFF, 0x01, 0xFF]  # MxRtyATR, MxRtyPSL, MxRtyPassiveActivation
        self.auto_rfca = False
        self.targets: List[Target] = []
        self.last_error = 0
        self.p3, self.p7 = 0x3F, 0x06  # GPIO pins high (pull-ups)
        self.xram: Dict[int, int] = {}

    @property
    def sam_configured(self) -> bool:
        return self.sam_mode != 0

    def dispatch(self, cmd: int, params: bytes) -> Result:
        handler = self.COMMANDS.get(cmd)
        if handler is None:
            raise BadCommand("unknown command")
        try:
            return handler(self, params)
        except IndexError:
            raise BadCommand("parameters too short") from None

    def _status(self, status: int, data: bytes = b"") -> bytes:
        self.last_error = status & 0x3F
        return bytes([status]) + bytes(data)

    # -- targets ------------------------------------------------------------------------------
    def _target(self, tg: int) -> Optional[Target]:
        for t in self.targets:
            if t.tg == tg:
                return t
        return None

    def _current(self) -> Optional[Target]:
        return next((t for t in self.targets if t.selected), None)

    def _use_cid(self, t: Target) -> bool:
        return bool(self.flags & F_DID_USED) and t.ats is not None and t.ats.cid

    def _drop_targets(self) -> Generator[float, None, None]:
        """Release what is listed before listing again (the model assumes the firmware deselects a
        selected card, so the WUPA that follows finds it again)."""
        for t in self.targets:
            if t.selected and self.radio.present(t):
                yield from self.radio.deselect(t, self._use_cid(t))
        self.targets = []

    # -- 7.2 miscellaneous ------------------------------------------------------------------------
    def diagnose(self, p: bytes) -> Result:
        """7.2.1 Diagnose. 0x00 echoes NumTst and its data; 0x01 ROM and 0x02 RAM tests pass; 0x04
        polls a FeliCa target 128 times and counts the failures; 0x05 (echo back) enters target mode
        and never answers; 0x06 checks the ISO-DEP target's presence; 0x07 (antenna) passes."""
        test = p[0]
        if test == 0x00:
            return bytes(p)
        if test in (0x01, 0x02):
            return b"\x00"
        if test == 0x04:
            need(len(p) >= 2 and p[1] in (0x01, 0x02), "polling test baud rate")
            return self._polling_test(p[1])
        if test == 0x05:
            need(len(p) >= 4, "echo back parameters")
            return self._forever()
        if test == 0x06:
            return self._presence()
        if test == 0x07:
            need(len(p) >= 2, "antenna test threshold")
            return b"\x00"
        raise BadCommand("no such test")

    def _polling_test(self, rate: int) -> Generator[float, None, bytes]:
        fails = 0
        for _ in range(128):
            found = yield from self.radio.poll(BR_212F if rate == 0x01 else BR_424F, bytes.fromhex("00FFFF0000"),
                                               False, 1)
            fails += found is None
        return bytes([fails])

    def _presence(self) -> Generator[float, None, bytes]:
        t = self._current()
        if t is None or not t.iso_dep:
            return self._status(ST_CONTEXT)  # assumption: nothing to check without an ISO-DEP target
        ok = yield from self.radio.presence(t, self._use_cid(t))
        return self._status(ST_OK if ok else ST_TIMEOUT)

    @staticmethod
    def _forever() -> Generator[float, None, None]:
        """A mode the chip stays in until the host aborts (ACK) or sends another command."""
        yield float("inf")

    def get_firmware_version(self, p: bytes) -> Result:
        """7.2.2: IC, Ver, Rev, Support."""
        return self.firmware

    def get_general_status(self, p: bytes) -> Result:
        """7.2.3: Err (last error), Field (an external field: never, in this simulator), NbTg, per
        target Tg BrRx BrTx Type (0x00: 106 kbps type A), SAM status (no SAM: 0x00)."""
        data = bytes([self.last_error, 0x00, len(self.targets)])
        for t in self.targets:
            data += bytes([t.tg, 0x00, 0x00, 0x00])
        return data + b"\x00"

    def _read(self, addr: int) -> int:
        if C.BASE <= addr <= C.END:
            return self.radio.ciu.read(addr)
        if addr == SFR_P3:
            return self.p3
        if addr == SFR_P7:
            return self.p7
        return self.xram.get(addr, 0x00)

    def read_register(self, p: bytes) -> Result:
        """7.2.4: one value per (ADR_H, ADR_L); the CIU registers are live (``ciu.py``)."""
        need(len(p) >= 2 and len(p) % 2 == 0, "register list")
        return bytes(self._read((p[i] << 8) | p[i + 1]) for i in range(0, len(p), 2))

    def write_register(self, p: bytes) -> Result:
        """7.2.5: (ADR_H, ADR_L, value) triplets, applied in order."""
        need(len(p) >= 3 and len(p) % 3 == 0, "register list")
        for i in range(0, len(p), 3):
            addr, value = (p[i] << 8) | p[i + 1], p[i + 2]
            if C.BASE <= addr <= C.END:
                self.radio.ciu.write(addr, value)
            elif addr == SFR_P3:
                self.p3 = value & 0x3F
            elif addr == SFR_P7:
                self.p7 = value & 0x06
            else:
                self.xram[addr] = value
        return b""

    def read_gpio(self, p: bytes) -> Result:
        """7.2.6: P3 (P30-P35), P7 (P71, P72), and I0I1 the interface selection pins (HSU 00, I2C 01,
        SPI 10)."""
        ioi1 = {"uart": 0x00, "i2c": 0x01, "spi": 0x02}[self.chip.transport]
        return bytes([self.p3, self.p7, ioi1])

    def write_gpio(self, p: bytes) -> Result:
        """7.2.7: P3 and P7 bytes, applied when their bit 7 (validation) is set. The model assumes
        every pin is free (no SAM, no IRQ wiring)."""
        need(len(p) >= 2, "NewP3 NewP7")
        if p[0] & 0x80:
            self.p3 = p[0] & 0x3F
        if p[1] & 0x80:
            self.p7 = p[1] & 0x06
        return b""

    def set_serial_baud_rate(self, p: bytes) -> Result:
        """7.2.8: HSU only; the chip switches once the host has ACKed the response."""
        need(self.chip.transport == "uart" and p[0] < len(BAUD_RATES), "baud rate")
        self.chip.switch_baud_after_ack(BAUD_RATES[p[0]])
        return b""

    def set_parameters(self, p: bytes) -> Result:
        """7.2.9: fNADUsed, fDIDUsed, fAutomaticATR_RES, fAutomaticRATS, fISO14443-4_PICC,
        fRemovePrePostAmble. Honoured: NAD and CID in ISO-DEP blocks, RATS during activation, no
        preamble / postamble in the chip's frames. The model assumes 0x14 after power-up."""
        self.flags = p[0]
        return b""

    def sam_configuration(self, p: bytes) -> Result:
        """7.2.10: Mode (1 normal, 2 virtual card, 3 wired card, 4 dual card), Timeout, IRQ; ends
        LowVbat. No SAM is connected: the other modes are accepted and change nothing here."""
        need(p[0] in (1, 2, 3, 4), "SAM mode")
        need(p[0] != 2 or len(p) >= 2, "virtual card timeout")
        self.sam_mode = p[0]
        return b""

    def power_down(self, p: bytes) -> Result:
        """7.2.11: WakeUpEnable [GenerateIRQ]. The chip answers, then sleeps until an enabled source
        wakes it (HSU, I2C, SPI; the RF level detector never fires here). The model assumes the CIU's
        soft power-down switches the field off, so the cards and the target list are gone."""
        wake = p[0]
        self.chip.after_response(lambda: self._sleep(wake))
        return self._status(ST_OK)

    def _sleep(self, wake: int) -> None:
        self.radio.set_field(False)
        self.targets = []
        self.chip.sleep(wake)

    # -- 7.3 RF communication -----------------------------------------------------------------------
    def rf_configuration(self, p: bytes) -> Result:
        """7.3.1: 0x01 field (bit 0 on, bit 1 AutoRFCA), 0x02 timings (RFU, ATR_RES timeout,
        fRetryTimeout), 0x04 MaxRtyCOM, 0x05 MxRtyATR / MxRtyPSL / MxRtyPassiveActivation, 0x0A-0x0D
        analog settings loaded into the CIU at the next activation of that kind."""
        item = p[0]
        need(item in RF_ITEM_LENGTHS and len(p) == 1 + RF_ITEM_LENGTHS[item], "CfgItem")
        d = p[1:]
        if item == 0x01:
            self.auto_rfca = bool(d[0] & 0x02)
            if not d[0] & 0x01:
                self.targets = []  # the cards lose power
            self.radio.set_field(bool(d[0] & 0x01))
        elif item == 0x02:
            self.radio.atr_timeout_code, self.radio.retry_timeout_code = d[1], d[2]
        elif item == 0x04:
            self.radio.max_rty_com = d[0]
        elif item == 0x05:
            self.max_retries = [d[0], d[1], d[2]]
        else:
            self.radio.analog[item][:] = d
        return b""

    def rf_regulation_test(self, p: bytes) -> Result:
        """7.3.2: TxMode (speed, framing); the chip emits until the next command, without a response."""
        self.radio.ciu[C.TX_MODE] = p[0] & 0x73
        self.radio.set_field(True)
        return self._forever()

    def _tries(self, setting: int):
        """1 + n attempts; 0xFF: until a card answers or the host aborts."""
        n = 0
        while setting == 0xFF or n <= setting:
            yield n
            n += 1

    def in_list_passive_target(self, p: bytes) -> Result:
        """7.3.5: MaxTg (1-2), BrTy (0 106A, 1 FeliCa 212, 2 FeliCa 424, 3 106B, 4 Jewel),
        InitiatorData (106A: a UID to select; FeliCa: the 5-byte poll; 106B: AFI [method]).
        MxRtyPassiveActivation attempts (0xFF: forever) for the first target, one for a second."""
        max_tg, brty, init = p[0], p[1], bytes(p[2:])
        need(max_tg in (1, 2) and brty <= BR_106JEWEL, "MaxTg / BrTy")
        need(brty != BR_106A or len(init) in (0, 4, 7, 10), "UID")
        need(brty not in (BR_212F, BR_424F) or len(init) == 5, "FeliCa polling payload")
        need(brty != BR_106B or len(init) in (1, 2), "AFI")
        return self._list(max_tg, brty, init)

    def _list(self, max_tg: int, brty: int, init: bytes) -> Generator[float, None, bytes]:
        yield from self._drop_targets()
        auto_rats = bool(self.flags & F_AUTO_RATS)
        found: List[Target] = []
        for _ in self._tries(self.max_retries[2]):
            t = yield from self.radio.poll(brty, init, auto_rats, 1)
            if t is not None:
                found.append(t)
                break
        if found and max_tg == 2:
            # one more attempt for a second card; the one listed is selected and does not answer
            # (the simulator holds one card at a time, so this attempt only takes its time)
            yield TRY_S
        self.targets = found
        return bytes([len(found)]) + b"".join(t.target_data() for t in found)

    def in_auto_poll(self, p: bytes) -> Result:
        """7.3.13: PollNr (0xFF: forever), Period (x 150 ms per type), Type1..TypeN. Answers NbTg and,
        per target, Type, length and TargetData; nothing found: 00 after PollNr x N x Period."""
        poll_nr, period, types = p[0], p[1], bytes(p[2:])
        need(poll_nr >= 1 and 1 <= period <= 0x0F and 1 <= len(types) <= 15, "PollNr / Period / Types")
        need(all(ty in AUTOPOLL_TYPES for ty in types), "Type")
        return self._auto_poll(poll_nr, period * 0.150, types)

    def _auto_poll(self, poll_nr: int, period_s: float, types: bytes) -> Generator[float, None, bytes]:
        yield from self._drop_targets()
        for _ in self._tries(poll_nr - 1 if poll_nr != 0xFF else 0xFF):
            for ty in types:
                spent = 0.0
                while spent < period_s:
                    got = yield from self._poll_type(ty)
                    if got is not None:
                        self.targets = [got[1]]
                        data = got[1].target_data()
                        return bytes([1, got[0], len(data)]) + data
                    spent += TRY_S
        return b"\x00"

    def _poll_type(self, ty: int) -> Generator[float, None, Optional[tuple]]:
        """One attempt for an InAutoPoll target type: (type reported, target) or None."""
        if ty in (0x00, 0x10, 0x20, 0x40):
            rats = ty == 0x20 or (ty == 0x00 and bool(self.flags & F_AUTO_RATS))
            t = yield from self.radio.poll(BR_106A, b"", rats, 1)
            if t is None:
                return None
            if ty == 0x10 or (ty == 0x00 and not t.iso_dep):
                return 0x10, t
            if t.iso_dep:
                return 0x20, t
            yield from self.radio.deselect(t, False)  # not this type (ISO-DEP or NFC-DEP): halt it
            return None
        brty = {0x01: BR_212F, 0x11: BR_212F, 0x41: BR_212F, 0x81: BR_212F, 0x02: BR_424F, 0x12: BR_424F,
                0x42: BR_424F, 0x82: BR_424F, 0x03: BR_106B, 0x23: BR_106B, 0x04: BR_106JEWEL, 0x80: BR_106JEWEL}
        init = {BR_212F: bytes.fromhex("00FFFF0100"), BR_424F: bytes.fromhex("00FFFF0100"), BR_106B: b"\x00"}
        b = brty[ty]
        if ty == 0x80:  # active mode: nobody here answers an active initiator
            yield TRY_S
            return None
        yield from self.radio.poll(b, init.get(b, b""), False, 1)
        return None

    def in_data_exchange(self, p: bytes) -> Result:
        """7.3.8: Tg (bit 6: MI, more to come), DataOut up to 262 bytes. ISO-DEP targets get I-blocks
        (chaining to FSC, WTX, R(NAK) recovery, MaxRtyCOM); the status MI bit tells the host to fetch
        the rest with an empty InDataExchange. Other type A targets get the bytes with CRC_A."""
        tg, data = p[0], bytes(p[1:])
        need(len(data) <= MAX_DATA, "DataOut over 262 bytes")
        t = self._target(tg & 0x3F)
        if t is None or not t.selected:
            return self._status(ST_CONTEXT)
        return self._exchange(t, data, bool(tg & 0x40))

    def _exchange(self, t: Target, data: bytes, more: bool) -> Generator[float, None, bytes]:
        if not t.iso_dep:
            status, answer = yield from self.radio.raw_exchange(t, data)
            return self._status(status, answer)
        nad = None
        if self.flags & F_NAD_USED and data:  # the first byte of DataOut is the NAD
            nad, data = data[0], data[1:]
        status, answer, mi = yield from self.radio.data_exchange(t, data, more, nad, self._use_cid(t))
        return self._status(status | (0x40 if mi else 0), answer)

    def in_communicate_thru(self, p: bytes) -> Result:
        """7.3.9: DataOut as the CIU is set (BitFraming TxLastBits, TxMode / RxMode CRC and framing,
        ManualRCV parity); Status DataIn within fRetryTimeout. The model assumes the field is switched
        on if it was off (libnfc's NFC Barcode discovery sends an empty DataOut just to listen)."""
        need(len(p) <= 264, "DataOut")
        return self._thru(bytes(p))

    def _thru(self, data: bytes) -> Generator[float, None, bytes]:
        status, answer = yield from self.radio.communicate_thru(data)
        return self._status(status, answer)

    def in_deselect(self, p: bytes) -> Result:
        """7.3.10: Tg (0: all). ISO-DEP targets get S(DESELECT), others HLTA; the target stays listed
        for InSelect. Status 0x01 when an ISO-DEP card does not answer."""
        tg = p[0]
        if tg and self._target(tg) is None:
            return self._status(ST_CONTEXT)
        return self._deselect(tg, release=False)

    def in_release(self, p: bytes) -> Result:
        """7.3.11: Tg (0: all): deselected as by InDeselect, then forgotten (status 0x00 even if the
        card is gone: the model assumes the chip forgets it regardless)."""
        tg = p[0]
        if tg and self._target(tg) is None:
            return self._status(ST_CONTEXT)
        return self._deselect(tg, release=True)

    def _deselect(self, tg: int, release: bool) -> Generator[float, None, bytes]:
        status = ST_OK
        for t in list(self.targets):
            if tg and t.tg != tg:
                continue
            if t.selected:
                ok = yield from self.radio.deselect(t, self._use_cid(t))
                if not ok and t.iso_dep and not release:
                    status = ST_TIMEOUT
            if release:
                self.targets.remove(t)
        return self._status(status)

    def in_select(self, p: bytes) -> Result:
        """7.3.12: Tg: a deselected target is woken (WUPA), selected with its UID and, for ISO-DEP,
        sent RATS again."""
        t = self._target(p[0])
        if t is None:
            return self._status(ST_CONTEXT)
        return self._select(t)

    def _select(self, t: Target) -> Generator[float, None, bytes]:
        if t.selected:
            return self._status(ST_OK)
        ok = yield from self.radio.reselect(t)
        return self._status(ST_OK if ok else ST_TIMEOUT)

    # -- NFC-DEP: no card in this simulator speaks it ------------------------------------------------
    def in_jump_for_dep(self, p: bytes) -> Result:
        """7.3.3 (and 7.3.4 InJumpForPSL): ActPass, BR, Next [PassiveInitiatorData] [NFCID3i] [Gi].
        Passive 106: the card is activated and sent ATR_REQ; 212/424: FeliCa polls; active: ATR_REQ
        in active mode. Here no card answers ATR_REQ, so the chip retries MxRtyATR times (0xFF: until
        the host aborts) then answers status 0x01."""
        act, br, nxt = p[0], p[1], p[2]
        need(act in (0, 1) and br in (0, 1, 2), "ActPass / BR")
        need(act == 0 or not nxt & 0x01, "no passive initiator data in active mode")
        return self._jump(act, br)

    def _atr_timeout(self) -> float:
        """RFConfiguration item 0x02's ATR_RES timeout: 100 us x 2^(n-1)."""
        return 100e-6 * (1 << (min(self.radio.atr_timeout_code or 1, 0x10) - 1))

    def _jump(self, act: int, br: int) -> Generator[float, None, bytes]:
        yield from self._drop_targets()
        for _ in self._tries(self.max_retries[0]):
            if act == 0 and br == 0:
                t = yield from self.radio.poll(BR_106A, b"", False, 1)
                if t is not None:
                    yield from self.radio.air(ATR_REQ_106, self._atr_timeout())
            elif act == 0:
                yield from self.radio.poll(BR_212F if br == 1 else BR_424F, bytes.fromhex("00FFFF0000"), False, 1)
            else:  # active mode: NFC active framing at the asked speed
                self.radio.set_field(True)
                self.radio.ciu[C.TX_MODE] = self.radio.ciu[C.RX_MODE] = 0x81 | (br << 4)
                yield from self.radio.air(ATR_REQ_106, self._atr_timeout())
        return self._status(ST_TIMEOUT)

    def in_atr(self, p: bytes) -> Result:
        """7.3.6: Tg Next [NFCID3i] [Gi]: ATR_REQ to a listed target; none of the cards here speaks
        NFC-DEP, so it is never answered (status 0x01 after MxRtyATR retries)."""
        t = self._target(p[0])
        if t is None:
            return self._status(ST_CONTEXT)
        return self._atr()

    def _atr(self) -> Generator[float, None, bytes]:
        self.radio.mode_a(crc=True)
        for _ in self._tries(self.max_retries[0]):
            yield from self.radio.air(ATR_REQ_106, self._atr_timeout())
        return self._status(ST_TIMEOUT)

    def in_psl(self, p: bytes) -> Result:
        """7.3.7: Tg BRit BRti: only for a target activated with ATR, which none is here (0x27)."""
        need(len(p) >= 3, "Tg BRit BRti")
        return self._status(ST_CONTEXT)

    # -- target mode: no initiator in this simulator ----------------------------------------------------
    def tg_init_as_target(self, p: bytes) -> Result:
        """7.3.14: the chip waits, asleep, for an initiator's field; none ever comes here, so it only
        ends when the host aborts (a wake-up, then an ACK)."""
        need(len(p) >= 36, "TgInitAsTarget parameters")
        self.chip.sleep(WAKE_HSU | WAKE_I2C | WAKE_SPI | WAKE_RF)
        return self._forever()

    def tg_not_activated(self, p: bytes) -> Result:
        """7.3.15-7.3.20 (TgSetGeneralBytes, TgGetData, TgSetData, TgSetMetaData,
        TgGetInitiatorCommand, TgResponseToInitiator): never activated as a target here (0x27)."""
        return self._status(ST_CONTEXT)

    def tg_get_target_status(self, p: bytes) -> Result:
        """7.3.21: state 0x00 (not activated as a target; the model's reading) and BRit 0x00."""
        return b"\x00\x00"

    COMMANDS: Dict[int, Callable[["Firmware", bytes], Result]] = {
        0x00: diagnose, 0x02: get_firmware_version, 0x04: get_general_status, 0x06: read_register,
        0x08: write_register, 0x0C: read_gpio, 0x0E: write_gpio, 0x10: set_serial_baud_rate,
        0x12: set_parameters, 0x14: sam_configuration, 0x16: power_down, 0x32: rf_configuration,
        0x58: rf_regulation_test, 0x56: in_jump_for_dep, 0x46: in_jump_for_dep, 0x4A: in_list_passive_target,
        0x50: in_atr, 0x4E: in_psl, 0x40: in_data_exchange, 0x42: in_communicate_thru, 0x44: in_deselect,
        0x52: in_release, 0x54: in_select, 0x60: in_auto_poll, 0x8C: tg_init_as_target,
        0x92: tg_not_activated, 0x86: tg_not_activated, 0x8E: tg_not_activated, 0x94: tg_not_activated,
        0x88: tg_not_activated, 0x90: tg_not_activated, 0x8A: tg_get_target_status,
    }
