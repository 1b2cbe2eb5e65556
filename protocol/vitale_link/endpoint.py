"""Sans-IO link endpoint: reliable, ordered, optionally authenticated messages over a lossy byte stream.

SPEC.md sections 4 to 6. The caller owns the I/O and the clock:
``receive(bytes, now)`` returns delivered ``Message`` values and typed
``LinkError`` values, ``poll(now)`` runs the retransmission timer and returns
``DeliveryFailed`` values, ``outgoing()`` hands over the bytes to write.
Firmware and host both drive this same class.

- Stop-and-wait per direction: one frame in flight, a queue of messages behind it.
- A message longer than the peer's ``max_fragment`` goes as consecutive
  frames of its type, FLAG_MORE on all but the last; the receiver reassembles
  up to its own ``max_message``.
- Every accepted frame is acknowledged; a duplicate (its ACK was lost) is
  acknowledged again, never delivered twice. A damaged frame makes the
  receiver send a NAK (at most one per ``nak_interval_ms``), on which the
  sender retransmits at once; so does a damaged frame that arrives at least
  one smoothed round trip after our last transmission (it may be the peer's
  ACK or NAK of it). A timer covers frames lost whole: it starts
  from the measured round trip (RFC 6298: SRTT + 4 RTTVAR, at least
  ``min_retry_ms``), doubles on each expiry up to ``retry_ms``; a message is
  abandoned when one of its frames stays unacknowledged for
  ``max_tries * retry_ms``.
- Session ids: the endpoint's first frame carries SYN and the ``session`` id.
  After it abandons a partly sent message it sends SYN again with the next id,
  so the receiver drops the partial message instead of splicing the next one on.
  Every new frame carries the SYN until one of them is acknowledged.
- Authentication: after ``set_keys(tx, rx)`` every data frame sent carries an
  AUTH trailer, and a received frame is verified before anything in it is used;
  plain frames are dropped unless their type is in ``allow_plain`` (the
  application's decision). ACK and NAK are never authenticated and only ever
  drive retransmission.
"""
from . import auth, messages
from . import frame as _frame
from .errors import (AuthFailed, DeliveryFailed, FragmentError, FrameError, LinkError, MessageError,
                     MessageTooLong, QueueFull, Replayed, Unauthenticated)

DEFAULT_FRAGMENT = 64  # payload bytes per frame until the peer announces its own (BENCHMARKS.md: fragment size)
DEFAULT_MAX_MESSAGE = 4096  # every endpoint reassembles at least this much; more once the peer announces it


def _plain_diff(a, b):
    return a - b


