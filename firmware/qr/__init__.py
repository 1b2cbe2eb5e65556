"""QR / 2D-code capture: scan-engine drivers behind one interface.

Back ends (one module each, imported only when the board has that engine):

- ``qr.gm65``: GM65-class UART scan engines (``7E 00`` command frames, CRC-CCITT).
- ``qr.tiny_code_reader``: Useful Sensors Tiny Code Reader (I2C 0x0C, 254-byte payloads).
- ``qr.openmv_camera``: OpenMV ``image.find_qrcodes()`` (only on OpenMV firmware).

``qr.capture`` turns any of them into one scheduler task that delivers
de-duplicated text to ``on_code(text)`` and typed failures to
``on_error(code, detail)``. The codes below are those failures; details are
technical (lengths, offsets), never the content of a code.

An engine implements ``run(sink)``, a generator task that calls
``sink.deliver(data)`` (bytes or str, one decoded symbol) and
``sink.error(code, detail, key)`` and checks ``sink.active`` (False while the
application has paused capture).
"""
from core.errors import CaptureError

TOO_LONG = "too_long"  # over the configured maximum, or truncated by the engine (Tiny Code Reader: 254 bytes)
BAD_ENCODING = "bad_encoding"  # not UTF-8, or control bytes other than GS/RS/EOT
ENGINE_ERROR = "engine_error"  # the engine does not answer, or answers with a bad frame
EMPTY = "empty"  # a tail with no text before it
CALLBACK_ERROR = "callback_error"  # on_code raised: reported, capture goes on

ERROR_CODES = (TOO_LONG, BAD_ENCODING, ENGINE_ERROR, EMPTY, CALLBACK_ERROR)

MAX_LEN = 2048  # the longest code accepted, in bytes (a presentation QR is about 700)
HOLD_OFF_MS = 3000  # a code seen again within this time is the same presentation (qr.dedup)


class QrError(CaptureError):
    """A scan engine misbehaved (no ACK, bad CRC, bus error). ``code`` is one of the codes above."""

    code = ENGINE_ERROR
