# Run as firmware (CPython and MicroPython): unit checks of the QR capture path
# with fakes (no I/O): dedup, text checks, the GM65 byte parser, the Tiny Code
# Reader driver on a fake I2C bus, the OpenMV back end on a fake sensor module.
# Prints one JSON object {check name: result}; the pytest side asserts.
# Time moves only when this script says so (one millisecond per scheduler turn).
import binascii
import json

from core import clock
from core.tasks import Scheduler
from qr import capture, dedup, gm65
from qr.capture import QrCapture, check_text
from qr.tiny_code_reader import TinyCodeReader
from qr.openmv_camera import OpenMvCamera

out = {}
now = [0]
clock.use_ticks(lambda: now[0])


def turn(sched):
    sched.run_once()
    now[0] += 1


# -- dedup -------------------------------------------------------------------
d = dedup.Dedup(hold_off_ms=3000, capacity=3)
k1 = dedup.key_of("CODE-1")
k2 = dedup.key_of(b"CODE-2")
seq = []
seq.append(d.fresh(k1, 1000))  # new
seq.append(d.fresh(k1, 1200))  # held
seq.append(d.fresh(k1, 4000))  # still held (2.8 s since last read)
seq.append(d.fresh(k2, 4100))  # another code
seq.append(d.fresh(k1, 7100))  # absent 3.1 s: new again
seq.append(d.fresh(k1, 7200))
out["dedup_seq"] = seq
# capacity: 3 slots, a 4th code evicts the one seen longest ago
d = dedup.Dedup(hold_off_ms=3000, capacity=3)
for i, t in enumerate((10, 20, 30)):
    d.fresh(dedup.key_of("K" + str(i)), t)
evict = [d.fresh(dedup.key_of("K3"), 40), d.fresh(dedup.key_of("K0"), 50), d.fresh(dedup.key_of("K2"), 60)]
out["dedup_evict"] = evict  # K3 new, K0 evicted -> new, K2 kept -> duplicate
# tick wraparound: ticks_ms wraps at 2**30 on MicroPython
d = dedup.Dedup(hold_off_ms=3000, capacity=2)
top = (1 << 30) - 500
out["dedup_wrap"] = [d.fresh(k1, top), d.fresh(k1, clock.ticks_add(top, 1000)),
                     d.fresh(k1, clock.ticks_add(top, 5000))]
out["key_len"] = len(k1)

# -- text checks ----------------------------------------------------------------
out["check_ok"] = check_text(b"HC1:ABC", 100)[0]
out["check_gs"] = check_text(b"IS01S1\x1dS2", 100)[0]
out["check_utf8"] = check_text("Zoé".encode(), 100)[0]
out["check_long"] = check_text(b"A" * 101, 100)[1][0]
out["check_ctrl"] = check_text(b"A\x00B", 100)[1][0]
out["check_del"] = check_text(b"A\x7fB", 100)[1][0]
out["check_bad_utf8"] = check_text(b"\xc3\x28", 100)[1][0]

# -- GM65 parser: chunking, tails, responses ------------------------------------
p = gm65.Parser(max_len=16, gap_ms=50)
stream = b"HELLO\r\nWOR" + b"LD\r" + b"\nA\nB\r\n" + gm65.ACK + b"X" * 20 + b"\r\n" + b"\r\n"
for i in range(len(stream)):  # one byte at a time: the worst split
    p.feed(stream[i:i + 1], 0)
p.feed(b"\x02\x00\x00\x01\x00\x33\x32", 0)  # response with a bad CRC
p.feed(b"\x02\x00\x00\x02\xd5\x21" + bytes((gm65.crc16(b"\x00\x02\xd5\x21") >> 8,
                                          gm65.crc16(b"\x00\x02\xd5\x21") & 0xFF)), 0)
p.feed(b"NOTAIL", 0)
p.idle(10)  # not idle long enough
n_before = len(p.events)
p.idle(100)
p.feed(b"\x02\x00\x00\x05", 200)  # a response cut short
p.idle(400)
p.feed(b"\x02Q9\r\n", 500)  # STX then not 00: code text (the capture rejects it)
ev = []
for e in p.events:
    e = list(e)
    if e[0] == "response":
        e[-1] = binascii.hexlify(e[-1]).decode()
    elif isinstance(e[-1], (bytes, bytearray)):
        e[-1] = bytes(e[-1]).decode()
    ev.append(e)
out["parser_events"] = ev
out["parser_n_before_idle"] = n_before
out["exact_max"] = None
p = gm65.Parser(max_len=8, gap_ms=50)
p.feed(b"12345678\r\n123456789\r\n", 0)
out["exact_max"] = [list(e) if not isinstance(e[1], bytes) else [e[0], e[1].decode()] for e in p.events]


# -- a sink recording what capture would deliver ---------------------------------
class Rec:
    def __init__(self):
        self.codes = []
        self.errors = []

    def on_code(self, text):
        self.codes.append(text)

    def on_error(self, code, detail):
        self.errors.append([code, detail])


