"""The NFC capture task: wait for a phone, read it, report, wait until it leaves.

``make_nfc_capture(board, on_result)`` builds an :class:`NfcCapture` from
``board.pn532``; the application spawns ``capture.task()`` in its scheduler.
``on_result(dict)`` receives, in order for one tap::

    {'kind': 'card_present'}
    {'kind': 'nfc_presentation', 'presentation': bytes, 'nonce': bytes(16), 'transcript': bytes(32)}
      or {'kind': 'capture_error', 'source': 'nfc', 'reason': CODE, 'detail': str}
    {'kind': 'card_removed'}

``transcript`` is the SHA-256 of the session transcript (protocol/NFC.md),
the value the presentation's signature is bound to. Reason codes:
``vitale_spec.nfc.CAPTURE_REASONS`` (protocol/NFC.md §4). A chip failure outside a tap is reported once as ``chip_error`` (no
card_present before it) and the chip is re-initialised every second.

Relay mode (``set_relay(True)``): no session is run; ``card_present`` /
``card_removed`` are reported and ``relay_apdu(apdu)`` (a generator) carries
raw APDUs for the host while the phone is there.
"""
from micropython import const

from core import clock
from core.errors import CaptureError, ReaderError, WaitTimeout
from core.tasks import Deadline, sleep_ms
from nfc import isodep, session
from nfc import pn532 as chip
from vitale_spec.nfc import (BAD_APDU, CHIP_ERROR, DECRYPT_FAILED, EXCHANGE_MS, INTERNAL, PROTOCOL, RELAY_MS,
                             REMOVED, RF_ERROR, TAP_MS, TIMEOUT, UNSUPPORTED_CARD, WRONG_AID)

_POLL_MS = const(100)  # between polls while the field is empty (RF off in between)
_PRESENCE_MS = const(150)  # between presence checks while a phone stays
_RELAY_IDLE_MS = const(250)  # presence checks in relay mode after this long without an APDU
_REINIT_MS = const(1000)
_PASSIVE_TRIES = const(0x02)  # MxRtyPassiveActivation: the chip answers "no target" quickly
_LIST_MS = const(500)
_PRESENCE_TIMEOUT_MS = const(400)
_LOCK_MS = const(5000)
_RELAY_MAX = const(2048)


class NoCard(CaptureError):
    """relay_apdu() with no phone in the field."""

    code = "no_card"


class RelayDisabled(CaptureError):
    """relay_apdu() while relay mode is off."""

    code = "relay_disabled"


def make_nfc_capture(board, on_result, **options):
    """The capture for ``board.pn532`` (None when the board has no PN532).

    A board may set ``pn532_ack_timeout_ms`` (the simulator does: its chip model
    shares a loaded machine); ``options`` go to NfcCapture.
    """
    if board.pn532 is None:
        return None
    from nfc import make_pn532

    ack_ms = getattr(board, "pn532_ack_timeout_ms", None)
    return NfcCapture(make_pn532(board.pn532, ack_ms), board.random_bytes, on_result, **options)


