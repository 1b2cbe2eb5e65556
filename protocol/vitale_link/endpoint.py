"""Sans-IO link endpoint: reliable, ordered delivery over a lossy byte stream (SPEC.md section 4).

Stop-and-wait per direction: one frame in flight, a bounded queue behind it.
Every valid non-ACK frame is acknowledged; a frame whose ``seq`` equals the
last one received is a duplicate (its ACK was lost): acknowledged again,
not delivered twice. An endpoint made with a ``session`` id (4 random
bytes) sends its first frame with ``FLAG_SYN`` and that id: a receiver that
sees a new session id forgets the sender's previous sequence numbers (the
peer restarted), so a new session's first frame is never mistaken for a
duplicate, while a retransmitted one (same id, same seq) still is. Unacknowledged frames are resent every ``retry_ms``
up to ``max_tries`` times, then reported as ``DeliveryFailed``.

The caller owns the I/O and the clock: ``receive(bytes, now)`` returns the
delivered ``Message`` values and typed ``LinkError`` values, ``poll(now)``
runs the retransmission timer, ``outgoing()`` hands over bytes to write.
Firmware and host both drive this same class.
"""
from . import frame as _frame
from . import messages
from .errors import DeliveryFailed, FrameError, MessageError, QueueFull


def _plain_diff(a, b):
    return a - b


class Endpoint:
    def __init__(self, retry_ms=250, max_tries=6, queue_len=16, initial_seq=0, ticks_diff=None, session=None):
        self.retry_ms = retry_ms
        self.max_tries = max_tries
        self.queue_len = queue_len
        self._diff = ticks_diff or _plain_diff
        self._decoder = _frame.FrameDecoder()
        self._out = bytearray()
        self._queue = []  # [seq, type, wire bytes]; the head is in flight once sent
        self._tries = 0
        self._sent_at = 0
        self._next_seq = initial_seq & 0xFF
        self._last_rx = None
        self._session = session  # ours: sent once, with our first frame
        self._peer_session = None
        self.stats = {"rx_frames": 0, "rx_errors": 0, "duplicates": 0, "tx_frames": 0,
                      "retransmits": 0, "delivery_failed": 0}

    # -- sending -----------------------------------------------------------
    def send(self, msg_type, fields, now):
        """Queue a message for reliable delivery; returns its seq. Raises QueueFull, MessageError."""
        if len(self._queue) >= self.queue_len:
            raise QueueFull("%d frames waiting" % len(self._queue))
        seq = self._next_seq
        self._next_seq = (seq + 1) & 0xFF
        payload = messages.encode_payload(msg_type, fields)
        flags = _frame.FLAG_SYN if self._session is not None else 0
        wire = _frame.encode_frame(_frame.Frame(msg_type, seq, payload, flags, self._session))
        self._session = None
        self._queue.append((seq, msg_type, wire))
        if len(self._queue) == 1:
            self._transmit(now)
        return seq

    def pending(self):
        """Number of frames not yet acknowledged (in flight + queued)."""
        return len(self._queue)

    def pending_seqs(self):
        """Sequence numbers not yet acknowledged."""
        return [entry[0] for entry in self._queue]

    def _transmit(self, now):
        self._out += self._queue[0][2]
        self._sent_at = now
        self._tries += 1
        self.stats["tx_frames"] += 1

    def poll(self, now):
        """Run the retransmission timer; returns DeliveryFailed values for abandoned frames."""
        failed = []
        while self._queue and self._diff(now, self._sent_at) >= self.retry_ms:
            if self._tries >= self.max_tries:
                seq, msg_type, _ = self._queue.pop(0)
                self._tries = 0
                self.stats["delivery_failed"] += 1
                failed.append(DeliveryFailed(seq, msg_type))
                if self._queue:
                    self._transmit(now)
            else:
                self.stats["retransmits"] += 1
                self._transmit(now)
                break
        return failed

    def outgoing(self):
        out = bytes(self._out)
        self._out = bytearray()
        return out

    # -- receiving ---------------------------------------------------------
    def receive(self, data, now):
        """Feed bytes from the wire; returns a list of Message and LinkError values."""
        delivered = []
        for item in self._decoder.feed(data):
            if isinstance(item, FrameError):
                self.stats["rx_errors"] += 1
                delivered.append(item)
                continue
            self.stats["rx_frames"] += 1
            if item.is_ack:
                self._on_ack(item.seq, now)
                continue
            self._out += _frame.encode_frame(_frame.Frame(0, item.seq, b"", _frame.FLAG_ACK))
            if item.session is not None and item.session != self._peer_session:
                self._peer_session = item.session  # the peer (re)started: a new sequence
                self._last_rx = None
            if item.seq == self._last_rx:
                self.stats["duplicates"] += 1
                continue
            self._last_rx = item.seq
            try:
                msg = messages.decode_payload(item.type, item.payload)
            except MessageError as err:
                err.seq = item.seq
                err.msg_type = item.type
                delivered.append(err)
                continue
            msg.seq = item.seq
            delivered.append(msg)
        return delivered

    def _on_ack(self, seq, now):
        if self._queue and self._queue[0][0] == seq and self._tries:
            self._queue.pop(0)
            self._tries = 0
            if self._queue:
                self._transmit(now)

