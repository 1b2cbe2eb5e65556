"""PN532 command layer: framing, ACK/NACK handling, status codes, chip commands.

One chip-independent core over three transports (``pn532_uart``, ``pn532_i2c``,
``pn532_spi``). Every operation that waits is a generator used as
``result = yield from pn532.command(...)``; every wait is bounded by a
``core.tasks.Deadline``. Reference: NXP UM0701-02 (PN532 user manual).

Frames (host interface)::

    normal    00 00 FF LEN LCS TFI PD0..PDn DCS 00      LEN = TFI + data, LEN + LCS = 0
    extended  00 00 FF FF FF LENM LENL LCS TFI ... DCS 00
    ACK       00 00 FF 00 FF 00
    NACK      00 00 FF FF 00 00
    error     00 00 FF 01 FF 7F 81 00                   (the chip rejected a frame)

TFI is D4 host->PN532 and D5 PN532->host; the response code is the command + 1.
"""
from micropython import const

from core.errors import DriverError, WaitTimeout
from core.tasks import Deadline, sleep_ms

# -- commands (UM0701-02 section 7) -------------------------------------------
CMD_DIAGNOSE = const(0x00)
CMD_GET_FIRMWARE_VERSION = const(0x02)
CMD_SET_SERIAL_BAUD_RATE = const(0x10)
CMD_SAM_CONFIGURATION = const(0x14)
CMD_RF_CONFIGURATION = const(0x32)
CMD_IN_DATA_EXCHANGE = const(0x40)
CMD_IN_LIST_PASSIVE_TARGET = const(0x4A)
CMD_IN_RELEASE = const(0x52)

HOST_TO_PN532 = const(0xD4)
PN532_TO_HOST = const(0xD5)
MAX_DATA = const(262)  # data bytes per InDataExchange, each direction
MAX_FRAME_DATA = const(265)  # TFI + command code + status/Tg + MAX_DATA ... rounded up

ACK = b"\x00\x00\xff\x00\xff\x00"
NACK = b"\x00\x00\xff\xff\x00\x00"
ERROR_FRAME = b"\x00\x00\xff\x01\xff\x7f\x81\x00"

# frame kinds returned by parse_frame
KIND_NONE = const(0)  # need more bytes
KIND_ACK = const(1)
KIND_NACK = const(2)
KIND_ERROR = const(3)  # the chip's application-level error frame
KIND_DATA = const(4)
KIND_BAD = const(5)  # checksum or format error: skip and resync

ACK_TIMEOUT_MS = const(15)  # UM0701 6.2.2: the ACK comes within 15 ms ...
_ACK_TRIES = const(3)  # ... else resend, a bounded number of times
_NACK_TRIES = const(2)  # a response with a bad checksum: ask for it again (NACK)
WAKE_MS = const(3)  # after an I2C or SPI wake-up (address, NSS low) before the first frame (HSU: see pn532_uart)
_SETTLE_MS = const(2)  # after SetSerialBaudRate's ACK, before switching the UART
_CONFIG_MS = const(200)  # answer time of the set-up commands (SAM, RF configuration, release...)

BAUD_CODES = {9600: 0x00, 19200: 0x01, 38400: 0x02, 57600: 0x03, 115200: 0x04,
              230400: 0x05, 460800: 0x06, 921600: 0x07, 1288000: 0x08}


# -- errors ---------------------------------------------------------------------
class Pn532Error(DriverError):
    """The chip or its bus did not behave."""

    code = "pn532"


class Pn532BusError(Pn532Error):
    """The I2C/SPI/UART bus failed (NACK on address, clock stretched too long) after retries."""

    code = "bus"


class Pn532NoAck(Pn532Error):
    """No ACK frame after every resend (chip absent, asleep, wrong mode switches)."""

    code = "no_ack"


class Pn532FrameError(Pn532Error):
    """A malformed frame, a bad checksum after NACK retries, or an unexpected response code."""

    code = "bad_frame"


class ResponseTooLong(Pn532FrameError):
    """A target's chained answer grew past the caller's bound."""

    code = "too_long"


class Pn532SyntaxError(Pn532Error):
    """The chip answered with its error frame (00 00 FF 01 FF 7F 81 00)."""

    code = "error_frame"


class Pn532Timeout(WaitTimeout):
    """No response frame within the bounded wait; the command was aborted with an ACK."""

    code = "timeout"


