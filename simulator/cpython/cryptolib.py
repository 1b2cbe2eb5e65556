"""MicroPython's ``cryptolib.aes`` (ECB encryption, mode 1) over ``cryptography``."""
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MODE_ECB = 1


class aes:  # noqa: N801 - the name MicroPython gives it
    def __init__(self, key, mode, iv=None):
        if mode != MODE_ECB:
            raise ValueError("only ECB is provided in the simulator")
        self._enc = Cipher(algorithms.AES(bytes(key)), modes.ECB()).encryptor()

    def encrypt(self, data, out=None):
        result = self._enc.update(bytes(data))
        if out is not None:
            out[: len(result)] = result
            return None
        return result
