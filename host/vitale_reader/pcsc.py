"""``PcscReader``: an off-the-shelf contactless PC/SC reader (ACR122U and the like) instead of our board.

    from vitale_reader import PcscReader

    with PcscReader() as reader:                  # the first PC/SC reader; or PcscReader("ACS ACR122U")
        event = reader.next_event(timeout=30)     # same events as vitale_reader.Reader

There is no firmware here: this host runs the reader side of the phone
protocol itself (``protocol/NFC.md``: SELECT, AUTHENTICATE with a fresh
nonce and a fresh ephemeral P-256 key, GET RESPONSE on 61xx, ECDH → HKDF →
AES-256-GCM) and verifies the presentation with :class:`HostVerifier`, so
``CredentialEvent.reader_ok`` is the host's own verdict.

A background thread polls the reader's state through ``pcscd`` (pyscard's
``smartcard.scard`` layer: the raw response length and the PC/SC result
codes are needed to tell ``removed`` from ``bad_apdu``, which pyscard's
``CardConnection`` folds into one exception). pyscard is imported only
when a ``PcscReader`` is made: ``pip install 'vitale_reader[pcsc]'``.
"""
from __future__ import annotations

import datetime
import hashlib
import itertools
import logging
import queue
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from vitale_link import PROTOCOL_VERSION
from vitale_spec import nfc as spec
from vitale_spec.nfc import (AID, CLA_PROPRIETARY, GCM_IV, INS_AUTHENTICATE, INS_GET_RESPONSE, INS_SELECT,
                             MAX_GET_RESPONSE, MAX_RAPDU, MAX_RESPONSE, NONCE_LEN, PUB_LEN, SUITE_P256_HKDF_AESGCM,
                             TAG_LEN, VERSION)

from . import events as ev
from .base import BaseReader, ReaderInfo
from .credential import HostVerifier, load_trust_anchor
from .errors import CommandFailed, LinkFailure, ProtocolError, ReaderTimeout, ReaderUnavailable, VitaleError
from .nfc_session import ecdh, pub65, session_key, transcript_hash

log = logging.getLogger(__name__)

# --- the phone protocol, reader side (protocol/NFC.md, version 1) ---------------------------------------

UNAVAILABLE_LIMIT = 10.0  # s: a reader pcscd cannot reach for this long is gone (LinkFailure)

SELECT_APDU = bytes([0x00, INS_SELECT, 0x04, 0x00, len(AID)]) + AID + b"\x00"

#: ``CaptureErrorEvent.reason`` values this backend reports (the firmware's, protocol/NFC.md §4)
REASONS = tuple(r for r in spec.CAPTURE_REASONS if r not in (spec.CHIP_ERROR, spec.INTERNAL))


