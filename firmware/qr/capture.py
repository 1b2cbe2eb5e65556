"""QR capture: one scheduler task from whatever scan engine the board has.

    capture = make_qr_capture(board, on_code, on_error)   # None without a scanner
    if capture is not None:
        scheduler.spawn(capture.task(), "qr")

``on_code(text)`` receives each new code once (``qr.dedup``): a ``str``
checked to be UTF-8 without control characters other than GS, RS and EOT
(used by Data Matrix / ISO 15434 formats) and at most ``max_len`` bytes.
Anything else goes to ``on_error(code, detail)`` with a code of
``qr.ERROR_CODES`` (``too_long``, ``bad_encoding``, ``engine_error``,
``empty``, ``callback_error``) and a technical detail, never the code's
content; an unreadable code held in view is reported once too.

``pause()`` / ``resume()`` stop and restart scanning (a GM65 in
command-trigger mode is simply not triggered). The task never ends: an
engine that fails is reported, then restarted after a bounded back-off.
"""
from core.tasks import sleep_ms
from qr import BAD_ENCODING, CALLBACK_ERROR, ENGINE_ERROR, HOLD_OFF_MS, MAX_LEN, TOO_LONG, QrError
from qr.dedup import Dedup, key_of

_ALLOWED_CONTROLS = (0x04, 0x1D, 0x1E)  # EOT, GS, RS


def check_text(data, max_len):
    """``bytes`` or ``str`` in; ``(text, None)`` or ``(None, (code, detail))``."""
    if isinstance(data, str):
        text = data
        data = data.encode()
    else:
        text = None
    if len(data) > max_len:
        return None, (TOO_LONG, str(len(data)) + " bytes, max " + str(max_len))
    if data and (min(data) < 0x20 or data.find(b"\x7f") >= 0):  # C loops first, per byte only if needed
        for i in range(len(data)):
            b = data[i]
            if (b < 0x20 and b not in _ALLOWED_CONTROLS) or b == 0x7F:
                return None, (BAD_ENCODING, "control byte " + str(b) + " at " + str(i))
    if text is None:
        try:
            text = data.decode()
        except UnicodeError:
            return None, (BAD_ENCODING, "not UTF-8")
    return text, None


class QrCapture:
    def __init__(self, engine, on_code, on_error=None, hold_off_ms=HOLD_OFF_MS, max_len=MAX_LEN, dedup_slots=8,
                 restart_ms=1000):
        self.engine = engine
        self.on_code = on_code
        self.on_error = on_error
        self.max_len = max_len
        self.restart_ms = restart_ms
        self.dedup = Dedup(hold_off_ms, dedup_slots)
        self.active = True
        self.delivered = 0  # codes passed to on_code
        self.duplicates = 0  # reads swallowed by de-duplication
        self.errors = 0  # on_error calls

    def pause(self):
        self.active = False

    def resume(self):
        self.active = True

    # -- the sink the engine calls ------------------------------------------
    def deliver(self, data):
        text, problem = check_text(data, self.max_len)
        if problem is not None:
            self.error(problem[0], problem[1], key_of(data))
            return
        if not self.dedup.fresh(key_of(data)):
            self.duplicates += 1
            return
        self.delivered += 1
        try:
            self.on_code(text)
        except Exception as err:  # the application's bug must not stop scanning
            self._report(CALLBACK_ERROR, type(err).__name__)

    def error(self, code, detail, key=None):
        """A failed read. ``key`` (bytes or str) de-duplicates it like a code; None = always report."""
        if key is not None:
            if isinstance(key, str):
                key = key.encode()
            if not self.dedup.fresh(key_of(b"\x00err" + code.encode() + b"\x00" + key)):
                self.duplicates += 1
                return
        self._report(code, detail)

    def _report(self, code, detail):
        self.errors += 1
        if self.on_error is not None:
            self.on_error(code, detail)

    # -- the scheduler task ---------------------------------------------------
    def task(self):
        while True:
            try:
                yield from self.engine.run(self)
            except QrError as err:
                self._report(err.code, str(err))
            except OSError as err:
                self._report(ENGINE_ERROR, "bus: " + str(err.args[0] if err.args else ""))
            yield from sleep_ms(self.restart_ms)


def make_engine(spec, **options):
    """The engine object for a board's ``scanner`` spec (see docs/ARCHITECTURE.md)."""
    kind = spec[0]
    if kind == "gm65":
        from qr.gm65 import Gm65
        return Gm65(spec[1], **options)
    if kind == "tiny_code_reader":
        from qr.tiny_code_reader import TinyCodeReader
        return TinyCodeReader(spec[1], **options)
    if kind == "openmv":
        from qr.openmv_camera import OpenMvCamera
        return OpenMvCamera(**options)
    raise QrError("unknown scanner kind " + str(kind), ENGINE_ERROR)


def make_qr_capture(board, on_code, on_error=None, hold_off_ms=HOLD_OFF_MS, max_len=MAX_LEN, **engine_options):
    """A ``QrCapture`` for ``board.scanner``, or None when the board has no scan engine.

    ``engine_options`` go to the engine (GM65: ``mode``, ``session_ms``, ``gap_ms``...;
    the GM65 ``max_len`` follows ``max_len``).
    """
    spec = getattr(board, "scanner", None)
    if not spec:
        return None
    if spec[0] == "gm65" and "max_len" not in engine_options:
        engine_options["max_len"] = max_len
    engine = make_engine(spec, **engine_options)
    return QrCapture(engine, on_code, on_error, hold_off_ms, max_len)
