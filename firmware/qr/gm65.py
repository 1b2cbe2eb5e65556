"""GM65-class UART scan engines (Grow GM65, GM805, GM812 and compatibles).

Wire protocol (the module's serial command protocol; see protocol/QR.md):

- command ``7E 00 | type | len | addr_hi addr_lo | data[len] | crc_hi crc_lo``;
  type 07 read zone bytes, 08 write zone bytes, 09 save zone bytes to flash;
- response ``02 00 | status | len | data[len] | crc_hi crc_lo`` (status 00 =
  success); a write answers ``02 00 00 01 00 33 31``;
- CRC: CRC-CCITT (poly 0x1021, initial value 0, no reflection, big-endian)
  over ``type .. data`` of a command and ``status .. data`` of a response;
- decoded symbols arrive as raw bytes followed by the configured tail.

What the driver does (``Gm65.run``): at start (and after any failure) it
writes the working mode (zone 0x0000), the output format (0x0060: raw data,
CR LF tail, no prefix, suffix or code id), the session time (0x0006) and
enables QR and Data Matrix (0x003F, 0x0054), each write confirmed by its
response frame, retried, bounded. Nothing is saved to the module's flash:
the configuration is re-applied at every boot, so a module swapped in the
field just works and its flash is never worn.

Command-trigger mode (the default) then loops: write 0x0002 = 01 (start a
scan session), wait for the ACK, collect the code until the tail, and
trigger again. The ACK of every trigger doubles as a liveness check, the
firmware decides when the camera scans (``sink.active``), and a session
yields at most one code. Continuous mode (``mode="continuous"``) is
supported too: configure once, then just read.

Bytes are assembled into one preallocated buffer: a code ends at CR LF, or
after ``gap_ms`` of silence (a module configured without a tail); a code
over ``max_len`` is dropped and reported as ``too_long``. A ``02 00`` at a
code boundary starts a response frame, anything else is code text.
"""
from micropython import const

from core import clock
from core.tasks import Deadline, sleep_ms
from qr import EMPTY, ENGINE_ERROR, MAX_LEN, TOO_LONG, QrError

# command types
READ = const(0x07)
WRITE = const(0x08)
SAVE = const(0x09)
# zone addresses
REG_MODE = const(0x0000)  # bit7 decode LED, bit6 beep, bit5-4 aim, bit3-2 light, bit1-0 mode
REG_TRIGGER = const(0x0002)  # write 01: start a scan session (command-trigger mode), 00: stop
REG_SESSION = const(0x0006)  # read time of one session, in 100 ms (0 = until a code is read)
REG_OUTPUT = const(0x0060)  # bit7 protocol output, bit6-5 tail (00 CR, 01 CRLF, 10 TAB), bit0 tail on
REG_QR = const(0x003F)  # 01 = QR Code enabled
REG_DATAMATRIX = const(0x0054)  # 01 = Data Matrix enabled

MODE_MANUAL = const(0)
MODE_TRIGGER = const(1)
MODE_CONTINUOUS = const(2)
MODE_INDUCTION = const(3)
_MODE_BASE = const(0xD4)  # decode LED on, beep on, aiming and illumination "normal"
OUTPUT_RAW_CRLF = const(0x21)  # raw data, tail CR LF enabled, no prefix / suffix / code id / RF message

ACK = b"\x02\x00\x00\x01\x00\x33\x31"  # the response to a successful write or save

_RESP_MAX = const(261)  # 4 header bytes + 255 data + 2 CRC
_GAP_MS = const(80)  # silence that ends a code sent without a tail
_SESSION_SLACK_MS = const(200)  # past the module's own session time, before the driver triggers again
_FINISH_MS = const(3000)  # bound on a code still arriving when a session ends (gap_ms ends it sooner)
_CR = const(13)
_LF = const(10)


def crc16(data, crc=0):
    """CRC-CCITT (XModem flavour): poly 0x1021, init 0, MSB first."""
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            if crc & 0x8000:
                crc = ((crc << 1) ^ 0x1021) & 0xFFFF
            else:
                crc = (crc << 1) & 0xFFFF
    return crc


def command(kind, addr, data):
    """One command frame: ``7E 00 kind len addr data crc``."""
    body = bytes((kind, len(data), addr >> 8, addr & 0xFF)) + bytes(data)
    crc = crc16(body)
    return b"\x7e\x00" + body + bytes((crc >> 8, crc & 0xFF))