class CaptureFailed(VitaleError):
    """One tap did not give a presentation; ``reason`` is a ``capture_error`` code (:data:`REASONS`)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, repr=False)
class SessionResult:
    """What a session gives the verifier. ``repr`` shows no presentation bytes."""

    presentation: bytes
    nonce: bytes
    transcript_hash: bytes
    select_data: bytes = b""

    def __repr__(self) -> str:
        return f"SessionResult({len(self.presentation)} bytes)"












def authenticate_apdu(nonce: bytes, reader_pub: bytes) -> bytes:
    return bytes([CLA_PROPRIETARY, INS_AUTHENTICATE, VERSION, 0x00, NONCE_LEN + PUB_LEN]) + nonce + reader_pub + b"\x00"


def parse_select(data: bytes) -> None:
    """Version and cipher suites of the SELECT answer; raises ``CaptureFailed('protocol')``."""
    if len(data) < 2:
        raise CaptureFailed(spec.PROTOCOL, "short SELECT response")
    if data[0] != VERSION:
        raise CaptureFailed(spec.PROTOCOL, f"unsupported version {data[0]}")
    if not data[1] & SUITE_P256_HKDF_AESGCM:
        raise CaptureFailed(spec.PROTOCOL, "no common cipher suite")


def open_answer(priv: ec.EllipticCurvePrivateKey, nonce: bytes, select_data: bytes,
                data: bytes) -> tuple[bytes, bytes]:
    """Decrypt the AUTHENTICATE answer (phone key ‖ ciphertext ‖ tag): ``(presentation, transcript_hash)``."""
    if len(data) < PUB_LEN + TAG_LEN:
        raise CaptureFailed(spec.PROTOCOL, "short AUTHENTICATE response")
    phone_pub = bytes(data[:PUB_LEN])
    if phone_pub[0] != 0x04:
        raise CaptureFailed(spec.PROTOCOL, "phone key not an uncompressed point")
    try:
        shared = ecdh(priv, phone_pub)
    except ValueError as err:
        raise CaptureFailed(spec.PROTOCOL, "phone key not on the curve") from err
    th = transcript_hash(select_data, pub65(priv), nonce, phone_pub)
    try:
        presentation = AESGCM(session_key(shared, th)).decrypt(GCM_IV, bytes(data[PUB_LEN:]), th)
    except InvalidTag as err:
        raise CaptureFailed(spec.DECRYPT_FAILED, "GCM tag mismatch") from err
    return presentation, th


def _split(raw: bytes) -> tuple[bytes, int]:
    if len(raw) < 2:
        raise CaptureFailed(spec.BAD_APDU, f"response of {len(raw)} bytes")
    if len(raw) > MAX_RAPDU:
        raise CaptureFailed(spec.BAD_APDU, f"response of {len(raw)} bytes for a short APDU")
    return bytes(raw[:-2]), (raw[-2] << 8) | raw[-1]


def command(exchange: Callable[[bytes], bytes], apdu: bytes) -> tuple[bytes, int]:
    """One logical command: ``(data, sw)``, with 6Cxx retried once and 61xx fetched by GET RESPONSE."""
    data, sw = _split(exchange(apdu))
    if sw >> 8 == 0x6C:  # wrong Le: the card says how many bytes it has
        data, sw = _split(exchange(apdu[:-1] + bytes([sw & 0xFF])))
    rounds = 0
    while sw >> 8 == 0x61:
        rounds += 1
        if rounds > MAX_GET_RESPONSE or len(data) > MAX_RESPONSE:
            raise CaptureFailed(spec.BAD_APDU, "endless 61xx")
        more, sw = _split(exchange(bytes([0x00, INS_GET_RESPONSE, 0x00, 0x00, sw & 0xFF])))
        data += more
    return data, sw


def run_session(exchange: Callable[[bytes], bytes], nonce: Optional[bytes] = None,
                private_key: Optional[ec.EllipticCurvePrivateKey] = None) -> SessionResult:
    """The reader side of one tap over ``exchange(command APDU) -> response APDU`` (with SW).

    ``nonce`` and ``private_key`` are for test vectors only: by default both are fresh.
    Raises :class:`CaptureFailed` (``wrong_aid``, ``bad_apdu``, ``protocol``, ``decrypt_failed``,
    and whatever ``exchange`` raises: ``removed``, ``timeout``, ``rf_error``).
    """
    select_data, sw = command(exchange, SELECT_APDU)
    if sw != 0x9000:
        raise CaptureFailed(spec.WRONG_AID, f"SELECT sw {sw:04x}")
    parse_select(select_data)
    nonce = secrets.token_bytes(NONCE_LEN) if nonce is None else bytes(nonce)
    priv = ec.generate_private_key(ec.SECP256R1()) if private_key is None else private_key
    answer, sw = command(exchange, authenticate_apdu(nonce, pub65(priv)))
    if sw != 0x9000:
        raise CaptureFailed(spec.PROTOCOL, f"AUTHENTICATE sw {sw:04x}")
    presentation, th = open_answer(priv, nonce, select_data, answer)
    return SessionResult(presentation, nonce, th, select_data)


# --- PC/SC ---------------------------------------------------------------------------------------------


def _load_pyscard() -> Any:
    """pyscard's ``smartcard.scard`` module, or :class:`ReaderUnavailable`."""
    try:
        from smartcard import scard  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError as err:
        raise ReaderUnavailable("PC/SC support needs pyscard: pip install 'vitale_reader[pcsc]' "
                                "(and a running pcscd)") from err
    return scard


