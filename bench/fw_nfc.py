"""Firmware side of bench/bench_nfc.py: one real tap through NfcCapture, plus the tap's compute.

Argument (JSON): {"fd": chip pty, "vector": path of session_v1.json, "trustlist": path}.
1. Reader compute per tap, on the fixed vector: the ephemeral key pair (made
   before the tap, while the field is empty) and ECDH + HKDF + AES-GCM
   decryption of the phone's answer (during the tap); means of 10 runs.
2. One tap: the capture task against the simulated PN532 (HSU) and phone,
   until the presentation is decrypted; the wall time is printed too (it
   includes the simulator's own latency, the modelled time is computed by the
   bench from the byte counts).
3. The verifier on that tap's presentation (mean of 10 runs).
"""
import binascii
import json
import time

import sim_board
import simhost
from core.tasks import Scheduler
from nfc import make_pn532, session
from nfc.capture import NfcCapture
from verify.verifier import Verifier

cfg = json.loads(json.loads(simhost.argv())[1])
vec = json.loads(bytes(simhost.file_read(cfg["vector"])).decode())
H = binascii.unhexlify
rnd = lambda n: bytes(simhost.random(n))  # noqa: E731


def mean_ms(fn, n=10):
    """Average over ``n`` runs (the wasm port's ticks have 1 ms resolution)."""
    fn()  # warm up (imports, tables)
    t0 = time.ticks_ms()
    for _ in range(n):
        fn()
    return time.ticks_diff(time.ticks_ms(), t0) / n


priv = int(vec["reader_priv"], 16)
args = (priv, H(vec["reader_pub"]), H(vec["nonce"]), H(vec["select_data"]), H(vec["answer"]))
out = {
    "keygen_ms": mean_ms(lambda: session.new_ephemeral(rnd)),
    "open_ms": mean_ms(lambda: session.open_response(*args)),
}

events = []
state = {"stop": False, "t_present": None, "t_result": None}


def on_result(ev):
    events.append(ev["kind"])
    if ev["kind"] == "card_present":
        state["t_present"] = time.ticks_ms()
    elif ev["kind"] in ("nfc_presentation", "capture_error"):
        state["t_result"] = time.ticks_ms()
        state["stop"] = True
        state["event"] = ev


cap = NfcCapture(make_pn532(("uart", sim_board.FdStream(cfg["fd"])), sim_board.SimBoard.pn532_ack_timeout_ms), rnd, on_result)
sched = Scheduler()
sched.spawn(cap.task(), "nfc")


class IdleBoard:
    def idle(self, ms):
        simhost.sleep_ms(ms)


end = time.ticks_add(time.ticks_ms(), 30000)
sched.run(IdleBoard(), stop=lambda: state["stop"] or time.ticks_diff(end, time.ticks_ms()) <= 0)
ev = state.get("event") or {}
out["events"] = events
out["presentation_len"] = len(ev.get("presentation", b""))
out["tap_wall_ms"] = time.ticks_diff(state["t_result"], state["t_present"]) if state["t_result"] else None
# 3. Verification of the tap's presentation, as the app does next (trusted issuer key, fresh
#    holder key), so the tap's compute = decryption + verification.
if ev.get("kind") == "nfc_presentation":
    from verify import pinned
    from verify.replay import ReplayCache
    from verify.trustlist import TrustStore

    class Flash:
        def read(self, name):
            return bytes(simhost.file_read(cfg["trustlist"]))

    store = TrustStore(pinned.ROOT_PUB, Flash())
    store.load()
    verifier = Verifier(store, ReplayCache())
    now = int(time.time())
    verdict = verifier.verify_nfc(ev["presentation"], ev["nonce"], ev["transcript"], now)
    out["verdict"] = verdict.reason
    out["verify_ms"] = mean_ms(lambda: verifier.verify_nfc(ev["presentation"], ev["nonce"], ev["transcript"], now))
iso = cap.last_iso
out["apdus"] = iso.apdus if iso else 0
out["apdu_bytes"] = (iso.bytes_out + iso.bytes_in) if iso else 0
print(json.dumps(out))