class Parser:
    """Bytes from the module in; codes, overlong codes and response frames out.

    ``feed(data, now)`` and ``idle(now)`` append events to ``events``:
    ``("code", bytes)``, ``("too_long", length)``, ``("empty", 0)``,
    ``("response", status, data)`` or ``("bad_response", detail)``.
    """

    def __init__(self, max_len=MAX_LEN, gap_ms=_GAP_MS):
        self.max_len = max_len
        self.gap_ms = gap_ms
        self._cap = max_len + 1  # room for the CR of the tail
        self._buf = bytearray(self._cap)
        self._mv = memoryview(self._buf)
        self._n = 0  # bytes kept
        self._total = 0  # bytes of the current code, kept or not
        self._prev = -1  # last code byte seen (kept or not)
        self._resp = bytearray(_RESP_MAX)
        self._rn = 0
        self._last_rx = clock.ticks_ms()
        self.events = []

    def reset(self):
        self._n = 0
        self._total = 0
        self._prev = -1
        self._rn = 0
        del self.events[:]

    def busy(self):
        return self._total > 0 or self._rn > 0

    def _end_code(self, strip):
        n = self._n
        total = self._total
        if strip:
            n -= 1  # the CR of the CR LF tail
            total -= 1
        if total > self.max_len:
            self.events.append(("too_long", total))
        elif n <= 0:
            self.events.append(("empty", 0))
        else:
            self.events.append(("code", bytes(self._mv[:n])))
        self._n = 0
        self._total = 0
        self._prev = -1

    def _keep(self, view):
        k = len(view)
        if not k:
            return
        room = self._cap - self._n
        if k <= room:
            self._mv[self._n:self._n + k] = view
            self._n += k
        elif room > 0:
            self._mv[self._n:self._cap] = view[:room]
            self._n = self._cap
        self._total += k
        self._prev = view[k - 1]

    def feed(self, data, now=None):
        self._last_rx = clock.ticks_ms() if now is None else now
        if not isinstance(data, (bytes, bytearray)):
            data = bytes(data)
        view = memoryview(data)
        i = 0
        size = len(data)
        while i < size:
            if self._rn:
                i = self._feed_response(view, i, size)
                continue
            if self._total == 0 and data[i] == 0x02:
                self._resp[0] = 0x02
                self._rn = 1
                i += 1
                continue
            j = data.find(b"\n", i)
            if j < 0:
                self._keep(view[i:size])
                return
            self._keep(view[i:j])
            i = j + 1
            if self._prev == _CR:
                self._end_code(True)
            else:
                self._keep(view[j:j + 1])  # a line feed inside a code is data

    def _feed_response(self, view, i, size):
        resp = self._resp
        while i < size:
            resp[self._rn] = view[i]
            self._rn += 1
            i += 1
            rn = self._rn
            if rn == 2 and resp[1] != 0x00:
                # not a response: STX and the next byte are the start of a (bad) code
                self._rn = 0
                self._keep(memoryview(resp)[:2])
                return i
            if rn >= 4 and rn == 6 + resp[3]:
                self._rn = 0
                length = resp[3]
                got = (resp[4 + length] << 8) | resp[5 + length]
                if crc16(memoryview(resp)[2:4 + length]) != got:
                    self.events.append(("bad_response", "crc"))
                else:
                    self.events.append(("response", resp[2], bytes(resp[4:4 + length])))
                return i
        return i

    def idle(self, now=None):
        """End a code (or drop a response) after ``gap_ms`` without bytes."""
        if not self.busy():
            return
        if now is None:
            now = clock.ticks_ms()
        if clock.ticks_diff(now, self._last_rx) < self.gap_ms:
            return
        if self._rn:
            self._rn = 0
            self.events.append(("bad_response", "truncated"))
            return
        # no tail: strip a lone CR or LF the module may have sent
        while self._n > 0 and self._buf[self._n - 1] in (_CR, _LF):
            self._n -= 1
            self._total -= 1
        self._end_code(False)


