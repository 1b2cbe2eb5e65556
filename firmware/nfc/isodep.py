"""ISO/IEC 7816-4 APDUs over an ISO-DEP target (the PN532 does the 14443-4 blocks).

Short APDUs only (Lc ≤ 255, Le ≤ 256). Longer command data goes out with
command chaining (CLA bit 0x10); a response announced by SW 61xx is fetched
with GET RESPONSE; 6Cxx is retried once with the right Le. Every logical
exchange runs against a time budget. Status words come back as typed
results (:class:`Response`); :meth:`Response.check` raises :class:`SwError`.
"""
from micropython import const

from core.errors import CaptureError, WaitTimeout
from core.tasks import Deadline
from nfc.pn532 import ResponseTooLong

_MAX_LC = const(255)
_MAX_RAPDU = const(258)  # 256 data bytes + SW1 SW2
_GET_RESPONSE_MAX = const(32)  # bounded number of GET RESPONSE rounds


class ApduError(CaptureError):
    """A response that is no valid short R-APDU (too short, oversized)."""

    code = "bad_apdu"


class SwError(CaptureError):
    """A status word other than 9000 where success was required."""

    code = "status_word"

    def __init__(self, sw, what=""):
        super().__init__("%s sw %04x %s" % (what, sw, sw_name(sw)))
        self.sw = sw


class BudgetExpired(WaitTimeout):
    """The exchange's time budget ran out before the phone finished answering."""

    code = "timeout"


# ISO/IEC 7816-4 section 5.6 (the ones a phone application returns)
SW_NAMES = {
    0x9000: "ok",
    0x6281: "data_corrupted",
    0x6700: "wrong_length",
    0x6882: "secure_messaging_unsupported",
    0x6883: "last_command_expected",
    0x6884: "chaining_unsupported",
    0x6982: "security_status",
    0x6985: "conditions_not_satisfied",
    0x6986: "command_not_allowed",
    0x6A80: "wrong_data",
    0x6A81: "function_unsupported",
    0x6A82: "not_found",
    0x6A86: "wrong_p1p2",
    0x6A87: "lc_inconsistent",
    0x6D00: "ins_unsupported",
    0x6E00: "cla_unsupported",
    0x6F00: "unknown_error",
}


def sw_name(sw):
    name = SW_NAMES.get(sw)
    if name is not None:
        return name
    if sw >> 8 == 0x61:
        return "more_data"
    if sw >> 8 == 0x6C:
        return "wrong_le"
    return "unknown"


class Response:
    """A response APDU: ``data`` and the status word ``sw`` (SW1 << 8 | SW2)."""

    def __init__(self, data, sw):
        self.data = data
        self.sw = sw

    @property
    def sw1(self):
        return self.sw >> 8

    @property
    def sw2(self):
        return self.sw & 0xFF

    @property
    def ok(self):
        return self.sw == 0x9000

    @property
    def name(self):
        return sw_name(self.sw)

    def check(self, what=""):
        if self.sw != 0x9000:
            raise SwError(self.sw, what)
        return self.data

    def __repr__(self):
        return "Response(%d bytes, sw=%04x)" % (len(self.data), self.sw)


def build(cla, ins, p1, p2, data=b"", le=None):
    """A short command APDU (case 1-4). ``le`` None: no Le field; 256 encodes as 00."""
    n = len(data)
    if n > _MAX_LC:
        raise ValueError("Lc over 255: use command chaining")
    head = bytes((cla, ins, p1, p2))
    if n:
        head = head + bytes((n,)) + bytes(data)
    if le is not None:
        if le < 1 or le > 256:
            raise ValueError("Le out of range")
        head = head + bytes((le & 0xFF,))
    return head


def parse(raw):
    if len(raw) < 2:
        raise ApduError("response of %d bytes" % len(raw))
    if len(raw) > _MAX_RAPDU:
        raise ApduError("response of %d bytes for a short APDU" % len(raw))
    return Response(bytes(raw[:-2]), (raw[-2] << 8) | raw[-1])


class IsoDep:
    """APDU exchanges with target ``tg`` through ``pn532`` (a ``nfc.pn532.Pn532``)."""

    def __init__(self, pn532, tg=1, max_response=4096):
        self.pn532 = pn532
        self.tg = tg
        self.max_response = max_response
        self.apdus = 0  # counters for the bench
        self.bytes_out = 0
        self.bytes_in = 0

    def transmit(self, apdu, deadline):
        """One raw command/response pair (no chaining logic) within ``deadline`` (a ``Deadline``)."""
        left = deadline.remaining()
        if left <= 0:
            raise BudgetExpired("exchange budget spent")
        try:
            raw = yield from self.pn532.exchange(self.tg, apdu, left, _MAX_RAPDU)
        except ResponseTooLong:
            raise ApduError("oversized response")
        self.apdus += 1
        self.bytes_out += len(apdu)
        self.bytes_in += len(raw)
        return raw

    def send(self, cla, ins, p1, p2, data, le, budget_ms):
        """Send one logical command within ``budget_ms``; return its :class:`Response`
        (all 61xx parts joined).

        Generator. Raises ApduError, BudgetExpired, or the driver's typed errors.
        """
        deadline = Deadline(budget_ms)
        mv = memoryview(data)
        off = 0
        while len(data) - off > _MAX_LC:  # command chaining, ISO 7816-4 section 5.1.1.1
            chunk = mv[off:off + _MAX_LC]
            off += _MAX_LC
            r = parse((yield from self.transmit(build(cla | 0x10, ins, p1, p2, chunk), deadline)))
            if not r.ok:
                return r  # the phone refused a chained part: its status word says why
        last = bytes(mv[off:])
        r = parse((yield from self.transmit(build(cla, ins, p1, p2, last, le), deadline)))
        if r.sw1 == 0x6C:  # wrong Le: the phone says the right one
            r = parse((yield from self.transmit(build(cla, ins, p1, p2, last, r.sw2 or 256), deadline)))
        out = r.data
        rounds = 0
        while r.sw1 == 0x61:
            rounds += 1
            if rounds > _GET_RESPONSE_MAX or len(out) > self.max_response:
                raise ApduError("response longer than %d bytes" % self.max_response)
            r = parse((yield from self.transmit(build(cla & 0x03, 0xC0, 0, 0, b"", r.sw2 or 256), deadline)))
            out = out + r.data
        if len(out) > self.max_response:
            raise ApduError("response longer than %d bytes" % self.max_response)
        return Response(out, r.sw)
