"""The exception root of this package's byte-level decoders (base45, inflate, cbor, cose, ins_datamatrix).

``code`` is a verdict reason (``vitale_spec.reasons``). The message is a
short technical detail (an offset, a limit), never personal data. These
errors stay inside ``verify``: the verifier turns them into verdicts.
"""
from vitale_spec.reasons import COSE_STRUCTURE


class VerifyError(ValueError):
    code = COSE_STRUCTURE

    def __init__(self, detail="", code=None):
        super().__init__(detail)
        if code is not None:
            self.code = code
        self.detail = detail