class Gm65:
    """A GM65-class engine on a UART-like object (``any()``, ``read(n)``, ``write(buf)``)."""

    def __init__(self, uart, mode="trigger", session_ms=3000, max_len=MAX_LEN, gap_ms=_GAP_MS,
                 ack_ms=300, retries=3, retry_ms=2000, enable_datamatrix=True):
        if mode not in ("trigger", "continuous"):
            raise QrError("gm65 mode is 'trigger' or 'continuous'", ENGINE_ERROR)
        self._uart = uart
        self.mode = mode
        self.session_ms = session_ms
        self.ack_ms = ack_ms
        self.retries = retries
        self.retry_ms = retry_ms
        self.enable_datamatrix = enable_datamatrix
        self.parser = Parser(max_len, gap_ms)
        self.state = "starting"  # "ready", "failed"
        self._response = None
        self.sessions = 0  # trigger commands acknowledged
        self.reads = 0  # codes (good or not) that ended a session

    # -- configuration ------------------------------------------------------
    def config_writes(self):
        """The (address, bytes) writes applied at start, in order."""
        mode = MODE_TRIGGER if self.mode == "trigger" else MODE_CONTINUOUS
        writes = [(REG_MODE, bytes((_MODE_BASE | mode,))), (REG_OUTPUT, bytes((OUTPUT_RAW_CRLF,)))]
        if self.mode == "trigger":
            tenths = self.session_ms // 100
            writes.append((REG_SESSION, bytes((max(1, min(255, tenths)),))))
        writes.append((REG_QR, b"\x01"))
        if self.enable_datamatrix:
            writes.append((REG_DATAMATRIX, b"\x01"))
        return writes

    # -- I/O --------------------------------------------------------------
    def _pump(self, sink):
        """Read what is there, hand out finished codes. Returns True if bytes came in."""
        uart = self._uart
        got = False
        n = uart.any()
        if n:
            data = uart.read(n)
            if data:
                got = True
                self.parser.feed(data)
        if not got:
            self.parser.idle()
        events = self.parser.events
        while events:
            ev = events.pop(0)
            kind = ev[0]
            if kind == "code":
                self.reads += 1
                sink.deliver(ev[1])
            elif kind == "response":
                self._response = ev
            elif kind == "too_long":
                self.reads += 1
                sink.error(TOO_LONG, "code of " + str(ev[1]) + " bytes, max " + str(self.parser.max_len),
                           "len" + str(ev[1]))
            elif kind == "empty":
                self.reads += 1
                sink.error(EMPTY, "tail without text", "empty")
            else:
                self._response = ev  # bad_response: the pending command fails
        return got

    def _drain(self, sink):
        """Discard bytes left from the module's boot or an earlier session (bounded)."""
        for _ in range(16):
            n = self._uart.any()
            if not n:
                break
            self._uart.read(n)
        self.parser.reset()

    def _command(self, sink, kind, addr, data):
        """Send a command, wait for its response: a generator returning the response data or None."""
        frame = command(kind, addr, data)
        for _ in range(self.retries):
            self._response = None
            self._uart.write(frame)
            deadline = Deadline(self.ack_ms)
            while not deadline.expired():
                progress = self._pump(sink)
                if self._response is not None:
                    break
                yield progress
            resp = self._response
            self._response = None
            if resp is not None and resp[0] == "response" and resp[1] == 0:
                return resp[2]
            yield
        return None

    def _configure(self, sink):
        for addr, data in self.config_writes():
            got = yield from self._command(sink, WRITE, addr, data)
            if got is None:
                return False
        return True

    def _fail(self, sink, what):
        if self.state != "failed":
            sink.error(ENGINE_ERROR, "gm65: no valid response to " + what, "gm65")
        self.state = "failed"

    # -- the task -----------------------------------------------------------
    def run(self, sink):
        while True:
            self._drain(sink)
            ok = yield from self._configure(sink)
            if not ok:
                self._fail(sink, "configuration")
                yield from sleep_ms(self.retry_ms)
                continue
            self.state = "ready"
            if self.mode == "continuous":
                while True:
                    yield self._pump(sink)
            while True:
                if not sink.active:
                    yield self._pump(sink)
                    continue
                ack = yield from self._command(sink, WRITE, REG_TRIGGER, b"\x01")
                if ack is None:
                    self._fail(sink, "trigger")
                    yield from sleep_ms(self.retry_ms)
                    break  # reconfigure: the module may have been power-cycled
                self.state = "ready"
                self.sessions += 1
                # one session: the module stops after one read or after session_ms
                deadline = Deadline(self.session_ms + _SESSION_SLACK_MS)
                reads = self.reads
                while self.reads == reads and not deadline.expired():
                    yield self._pump(sink)
                # let a code that straddles the deadline finish (bounded: gap_ms ends it)
                deadline = Deadline(_FINISH_MS)
                while self.parser.busy() and not deadline.expired():
                    yield self._pump(sink)
