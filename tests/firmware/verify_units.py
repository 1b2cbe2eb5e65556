"""Firmware check: unit behaviour of firmware/verify (base45, inflate, replay, nir, trust store, verifier).

Args: [inputs.json path] written by tests/test_credential_firmware.py (zlib
blobs, a trust list, a QR text: MicroPython has no compressor). Prints JSON
{check name: value}; the pytest side states what each must be.
"""
import json

import verify_common as vc
from verify import base45, inflate, nir
from vitale_spec import reasons as R
from verify.replay import ReplayCache
from verify.trustlist import TrustListError, TrustStore, kid_of
from verify.verifier import Verifier

inp = vc.load_json(vc.args()[0])
out = {}


def err_code(fn, *a):
    try:
        fn(*a)
        return "none"
    except ValueError as err:
        return getattr(err, "code", "ValueError")


# base45: RFC 9285 examples and invalid input
out["b45_encode"] = [base45.encode(b"AB"), base45.encode(b"Hello!!"), base45.encode(b"base-45"),
                     base45.encode(b"ietf!"), base45.encode(b"")]
out["b45_decode"] = [str(base45.decode(t), "ascii") for t in ("BB8", "%69 VD92EX0", "UJCLQE7W581", "QED8WEX0")]
out["b45_decode_bytes"] = str(base45.decode(b"QED8WEX0"), "ascii")
out["b45_invalid"] = [err_code(base45.decode, t) for t in ("GGW", ":::", "::", "A", "ABCD", "bb8", "BB8\n", "é0")]

# inflate
ok = vc.unhex(inp["zlib_ok"])
out["inflate_ok"] = len(inflate.inflate(ok, 4096))
out["inflate_exact_limit"] = len(inflate.inflate(vc.unhex(inp["zlib_2048"]), 2048))
out["inflate_over_limit"] = err_code(inflate.inflate, vc.unhex(inp["zlib_2049"]), 2048)
out["inflate_bomb"] = err_code(inflate.inflate, vc.unhex(inp["zlib_bomb"]), 2048)
out["inflate_truncated"] = err_code(inflate.inflate, ok[:-5], 4096)
out["inflate_bad_adler"] = err_code(inflate.inflate, ok[:-1] + bytes([ok[-1] ^ 1]), 4096)
out["inflate_raw_deflate"] = err_code(inflate.inflate, vc.unhex(inp["raw_deflate"]), 4096)
out["inflate_preset_dict"] = err_code(inflate.inflate, b"\x78\xbb" + bytes(10), 4096)
out["inflate_window_limit"] = err_code(inflate.inflate, vc.unhex(inp["zlib_32k_window"]), 4096, 1024)
out["inflate_short"] = err_code(inflate.inflate, b"\x78\x9c", 4096)
out["inflate_trailing_ignored"] = len(inflate.inflate(ok + b"\x00\x01", 4096))

# replay cache
rc = ReplayCache(3)
for i in range(3):
    rc.add(bytes([i]), 100, 0)
seen_all = [rc.seen(bytes([i]), 50) for i in range(3)]
rc.add(b"\x09", 100, 50)  # full of live entries: the oldest goes
out["replay_full_evicts_oldest"] = [rc.seen(bytes([0]), 50), rc.seen(b"\x09", 50), rc.evictions, len(rc)]
out["replay_seen"] = seen_all
out["replay_expired"] = [rc.seen(b"\x09", 101), len(rc)]
rc.add(b"\x0a", 200, 150)
out["replay_add_after_expiry"] = [len(rc), rc.evictions]

# nir
out["nir"] = [nir.key("185072A004012"), nir.key("185072a004012"), nir.key("18507"), nir.key("18507X0040120"),
              nir.check("2500119123012", nir.key("2500119123012")),
              nir.check("2500119123012", "%02d" % nir.key("2500119123012")), nir.check("2500119123012", "7"),
              nir.check("2500119123012", None)]

# trust store
root = vc.unhex(inp["root"])
tl = vc.unhex(inp["trust_list"])
mem = vc.MemStorage()
st = TrustStore(root, mem)
out["store_empty"] = [st.load(), st.loaded, repr(st)]
out["store_update"] = [st.update(tl, 0), mem.writes, mem.files.get("trustlist.cose") == tl, st.loaded]
st2 = TrustStore(root, vc.MemStorage({"trustlist.cose": tl}))
out["store_reload"] = [st2.load(), repr(st2)]
kid = vc.unhex(inp["issuer_kid"])
iss = st2.issuer(kid)
out["store_issuer"] = [iss is not None, iss.valid_at(inp["now"]), iss.usage, kid_of(iss.pub65) == kid, repr(iss)]
out["store_unknown_kid"] = st2.issuer(b"\x00" * 8) is None
bad = TrustStore(root, vc.MemStorage({"trustlist.cose": tl[:-3]}))
try:
    bad.load()
    out["store_bad_stored"] = "none"
except TrustListError as err:
    out["store_bad_stored"] = [err.code, bad.loaded, isinstance(err, Exception)]
try:
    TrustStore(root[:10], mem)
    out["store_bad_root"] = "none"
except ValueError:
    out["store_bad_root"] = "ValueError"

# the verifier never raises, whatever it is given; verdicts and reprs hold no personal data
v = Verifier(st2, ReplayCache())
odd = []
for x in (None, 123, [], b"", "", b"VT1:\xff\xfe", "VT1:" + "A" * 5000, bytearray(b"VT1:BB8")):
    r = v.verify_qr(x, inp["now"])
    odd.append([r.ok, r.reason, r.source])
for x in (None, 123, "text", b"", bytearray(b"\xd2\x84")):
    r = v.verify_nfc(x, b"n", bytes(32), inp["now"])
    odd.append([r.ok, r.reason, r.source])
r = v.verify_nfc(b"\xa0", None, None, inp["now"])
odd.append([r.ok, r.reason, r.source])
out["odd_inputs"] = odd
r = v.verify_qr(inp["qr_text"], inp["now"])
out["qr_ok"] = [r.ok, r.reason, repr(r), r.app_id.hex(), len(r.presentation)]
r = v.verify_qr(inp["qr_text"].encode(), inp["now"])
out["qr_bytes_replay"] = r.reason
out["qr_bytes_ok"] = v.verify_qr(inp["qr_text_2"].encode() + b"\r\n", inp["now"]).reason
out["reasons"] = list(R.ALL)
print(json.dumps(out))
