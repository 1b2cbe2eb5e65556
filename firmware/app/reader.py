"""The reader application: the link to the host, the capture tasks, the events.

``ReaderApp(board).run()`` is the whole firmware. Every part is a task of
``core.tasks.Scheduler``: the host link (this module), and the NFC and QR
captures when the board has them. Captured presentations are verified here
and sent to the host as EVENT messages; nothing is dropped silently.
"""
from micropython import const

from core import clock, tasks
from nfc.capture import make_nfc_capture
from qr.capture import make_qr_capture
from verify import cbor, ins_datamatrix, pinned
from verify.replay import ReplayCache
from verify.trustlist import TrustListError, TrustStore
from verify.verifier import Verifier
from vitale_link import PROTOCOL_VERSION, messages
from vitale_link.endpoint import Endpoint
from vitale_link.errors import FrameError, MessageError, QueueFull
from vitale_link.frame import MAX_PAYLOAD
from vitale_spec.nfc import RELAY_MS

FIRMWARE_VERSION = "0.1.0"
_OUTBOX_LEN = const(32)  # events waiting for the link (host absent or slow)
_EVENT_WINDOW = const(1)  # one event in the link at a time: order kept across failures, replies never wait behind a backlog
_READ_CHUNK = const(512)
_EVENT_RETRY_MS = const(2000)  # after a failed delivery, offer the events again this much later (SPEC.md §4)