class NfcCapture:
    def __init__(self, pn532, random_bytes, on_result, budget_ms=TAP_MS, exchange_ms=EXCHANGE_MS, poll_ms=_POLL_MS):
        self.pn532 = pn532
        self.random_bytes = random_bytes
        self.on_result = on_result
        self.budget_ms = budget_ms
        self.exchange_ms = exchange_ms
        self.poll_ms = poll_ms
        self.relay = False
        self.ready = False  # the chip answered and is configured
        self.firmware = None
        self._busy = False
        self._present = False  # card_present reported, card_removed not yet
        self._target = None  # the phone being relayed
        self._relay_quiet = Deadline(_RELAY_IDLE_MS)  # presence checks wait until relayed APDUs pause
        self._keypair = None  # the next session's ephemeral key, made while the field is empty
        self.taps = 0
        self.last_tap_ms = None  # card found -> result, for diagnostics
        self.last_iso = None

    # -- API for the application -----------------------------------------------------------
    def set_relay(self, enabled):
        self.relay = bool(enabled)

    def relay_apdu(self, apdu, timeout_ms=RELAY_MS):
        """Forward one raw command APDU to the phone; return its raw response (with SW).

        Generator. Raises RelayDisabled, NoCard, or the driver's typed errors
        (``pn532.RfTimeout``, ``pn532.TargetGone``, ``pn532.Pn532Timeout``...).
        """
        if not self.relay:
            raise RelayDisabled("relay mode is off")
        if self._target is None:
            raise NoCard("no phone in the field")
        yield from self._lock()
        try:
            if self._target is None:
                raise NoCard("no phone in the field")
            return (yield from self.pn532.exchange(self._target.tg, apdu, timeout_ms, _RELAY_MAX))
        finally:
            self._relay_quiet = Deadline(_RELAY_IDLE_MS)
            self._busy = False

    # -- internals -----------------------------------------------------------------------
    def _emit(self, kind, **fields):
        if kind == "card_present":
            self._present = True
        elif kind == "card_removed":
            self._present = False
        fields["kind"] = kind
        self.on_result(fields)

    def _error(self, reason, detail):
        self._emit("capture_error", source="nfc", reason=reason, detail=detail)

    def _lock(self):
        deadline = Deadline(_LOCK_MS)
        while self._busy:
            if deadline.expired():
                raise CaptureError("PN532 busy", "busy")
            yield
        self._busy = True

    def _op(self, gen):
        """Run one driver operation with the chip to ourselves."""
        yield from self._lock()
        try:
            return (yield from gen)
        finally:
            self._busy = False

    def _init(self):
        pn = self.pn532
        self.firmware = yield from pn.begin()
        yield from pn.rf_max_retries(0xFF, 0x01, _PASSIVE_TRIES)
        yield from pn.rf_field(False)
        self.ready = True

    def task(self):
        """The scheduler task: never returns, never raises."""
        reported = False
        while True:
            try:
                yield from self._op(self._init())
                reported = False
            except ReaderError as err:
                self.ready = False
                if not reported:
                    self._error(CHIP_ERROR, "init: " + err.code)
                    reported = True
                yield from sleep_ms(_REINIT_MS)
                continue
            try:
                yield from self._serve()
            except ReaderError as err:
                self.ready = False
                self._target = None
                self._busy = False
                self._error(CHIP_ERROR, err.code)
                if self._present:  # no more news of that phone: say it is gone, the next tap starts clean
                    self._present = False
                    self._emit("card_removed")
                reported = True
                yield from sleep_ms(_REINIT_MS // 5)

    def _serve(self):
        pn = self.pn532
        while True:
            if self._keypair is None:
                self._keypair = session.new_ephemeral(self.random_bytes)  # inline compute, before the tap
                yield True
            try:
                target = yield from self._op(pn.list_passive_target(_LIST_MS))
            except chip.Pn532Timeout:
                # the chip forgot its settings (reset, brown-out) and waits forever: set it up again
                yield from self._op(self._init())
                continue
            if target is None:
                yield from self._op(pn.rf_field(False))
                yield from sleep_ms(self.poll_ms)
                continue
            t0 = clock.ticks_ms()
            self.taps += 1
            self._emit("card_present")
            if not target.iso_dep():
                self._error(UNSUPPORTED_CARD, "SEL_RES 0x%02x" % target.sel_res)
                yield from self._wait_gone_by_polling()
                continue
            if self.relay:
                yield from self._relay_until_removed(target)
                continue
            yield from self._read(target)
            self.last_tap_ms = clock.ticks_diff(clock.ticks_ms(), t0)
            yield from self._wait_removal()

    def _read(self, target):
        iso = isodep.IsoDep(self.pn532, target.tg)
        self.last_iso = iso
        keypair, self._keypair = self._keypair, None
        deadline = Deadline(self.budget_ms)
        yield from self._lock()
        try:
            try:
                presentation, nonce, th = yield from session.run(iso, self.random_bytes, keypair,
                                                                 self.exchange_ms, deadline)
            except ReaderError as err:
                reason = yield from self._classify(err)
                detail = err.detail or err.code
                if reason == CHIP_ERROR:
                    self._busy = False
                    raise
                self._error(reason, detail)
                return
            except ValueError:  # e.g. a malformed point rejected by the crypto layer
                self._error(PROTOCOL, "value error")
                return
        finally:
            self._busy = False
        self._emit("nfc_presentation", presentation=presentation, nonce=nonce, transcript=th)

    def _classify(self, err):
        """Reason code for an error in a session (may check whether the phone is still there)."""
        if isinstance(err, session.WrongAid):
            return WRONG_AID
        if isinstance(err, session.DecryptError):
            return DECRYPT_FAILED
        if isinstance(err, isodep.ApduError) or isinstance(err, chip.ResponseTooLong):
            return BAD_APDU
        if isinstance(err, session.ProtocolError) or isinstance(err, isodep.SwError):
            return PROTOCOL
        if isinstance(err, chip.TargetGone):
            return REMOVED
        if isinstance(err, chip.RfTimeout) or isinstance(err, WaitTimeout):
            try:
                present = yield from self.pn532.presence(_PRESENCE_TIMEOUT_MS)
            except ReaderError:
                return CHIP_ERROR
            return TIMEOUT if present else REMOVED
        if isinstance(err, chip.RfError):
            return RF_ERROR
        if isinstance(err, chip.Pn532Error):
            return CHIP_ERROR
        return INTERNAL

    def _finish_card(self):
        yield from self._op(self.pn532.release(0))
        yield from self._op(self.pn532.rf_field(False))
        self._emit("card_removed")

    def _wait_removal(self):
        """ISO-DEP presence checks (Diagnose 0x06) until the phone is gone."""
        while True:
            yield from sleep_ms(_PRESENCE_MS)
            present = yield from self._op(self.pn532.presence(_PRESENCE_TIMEOUT_MS))
            if not present:
                break
        yield from self._finish_card()

    def _wait_gone_by_polling(self):
        """For a card that is not ISO-DEP: release, cycle the field, look again."""
        while True:
            yield from self._op(self.pn532.release(0))
            yield from self._op(self.pn532.rf_field(False))
            yield from sleep_ms(_PRESENCE_MS)
            try:
                again = yield from self._op(self.pn532.list_passive_target(_LIST_MS))
            except chip.Pn532Timeout:
                again = None
            if again is None:
                break
        yield from self._finish_card()

    def _relay_until_removed(self, target):
        self._target = target
        self._relay_quiet = Deadline(_RELAY_IDLE_MS)
        try:
            while True:
                yield from sleep_ms(_PRESENCE_MS)
                if self._busy or not self._relay_quiet.expired():
                    continue
                present = yield from self._op(self.pn532.presence(_PRESENCE_TIMEOUT_MS))
                if not present:
                    break
        finally:
            self._target = None
        yield from self._finish_card()
