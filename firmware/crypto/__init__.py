"""Firmware cryptography: P-256 ECDSA/ECDH (``p256``), ``hmac_sha256``, ``hkdf``, AES-GCM (``gcm``).

Pure MicroPython on top of ``hashlib.sha256`` and ``cryptolib.aes`` (ECB);
the same code runs under CPython in the simulator. ``p256`` hands its work to
the native module ``p256_native`` (C, natmod/p256/) on boards that have it. Bad inputs raise
``ValueError`` (``gcm.AuthError`` for a failed tag); ``p256.verify`` never raises.
"""
