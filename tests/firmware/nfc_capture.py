"""The NFC capture task as the firmware runs it (scheduler + NfcCapture) against the simulated chip.

Every capture event goes to the test over the control channel, which moves
phones in and out of the field and answers ``{"stop": true}`` at the end.
With ``relay`` in the config, relay mode is on and a second task forwards
the configured APDUs each time a phone arrives.
"""
import binascii
import json

import simhost
from core.tasks import Deadline, Scheduler
from nfc import make_pn532
from nfc.capture import NfcCapture
from rig import Ctl, IdleBoard, bus, config
from sim_board import SimBoard
from vitale_spec.nfc import RELAY_MS

cfg = config()
ctl = Ctl(cfg["ctl"])
state = {"stop": False, "present": False, "arrivals": 0}


def encode(ev):
    out = {}
    for k, v in ev.items():
        out[k] = binascii.hexlify(v).decode() if isinstance(v, (bytes, bytearray)) else v
    return out


def on_result(ev):
    if ev["kind"] == "card_present":
        state["present"] = True
        state["arrivals"] += 1
    elif ev["kind"] == "card_removed":
        state["present"] = False
    reply = ctl.call("event", event=encode(ev))
    if reply.get("stop"):
        state["stop"] = True


cap = NfcCapture(make_pn532(bus(cfg), SimBoard.pn532_ack_timeout_ms), lambda n: bytes(simhost.random(n)), on_result, **cfg.get("options", {}))
sched = Scheduler()
sched.spawn(cap.task(), "nfc")


def relay_task():
    apdus = [binascii.unhexlify(a) for a in cfg["relay"]]
    handled = 0
    while True:
        if not state["present"] or handled == state["arrivals"]:
            yield
            continue
        handled = state["arrivals"]
        for apdu in apdus:
            try:
                rsp = yield from cap.relay_apdu(apdu, cfg.get("relay_ms", RELAY_MS))
                ev = {"kind": "relay_response", "response": rsp}
            except Exception as err:  # reported to the test
                ev = {"kind": "relay_error", "error": type(err).__name__, "code": getattr(err, "code", "")}
            ctl.call("event", event=encode(ev))
        ctl.call("event", event={"kind": "relay_done"})


if cfg.get("relay") is not None:
    cap.set_relay(True)
    sched.spawn(relay_task(), "relay")


deadline = Deadline(cfg.get("timeout_ms", 60000))  # a bound for a scenario gone wrong, not a step
sched.run(IdleBoard(), stop=lambda: state["stop"] or deadline.expired())
print(json.dumps({"taps": cap.taps, "stopped": state["stop"], "tasks": sched.names(), "firmware": list(cap.firmware)}))