class Pn532StatusError(Pn532Error):
    """A command returned a non-zero status byte (see STATUS)."""

    code = "status"

    def __init__(self, status, detail=""):
        name = STATUS.get(status, ("unknown", None))[0]
        super().__init__(detail or ("status 0x%02x %s" % (status, name)))
        self.status = status
        self.name = name


class RfTimeout(Pn532StatusError):
    """0x01: the target did not answer in time (slow, or gone)."""

    code = "rf_timeout"


class RfError(Pn532StatusError):
    """The RF exchange was corrupted (CRC, parity, framing, ISO-DEP format)."""

    code = "rf_error"


class TargetGone(Pn532StatusError):
    """The target is no longer there or no longer in the right state (released, removed)."""

    code = "target_gone"


class ChipFault(Pn532StatusError):
    """The chip protected itself or ran out of buffer (temperature, over-current...)."""

    code = "chip_fault"


class ParamError(Pn532StatusError):
    """The chip refused the command's parameters or context."""

    code = "param"


# status byte (low 6 bits) -> (name, error class); UM0701-02 section 7.1, table 15
STATUS = {
    0x01: ("timeout", RfTimeout),
    0x02: ("crc", RfError),
    0x03: ("parity", RfError),
    0x04: ("bit_count", RfError),
    0x05: ("framing", RfError),
    0x06: ("bit_collision", RfError),
    0x07: ("buffer_size", ChipFault),
    0x09: ("rf_buffer_overflow", RfError),
    0x0A: ("rf_field_late", RfError),
    0x0B: ("rf_protocol", RfError),
    0x0D: ("temperature", ChipFault),
    0x0E: ("internal_overflow", ChipFault),
    0x10: ("invalid_parameter", ParamError),
    0x12: ("dep_unsupported", RfError),
    0x13: ("data_format", RfError),
    0x14: ("mifare_auth", RfError),
    0x23: ("uid_check", RfError),
    0x25: ("dep_state", ParamError),
    0x26: ("not_allowed", ParamError),
    0x27: ("wrong_context", TargetGone),
    0x29: ("released", TargetGone),
    0x2A: ("card_exchanged", TargetGone),
    0x2B: ("card_disappeared", TargetGone),
    0x2C: ("nfcid3_mismatch", RfError),
    0x2D: ("over_current", ChipFault),
    0x2E: ("nad_missing", RfError),
}


def status_error(status):
    """The typed exception for a status byte (MI bit ignored)."""
    status &= 0x3F
    cls = STATUS.get(status, (None, Pn532StatusError))[1]
    return cls(status)


def check_status(status):
    if status & 0x3F:
        raise status_error(status)


# -- frames -----------------------------------------------------------------------
def build_frame(buf, cmd, params):
    """Write the frame for ``cmd`` + ``params`` into ``buf`` (a bytearray); return its length."""
    n = len(params) + 2  # TFI + command code
    if n > 0xFFFF - 1:
        raise ValueError("frame too long")
    buf[0] = 0
    buf[1] = 0
    buf[2] = 0xFF
    if n <= 255:
        buf[3] = n
        buf[4] = (-n) & 0xFF
        i = 5
    else:
        buf[3] = 0xFF
        buf[4] = 0xFF
        buf[5] = n >> 8
        buf[6] = n & 0xFF
        buf[7] = (-(buf[5] + buf[6])) & 0xFF
        i = 8
    buf[i] = HOST_TO_PN532
    buf[i + 1] = cmd
    s = HOST_TO_PN532 + cmd
    j = i + 2
    for b in params:
        buf[j] = b
        s += b
        j += 1
    buf[j] = (-s) & 0xFF
    buf[j + 1] = 0
    return j + 2


def frame(cmd, params=b"", tfi=HOST_TO_PN532):
    """A complete frame as bytes (tests, tools). ``tfi`` D4 (host) or D5 (chip)."""
    body = bytes([tfi, cmd]) + bytes(params)
    n = len(body)
    if n <= 255:
        head = bytes([0, 0, 0xFF, n, (-n) & 0xFF])
    else:
        hi = n >> 8
        lo = n & 0xFF
        head = bytes([0, 0, 0xFF, 0xFF, 0xFF, hi, lo, (-(hi + lo)) & 0xFF])
    return head + body + bytes([(-sum(body)) & 0xFF, 0])


