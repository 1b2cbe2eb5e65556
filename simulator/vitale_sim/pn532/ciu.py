"""The PN532's Contactless Interface Unit registers (PN532 data sheet, CIU register map 0x6301-0x633E).

ReadRegister / WriteRegister (UM0701-02 sections 7.2.4 and 7.2.5) reach these
through the chip's XRAM; the firmware's own commands drive the same
registers, so a host that reads them sees the radio state the last command
left (framing and CRC after an activation, RxLastBits after a bit-oriented
exchange, an empty FIFO and TimerIRq after an unanswered poll...).

Behaviour beyond a plain store (everything else reads back what was written):

=========== ======= ===============================================================
register    address behaviour
=========== ======= ===============================================================
TxControl   0x6304  bits 1-0 (Tx2RFEn, Tx1RFEn) are the chip's own RF field
CommIrq     0x6334  bit 7 Set1: writing 1 sets the flagged bits, 0 clears them
DivIrq      0x6335  bit 7 Set2: same rule
Error       0x6336  read only: errors of the last exchange
Status1     0x6337  read only: CRCOk / CRCReady after CalcCRC; RFOn (external field) stays 0
FIFOData    0x6339  64-byte FIFO: a write pushes, a read pops
FIFOLevel   0x633A  bits 6-0 bytes in the FIFO (read only); writing bit 7 flushes it
Control     0x633C  bits 2-0 RxLastBits of the last frame received (read only)
BitFraming  0x633D  bit 7 StartSend starts a Transceive command; bits 2-0 TxLastBits
Command     0x6331  0x03 CalcCRC, 0x04 Transmit, 0x0C Transceive, 0x0F SoftReset run;
                    the others (Idle, Config, Receive, AutoColl, MFAuthent...) are stored
TCounterVal 0x631E  read only: timer value when the last exchange ended
=========== ======= ===============================================================

Reset values are the data sheet's for the registers above and for the mode,
analog and timer registers; the test registers (0x6321-0x632B) and
CIU_Version read 0x00 (the model assumes nothing about them).
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional

BASE = 0x6301
END = 0x633E

MODE = 0x6301
TX_MODE = 0x6302
RX_MODE = 0x6303
TX_CONTROL = 0x6304
TX_AUTO = 0x6305
RX_THRESHOLD = 0x6308
DEMOD = 0x6309
MIF_NFC = 0x630C
MANUAL_RCV = 0x630D
CRC_RESULT_MSB = 0x6311
CRC_RESULT_LSB = 0x6312
GS_N_OFF = 0x6313
MOD_WIDTH = 0x6314
TX_BIT_PHASE = 0x6315
RF_CFG = 0x6316
GS_N_ON = 0x6317
CW_GS_P = 0x6318
MOD_GS_P = 0x6319
T_MODE = 0x631A
T_PRESCALER = 0x631B
T_RELOAD_HI = 0x631C
T_RELOAD_LO = 0x631D
T_COUNTER_HI = 0x631E
T_COUNTER_LO = 0x631F
COMMAND = 0x6331
COMM_IRQ = 0x6334
DIV_IRQ = 0x6335
ERROR = 0x6336
STATUS1 = 0x6337
STATUS2 = 0x6338
FIFO_DATA = 0x6339
FIFO_LEVEL = 0x633A
CONTROL = 0x633C
BIT_FRAMING = 0x633D
COLL = 0x633E

RESET = {
    MODE: 0x3B, TX_CONTROL: 0x80, 0x6306: 0x10, 0x6307: 0x84, RX_THRESHOLD: 0x84, DEMOD: 0x4D, MIF_NFC: 0x62,
    CRC_RESULT_MSB: 0xFF, CRC_RESULT_LSB: 0xFF, GS_N_OFF: 0x88, MOD_WIDTH: 0x26, TX_BIT_PHASE: 0x87,
    RF_CFG: 0x48, GS_N_ON: 0x88, CW_GS_P: 0x20, MOD_GS_P: 0x20, 0x6323: 0x80, 0x6326: 0x40, COMMAND: 0x20,
    0x6332: 0x80, COMM_IRQ: 0x14, 0x633B: 0x08, COLL: 0xA0,
}
READ_ONLY = (ERROR, STATUS1, T_COUNTER_HI, T_COUNTER_LO, CRC_RESULT_MSB, CRC_RESULT_LSB)

# Command register codes
CMD_CALC_CRC = 0x03
CMD_TRANSMIT = 0x04
CMD_TRANSCEIVE = 0x0C
CMD_SOFT_RESET = 0x0F

# CommIrq bits
IRQ_TX = 0x40
IRQ_RX = 0x20
IRQ_IDLE = 0x10
IRQ_ERR = 0x02
IRQ_TIMER = 0x01
# Error bits
ERR_CRC = 0x04

FIFO_SIZE = 64


class Ciu:
    """The register file. ``on_field(on)`` runs when TxControl switches the field;
    ``on_start(command)`` when a Transmit / Transceive is started from the host."""

    def __init__(self, on_field: Callable[[bool], None], on_start: Callable[[int], None]) -> None:
        self._on_field = on_field
        self._on_start = on_start
        self.regs: Dict[int, int] = {}
        self.fifo: List[int] = []
        self.reset()

    def reset(self) -> None:
        self.regs = {a: RESET.get(a, 0x00) for a in range(BASE, END + 1)}
        self.fifo = []

    def __getitem__(self, addr: int) -> int:
        return self.regs[addr]

    def __setitem__(self, addr: int, value: int) -> None:
        """The chip's own writes (no side effects but the field)."""
        old = self.regs[addr]
        self.regs[addr] = value & 0xFF
        if addr == TX_CONTROL and (old & 0x03 != 0) != (value & 0x03 != 0):
            self._on_field(bool(value & 0x03))

    def field_on(self) -> bool:
        return bool(self.regs[TX_CONTROL] & 0x03)

    def set_field(self, on: bool) -> None:
        self[TX_CONTROL] = (self.regs[TX_CONTROL] & ~0x03) | (0x03 if on else 0)

    # -- host access through ReadRegister / WriteRegister ---------------------------------------
    def read(self, addr: int) -> int:
        if addr == FIFO_DATA:
            return self.fifo.pop(0) if self.fifo else 0x00
        if addr == FIFO_LEVEL:
            return (self.regs[FIFO_LEVEL] & 0x80) | len(self.fifo)
        return self.regs[addr]

    def write(self, addr: int, value: int) -> None:
        value &= 0xFF
        if addr in READ_ONLY:
            return
        if addr == FIFO_DATA:
            if len(self.fifo) < FIFO_SIZE:
                self.fifo.append(value)
            else:
                self.regs[ERROR] |= 0x10  # BufferOvfl
            return
        if addr == FIFO_LEVEL:
            if value & 0x80:
                self.fifo = []
                self.regs[ERROR] &= ~0x10
            return
        if addr in (COMM_IRQ, DIV_IRQ):
            bits = value & 0x7F
            self.regs[addr] = (self.regs[addr] | bits) if value & 0x80 else (self.regs[addr] & ~bits)
            return
        if addr == CONTROL:
            self.regs[CONTROL] = (value & 0xF8) | (self.regs[CONTROL] & 0x07)
            return
        if addr == COMMAND:
            self.regs[COMMAND] = value
            self._command(value & 0x0F)
            return
        self[addr] = value
        if addr == BIT_FRAMING and value & 0x80 and self.regs[COMMAND] & 0x0F == CMD_TRANSCEIVE:
            self._on_start(CMD_TRANSCEIVE)

    def _command(self, cmd: int) -> None:
        if cmd == CMD_SOFT_RESET:
            on = self.field_on()
            self.reset()
            if on:
                self._on_field(False)
        elif cmd == CMD_CALC_CRC:
            self.calc_crc()
        elif cmd == CMD_TRANSMIT:
            self._on_start(CMD_TRANSMIT)

    def calc_crc(self) -> None:
        """CalcCRC over the FIFO with Mode's CRCPreset (type A uses 0x6363)."""
        preset = (0x0000, 0x6363, 0xA671, 0xFFFF)[self.regs[MODE] & 0x03]
        crc = preset
        for b in self.fifo:
            b = (b ^ crc) & 0xFF
            b = (b ^ (b << 4)) & 0xFF
            crc = ((crc >> 8) ^ (b << 8) ^ (b << 3) ^ (b >> 4)) & 0xFFFF
        self.fifo = []
        self.regs[CRC_RESULT_MSB] = crc >> 8
        self.regs[CRC_RESULT_LSB] = crc & 0xFF
        self.regs[STATUS1] |= 0x60  # CRCOk, CRCReady
        self.regs[DIV_IRQ] |= 0x04  # CRCIRq
        self.regs[COMMAND] &= 0xF0

    # -- what an exchange leaves behind -------------------------------------------------------------
    def exchange_done(self, received: Optional[bytes], last_bits: int, errors: int, timer_ticks: int) -> None:
        """After the CIU sent a frame and waited for the answer (None: timer expired)."""
        self.regs[ERROR] = errors
        irq = IRQ_TX | IRQ_IDLE
        if received is None:
            irq |= IRQ_TIMER
        else:
            irq |= IRQ_RX
            self.fifo = list(received[:FIFO_SIZE])
        if errors:
            irq |= IRQ_ERR
        self.regs[COMM_IRQ] = (self.regs[COMM_IRQ] & 0x80) | irq
        self.regs[CONTROL] = (self.regs[CONTROL] & 0xF8) | (last_bits & 0x07)
        self.regs[COLL] = 0xA0  # no collision: CollPosNotValid
        reload = (self.regs[T_RELOAD_HI] << 8) | self.regs[T_RELOAD_LO]
        counter = max(0, reload - timer_ticks) if received is not None else 0
        self.regs[T_COUNTER_HI], self.regs[T_COUNTER_LO] = counter >> 8, counter & 0xFF
        self.regs[COMMAND] &= 0xF0  # back to Idle
        self.regs[BIT_FRAMING] &= 0x7F  # StartSend done

    def timer_divider(self) -> int:
        prescaler = ((self.regs[T_MODE] & 0x0F) << 8) | self.regs[T_PRESCALER]
        return 2 * prescaler + 1
