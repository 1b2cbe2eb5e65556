"""MicroPython's ``deflate`` module (decompression side) over CPython's zlib."""
import io
import zlib

RAW = 0
ZLIB = 1
GZIP = 2
AUTO = 3

_WBITS = {RAW: -15, ZLIB: 15, GZIP: 31, AUTO: 47}


class DeflateIO:
    """Read decompressed bytes from a stream, like ``deflate.DeflateIO(stream, format)``."""

    def __init__(self, stream, format=AUTO, wbits=0, close=False):
        self._stream = stream
        self._z = zlib.decompressobj(_WBITS[format])
        self._buf = b""
        self._eof = False

    def read(self, n=-1):
        while not self._eof and (n < 0 or len(self._buf) < n):
            chunk = self._stream.read(256)
            if not chunk:
                self._buf += self._z.flush()
                if not self._z.eof:
                    raise OSError(22)  # truncated stream: what MicroPython raises (EINVAL)
                self._eof = True
                break
            try:
                self._buf += self._z.decompress(chunk)
            except zlib.error as err:
                raise OSError(22) from err
            if self._z.eof:
                self._eof = True
        if n < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def readinto(self, buf):
        data = self.read(len(buf))
        buf[: len(data)] = data
        return len(data)

    def close(self):
        pass


__all__ = ["DeflateIO", "RAW", "ZLIB", "GZIP", "AUTO", "io"]