# -- Tiny Code Reader on a fake I2C bus ------------------------------------------
def frame(content, length=None):
    b = bytearray(256)
    n = len(content) if length is None else length
    b[0] = n & 0xFF
    b[1] = n >> 8
    b[2:2 + min(len(content), 254)] = content[:254]
    return bytes(b)


class FakeI2C:
    def __init__(self, script):
        self.script = script  # list of 256-byte frames or "oserror"
        self.reads = 0
        self.addrs = []

    def readfrom_into(self, addr, buf):
        self.addrs.append(addr)
        item = self.script[min(self.reads, len(self.script) - 1)]
        self.reads += 1
        if item == "oserror":
            raise OSError(19)  # ENODEV: nothing answers at 0x0C
        buf[:] = item


short = b"VC1:SHORT-CODE"
long_code = b"A" * 300
script = ([frame(b"")] + [frame(short)] * 4 + [frame(b"")] * 3 + [frame(long_code[:254], 300)] * 3
          + ["oserror"] * 3 + [frame(b"\xff\xfe")] + [frame(short)])
bus = FakeI2C(script)
rec = Rec()
cap = QrCapture(TinyCodeReader(bus, poll_ms=0, retry_ms=0), rec.on_code, rec.on_error, hold_off_ms=3000)
sched = Scheduler()
sched.spawn(cap.task(), "qr")
turns = 0
while bus.reads < len(script) + 2 and turns < 10000:
    turn(sched)
    turns += 1
out["tcr_codes"] = rec.codes
out["tcr_errors"] = [e[0] for e in rec.errors]
out["tcr_error_details"] = [e[1] for e in rec.errors]
out["tcr_addr"] = bus.addrs[0]
out["tcr_duplicates"] = cap.duplicates
t = TinyCodeReader(FakeI2C([frame(b"B" * 254)]))
out["tcr_254"] = t.read_once()
t = TinyCodeReader(FakeI2C([frame(b"B" * 253)]))
out["tcr_253"] = len(t.read_once())


# -- OpenMV on a fake sensor module ---------------------------------------------
class FakeCode:
    def __init__(self, payload):
        self._p = payload

    def payload(self):
        return self._p


class FakeImage:
    def __init__(self, qrs, dms):
        self.qrs = qrs
        self.dms = dms

    def find_qrcodes(self):
        return [FakeCode(p) for p in self.qrs]

    def find_datamatrices(self):
        return [FakeCode(p) for p in self.dms]


class FakeSensor:
    GRAYSCALE = 1
    VGA = 8

    def __init__(self, frames):
        self.frames = frames
        self.calls = []
        self.n = 0

    def reset(self):
        self.calls.append("reset")

    def set_pixformat(self, f):
        self.calls.append("pixformat")

    def set_framesize(self, f):
        self.calls.append("framesize")

    def skip_frames(self, time=0):
        self.calls.append("skip")

    def set_auto_gain(self, on):
        pass

    def set_auto_whitebal(self, on):
        pass

    def snapshot(self):
        f = self.frames[min(self.n, len(self.frames) - 1)]
        self.n += 1
        return FakeImage(*f)


frames = [([], []), (["VC1:QR"], []), (["VC1:QR"], ["IS01S1X"]), ([], [])]
sensor = FakeSensor(frames)
rec = Rec()
cap = QrCapture(OpenMvCamera(sensor_module=sensor), rec.on_code, rec.on_error)
sched = Scheduler()
sched.spawn(cap.task(), "qr")
for _ in range(8):
    turn(sched)
out["openmv_codes"] = rec.codes
out["openmv_setup"] = sensor.calls


# -- make_qr_capture on board specs ----------------------------------------------
class B:
    scanner = None


out["no_scanner"] = capture.make_qr_capture(B(), rec.on_code) is None
B.scanner = ("tiny_code_reader", FakeI2C([frame(b"")]))
out["tcr_kind"] = type(capture.make_qr_capture(B(), rec.on_code).engine).__name__
B.scanner = ("gm65", None)
c = capture.make_qr_capture(B(), rec.on_code, max_len=1000, mode="continuous")
out["gm65_kind"] = [type(c.engine).__name__, c.engine.mode, c.engine.parser.max_len]
B.scanner = ("laser", None)
try:
    capture.make_qr_capture(B(), rec.on_code)
    out["unknown_kind"] = None
except capture.QrError as err:
    out["unknown_kind"] = err.code


# -- on_code raising does not stop capture ----------------------------------------
def boom(text):
    raise ValueError("app bug")


rec = Rec()
cap = QrCapture(TinyCodeReader(FakeI2C([frame(b"ONE")] * 2 + [frame(b"TWO")]), poll_ms=0), boom, rec.on_error)
sched = Scheduler()
sched.spawn(cap.task(), "qr")
for _ in range(30):
    turn(sched)
out["callback_errors"] = rec.errors
out["callback_task_alive"] = sched.names()

print(json.dumps(out))
