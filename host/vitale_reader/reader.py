"""``Reader``: the practice software's handle on one e-Carte Vitale reader.

    with Reader("/dev/ttyACM0") as reader:
        print(reader.info().firmware_version)
        event = reader.next_event(timeout=30)

Opening handshakes (HELLO) and sets the reader's clock; events are
re-verified here before the caller sees them.
"""
from __future__ import annotations

import logging
import time
import warnings
from typing import Any, Optional

import cbor2
from vitale_link import PROTOCOL_VERSION, messages
from vitale_spec.nfc import RELAY_MS

from . import events as ev
from .base import BaseReader, ReaderInfo
from .credential import HostVerifier, load_trust_anchor
from .errors import ProtocolError, ReaderTimeout
from .identity import Identity
from .link import LinkSession
from .transport import Transport, open_transport

log = logging.getLogger(__name__)

FEATURE_NAMES = {
    messages.FEATURE_NFC: "nfc",
    messages.FEATURE_QR: "qr",
    messages.FEATURE_RELAY: "relay",
    messages.FEATURE_DATAMATRIX: "datamatrix",
}


def _features(bits: int) -> frozenset:
    return frozenset(name for bit, name in FEATURE_NAMES.items() if bits & bit)


class Reader(BaseReader):
    """One reader on ``url``: a serial device path or any pyserial URL.

    :param pki: test PKI directory made by ``vitale-issuer init`` whose root this
        host trusts; ``None`` uses the built-in TEST PKI (demo only).
    :param timeout: seconds to wait for each reply.
    :param sync_time: set the reader's clock from this host's when opening.
    :raises ReaderUnavailable: the port cannot be opened.
    :raises ProtocolError: the device does not speak a compatible protocol.
    """

    def __init__(self, url: str, pki: Optional[str] = None, timeout: float = 2.0, sync_time: bool = True,
                 transport: Optional[Transport] = None):
        self.url = url
        self.timeout = timeout
        self.sync_time = sync_time
        self.anchor = load_trust_anchor(pki)
        if self.anchor.is_test:
            log.warning("trusting the built-in TEST PKI: for demonstrations and tests only")
        self.verifier = HostVerifier(self.anchor)
        self._transport = transport if transport is not None else open_transport(url)
        self._link: Optional[LinkSession] = LinkSession(self._transport)
        self.hello: Optional[ReaderInfo] = None
        try:
            self.hello = self._handshake()
            if sync_time:
                self.set_time()
        except BaseException:
            self.close()
            raise

    # -- lifecycle ----------------------------------------------------------------
    def close(self) -> None:
        """Close the link and the port; safe to call twice."""
        link, self._link = self._link, None
        if link is not None:
            link.close()
            self._transport.close()


    def __del__(self) -> None:
        if getattr(self, "_link", None) is not None:
            warnings.warn(f"Reader({self.url!r}) was never closed", ResourceWarning, stacklevel=1)

    def __repr__(self) -> str:
        return f"Reader({self.url!r}, open={self._link is not None})"

    @property
    def link(self) -> LinkSession:
        if self._link is None:
            raise ProtocolError("reader is closed")
        return self._link

    def _request(self, msg_type: int, fields: Optional[dict[str, Any]] = None,
                 timeout: Optional[float] = None) -> messages.Message:
        return self.link.request(msg_type, fields or {}, self.timeout if timeout is None else timeout)

    # -- requests -------------------------------------------------------------------
    def _handshake(self, attempts: int = 3) -> ReaderInfo:
        last: Optional[Exception] = None
        for _ in range(attempts):
            try:
                reply = self._request(messages.HELLO, {"protocol_version": PROTOCOL_VERSION,
                                                       "host": "vitale_reader"})
            except ReaderTimeout as err:  # a busy or rebooting reader: ask again
                last = err
                continue
            if reply["protocol_version"] != PROTOCOL_VERSION:
                raise ProtocolError(f"reader speaks protocol {reply['protocol_version']}, "
                                    f"this library {PROTOCOL_VERSION}")
            return ReaderInfo(reply["protocol_version"], reply["firmware_version"], reply["board"],
                              reply["device_id"].hex(), _features(reply["features"]))
        raise ProtocolError(f"no HELLO reply from {self.url}: {last}")

    def info(self) -> ReaderInfo:
        reply = self._request(messages.INFO)
        return ReaderInfo(reply["protocol_version"], reply["firmware_version"], reply["board"],
                          reply["device_id"].hex(), _features(reply.get("features", 0)),
                          reply["uptime_ms"], reply.get("unix_ms"), reply.get("trust_version"))

    def ping(self, data: bytes = b"") -> float:
        """Round trip in seconds; raises ProtocolError if the echo differs."""
        start = time.perf_counter()
        reply = self._request(messages.PING, {"data": data})
        if reply.get("data", b"") != data:
            raise ProtocolError("PING echo differs")
        return time.perf_counter() - start

    def set_time(self, unix_ms: Optional[int] = None) -> int:
        """Set the reader's clock (default: now); returns the reader's new time in ms."""
        when = int(time.time() * 1000) if unix_ms is None else unix_ms
        return int(self._request(messages.SET_TIME, {"unix_ms": when})["unix_ms"])

    def update_trust_list(self, signed: bytes) -> int:
        """Install a signed trust list on the reader (and in this host's anchor); returns its version.

        The reader checks it against its pinned root and refuses a rollback.

        :raises CommandFailed: the reader refused it (``code``: ``trust_list_signature``,
            ``trust_list_rollback``, ``trust_list_malformed``).
        """
        reply = self._request(messages.TRUST_UPDATE, {"trust_list": signed}, timeout=max(self.timeout, 10.0))
        if reply["trust_version"] > self.anchor.version:
            self.anchor.update(signed)
        return int(reply["trust_version"])

    def relay(self, enabled: bool) -> None:
        """Transparent relay mode: the reader stops running its own phone session and forwards
        APDUs from :meth:`transmit` (for software that runs a licensed flow itself). Card arrival
        and removal still come as :class:`~vitale_reader.events.CardEvent`."""
        self._request(messages.RELAY, {"action": "enable" if enabled else "disable"})

    def transmit(self, apdu: bytes, timeout: float = RELAY_MS / 1000) -> bytes:
        """Send one command APDU to the phone in the field (relay mode) and return its response.

        :raises CommandFailed: ``no_card``, ``relay_disabled``, ``rf_timeout``, ``target_gone``...
        """
        reply = self._request(messages.RELAY, {"action": "apdu", "apdu": apdu, "timeout_ms": int(timeout * 1000)},
                              timeout=timeout + self.timeout)
        return bytes(reply.get("apdu", b""))

    # -- events ---------------------------------------------------------------------
    def next_event(self, timeout: Optional[float] = None) -> ev.Event:
        """The next event from the reader.

        :raises ReaderTimeout: (a ``TimeoutError``) nothing came within ``timeout`` seconds.
        :raises LinkFailure: the link broke.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            msg = self.link.next_message(left)
            if msg.type == messages.ERROR:
                log.warning("reader reported error %s", msg.get("code"))
                continue
            if msg.get("kind") == "reader_started":
                self._on_reader_started()
                continue
            return self._make_event(msg.fields)


    def _on_reader_started(self) -> None:
        """The reader (re)booted: its clock is unset until we set it again."""
        log.info("reader %s started", self.url)
        if self.sync_time:
            self.set_time()

    def _make_event(self, fields: dict[str, Any]) -> ev.Event:
        kind = fields["kind"]
        common = dict(kind=kind, event_id=fields["event_id"], reader_time=ev.reader_time(fields))
        if kind == "capture_error":
            return ev.CaptureErrorEvent(source=fields.get("source", ""), reason=fields.get("reason", ""),
                                        detail=fields.get("detail", ""), **common)
        if kind in ("card_present", "card_removed"):
            return ev.CardEvent(present=kind == "card_present", **common)
        if kind == "credential":
            return self._credential_event(fields, common)
        if kind == "ins_datamatrix":
            return self._ins_datamatrix_event(fields, common)
        return ev.UnknownEvent(field_names=tuple(sorted(fields)), **common)

    def _ins_datamatrix_event(self, fields: dict[str, Any], common: dict[str, Any]) -> ev.InsDatamatrixEvent:
        """An INS read from paper: unsigned. The host re-checks the shape and the NIR key it can."""
        try:
            claim = cbor2.loads(fields.get("identity", b""))
            identity = Identity.from_claims({k: claim[k] for k in range(1, 9)}, None)
        except (cbor2.CBORDecodeError, KeyError, TypeError, ValueError):
            return ev.InsDatamatrixEvent(valid=False, reason="malformed", **common)
        if not identity.key_valid:
            return ev.InsDatamatrixEvent(valid=False, reason="bad_key", identity=identity, **common)
        return ev.InsDatamatrixEvent(valid=bool(fields.get("ok")), reason=None, identity=identity, **common)

    def _credential_event(self, fields: dict[str, Any], common: dict[str, Any]) -> ev.CredentialEvent:
        """Re-verify what the reader forwarded, with this host's own code, keys and clock.

        ``verified`` needs the host's verification to pass; the reader's verdict can only
        make it stricter (a reader that refused, e.g. on a newer revocation list, wins).
        """
        source = fields.get("source", "")
        now = int(time.time())
        if source == "qr":
            raw = fields.get("text", "").encode("utf-8", "replace")
            verdict = self.verifier.verify_qr(fields.get("text", ""), now)
        else:
            raw = fields.get("presentation", b"")
            verdict = self.verifier.verify_nfc(raw, fields.get("nonce", b""), fields.get("transcript", b""), now)
        reader_ok = bool(fields.get("ok"))
        reader_reason = fields.get("reason")
        verified = verdict.ok and reader_ok
        if not verdict.ok:
            reason: Optional[str] = verdict.reason
        elif not reader_ok:
            reason = f"reader:{reader_reason}"
        else:
            reason = None
        return ev.CredentialEvent(source=source, verified=verified, reason=reason, identity=verdict.identity,
                                  reader_ok=reader_ok, reader_reason=reader_reason, app_id=verdict.app_id,
                                  raw=raw, **common)
