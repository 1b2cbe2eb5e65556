"""Firmware check: one batch of differential cases through firmware/crypto (every runtime).

Args: [path-to-batch-json], written by tests/test_crypto_differential.py.
The batch holds lists under "ecdsa", "ecdh", "keygen", "hkdf", "gcm"; the
output (one JSON line) holds the firmware's answer for each entry, in order, and
"backend": which P-256 answered (``crypto.p256.BACKEND``).
"""
import binascii
import json

import simhost
from crypto import gcm, hkdf, p256


def unhex(h):
    return binascii.unhexlify(h)


def hexs(b):
    return binascii.hexlify(b).decode()


def main():
    path = json.loads(simhost.argv())[1]
    batch = json.loads(bytes(simhost.file_read(path)))
    out = {}

    res = []
    trusted = {}
    for pub_h, digest_h, sig_h in batch.get("ecdsa", []):
        pub, digest, sig = unhex(pub_h), unhex(digest_h), unhex(sig_h)
        a = p256.verify(pub, digest, sig)
        if pub_h not in trusted:
            try:
                trusted[pub_h] = p256.TrustedKey(pub)
            except ValueError:
                trusted[pub_h] = None
        tk = trusted[pub_h]
        b = tk.verify(digest, sig) if tk is not None else "ValueError"
        res.append([a, b])
    out["ecdsa"] = res

    res = []
    for priv_s, peer_h in batch.get("ecdh", []):
        try:
            res.append(hexs(p256.ecdh(int(priv_s), unhex(peer_h))))
        except ValueError:
            res.append("ValueError")
    out["ecdh"] = res

    res = []
    for rand_h in batch.get("keygen", []):
        pool = [unhex(rand_h)]

        def random_bytes(n):
            chunk = pool[0][:n]
            pool[0] = pool[0][n:]
            if len(chunk) != n:
                raise ValueError("test random pool exhausted")
            return chunk

        try:
            priv, pub = p256.generate_keypair(random_bytes)
            res.append([str(priv), hexs(pub)])
        except ValueError:
            res.append("ValueError")
    out["keygen"] = res

    res = []
    for ikm_h, salt_h, info_h, length in batch.get("hkdf", []):
        try:
            res.append(hexs(hkdf.hkdf_sha256(unhex(ikm_h), unhex(salt_h), unhex(info_h), length)))
        except ValueError:
            res.append("ValueError")
    out["hkdf"] = res

    res = []
    for key_h, nonce_h, pt_h, aad_h, flip in batch.get("gcm", []):
        g = gcm.AesGcm(unhex(key_h))
        nonce, pt, aad = unhex(nonce_h), unhex(pt_h), unhex(aad_h)
        ct = g.encrypt(nonce, pt, aad)
        back = g.decrypt(nonce, ct, aad) == pt
        bad = bytearray(ct)
        bad[flip // 8 % len(bad)] ^= 1 << (flip % 8)
        try:
            g.decrypt(nonce, bytes(bad), aad)
            tamper = "accepted"
        except gcm.AuthError:
            tamper = "AuthError"
        res.append([hexs(ct), back, tamper])
    out["gcm"] = res
    out["backend"] = p256.BACKEND

    print(json.dumps(out))


main()