class ReaderApp:
    def __init__(self, board):
        self.board = board
        self.wall_clock = clock.WallClock()
        self.link = Endpoint(ticks_diff=clock.ticks_diff, initial_seq=board.random_bytes(1)[0],
                             session=board.random_bytes(4))
        self.scheduler = tasks.Scheduler(on_error=self._task_died)
        self.features = 0
        self.started = clock.ticks_ms()
        self._next_event_id = 1
        self._outbox = []  # event field dicts not yet handed to the link
        self._inflight = {}  # link seq -> event fields, until acknowledged
        self._hold_events_until = None  # after a delivery failure, wait for the host
        self.dropped_events = 0
        # First event after every boot (it opens the link session, SYN): a connected host sets
        # the clock again.
        self.emit("reader_started")
        self.trust = TrustStore(pinned.root_key(board), board.storage)
        self.verifier = Verifier(self.trust, ReplayCache())
        self._relaying = False
        self.nfc = make_nfc_capture(board, self._on_nfc_result)
        self.qr = make_qr_capture(board, self._on_qr_code, self._on_qr_error)
        # Long-lived tasks, restarted if they ever die (a bug must not leave the reader deaf).
        self._services = {"link": self._link_task}
        if self.nfc is not None:
            self.features |= messages.FEATURE_NFC | messages.FEATURE_RELAY
            self._services["nfc"] = self.nfc.task
        if self.qr is not None:
            self.features |= messages.FEATURE_QR | messages.FEATURE_DATAMATRIX
            self._services["qr"] = self.qr.task
        for name, make_task in self._services.items():
            self.scheduler.spawn(make_task(), name)
        try:
            self.trust.load()
        except TrustListError as err:  # a corrupt stored list: run without one, say so, await an update
            self.emit("trust_list_invalid", reason=err.code)

    # -- the loop ----------------------------------------------------------
    def run(self, stop=None):
        self.scheduler.run(self.board, stop)

    def step(self):
        """One turn of every task; True if any made progress. For hosts that drive the loop
        themselves (the wasm simulator returns to JavaScript between turns, so its GC can run)."""
        return self.scheduler.run_once()

    def _task_died(self, name, err):
        self.emit("capture_error", source=name, reason="internal", detail=type(err).__name__)
        if name in self._services:
            self.scheduler.spawn(self._services[name](), name)

    # -- events --------------------------------------------------------------
    def emit(self, kind, **fields):
        """Queue an event for the host. Returns its event id."""
        event_id = self._next_event_id
        self._next_event_id += 1
        fields["kind"] = kind
        fields["event_id"] = event_id
        if self.wall_clock.is_set:
            fields["unix_ms"] = self.wall_clock.unix_ms()
        if len(self._outbox) >= _OUTBOX_LEN:
            self._outbox.pop(0)  # bounded memory: the oldest undelivered event goes, and is counted
            self.dropped_events += 1
        self._outbox.append(fields)
        return event_id

    def _flush_events(self, now):
        if self._hold_events_until is not None:
            if clock.ticks_diff(now, self._hold_events_until) < 0:
                return
            self._hold_events_until = None
        while self._outbox and len(self._inflight) < _EVENT_WINDOW:
            try:
                seq = self.link.send(messages.EVENT, self._outbox[0], now)
            except QueueFull:
                return
            self._inflight[seq] = self._outbox.pop(0)

    def _on_delivery_failed(self, failed, now):
        fields = self._inflight.pop(failed.seq, None)
        if fields is not None:
            # The host is gone or deaf: keep the event, retry later or when it says HELLO.
            self._outbox.insert(0, fields)
            self._hold_events_until = clock.ticks_add(now, _EVENT_RETRY_MS)

    def _prune_inflight(self):
        if self._inflight:
            pending = self.link.pending_seqs()
            for seq in list(self._inflight):
                if seq not in pending:
                    del self._inflight[seq]

    # -- transparent relay: the host talks to the phone itself -------------------
    def _on_relay(self, msg, now):
        if self.nfc is None:
            self._error("no_nfc", "this reader has no NFC front end", msg.seq, msg.type, now)
            return
        action = msg["action"]
        if action in ("enable", "disable"):
            self.nfc.set_relay(action == "enable")
            self._reply(msg, {}, now)
        elif action == "apdu" and msg.get("apdu") is not None:
            if self._relaying:
                self._error("busy", "one relayed APDU at a time", msg.seq, msg.type, now)
            else:
                self._relaying = True
                self.scheduler.spawn(self._relay_task(msg, msg.get("timeout_ms", RELAY_MS)), "relay")
        else:
            self._error("bad_message", "RELAY action " + action, msg.seq, msg.type, now)

    def _relay_task(self, msg, timeout_ms):
        """A relayed APDU waits on the phone: a task of its own, so the loop runs meanwhile."""
        try:
            response = yield from self.nfc.relay_apdu(msg["apdu"], timeout_ms)
        except Exception as err:  # every relay error carries a wire code; report, never die
            self._error(getattr(err, "code", "relay_failed"), type(err).__name__, msg.seq, msg.type,
                        clock.ticks_ms())
        else:
            self._reply(msg, {"apdu": response}, clock.ticks_ms())
        finally:
            self._relaying = False

    # -- verification ----------------------------------------------------------
    def _on_nfc_result(self, result):
        kind = result["kind"]
        if kind == "nfc_presentation":
            self.on_nfc_presentation(result["presentation"], result["nonce"], result["transcript"])
        elif kind == "capture_error":
            self.emit("capture_error", source="nfc", reason=result["reason"], detail=result.get("detail", ""))
        else:  # card_present, card_removed
            self.emit(kind)

    def _on_qr_code(self, text):
        """A code from the camera: an INS Datamatrix, or else anything the verifier judges
        (a presentation, or a foreign code that it reports as ``not_a_presentation``)."""
        if ins_datamatrix.looks_like(text):
            self._ins_datamatrix(text)
        else:
            self._credential("qr", {"text": text}, lambda now: self.verifier.verify_qr(text, now))

    def _on_qr_error(self, code, detail):
        self.emit("capture_error", source="qr", reason=code, detail=detail)

    def _ins_datamatrix(self, text):
        try:
            dm = ins_datamatrix.parse(text)
        except ins_datamatrix.DatamatrixError as err:
            self.emit("capture_error", source="qr", reason=err.code, detail="ins_datamatrix")
            return
        claim = {1: dm.matricule, 2: dm.key, 3: dm.oid, 4: dm.birth_name, 5: dm.first_names, 6: dm.sex,
                 7: dm.birth_date, 8: dm.birthplace}
        self.emit("ins_datamatrix", ok=1, reason="ok", identity=cbor.encode(claim))

    def on_nfc_presentation(self, presentation, nonce, transcript):
        self._credential("nfc", {"presentation": presentation, "nonce": nonce, "transcript": transcript},
                         lambda now: self.verifier.verify_nfc(presentation, nonce, transcript, now))

    def _credential(self, source, fields, verify):
        if self.wall_clock.is_set:
            verdict = verify(self.wall_clock.unix())
            ok, reason = verdict.ok, verdict.reason
        else:
            ok, reason = False, "clock_not_set"  # validity cannot be judged; the host decides
        self.emit("credential", source=source, ok=1 if ok else 0, reason=reason, **fields)

    # -- the host link -------------------------------------------------------
    def _link_task(self):
        host = self.board.host_link
        while True:
            progress = False
            now = clock.ticks_ms()
            if host.any():
                data = host.read(_READ_CHUNK)
                if data:
                    progress = True
                    for item in self.link.receive(data, now):
                        self._dispatch(item, now)
            for failed in self.link.poll(now):
                self._on_delivery_failed(failed, now)
            self._prune_inflight()
            self._flush_events(now)
            out = self.link.outgoing()
            if out:
                host.write(out)
                progress = True
            yield progress

    def _reply(self, request, fields, now):
        fields["ref"] = request.seq
        try:
            self.link.send(request.type | messages.REPLY, fields, now)
        except QueueFull:
            pass  # the host will time out and ask again

    def _error(self, code, detail, ref_seq, ref_type, now):
        try:
            self.link.send(messages.ERROR, {"code": code, "detail": detail, "ref": ref_seq,
                                            "ref_type": ref_type}, now)
        except QueueFull:
            pass

    def _dispatch(self, item, now):
        if isinstance(item, FrameError):
            return  # counted by the endpoint; the sender retransmits
        if isinstance(item, MessageError):
            self._error(item.code, str(item), item.seq, item.msg_type, now)
            return
        handler = self._HANDLERS.get(item.type)
        if handler is None:
            self._error("unexpected_message", messages.type_name(item.type), item.seq, item.type, now)
            return
        handler(self, item, now)

    def _identity(self):
        return {
            "protocol_version": PROTOCOL_VERSION,
            "firmware_version": FIRMWARE_VERSION,
            "board": self.board.name,
            "device_id": self.board.device_id(),
        }

    def _on_hello(self, msg, now):
        fields = self._identity()
        fields["features"] = self.features
        fields["max_payload"] = MAX_PAYLOAD
        self._hold_events_until = None  # a host is listening again: resume delivery
        self._reply(msg, fields, now)

    def _on_ping(self, msg, now):
        self._reply(msg, {"data": msg.get("data", b"")}, now)

    def _on_info(self, msg, now):
        fields = self._identity()
        fields["uptime_ms"] = clock.ticks_diff(now, self.started) & 0xFFFFFFFF
        fields["features"] = self.features
        fields["trust_version"] = self.trust.version
        if self.wall_clock.is_set:
            fields["unix_ms"] = self.wall_clock.unix_ms()
        self._reply(msg, fields, now)

    def _on_set_time(self, msg, now):
        self.wall_clock.set(msg["unix_ms"])
        self._reply(msg, {"unix_ms": self.wall_clock.unix_ms()}, now)

    def _on_trust_update(self, msg, now):
        try:
            version = self.trust.update(msg["trust_list"], self.wall_clock.unix())
        except TrustListError as err:
            self._error(err.code, err.detail, msg.seq, msg.type, now)
            return
        self._reply(msg, {"trust_version": version}, now)

    _HANDLERS = {
        messages.HELLO: _on_hello,
        messages.PING: _on_ping,
        messages.INFO: _on_info,
        messages.SET_TIME: _on_set_time,
        messages.TRUST_UPDATE: _on_trust_update,
        messages.RELAY: _on_relay,
    }
