"""The host end of the link: the shared ``vitale_link`` endpoint driven by a reader thread.

The thread acknowledges the reader's frames as soon as they arrive (so the
reader never retransmits because the application was busy), routes replies
to the request waiting for them and queues events for ``next_event``.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from typing import Any, Optional, Union

from vitale_link import messages
from vitale_link.endpoint import Endpoint
from vitale_link.errors import DeliveryFailed, FrameError, LinkError

from .errors import CommandFailed, LinkFailure, ReaderTimeout
from .transport import Transport

log = logging.getLogger(__name__)
TRACE = 5  # wire traces, below DEBUG
MAX_MESSAGE = 1 << 16  # largest message this host reassembles (announced in HELLO)


def _now_ms() -> int:
    return int(time.monotonic() * 1000)


class LinkSession:
    def __init__(self, transport: Transport, retry_ms: int = 250, max_tries: int = 6):
        self._transport = transport
        self.endpoint = Endpoint(retry_ms=retry_ms, max_tries=max_tries, initial_seq=os.urandom(1)[0],
                                 session=os.urandom(4), max_message=MAX_MESSAGE)
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._answers: dict[int, Union[messages.Message, LinkError]] = {}
        self._waiting: set[int] = set()
        self._events: "queue.Queue[Union[messages.Message, LinkFailure]]" = queue.Queue()
        self._failure: Optional[LinkFailure] = None
        self._closing = False
        self.frame_errors = 0
        self._thread = threading.Thread(target=self._run, name="vitale-link", daemon=True)
        self._thread.start()

    # -- requests ---------------------------------------------------------------
    def request(self, msg_type: int, fields: dict[str, Any], timeout: float) -> messages.Message:
        """Send a request and wait for its reply (matched by ``ref``)."""
        with self._lock:
            self._check()
            seq = self.endpoint.send(msg_type, fields, _now_ms())
            self._waiting.add(seq)
            out = self.endpoint.outgoing()
        self._write(out)
        deadline = time.monotonic() + timeout
        with self._lock:
            try:
                while seq not in self._answers:
                    self._check()
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise ReaderTimeout(f"no reply to {messages.type_name(msg_type)} within {timeout:g} s")
                    self._changed.wait(left)
                answer = self._answers.pop(seq)
            finally:
                self._waiting.discard(seq)
        if isinstance(answer, DeliveryFailed):
            raise LinkFailure(f"{messages.type_name(msg_type)} was never acknowledged by the reader")
        if isinstance(answer, LinkError):
            raise LinkFailure(str(answer))
        if answer.type == messages.ERROR:
            raise CommandFailed(answer["code"], answer.get("detail", ""), messages.type_name(msg_type))
        if answer.type != msg_type | messages.REPLY:
            raise LinkFailure(f"unexpected {messages.type_name(answer.type)} in reply")
        return answer

    def set_peer_limits(self, max_fragment: int, max_message: int) -> None:
        """The reader's announced limits (HELLO_REPLY): larger messages are fragmented to fit."""
        with self._lock:
            self.endpoint.set_peer_limits(max_fragment, max_message)

    def next_message(self, timeout: Optional[float]) -> messages.Message:
        """The next unsolicited message (EVENT) from the reader."""
        try:
            item = self._events.get(timeout=timeout)
        except queue.Empty:
            with self._lock:
                self._check()
            raise ReaderTimeout(f"no event within {timeout:g} s") from None
        if isinstance(item, LinkFailure):
            self._events.put(item)  # every later call sees it too
            raise item
        return item

    # -- the thread -------------------------------------------------------------
    def _check(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _write(self, data: bytes) -> None:
        if data:
            log.log(TRACE, "tx %d bytes", len(data))  # sizes only: frames carry identity data
            with self._write_lock:
                self._transport.write(data)

    def _run(self) -> None:
        try:
            while not self._closing:
                data = self._transport.read(4096, 0.02)
                now = _now_ms()
                with self._lock:
                    items = self.endpoint.receive(data, now) if data else []
                    failed = self.endpoint.poll(now)
                    out = self.endpoint.outgoing()
                    for item in items:
                        self._route(item)
                    for fail in failed:
                        if fail.seq in self._waiting:
                            self._answers[fail.seq] = fail
                    if items or failed:
                        self._changed.notify_all()
                if data:
                    log.log(TRACE, "rx %d bytes", len(data))
                self._write(out)
        except LinkFailure as err:
            self._fail(err)
        except Exception as err:  # the thread must never die silently
            self._fail(LinkFailure(f"link thread stopped: {err!r}"))

    def _route(self, item: Union[messages.Message, LinkError]) -> None:
        if isinstance(item, FrameError):
            self.frame_errors += 1
            log.debug("frame error from reader: %s", item.code)
            return
        if isinstance(item, LinkError):  # MessageError: acknowledged, but not understood
            log.warning("malformed message from reader: %s", item.code)
            return
        ref = item.get("ref")
        if (item.type & messages.REPLY or item.type == messages.ERROR) and ref in self._waiting:
            self._answers[ref] = item
        elif item.type == messages.EVENT or item.type == messages.ERROR:
            self._events.put(item)
        else:
            log.debug("ignored %s", item)

    def _fail(self, err: LinkFailure) -> None:
        with self._lock:
            if self._failure is None and not self._closing:
                self._failure = err
                self._changed.notify_all()
        if not self._closing:
            self._events.put(err)

    def close(self) -> None:
        self._closing = True
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(2)
