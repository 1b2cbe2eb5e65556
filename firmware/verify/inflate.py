"""zlib (RFC 1950) decompression with a hard output limit, on MicroPython's ``deflate``.

``inflate(data, max_out)`` returns the decompressed bytes or raises
``InflateError`` (reason ``inflate``): a bad header, a preset dictionary,
a corrupt or truncated stream, a bad Adler-32, or more than ``max_out``
bytes of output (a "zip bomb" stops after ``max_out + 1`` bytes, never
inflating the rest). Bytes after the end of the zlib stream are ignored
by ``deflate`` on both runtimes (they are covered by no signature and
carry nothing).

Memory: the decoder allocates the window the header declares (CINFO,
256 B .. 32 KiB). Issuers SHOULD compress with a 1 KiB window (CINFO 2);
``max_window`` (default 32 KiB, i.e. any valid header) can lower what the
reader accepts.
"""
import io

import deflate

from verify.errors import VerifyError
from vitale_spec.reasons import INFLATE

MAX_OUT = 2048
_CHUNK = 256


class InflateError(VerifyError):
    code = INFLATE


def inflate(data, max_out=MAX_OUT, max_window=32768):
    if len(data) < 6:
        raise InflateError("too short")
    cmf = data[0]
    flg = data[1]
    if cmf & 0x0F != 8 or (cmf << 8 | flg) % 31 != 0:
        raise InflateError("bad zlib header")
    if flg & 0x20:
        raise InflateError("preset dictionary")
    if 1 << ((cmf >> 4) + 8) > max_window:
        raise InflateError("window too large")
    out = bytearray()
    try:
        stream = deflate.DeflateIO(io.BytesIO(data), deflate.ZLIB)
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            out.extend(chunk)
            if len(out) > max_out:
                raise InflateError("output too large")
    except InflateError:
        raise
    except (OSError, ValueError, EOFError, MemoryError):
        raise InflateError("corrupt stream")
    return bytes(out)
