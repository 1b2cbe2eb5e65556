"""``cryptolib.aes`` (ECB, mode 1) for the wasm interpreter, which has none.

On a board the firmware imports the built-in ``cryptolib``; here the block
cipher comes from Node's crypto through the ``simhost`` bridge.
"""
import binascii

import simhost

MODE_ECB = 1


class aes:
    def __init__(self, key, mode, iv=None):
        if mode != MODE_ECB:
            raise ValueError("only ECB is provided in the simulator")
        self._key = binascii.hexlify(bytes(key)).decode()

    def encrypt(self, data, out=None):
        result = bytes(simhost.aes_ecb_encrypt(self._key, binascii.hexlify(bytes(data)).decode()))
        if out is not None:
            out[: len(result)] = result
            return None
        return result
