"""Firmware check: a fixed batch of fuzz inputs through the CBOR decoder and the verifier.

Args: [cases.json path] {"root", "trust_list", "now", "blobs": [hex], "texts": [str], "nfc": [[hex,
nonce hex, transcript hex]]}. Prints JSON: per blob the decoder outcome ("ok" or the error class)
and per input the verdict reason. Anything else raised is reported as "crash:<type>".
"""
import json

import verify_common as vc
from verify import cbor
from verify.replay import ReplayCache
from verify.trustlist import TrustStore
from verify.verifier import Verifier

inp = vc.load_json(vc.args()[0])
st = TrustStore(vc.unhex(inp["root"]), vc.MemStorage({"trustlist.cose": vc.unhex(inp["trust_list"])}))
st.load()
v = Verifier(st, ReplayCache(), 120)
now = inp["now"]
dec = []
for h in inp["blobs"]:
    try:
        cbor.decode(vc.unhex(h))
        dec.append("ok")
    except cbor.CborError:
        dec.append("CborError")
    except Exception as err:  # the property under test: nothing but CborError
        dec.append("crash:" + type(err).__name__)
qr = []
for t in inp["texts"]:
    try:
        qr.append(v.verify_qr(t, now).reason)
    except Exception as err:
        qr.append("crash:" + type(err).__name__)
nfc = []
for h, n, th in inp["nfc"]:
    try:
        nfc.append(v.verify_nfc(vc.unhex(h), vc.unhex(n), vc.unhex(th), now).reason)
    except Exception as err:
        nfc.append("crash:" + type(err).__name__)
print(json.dumps({"decode": dec, "qr": qr, "nfc": nfc}))