class Endpoint:
    """One end of the link.

    :param retry_ms: longest retransmission timeout (and the first, before any round trip is measured).
    :param max_tries: a frame unacknowledged for ``max_tries * retry_ms`` after its first
        transmission is abandoned with its message (``DeliveryFailed``): the peer is gone or deaf.
    :param min_retry_ms: shortest retransmission timeout.
    :param queue_len: messages waiting, the one in flight included.
    :param initial_seq: first sequence number (random on a real link).
    :param ticks_diff: the firmware passes ``core.clock.ticks_diff``; plain subtraction by default.
    :param session: 4 random bytes: the first frame carries SYN with them.
    :param max_fragment: largest payload per frame this endpoint wants to receive (announce it).
    :param max_message: largest message this endpoint reassembles (announce it).
    :param nak_interval_ms: at most one NAK sent, and one NAK acted upon, per interval.
    """

    def __init__(self, retry_ms=250, max_tries=6, queue_len=16, initial_seq=0, ticks_diff=None, session=None,
                 max_fragment=DEFAULT_FRAGMENT, max_message=DEFAULT_MAX_MESSAGE, nak_interval_ms=5, min_retry_ms=20):
        if not _frame.MIN_FRAGMENT <= max_fragment <= _frame.MAX_FRAGMENT:
            raise ValueError("max_fragment out of range")
        if max_message < DEFAULT_MAX_MESSAGE:
            raise ValueError("max_message below DEFAULT_MAX_MESSAGE")
        self.retry_ms = retry_ms
        self.max_tries = max_tries
        self.min_retry_ms = min(min_retry_ms, retry_ms)
        self.queue_len = queue_len
        self.nak_interval_ms = nak_interval_ms
        self.max_fragment = max_fragment
        self.max_message = max_message
        self.peer_max_fragment = DEFAULT_FRAGMENT
        self.peer_max_message = DEFAULT_MAX_MESSAGE
        self.allow_plain = ()  # message types accepted without AUTH while keys are set
        self.key_deriver = None  # see set_keys()
        self._diff = ticks_diff or _plain_diff
        self._decoder = _frame.FrameDecoder(max(max_fragment, DEFAULT_FRAGMENT))
        self._out = bytearray()
        # sending
        self._queue = []  # (first seq, type, payload, fragment size, fragment count) per message
        self._fragment = 0  # index of the head message's fragment in flight
        self._wire = None  # that fragment's wire bytes, once built: retransmissions resend them unchanged
        self._tries = 0  # transmissions of the frame in flight
        self._first_sent = 0
        self._sent_at = 0
        self._timeout = retry_ms  # the frame in flight's current retransmission timeout
        self._rto = retry_ms  # timeout a new frame starts with, from the measured round trips
        self._srtt = None
        self._rttvar = 0
        self._next_seq = initial_seq & 0xFF
        self._session = session  # SYN: carried by every new frame until one of them is acknowledged
        self._wire_syn = False  # the frame in flight carries it
        self._session_id = session or bytes(4)
        self._tx_key = None
        self._tx_counter = 0
        self._acked = None  # seq of the last frame we acknowledged: repeated on a NAK, named in ours
        self._acked_at = 0
        self._nak_sent_at = None
        self._nak_acted_at = None
        # receiving
        self._peer_session = None
        self._last_rx = None  # seq of the last plain frame accepted (duplicate check)
        self._rx_key = None
        self._rx_counter = 0  # counter and seq of the last AUTH frame accepted
        self._rx_counter_seq = None
        self._partial = None  # reassembly: bytearray of the message so far
        self._partial_type = 0
        self._partial_seq = 0
        self._skip_type = None  # dropping the rest of a message that grew too long
        self.stats = {"rx_frames": 0, "rx_errors": 0, "tx_frames": 0, "retransmits": 0, "naks_sent": 0,
                      "naks_received": 0, "auth_failures": 0, "replays": 0, "duplicates": 0,
                      "delivery_failed": 0, "unauthenticated": 0}

    # -- configuration -------------------------------------------------------
    def set_peer_limits(self, max_fragment=None, max_message=None):
        """What the peer announced (HELLO / HELLO_REPLY). Applies to messages queued from now on;
        out-of-range values are clamped to MIN_FRAGMENT..MAX_FRAGMENT and >= DEFAULT_MAX_MESSAGE."""
        if max_fragment is not None:
            self.peer_max_fragment = min(max(max_fragment, _frame.MIN_FRAGMENT), _frame.MAX_FRAGMENT)
        if max_message is not None:
            self.peer_max_message = max(max_message, DEFAULT_MAX_MESSAGE)

    def set_keys(self, tx_key, rx_key):
        """Authenticate from now on: frames built from now carry AUTH under ``tx_key``, received
        frames must verify under ``rx_key`` (32-byte keys, ``auth.session_keys``). Both counters
        start again (the next frame sent has counter 1) and a partial message is dropped.

        Call it between messages: a frame already sent is retransmitted unchanged. To accept
        a first AUTH frame whose keys depend on its own content (the HELLO_REPLY), set
        ``key_deriver`` instead: ``key_deriver(msg) -> (tx_key, rx_key) or None`` is called
        with the message of an AUTH frame that arrives while no keys are set. That message is
        NOT authenticated yet: derive keys from it, nothing else; the frame is accepted (and
        the keys set) only if it then verifies.
        """
        self._tx_key = auth.MacKey(tx_key)
        self._rx_key = auth.MacKey(rx_key)
        self._reset_auth()

    def clear_keys(self):
        """Back to plain frames (e.g. before a new HELLO)."""
        self._tx_key = self._rx_key = None
        self._reset_auth()

    @property
    def keyed(self):
        return self._rx_key is not None

    def _reset_auth(self):
        self._tx_counter = 0
        self._rx_counter = 0
        self._rx_counter_seq = None
        self._partial = None
        self._skip_type = None

    # -- sending -------------------------------------------------------------
    def send(self, msg_type, fields, now):
        """Queue a message for reliable delivery; returns its seq (that of its first frame).

        Raises QueueFull, MessageError (bad fields), MessageTooLong (above the peer's max_message).
        """
        if len(self._queue) >= self.queue_len:
            raise QueueFull("%d messages waiting" % len(self._queue))
        payload = messages.encode_payload(msg_type, fields)
        if len(payload) > self.peer_max_message:
            raise MessageTooLong("%d bytes, the peer takes %d" % (len(payload), self.peer_max_message))
        size = self.peer_max_fragment
        count = max(1, (len(payload) + size - 1) // size)
        if self._tx_key is not None:
            queued = 0
            for entry in self._queue:
                queued += entry[4]
            if self._tx_counter + queued + count > _frame.MAX_COUNTER:
                raise LinkError("frame counter exhausted: start a new session")
        seq = self._next_seq
        self._next_seq = (seq + count) & 0xFF
        self._queue.append((seq, msg_type, payload, size, count))
        if len(self._queue) == 1:
            self._transmit(now)
        return seq

    def pending(self):
        """Number of messages not yet acknowledged (in flight + queued)."""
        return len(self._queue)

    def pending_seqs(self):
        """Seqs (first frames) of the messages not yet acknowledged."""
        return [entry[0] for entry in self._queue]

    def cancel(self):
        """Drop every message not yet acknowledged (e.g. on a new session); returns a
        DeliveryFailed for each, so the application can keep what it must resend."""
        failed = []
        while self._queue:
            failed.append(self._abandon_head())
        return failed

    def _transmit(self, now):
        if self._wire is None:
            self._wire = self._build()
        self._out += self._wire
        if not self._tries:
            self._first_sent = now
            self._timeout = self._rto
        self._sent_at = now
        self._tries += 1
        self.stats["tx_frames"] += 1

    def _build(self):
        first, msg_type, payload, size, count = self._queue[0]
        index = self._fragment
        flags = _frame.FLAG_MORE if index < count - 1 else 0
        session = self._session
        self._wire_syn = session is not None
        if session is not None:
            flags |= _frame.FLAG_SYN
        fr = _frame.Frame(msg_type, (first + index) & 0xFF, payload[index * size:(index + 1) * size], flags, session)
        if self._tx_key is not None:
            self._tx_counter += 1
            fr.counter = self._tx_counter
        return _frame.encode_frame(fr, self._tx_key)

    def _abandon_head(self):
        first, msg_type, payload, size, count = self._queue.pop(0)
        if count > 1 and (self._fragment or self._tries):
            # Part of it may sit in the peer's reassembly buffer: start a new sequence (SYN),
            # so the peer drops it rather than splice the next message onto it.
            n = (int.from_bytes(self._session_id, "big") + 1) & 0xFFFFFFFF
            self._session_id = self._session = n.to_bytes(4, "big")
        self._fragment = 0
        self._wire = None
        self._tries = 0
        self.stats["delivery_failed"] += 1
        return DeliveryFailed(first, msg_type)

    def poll(self, now):
        """Run the retransmission timer; returns DeliveryFailed values for abandoned messages."""
        failed = []
        while self._queue and self._diff(now, self._sent_at) >= self._timeout:
            if self._diff(now, self._first_sent) >= self.max_tries * self.retry_ms:
                failed.append(self._abandon_head())
                if self._queue:
                    self._transmit(now)
            else:
                self.stats["retransmits"] += 1
                self._timeout = min(2 * self._timeout, self.retry_ms)
                self._transmit(now)
                break
        return failed

    def outgoing(self):
        out = bytes(self._out)
        self._out = bytearray()
        return out

    # -- receiving -----------------------------------------------------------
    def receive(self, data, now):
        """Feed bytes from the wire; returns a list of Message and LinkError values
        (FrameError: refused frames, already counted; MessageError: a message that arrived
        but could not be decoded or reassembled, with ``seq`` and ``msg_type`` set)."""
        delivered = []
        for item in self._decoder.feed(data):
            if isinstance(item, FrameError):
                self.stats["rx_errors"] += 1
                self._nak(now)
                if self._srtt is not None and self._diff(now, self._sent_at) >= self._srtt:
                    self._resend(now)  # late enough to be the damaged ACK or NAK of our frame
                delivered.append(item)
            elif item.flags & _frame.FLAG_ACK:
                self.stats["rx_frames"] += 1
                self._on_ack(item.seq, now)
            elif item.flags & _frame.FLAG_NAK:
                self.stats["rx_frames"] += 1
                self.stats["naks_received"] += 1
                self._resend(now)
            else:
                self.stats["rx_frames"] += 1
                self._on_data(item, delivered, now)
        return delivered

    def _on_data(self, fr, delivered, now):
        if fr.flags & _frame.FLAG_AUTH:
            self._on_auth(fr, delivered, now)
        elif self._rx_key is None:
            if not self._plain_is_new(fr, now):
                return
            if fr.flags & _frame.FLAG_SYN:
                self._restart_assembly(delivered)
            self._assemble(fr, False, delivered)
        elif fr.type in self.allow_plain and not fr.flags & _frame.FLAG_MORE:
            # Allowed plain (e.g. a new HELLO): a single frame, outside the authenticated stream.
            if self._plain_is_new(fr, now):
                self._deliver(fr.type, fr.payload, fr.seq, False, delivered)
        else:
            self.stats["unauthenticated"] += 1
            delivered.append(Unauthenticated("plain frame type 0x%02x while authenticated" % fr.type))

    def _plain_is_new(self, fr, now):
        """Acknowledge a plain frame; False if it is a duplicate."""
        self._ack(fr.seq, now)
        if fr.flags & _frame.FLAG_SYN and fr.session != self._peer_session:
            self._peer_session = fr.session  # the peer (re)started: a new sequence
            self._last_rx = None
        if fr.seq == self._last_rx:
            self.stats["duplicates"] += 1
            return False
        self._last_rx = fr.seq
        return True

    def _on_auth(self, fr, delivered, now):
        key = self._rx_key
        if key is None:
            keys = self._derive_keys(fr)
            key = auth.MacKey(keys[1]) if keys is not None else None
        if key is None or not fr.verify(key):
            self.stats["auth_failures"] += 1
            delivered.append(AuthFailed("frame seq %d" % fr.seq))
            return
        if self._rx_key is None:
            self.set_keys(keys[0], keys[1])
        if fr.counter == self._rx_counter and fr.seq == self._rx_counter_seq:
            self._ack(fr.seq, now)  # a retransmission whose ACK was lost
            self.stats["duplicates"] += 1
            return
        if fr.counter <= self._rx_counter:
            self.stats["replays"] += 1
            delivered.append(Replayed("counter %d after %d" % (fr.counter, self._rx_counter)))
            return
        self._rx_counter = fr.counter
        self._rx_counter_seq = fr.seq
        self._ack(fr.seq, now)
        if fr.flags & _frame.FLAG_SYN:
            self._restart_assembly(delivered)
        self._assemble(fr, True, delivered)

    def _derive_keys(self, fr):
        if self.key_deriver is None or fr.flags & _frame.FLAG_MORE:
            return None
        try:
            msg = messages.decode_payload(fr.type, fr.payload)
        except MessageError:
            return None
        msg.seq = fr.seq
        return self.key_deriver(msg)

    def _restart_assembly(self, delivered):
        if self._partial is not None:
            delivered.append(self._assembly_error(FragmentError, "cut short by a new session"))
        self._skip_type = None

    def _assembly_error(self, cls, text):
        err = cls(text)
        err.seq = self._partial_seq
        err.msg_type = self._partial_type
        self._partial = None
        return err

    def _assemble(self, fr, authenticated, delivered):
        more = fr.flags & _frame.FLAG_MORE
        if self._skip_type is not None:
            skipping, self._skip_type = self._skip_type, None
            if fr.type == skipping:
                if more:
                    self._skip_type = skipping
                return
        if self._partial is not None and fr.type != self._partial_type:
            delivered.append(self._assembly_error(FragmentError, "a frame of another type inside a message"))
        if self._partial is None:
            if not more:
                self._deliver(fr.type, fr.payload, fr.seq, authenticated, delivered)
                return
            self._partial = bytearray(fr.payload)
            self._partial_type = fr.type
            self._partial_seq = fr.seq
            return
        if len(self._partial) + len(fr.payload) > self.max_message:
            delivered.append(self._assembly_error(MessageTooLong, "message above %d bytes" % self.max_message))
            if more:
                self._skip_type = fr.type
            return
        self._partial += fr.payload
        if not more:
            payload, self._partial = bytes(self._partial), None
            self._deliver(fr.type, payload, self._partial_seq, authenticated, delivered)

    def _deliver(self, msg_type, payload, seq, authenticated, delivered):
        try:
            msg = messages.decode_payload(msg_type, payload)
        except MessageError as err:
            err.seq = seq
            err.msg_type = msg_type
            delivered.append(err)
            return
        msg.seq = seq
        msg.authenticated = authenticated
        delivered.append(msg)

    # -- ACK and NAK -----------------------------------------------------------
    def _ack(self, seq, now):
        self._acked = seq
        self._acked_at = now
        self._out += _frame.control_frame(_frame.FLAG_ACK, seq)

    def _nak(self, now):
        if self._nak_sent_at is None or self._diff(now, self._nak_sent_at) >= self.nak_interval_ms:
            self._nak_sent_at = now
            self.stats["naks_sent"] += 1
            self._out += _frame.control_frame(_frame.FLAG_NAK, self._acked if self._acked is not None else 0)

    def _resend(self, now):
        """A NAK came (the peer got a damaged frame: ours in flight, or the ACK we sent last), or a
        damaged frame came (maybe the peer's ACK or NAK of ours): resend both at once."""
        if self._nak_acted_at is not None and self._diff(now, self._nak_acted_at) < self.nak_interval_ms:
            return
        self._nak_acted_at = now
        if self._acked is not None and self._diff(now, self._acked_at) < self.retry_ms:
            self._out += _frame.control_frame(_frame.FLAG_ACK, self._acked)  # recent only: never a stale one
        if self._queue:
            self.stats["retransmits"] += 1
            self._transmit(now)

    def _measured(self, rtt):
        if self._srtt is None:
            self._srtt, self._rttvar = rtt, rtt // 2
        else:
            self._rttvar = (3 * self._rttvar + abs(self._srtt - rtt)) // 4
            self._srtt = (7 * self._srtt + rtt) // 8
        self._rto = min(max(self._srtt + 4 * self._rttvar, self.min_retry_ms), self.retry_ms)

    def _on_ack(self, seq, now):
        if not self._queue or not self._tries:
            return
        first, msg_type, payload, size, count = self._queue[0]
        if (first + self._fragment) & 0xFF != seq:
            return
        if self._tries == 1:  # a round-trip sample (never from a retransmitted frame: Karn)
            self._measured(self._diff(now, self._first_sent))
        self._wire = None
        self._tries = 0
        if self._wire_syn:
            self._session = None  # the peer has our session id
        if self._fragment + 1 < count:
            self._fragment += 1
        else:
            self._queue.pop(0)
            self._fragment = 0
            if not self._queue:
                return
        self._transmit(now)
