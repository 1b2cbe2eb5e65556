"""Firmware check: Wycheproof vectors through firmware/crypto (every runtime).

Args: [kind, path-to-wycheproof-json]; kind is one of ecdsa_der, ecdsa_p1363,
ecdh, hkdf, hmac, gcm. The JSON file is read through ``simhost.file_read``.

Prints one JSON line: {"total", "passed", "failures": [first 10],
"acceptable": {tcId: outcome}, "skipped": {reason: count}, "by_result": {...},
"backend": crypto.p256.BACKEND}.
An ECDSA vector passes when ``p256.verify`` AND ``p256.TrustedKey(...).verify``
both give the expected answer ("valid" -> True, "invalid" -> False or a
DER ValueError); "acceptable" vectors are recorded, never failed.
"""
import asyncio
import binascii
import gc
import hashlib
import json
import sys

import simhost
from crypto import gcm, hkdf, hmac_sha256, p256


MP = sys.implementation.name == "micropython"
WASM = sys.platform == "webassembly"


def unhex(h):
    return binascii.unhexlify(h)


async def relax(i):
    """Every 16 vectors, let the garbage go: the wasm build only collects when
    control returns to JavaScript, so without this the heap grows by ~1 MB per
    ECDSA vector (400+ MB for the DER file)."""
    if i & 15 == 15:
        gc.collect()
        if MP:
            await asyncio.sleep_ms(1)
        else:
            await asyncio.sleep(0)


class Tally:
    def __init__(self):
        self.total = 0
        self.passed = 0
        self.failures = []
        self.acceptable = {}
        self.skipped = {}
        self.by_result = {}

    def record(self, tc, expected, ok, got):
        """``ok``: did the code under test accept the vector."""
        self.total += 1
        self.by_result[expected] = self.by_result.get(expected, 0) + 1
        if expected == "acceptable":
            self.acceptable[str(tc)] = got
            self.passed += 1
            return
        if ok == (expected == "valid"):
            self.passed += 1
        elif len(self.failures) < 10:
            self.failures.append([tc, expected, got])

    def skip(self, reason):
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def dump(self):
        return {
            "total": self.total, "passed": self.passed, "failures": self.failures,
            "acceptable": self.acceptable, "skipped": self.skipped, "by_result": self.by_result,
            "backend": p256.BACKEND,
        }


async def ecdsa(doc, der, t):
    i = 0
    for group in doc["testGroups"]:
        pub = unhex(group["publicKey"]["uncompressed"])
        try:
            tk = p256.TrustedKey(pub)
        except ValueError:
            tk = None
        for case in group["tests"]:
            i += 1
            await relax(i)
            digest = hashlib.sha256(unhex(case["msg"])).digest()
            raw = unhex(case["sig"])
            if der:
                try:
                    raw = p256.decode_der_signature(raw)
                except ValueError:
                    t.record(case["tcId"], case["result"], False, "der-rejected")
                    continue
            a = p256.verify(pub, digest, raw)
            b = tk.verify(digest, raw) if tk is not None else False
            if a != b:
                t.record(case["tcId"], case["result"], None, "verify %s trusted %s" % (a, b))
                continue
            t.record(case["tcId"], case["result"], a, str(a))


async def ecdh(doc, t):
    i = 0
    for group in doc["testGroups"]:
        for case in group["tests"]:
            i += 1
            await relax(i)
            priv = int(case["private"], 16)
            try:
                out = p256.ecdh(priv, unhex(case["public"]))
            except ValueError:
                t.record(case["tcId"], case["result"], False, "ValueError")
                continue
            ok = binascii.hexlify(out).decode() == case["shared"]
            t.record(case["tcId"], case["result"], ok, "match" if ok else "mismatch")


def hkdf_vectors(doc, t):
    for group in doc["testGroups"]:
        for case in group["tests"]:
            try:
                out = hkdf.hkdf_sha256(unhex(case["ikm"]), unhex(case["salt"]), unhex(case["info"]), case["size"])
            except ValueError:
                t.record(case["tcId"], case["result"], False, "ValueError")
                continue
            ok = binascii.hexlify(out).decode() == case["okm"]
            t.record(case["tcId"], case["result"], ok, "match" if ok else "mismatch")


def hmac_vectors(doc, t):
    for group in doc["testGroups"]:
        n = group["tagSize"] // 8
        for case in group["tests"]:
            tag = hmac_sha256.hmac_sha256(unhex(case["key"]), unhex(case["msg"]))[:n]
            ok = hmac_sha256.compare_digest(tag, unhex(case["tag"]))
            t.record(case["tcId"], case["result"], ok, "match" if ok else "mismatch")


def gcm_vectors(doc, t):
    for group in doc["testGroups"]:
        for case in group["tests"]:
            if group["ivSize"] != 96:
                t.skip("iv %d bits (only 96 supported)" % group["ivSize"])
                continue
            if group["tagSize"] != 128:
                t.skip("tag %d bits (only 128 supported)" % group["tagSize"])
                continue
            if group["keySize"] not in (128, 256):
                t.skip("key %d bits (board cryptolib: 128/256)" % group["keySize"])
                continue
            key, iv, aad = unhex(case["key"]), unhex(case["iv"]), unhex(case["aad"])
            msg, ct, tag = unhex(case["msg"]), unhex(case["ct"]), unhex(case["tag"])
            g = gcm.AesGcm(key)
            try:
                pt = g.decrypt(iv, ct + tag, aad)
                dec_ok = pt == msg
                got = "decrypted" if dec_ok else "wrong plaintext"
            except gcm.AuthError:
                dec_ok = False
                got = "AuthError"
            enc_ok = g.encrypt(iv, msg, aad) == ct + tag
            if case["result"] == "valid" and not enc_ok:
                got = "encrypt mismatch"
            t.record(case["tcId"], case["result"], dec_ok and (enc_ok or case["result"] != "valid"), got)


async def main():
    args = json.loads(simhost.argv())[1:]
    kind, path = args[0], args[1]
    raw = simhost.file_read(path)
    if raw is None:
        raise OSError("cannot read " + path)
    doc = json.loads(bytes(raw))
    raw = None
    t = Tally()
    if kind == "ecdsa_der":
        await ecdsa(doc, True, t)
    elif kind == "ecdsa_p1363":
        await ecdsa(doc, False, t)
    elif kind == "ecdh":
        await ecdh(doc, t)
    elif kind == "hkdf":
        hkdf_vectors(doc, t)
    elif kind == "hmac":
        hmac_vectors(doc, t)
    elif kind == "gcm":
        gcm_vectors(doc, t)
    else:
        raise ValueError(kind)
    print(json.dumps(t.dump()))


if WASM:
    asyncio.create_task(main())  # the wasm port runs it on the JavaScript event loop
else:
    asyncio.run(main())
