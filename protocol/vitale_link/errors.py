"""Typed errors of the link layer. Decoders return them as values, never raise on bad input."""


class LinkError(Exception):
    """Root of every link-layer error. ``code`` is the name used on the wire."""

    code = "link_error"


class FrameError(LinkError):
    """A frame was refused; the decoder has resynchronised on the next delimiter."""

    code = "frame_error"


class CobsError(FrameError):
    code = "cobs"


class CrcError(FrameError):
    code = "crc"


class FrameTooLong(FrameError):
    code = "too_long"


class FrameTooShort(FrameError):
    code = "too_short"


class VersionMismatch(FrameError):
    code = "version"


class FlagsError(FrameError):
    """Unknown flag bits, or a combination the spec forbids (e.g. ACK with a payload or AUTH)."""

    code = "flags"


class AuthFailed(FrameError):
    """An AUTH frame whose tag does not verify (or that arrived with no key to check it)."""

    code = "auth"


class Replayed(FrameError):
    """An AUTH frame whose counter is not above the last one accepted (and is no duplicate)."""

    code = "replay"


class Unauthenticated(FrameError):
    """A frame without AUTH while keys are set, of a type the application does not allow plain."""

    code = "unauthenticated"


class MessageError(LinkError):
    """A frame was fine but its message is unknown, malformed or could not be reassembled.

    The endpoint sets ``seq`` (the message's first frame) and ``msg_type`` before returning it.
    """

    code = "bad_message"
    seq = None
    msg_type = None


class UnknownMessage(MessageError):
    code = "unknown_message"


class MessageTooLong(MessageError):
    """A fragmented message grew beyond the receiver's ``max_message``; it was discarded."""

    code = "too_long"


class FragmentError(MessageError):
    """A partial message was cut short (a frame of another type, or a new session, came in)."""

    code = "fragment"


class DeliveryFailed(LinkError):
    """A reliable message was not acknowledged after every retransmission (or was cancelled)."""

    code = "delivery_failed"

    def __init__(self, seq, msg_type):
        super().__init__("message seq %d type 0x%02x not acknowledged" % (seq, msg_type))
        self.seq = seq
        self.msg_type = msg_type


class QueueFull(LinkError):
    code = "queue_full"
