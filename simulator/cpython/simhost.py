"""The simulator's host bridge under CPython: same interface as simulator/wasm/simhost.mjs."""
import binascii
import json
import os
import time

_argv: list = []


def set_argv(argv: list) -> None:
    _argv[:] = argv


def argv() -> str:
    return json.dumps(_argv)


def read(fd: int, n: int):
    """Non-blocking read: bytes (empty at EOF), or None when nothing is there."""
    try:
        return os.read(fd, n)
    except BlockingIOError:
        return None
    except OSError:  # EIO: a pty whose other side closed
        return b""


def write(fd: int, hexdata: str) -> int:
    data = binascii.unhexlify(hexdata)
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:
            time.sleep(0.001)
    return len(data)


def sleep_ms(ms: int) -> None:
    if ms > 0:
        time.sleep(ms / 1000)


def random(n: int) -> bytes:
    return os.urandom(n)


def aes_ecb_encrypt(key_hex: str, block_hex: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    enc = Cipher(algorithms.AES(binascii.unhexlify(key_hex)), modes.ECB()).encryptor()
    return enc.update(binascii.unhexlify(block_hex)) + enc.finalize()


def file_read(path: str):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def file_write_atomic(path: str, hexdata: str) -> int:
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(binascii.unhexlify(hexdata))
    os.replace(tmp, path)
    return 0
