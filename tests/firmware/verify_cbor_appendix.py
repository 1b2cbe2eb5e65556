"""Firmware check: RFC 8949 Appendix A vectors through firmware/verify/cbor.py.

Args: [appendix_a.json path]. Prints JSON: one entry per vector with the
outcome: "match" (decoded equals the expected value or diagnostic),
"mismatch", or "rejected:<reason>" (CborError detail), plus roundtrip
results of the encoder for the matched ones it can encode.
"""
import binascii
import json

import verify_common as vc
from verify import cbor


def diag(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if v is cbor.UNDEFINED:
        return "undefined"
    if isinstance(v, cbor.Simple):
        return "simple(%d)" % v.value
    if isinstance(v, cbor.Tag):
        return "%d(%s)" % (v.tag, diag(v.value))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, bytes):
        return "h'" + (v.hex() if v else "") + "'"  # MicroPython: b"".hex() is b"", not ""
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(diag(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=cbor.encode)  # deterministic order: MicroPython dicts are unordered
        return "{" + ", ".join(diag(k) + ": " + diag(v[k]) for k in keys) + "}"
    return "?"


def same(a, b):
    if type(a) is bool or type(b) is bool or a is None or b is None:
        return a is b
    if isinstance(b, list):
        return isinstance(a, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(b, dict):
        return isinstance(a, dict) and len(a) == len(b) and all(k in a and same(a[k], b[k]) for k in b)
    if isinstance(b, float):
        return False
    return type(a) is type(b) and a == b


out = []
for vecs in vc.load_json(vc.args()[0]):
    data = binascii.unhexlify(vecs["hex"])
    entry = {"hex": vecs["hex"]}
    try:
        v = cbor.decode(data)
    except cbor.CborError as err:
        entry["outcome"] = "rejected:" + str(err)
        out.append(entry)
        continue
    if "decoded" in vecs:
        good = same(v, vecs["decoded"])
    else:
        good = diag(v) == vecs["diagnostic"]
        entry["diag"] = diag(v)
    entry["outcome"] = "match" if good else "mismatch"
    if good and vecs.get("roundtrip"):
        try:
            entry["roundtrip"] = cbor.encode(v) == data
        except cbor.CborError as err:
            entry["roundtrip"] = "unsupported:" + str(err)
    out.append(entry)
print(json.dumps(out))