def parse_frame(buf, start, end):
    """Parse one frame from ``buf[start:end]``.

    Returns ``(kind, data_start, data_end, next_index)``: ``kind`` is one of the
    KIND_* constants; for KIND_DATA the frame's TFI + data lie in
    ``buf[data_start:data_end]``. Leading bytes before the start code are skipped;
    KIND_NONE means "need more bytes" (``next_index`` = where to keep from).
    """
    i = start
    # find the start code 00 FF
    while i + 1 < end:
        if buf[i] == 0 and buf[i + 1] == 0xFF:
            break
        i += 1
    else:
        return KIND_NONE, 0, 0, (i if i < end and buf[i] == 0 else end)
    if i + 3 >= end:
        return KIND_NONE, 0, 0, i
    a = buf[i + 2]
    b = buf[i + 3]
    if a == 0 and b == 0xFF:
        if i + 4 >= end:
            return KIND_NONE, 0, 0, i
        return KIND_ACK, 0, 0, i + 5
    if a == 0xFF and b == 0:
        if i + 4 >= end:
            return KIND_NONE, 0, 0, i
        return KIND_NACK, 0, 0, i + 5
    if a == 0xFF and b == 0xFF:
        if i + 6 >= end:
            return KIND_NONE, 0, 0, i
        n = (buf[i + 4] << 8) | buf[i + 5]
        if (buf[i + 4] + buf[i + 5] + buf[i + 6]) & 0xFF:
            return KIND_BAD, 0, 0, i + 2
        d = i + 7
    else:
        if (a + b) & 0xFF:
            return KIND_BAD, 0, 0, i + 2
        n = a
        d = i + 4
    if n == 0:
        return KIND_BAD, 0, 0, i + 2
    if d + n + 1 >= end:
        if n > MAX_FRAME_DATA + 8:
            return KIND_BAD, 0, 0, i + 2
        return KIND_NONE, 0, 0, i
    s = 0
    for k in range(d, d + n + 1):
        s += buf[k]
    if s & 0xFF:
        return KIND_BAD, 0, 0, i + 2
    if n == 1 and buf[d] == 0x7F:
        return KIND_ERROR, d, d + 1, d + n + 2
    return KIND_DATA, d, d + n, d + n + 2


class Target:
    """A target found by InListPassiveTarget (106 kbps type A).

    ``uid`` is kept for the record only: phones randomise it on every tap, so
    nothing is keyed on it (and it is never logged).
    """

    def __init__(self, tg, sens_res, sel_res, uid, ats):
        self.tg = tg
        self.sens_res = sens_res
        self.sel_res = sel_res
        self.uid = uid
        self.ats = ats

    def iso_dep(self):
        """SEL_RES bit 6 (0x20): the target speaks ISO/IEC 14443-4."""
        return bool(self.sel_res & 0x20)

    def __repr__(self):
        return "Target(tg=%d, sel_res=0x%02x, uid_len=%d, ats_len=%d)" % (
            self.tg, self.sel_res, len(self.uid), len(self.ats))


def parse_target_list(data):
    """Parse InListPassiveTarget's answer (after the response code) for 106 kbps type A."""
    if not data:
        raise Pn532FrameError("empty target list")
    nb = data[0]
    if nb == 0:
        return None
    i = 1
    try:
        tg = data[i]
        sens_res = bytes(data[i + 1:i + 3])
        sel_res = data[i + 3]
        n = data[i + 4]
        uid = bytes(data[i + 5:i + 5 + n])
        i = i + 5 + n
        ats = b""
        if sel_res & 0x20 and i < len(data):
            tl = data[i]
            ats = bytes(data[i:i + tl])
            if tl < 1 or len(ats) != tl:
                raise Pn532FrameError("truncated ATS")
        if len(uid) != n:
            raise Pn532FrameError("truncated UID")
    except IndexError:
        raise Pn532FrameError("truncated target list")
    return Target(tg, sens_res, sel_res, uid, ats)


