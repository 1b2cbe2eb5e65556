"""Firmware check: the COSE WG Sign1 examples (ES256, JWK keys) through firmware/verify/cose.py.

Args: [path of each example JSON...]. Prints JSON: per file, whether the
signature verified, or the structural error that stopped it.
"""
import binascii
import hashlib
import json

import verify_common as vc
from verify import cose


def b64url(s):
    s = s.replace("-", "+").replace("_", "/")
    return binascii.a2b_base64((s + "=" * (-len(s) % 4)).encode())


out = []
for path in vc.args():
    ex = vc.load_json(path)
    sign0 = ex["input"]["sign0"]
    key = sign0["key"]
    pub = b"\x04" + b64url(key["x"]) + b64url(key["y"])
    aad = binascii.unhexlify(sign0.get("external", ""))
    entry = {"file": path.rsplit("/", 1)[-1], "fail": bool(ex.get("fail"))}
    try:
        s1 = cose.parse_sign1(binascii.unhexlify(ex["output"]["cbor"]))
        tbs = binascii.unhexlify(ex["intermediates"]["ToBeSign_hex"])
        entry["digest_matches_tbs"] = s1.digest(aad) == hashlib.sha256(tbs).digest()
        entry["verified"] = s1.verify(pub, aad)
    except ValueError as err:
        entry["verified"] = False
        entry["error"] = "%s: %s" % (getattr(err, "code", "?"), err)
    out.append(entry)
print(json.dumps(out))
