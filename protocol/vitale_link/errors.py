"""Typed errors of the link layer. Decoders return them as values, never raise on bad input."""


class LinkError(Exception):
    """Root of every link-layer error. ``code`` is the name used on the wire."""

    code = "link_error"


class FrameError(LinkError):
    """A frame could not be decoded; the decoder has resynchronised on the next delimiter."""

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


class AuthUnsupported(FrameError):
    """The frame carries the authentication trailer, which protocol v1 only reserves."""

    code = "auth_unsupported"


class MessageError(LinkError):
    """A frame was fine but its message is unknown or its fields malformed."""

    code = "bad_message"


class UnknownMessage(MessageError):
    code = "unknown_message"


class DeliveryFailed(LinkError):
    """A reliable frame was not acknowledged after every retransmission."""

    code = "delivery_failed"

    def __init__(self, seq, msg_type):
        super().__init__("frame seq %d type 0x%02x not acknowledged" % (seq, msg_type))
        self.seq = seq
        self.msg_type = msg_type


class QueueFull(LinkError):
    code = "queue_full"
