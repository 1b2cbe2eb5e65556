"""The firmware's exception hierarchy: one root, one branch per layer.

Each carries a short machine-readable ``code`` that the link layer reports
to the host. Messages never contain personal data.
"""


class ReaderError(Exception):
    code = "reader_error"

    def __init__(self, detail="", code=None):
        super().__init__(detail)
        if code is not None:
            self.code = code
        self.detail = detail


class DriverError(ReaderError):
    """A chip or bus did not behave (no ACK, bad frame, bus error)."""

    code = "driver_error"


class TimeoutError_(ReaderError):
    """A bounded wait ran out. (Named so as not to shadow the builtin.)"""

    code = "timeout"


class CaptureError(ReaderError):
    """A phone or a code could not be read (removed, wrong AID, bad APDU...)."""

    code = "capture_error"


class StorageError(ReaderError):
    code = "storage_error"