class Pn532:
    """The chip, over one transport (see pn532_uart / pn532_i2c / pn532_spi).

    ``transport`` provides generators ``send(buf)`` (write one frame),
    ``receive(deadline, size)`` → ``(kind, buf, start, end)`` or None once the
    ``core.tasks.Deadline`` expired (``size``: largest TFI+data length expected, 0 for an ACK),
    ``wakeup()``; plus ``flush()``, ``set_baudrate(baud)`` and a ``name``.
    Counters ``frames_out``/``frames_in``/``bytes_out``/``bytes_in``.
    """

    def __init__(self, transport, ack_timeout_ms=None):
        self.transport = transport
        self.ack_timeout_ms = ack_timeout_ms or ACK_TIMEOUT_MS
        self._tx = bytearray(8 + 2 + MAX_DATA + 4 + 2)
        self._txv = memoryview(self._tx)
        self.awake = False
        self.firmware = None
        self.resends = 0  # counters for diagnostics / bench
        self.nacks_sent = 0
        self.aborts = 0

    # -- the one place where frames go out and come back ---------------------------
    def command(self, cmd, params, timeout_ms, resp_max):
        """Send ``cmd`` and return its response data (after the D5 / code bytes).

        Generator. ``resp_max`` is the largest data length expected (sizes bus reads).
        Raises Pn532NoAck, Pn532Timeout (after aborting with an ACK), Pn532SyntaxError,
        Pn532FrameError, Pn532BusError.
        """
        t = self.transport
        n = build_frame(self._tx, cmd, params)
        out = self._txv[:n]
        tries = 0
        while True:
            t.flush()
            yield from t.send(out)
            kind = yield from self._wait_ack(self.ack_timeout_ms)
            if kind == KIND_ACK:
                break
            if kind == KIND_ERROR:
                raise Pn532SyntaxError("error frame for command 0x%02x" % cmd)
            tries += 1
            self.resends += 1
            if tries == 1:
                yield from t.wakeup()  # asleep after a reset / power-up: wake it, then resend
            if tries >= _ACK_TRIES:
                raise Pn532NoAck("no ACK for command 0x%02x" % cmd)
        self.awake = True
        deadline = Deadline(timeout_ms)
        nacks = 0
        while True:
            got = yield from t.receive(deadline, resp_max + 2)
            if got is None:
                yield from t.send(ACK)  # abort the command in the chip (UM0701 6.2.1.4)
                self.aborts += 1
                raise Pn532Timeout("no response to command 0x%02x" % cmd)
            kind, buf, s, e = got
            if kind == KIND_ACK:
                continue  # a late ACK after a resend
            if kind == KIND_ERROR:
                raise Pn532SyntaxError("error frame for command 0x%02x" % cmd)
            if kind == KIND_BAD or kind == KIND_NACK:
                nacks += 1
                if nacks > _NACK_TRIES:
                    raise Pn532FrameError("bad response frame for command 0x%02x" % cmd)
                self.nacks_sent += 1
                yield from t.send(NACK)  # ask the chip to send its last response again
                continue
            if e - s < 2 or buf[s] != PN532_TO_HOST or buf[s + 1] != ((cmd + 1) & 0xFF):
                raise Pn532FrameError("unexpected response to command 0x%02x" % cmd)
            return bytes(buf[s + 2:e])

    def _wait_ack(self, ms):
        deadline = Deadline(ms)
        while True:
            got = yield from self.transport.receive(deadline, 0)
            if got is None:
                return KIND_NONE
            kind = got[0]
            if kind == KIND_ACK or kind == KIND_ERROR:
                return kind
            # anything else before the ACK (a stale response, noise): ignore, keep waiting

    # -- chip commands ------------------------------------------------------------
    def begin(self):
        """Wake the chip, leave LowVbat (SAMConfiguration), read the firmware version.

        Returns ``(ic, ver, rev, support)``. Safe to call again after a reset.
        """
        self.awake = False
        yield from self.transport.wakeup()
        yield from self.sam_configuration()
        self.firmware = yield from self.get_firmware_version()
        if self.firmware[0] != 0x32:
            raise Pn532Error("not a PN532 (IC 0x%02x)" % self.firmware[0])
        return self.firmware

    def get_firmware_version(self):
        r = yield from self.command(CMD_GET_FIRMWARE_VERSION, b"", _CONFIG_MS, 4)
        if len(r) != 4:
            raise Pn532FrameError("bad firmware version")
        return (r[0], r[1], r[2], r[3])

    def sam_configuration(self, mode=0x01, timeout=0x14, irq=0x01):
        """Normal mode (no SAM); takes the chip out of LowVbat after power-up."""
        yield from self.command(CMD_SAM_CONFIGURATION, bytes((mode, timeout, irq)), _CONFIG_MS, 0)

    def rf_field(self, on, auto_rfca=False):
        """RFConfiguration item 0x01: switch the RF field on or off."""
        v = (0x02 if auto_rfca else 0) | (0x01 if on else 0)
        yield from self.command(CMD_RF_CONFIGURATION, bytes((0x01, v)), _CONFIG_MS, 0)

    def rf_timings(self, atr_res_timeout=0x0B, retry_timeout=0x0A):
        """RFConfiguration item 0x02 (RFU, fATR_RES_Timeout, fRetryTimeout)."""
        yield from self.command(CMD_RF_CONFIGURATION, bytes((0x02, 0x00, atr_res_timeout, retry_timeout)),
                                _CONFIG_MS, 0)

    def rf_com_retries(self, n=0):
        """RFConfiguration item 0x04: MaxRtyCOM, retries of InDataExchange on RF errors."""
        yield from self.command(CMD_RF_CONFIGURATION, bytes((0x04, n)), _CONFIG_MS, 0)

    def rf_max_retries(self, atr=0xFF, psl=0x01, passive_activation=0xFF):
        """RFConfiguration item 0x05: MxRtyATR, MxRtyPSL, MxRtyPassiveActivation (0xFF: forever)."""
        yield from self.command(CMD_RF_CONFIGURATION, bytes((0x05, atr, psl, passive_activation)), _CONFIG_MS, 0)

    def list_passive_target(self, timeout_ms):
        """InListPassiveTarget, one target, 106 kbps type A. Returns a Target or None.

        The chip tries MxRtyPassiveActivation times; set it finite (rf_max_retries)
        so that it answers "none" in time. Pn532Timeout (the command was aborted)
        means it did not: e.g. a reset chip back to its default (forever).
        """
        r = yield from self.command(CMD_IN_LIST_PASSIVE_TARGET, b"\x01\x00", timeout_ms, 64)
        return parse_target_list(r)

    def data_exchange(self, tg, data, timeout_ms, more=False):
        """One InDataExchange. Returns ``(more_info, data)``; raises the status's typed error."""
        if len(data) > MAX_DATA:
            raise ValueError("InDataExchange carries at most 262 bytes")
        params = bytes(((tg & 0x3F) | (0x40 if more else 0),)) + bytes(data)
        r = yield from self.command(CMD_IN_DATA_EXCHANGE, params, timeout_ms, 1 + MAX_DATA)
        if not r:
            raise Pn532FrameError("InDataExchange without status")
        check_status(r[0])
        return bool(r[0] & 0x40), r[1:]

    def exchange(self, tg, data, timeout_ms, max_resp):
        """Send ``data`` to target ``tg`` and return its whole answer, MI-chaining both ways.

        Data over 262 bytes goes in several InDataExchange with the MI bit (0x40) set in
        Tg; an answer whose status has MI set is fetched on with empty InDataExchange.
        ``timeout_ms`` bounds the whole exchange; ``max_resp`` bounds the answer.
        """
        deadline = Deadline(timeout_ms)
        mv = memoryview(data)
        off = 0
        n = len(data)
        while True:
            chunk = mv[off:off + MAX_DATA]
            off += len(chunk)
            more_out = off < n
            more, resp = yield from self.data_exchange(tg, chunk, max(1, deadline.remaining()), more_out)
            if not more_out:
                break
            if more or resp:
                raise Pn532FrameError("target answered a chained block")
        out = resp
        while more:
            if len(out) > max_resp:
                break
            more, resp = yield from self.data_exchange(tg, b"", max(1, deadline.remaining()))
            out = out + resp
        if len(out) > max_resp:
            raise ResponseTooLong("answer longer than %d bytes" % max_resp)
        return out

    def release(self, tg=0):
        """InRelease (0 = all targets). The status is ignored: the target may be gone."""
        r = yield from self.command(CMD_IN_RELEASE, bytes((tg,)), _CONFIG_MS, 1)
        return r[0] if r else 0

    def presence(self, timeout_ms):
        """Diagnose test 0x06: is the ISO-DEP target still answering? Returns bool."""
        try:
            r = yield from self.command(CMD_DIAGNOSE, b"\x06", timeout_ms, 1)
        except Pn532Timeout:
            return False
        return bool(r) and (r[0] & 0x3F) == 0

    def set_baudrate(self, baud):
        """SetSerialBaudRate (HSU only): the chip answers, we ACK, both switch."""
        code = BAUD_CODES.get(baud)
        if code is None:
            raise ValueError("unsupported baud rate")
        yield from self.command(CMD_SET_SERIAL_BAUD_RATE, bytes((code,)), _CONFIG_MS, 0)
        yield from self.transport.send(ACK)
        yield from sleep_ms(_SETTLE_MS)
        self.transport.set_baudrate(baud)
