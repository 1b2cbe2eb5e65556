"""Firmware check: run protocol/vectors/credential/vectors.json through firmware/verify.

Args: [vectors.json path]. Prints JSON: per step the reason got and expected,
per trust-list update the outcome, and the NIR keys.
"""
import json

import verify_common as vc
from verify import nir
from verify.replay import ReplayCache
from verify.trustlist import TrustListError, TrustStore
from verify.verifier import Verifier

path = vc.args()[0]
vec = vc.load_json(path)
root = vc.unhex(vec["root_public_key"])
tls = {k: vc.unhex(v) for k, v in vec["trust_lists"].items()}


def store_with(name):
    files = {}
    if name is not None:
        files["trustlist.cose"] = tls[name]
    st = TrustStore(root, vc.MemStorage(files))
    st.load()
    return st


steps = []
for case in vec["cases"]:
    v = Verifier(store_with(case["trust_list"]), ReplayCache(8), vec["qr_window_s"])
    for i, s in enumerate(case["steps"]):
        if s["form"] == "nfc":
            r = v.verify_nfc(vc.unhex(s["presentation"]), vc.unhex(s["nonce"]), vc.unhex(s["transcript_hash"]),
                             s["now"])
        else:
            r = v.verify_qr(s["text"], s["now"])
        steps.append({"name": case["name"], "step": i, "reason": r.reason, "expected": s["reason"], "ok": r.ok,
                      "source": r.source, "app_id": r.app_id.hex() if r.app_id else None,
                      "has_presentation": r.presentation is not None, "detail": r.detail, "repr": repr(r),
                      "expected_app_id": case.get("app_id")})

updates = []
for u in vec["trust_list_updates"]:
    mem = vc.MemStorage({"trustlist.cose": tls[u["installed"]]} if u["installed"] else {})
    st = TrustStore(root, mem)
    st.load()
    before = st.version
    writes = mem.writes
    try:
        version = st.update(vc.unhex(u["update"]), vec["now"])
        got = "ok"
    except TrustListError as err:
        version = None
        got = err.code
    updates.append({"name": u["name"], "reason": got, "expected": u["reason"], "version": version,
                    "expected_version": u.get("version"), "version_after": st.version, "version_before": before,
                    "written": mem.writes - writes,
                    "stored_is_update": mem.files.get("trustlist.cose") == vc.unhex(u["update"])})

nirs = [{"matricule": n["matricule"], "key": nir.key(n["matricule"]), "expected": n["key"],
         "check": nir.check(n["matricule"], n["key"])} for n in vec["nir"]]
print(json.dumps({"steps": steps, "updates": updates, "nir": nirs}))
