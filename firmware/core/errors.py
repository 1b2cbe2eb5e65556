"""The firmware's exception root and its branches.

Each error carries a short machine-readable ``code`` that the link layer
reports to the host. Messages never contain personal data. Byte-level
decoders raise ``ValueError`` subclasses instead (``verify.errors.VerifyError``,
``crypto``): those stay inside their layer, which turns them into verdicts.
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


class WaitTimeout(ReaderError):
    """A bounded wait ran out."""

    code = "timeout"


class CaptureError(ReaderError):
    """A phone or a code could not be read (removed, wrong AID, bad APDU...)."""

    code = "capture_error"