def _hr(value: Any) -> int:
    """A PC/SC result code as an unsigned 32-bit int (SWIG may hand either sign)."""
    return int(value) & 0xFFFFFFFF


def _is(hr: Any, *codes: Any) -> bool:
    return _hr(hr) in {_hr(c) for c in codes}


def _is_storage_card(atr: bytes) -> bool:
    """PC/SC part 3 ATR of a contactless *storage* card (MIFARE Classic, Ultralight...): RID A0 00 00 03 06."""
    return bytes.fromhex("804F0CA000000306") in atr


class PcscReader(BaseReader):
    """A contactless PC/SC reader, with the event API of :class:`vitale_reader.Reader`.

    :param reader_name: the PC/SC reader's name, or a prefix of it (``"ACS ACR122U"``);
        ``None`` takes the first reader.
    :param pki: test PKI directory whose root this host trusts; ``None`` uses the built-in TEST PKI.
    :param poll_interval: seconds between card-presence polls.
    :param exchange_timeout: budget of one command (NFC.md: 1 s); a late answer gives ``timeout``.
    :param tap_timeout: budget of the whole tap (NFC.md: 2 s).
    :param relay: start in relay mode (no session of its own; see :meth:`relay`).
    :param removal_grace: seconds to wait for the reader to notice a phone that stopped answering.
    :raises ReaderUnavailable: pyscard missing, pcscd not running, no (such) reader.
    """

    def __init__(self, reader_name: Optional[str] = None, pki: Optional[str] = None, poll_interval: float = 0.2,
                 *, exchange_timeout: float = spec.EXCHANGE_MS / 1000, tap_timeout: float = spec.TAP_MS / 1000,
                 relay: bool = False, removal_grace: float = 1.5):
        self._sc = _load_pyscard()
        self.poll_interval = poll_interval
        self.exchange_timeout = exchange_timeout
        self.tap_timeout = tap_timeout
        self.removal_grace = removal_grace
        self.anchor = load_trust_anchor(pki)
        if self.anchor.is_test:
            log.warning("trusting the built-in TEST PKI: for demonstrations and tests only")
        self.verifier = HostVerifier(self.anchor)
        self._relay = relay
        self._opened = time.monotonic()
        self._events: queue.Queue[Union[ev.Event, VitaleError]] = queue.Queue()
        self._ids = itertools.count(1)
        self._stop = threading.Event()
        self._closed = False
        self._released = False
        self._card_lock = threading.RLock()  # the card handle: the session thread and transmit()
        self._release_lock = threading.Lock()
        self._hcard: Optional[int] = None
        self._pci: Any = None
        self._present = False
        self._counter: Optional[int] = None
        self._unavailable_since: Optional[float] = None
        self._status_ctx: Optional[int] = None
        self._card_ctx: Optional[int] = None
        try:
            self._status_ctx = self._establish()
            self._card_ctx = self._establish()
            self.name = self._pick(reader_name)
        except BaseException:
            self._release()
            raise
        self._thread = threading.Thread(target=self._run, name="vitale-pcsc", daemon=True)
        self._thread.start()

    # -- lifecycle ------------------------------------------------------------------------------
    def _establish(self) -> int:
        sc = self._sc
        hr, ctx = sc.SCardEstablishContext(sc.SCARD_SCOPE_USER)
        if not _is(hr, sc.SCARD_S_SUCCESS):
            raise ReaderUnavailable(f"PC/SC service unavailable (is pcscd running?): {self._error(hr)}")
        return int(ctx)

    def _error(self, hr: int) -> str:
        try:
            return f"{self._sc.SCardGetErrorMessage(hr)} (0x{_hr(hr):08X})"
        except Exception:  # noqa: BLE001 - only a message
            return f"0x{_hr(hr):08X}"

    def _pick(self, wanted: Optional[str]) -> str:
        sc = self._sc
        hr, names = sc.SCardListReaders(self._status_ctx, [])
        if _is(hr, sc.SCARD_E_NO_READERS_AVAILABLE):
            names = []
        elif not _is(hr, sc.SCARD_S_SUCCESS):
            raise ReaderUnavailable(f"cannot list PC/SC readers: {self._error(hr)}")
        names = [str(n) for n in names]
        if not names:
            raise ReaderUnavailable("no PC/SC reader connected")
        if wanted is None:
            return names[0]
        for name in names:
            if name == wanted:
                return name
        for name in names:
            if name.startswith(wanted):
                return name
        raise ReaderUnavailable(f"no PC/SC reader {wanted!r} (readers: {', '.join(names)})")

    def close(self) -> None:
        """Stop polling, release the card and the PC/SC contexts; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        thread = getattr(self, "_thread", None)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=max(10.0, self.tap_timeout + 5.0))
            if thread.is_alive():  # stuck in a transmit: the thread releases everything when it returns
                log.warning("PC/SC thread still busy at close")
                self._events.put(ProtocolError("reader is closed"))
                return
        self._release()
        self._events.put(ProtocolError("reader is closed"))

    def _release(self) -> None:
        with self._release_lock:
            if self._released:
                return
            self._released = True
        sc = self._sc
        with self._card_lock:
            self._disconnect(sc.SCARD_LEAVE_CARD)
        for attr in ("_card_ctx", "_status_ctx"):
            ctx = getattr(self, attr)
            setattr(self, attr, None)
            if ctx is not None:
                try:
                    sc.SCardReleaseContext(ctx)
                except Exception as err:  # noqa: BLE001 - closing must not fail
                    log.debug("SCardReleaseContext: %s", err)


    def __repr__(self) -> str:
        return f"PcscReader({getattr(self, 'name', None)!r}, open={not self._closed})"

    # -- requests (as on Reader) ------------------------------------------------------------------
    def info(self) -> ReaderInfo:
        """``board`` is the PC/SC reader's name; there is no firmware (``firmware_version`` says so)."""
        from . import __version__

        return ReaderInfo(PROTOCOL_VERSION, f"host {__version__} (pcsc)", self.name,
                          hashlib.sha256(self.name.encode("utf-8")).hexdigest()[:16], frozenset({"nfc", "relay"}),
                          int((time.monotonic() - self._opened) * 1000), int(time.time() * 1000),
                          self.anchor.version)

    def relay(self, enabled: bool) -> None:
        """Transparent relay mode: no session of our own on arrival; :meth:`transmit` forwards APDUs.
        Card arrival and removal still come as :class:`~vitale_reader.events.CardEvent`."""
        self._relay = bool(enabled)

    def transmit(self, apdu: bytes, timeout: float = spec.RELAY_MS / 1000) -> bytes:
        """Send one command APDU to the phone in the field (relay mode) and return the raw response.

        ``timeout`` is not enforced inside PC/SC (a transmit cannot be interrupted); a late answer
        raises ``CommandFailed('rf_timeout')``.

        :raises CommandFailed: ``relay_disabled``, ``no_card``, ``target_gone``, ``rf_timeout``, ``rf_error``.
        """
        if self._closed:
            raise ProtocolError("reader is closed")
        if not self._relay:
            raise CommandFailed("relay_disabled", request="relay")
        with self._card_lock:
            if self._hcard is None:
                if not self._present:
                    raise CommandFailed("no_card", request="relay")
                try:
                    self._connect()
                except CaptureFailed as err:
                    raise CommandFailed("no_card" if err.reason == spec.REMOVED else err.reason, err.detail,
                                        request="relay") from err
            start = time.monotonic()
            try:
                raw = self._transmit(bytes(apdu))
            except CaptureFailed as err:
                code = "target_gone" if err.reason == spec.REMOVED else err.reason
                raise CommandFailed(code, err.detail, request="relay") from err
            if time.monotonic() - start > timeout:
                raise CommandFailed("rf_timeout", request="relay")
            return raw

    # -- events -----------------------------------------------------------------------------------
    def next_event(self, timeout: Optional[float] = None) -> ev.Event:
        """The next event.

        :raises ReaderTimeout: (a ``TimeoutError``) nothing came within ``timeout`` seconds.
        :raises LinkFailure: the PC/SC reader or pcscd went away.
        """
        if self._closed:
            raise ProtocolError("reader is closed")
        try:
            item = self._events.get(timeout=None if timeout is None else max(0.0, timeout))
        except queue.Empty:
            raise ReaderTimeout(f"no event within {timeout} s") from None
        if isinstance(item, VitaleError):
            self._events.put(item)  # and for every later call
            raise item
        return item


    def _common(self, kind: str) -> dict[str, Any]:
        return dict(kind=kind, event_id=next(self._ids),
                    reader_time=datetime.datetime.now(tz=datetime.timezone.utc))

    def _emit(self, event: ev.Event) -> None:
        self._events.put(event)

    # -- the polling thread --------------------------------------------------------------------------
    def _state(self, ctx: Optional[int]) -> tuple[bool, int, bytes]:
        """``(present, event counter, atr)``; raises LinkFailure when the reader or pcscd is gone."""
        sc = self._sc
        hr, states = sc.SCardGetStatusChange(ctx, 0, [(self.name, sc.SCARD_STATE_UNAWARE)])
        if not _is(hr, sc.SCARD_S_SUCCESS, sc.SCARD_E_TIMEOUT):
            raise LinkFailure(f"PC/SC reader {self.name!r} unavailable: {self._error(hr)}")
        _, state, atr = states[0]
        if state & sc.SCARD_STATE_UNKNOWN:
            raise LinkFailure(f"PC/SC reader {self.name!r} is gone")
        if state & sc.SCARD_STATE_UNAVAILABLE:  # pcscd lost touch with the reader: maybe for a moment
            if self._unavailable_since is None:
                self._unavailable_since = time.monotonic()
            elif time.monotonic() - self._unavailable_since > UNAVAILABLE_LIMIT:
                raise LinkFailure(f"PC/SC reader {self.name!r} unavailable for {UNAVAILABLE_LIMIT:.0f} s")
            return False, (state >> 16) & 0xFFFF, b""
        self._unavailable_since = None
        present = bool(state & sc.SCARD_STATE_PRESENT)
        return present, (state >> 16) & 0xFFFF, bytes(atr)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                present, counter, atr = self._state(self._status_ctx)
                # pcsc-lite counts insertions and removals in the state's high word: a phone that left
                # and came back between two polls is still seen as a new tap
                again = present and self._present and self._counter is not None and counter != self._counter
                self._counter = counter
                if self._present and (not present or again):
                    self._on_removed()
                if present and not self._present:
                    self._on_arrival(atr)
                self._stop.wait(self.poll_interval)
        except VitaleError as err:
            if not self._stop.is_set():
                log.error("PC/SC polling stopped: %s", err)
                self._events.put(err if isinstance(err, LinkFailure) else LinkFailure(str(err)))
        except Exception as err:  # noqa: BLE001 - report, never die silently
            log.exception("PC/SC polling failed")
            self._events.put(LinkFailure(f"PC/SC polling failed: {type(err).__name__}: {err}"))
        finally:
            if self._stop.is_set() or self._closed:
                self._release()

    def _on_arrival(self, atr: bytes) -> None:
        self._present = True
        self._emit(ev.CardEvent(present=True, **self._common("card_present")))
        if self._relay:
            return
        if _is_storage_card(atr):
            self._capture_error("unsupported_card", "not an ISO 14443-4 card")
            return
        failure: Optional[CaptureFailed] = None
        result: Optional[SessionResult] = None
        with self._card_lock:
            try:
                self._connect()
                result = self._session()
            except CaptureFailed as err:
                failure = err
            finally:
                # release the target (NFC.md §3.4) before reporting. LEAVE, not UNPOWER: pcsc-lite marks the
                # reader empty when a power-down meets a phone leaving, which its event thread never undoes
                if not self._relay:
                    self._disconnect(self._sc.SCARD_LEAVE_CARD)
        if failure is not None:
            self._capture_error(failure.reason, failure.detail)
        elif result is not None:
            self._credential(result)

    def _on_removed(self) -> None:
        self._present = False
        with self._card_lock:
            self._disconnect(self._sc.SCARD_LEAVE_CARD)
        self._emit(ev.CardEvent(present=False, **self._common("card_removed")))

    def _capture_error(self, reason: str, detail: str) -> None:
        log.info("capture error: %s", reason)
        self._emit(ev.CaptureErrorEvent(source="nfc", reason=reason, detail=detail, **self._common("capture_error")))

    def _credential(self, result: SessionResult) -> None:
        verdict = self.verifier.verify_nfc(result.presentation, result.nonce, result.transcript_hash,
                                           int(time.time()))
        log.info("NFC presentation: %s", verdict.reason)  # the reason only: never identity data
        self._emit(ev.CredentialEvent(source="nfc", verified=verdict.ok, reason=None if verdict.ok else verdict.reason,
                                      identity=verdict.identity, reader_ok=verdict.ok, reader_reason=verdict.reason,
                                      app_id=verdict.app_id, raw=result.presentation,
                                      **self._common("credential")))

    # -- the card -------------------------------------------------------------------------------------
    def _connect(self) -> None:
        """Connect to the card in the field (caller holds ``_card_lock``)."""
        sc = self._sc
        if self._hcard is not None:
            return
        hr, hcard, proto = sc.SCardConnect(self._card_ctx, self.name, sc.SCARD_SHARE_SHARED,
                                           sc.SCARD_PROTOCOL_T0 | sc.SCARD_PROTOCOL_T1)
        if _is(hr, sc.SCARD_E_NO_SMARTCARD, sc.SCARD_W_REMOVED_CARD):
            raise CaptureFailed(spec.REMOVED, "no card to connect to")
        if _is(hr, sc.SCARD_W_UNRESPONSIVE_CARD, sc.SCARD_W_UNPOWERED_CARD, sc.SCARD_E_PROTO_MISMATCH):
            raise CaptureFailed(spec.UNSUPPORTED_CARD, self._error(hr))
        if not _is(hr, sc.SCARD_S_SUCCESS):
            raise CaptureFailed(spec.RF_ERROR, f"connect: {self._error(hr)}")
        self._hcard = int(hcard)
        self._pci = sc.SCARD_PCI_T1 if _is(proto, sc.SCARD_PROTOCOL_T1) else sc.SCARD_PCI_T0

    def _disconnect(self, disposition: int) -> None:
        hcard, self._hcard = self._hcard, None
        if hcard is not None:
            try:
                self._sc.SCardDisconnect(hcard, disposition)
            except Exception as err:  # noqa: BLE001 - the card may be long gone
                log.debug("SCardDisconnect: %s", err)

    def _gone(self) -> bool:
        """Presence check after a failed exchange: has the card left the field (within the grace time)?"""
        deadline = time.monotonic() + self.removal_grace
        while True:
            try:
                present, _, _ = self._state(self._card_ctx)
            except LinkFailure:
                return True
            if not present:
                return True
            if time.monotonic() >= deadline or self._stop.is_set():
                return False
            time.sleep(0.05)

    def _transmit(self, apdu: bytes) -> bytes:
        """One raw exchange on the connected card (caller holds ``_card_lock``)."""
        sc = self._sc
        hr, rsp = sc.SCardTransmit(self._hcard, self._pci, list(apdu))
        if not _is(hr, sc.SCARD_S_SUCCESS):
            self._disconnect(sc.SCARD_LEAVE_CARD)
            if _is(hr, sc.SCARD_W_REMOVED_CARD, sc.SCARD_E_NO_SMARTCARD) or self._gone():
                raise CaptureFailed(spec.REMOVED, self._error(hr))
            raise CaptureFailed(spec.RF_ERROR, self._error(hr))
        raw = bytes(rsp)
        if len(raw) < 2 and self._gone():  # vpcd, some readers: an empty answer when the card left
            self._disconnect(sc.SCARD_LEAVE_CARD)
            raise CaptureFailed(spec.REMOVED, "no answer and the card left the field")
        return raw

    def _session(self) -> SessionResult:
        start = time.monotonic()
        end = start + self.tap_timeout

        def exchange(apdu: bytes) -> bytes:
            begin = time.monotonic()
            if begin >= end:
                raise CaptureFailed(spec.TIMEOUT, "tap budget spent")
            raw = self._transmit(apdu)
            done = time.monotonic()
            if done - begin > self.exchange_timeout or done > end:
                raise CaptureFailed(spec.TIMEOUT, f"answer after {done - begin:.1f} s")
            return raw

        return run_session(exchange)
