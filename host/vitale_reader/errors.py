"""The host library's exceptions: one root, split by what the caller can do about it."""
from __future__ import annotations

from typing import Optional


class VitaleError(Exception):
    """Root of every error raised by ``vitale_reader``."""


class ReaderUnavailable(VitaleError):
    """The reader cannot be reached: no such port, unplugged, or a backend not installed."""


class LinkFailure(VitaleError):
    """The link broke: frames were not acknowledged, or the port was closed under us."""


class ReaderTimeout(VitaleError, TimeoutError):
    """No answer (or no event) within the time given."""


class ProtocolError(VitaleError):
    """The reader said something this library does not understand, or the handshake failed."""


class CommandFailed(VitaleError):
    """The reader answered a request with an ERROR message."""

    def __init__(self, code: str, detail: str = "", request: Optional[str] = None):
        super().__init__(f"{request or 'request'} failed: {code}" + (f" ({detail})" if detail else ""))
        self.code = code
        self.detail = detail
        self.request = request
