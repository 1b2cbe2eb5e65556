"""RFC 8949 Appendix A through the firmware's CBOR decoder and encoder, on both runtimes.

What the decoder rejects by design (CREDENTIAL.md §3) is counted
explicitly: floats (23 vectors, incl. the tagged epoch float), indefinite
lengths (11), and simple(24) in two bytes, which RFC 8949 §3.3 makes not
well-formed (1). Everything else (47) must decode to the expected value
and re-encode to the same bytes.
"""
import json
import os
from collections import Counter

from runtimes import ROOT, run_script

APPENDIX = os.path.join(ROOT, "tests", "vectors", "cbor", "appendix_a.json")
if not os.path.exists(APPENDIX):  # pragma: no cover - layout of another machine
    APPENDIX = os.path.join(ROOT, "vectors", "cbor", "appendix_a.json")


def test_appendix_a(runtime):
    proc = run_script(runtime, os.path.join(ROOT, "tests", "firmware", "verify_cbor_appendix.py"), APPENDIX)
    out = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    with open(APPENDIX) as f:
        assert len(out) == len(json.load(f)) == 82
    outcomes = Counter(e["outcome"] for e in out)
    assert outcomes == {
        "match": 47,
        "rejected:float not supported": 23,
        "rejected:indefinite length not supported": 11,
        "rejected:simple value not well-formed": 1,
    }, outcomes
    matched = [e for e in out if e["outcome"] == "match"]
    assert all(e.get("roundtrip") is True for e in matched), [e for e in matched if e.get("roundtrip") is not True]
    # the rejected ones are exactly the floats, the indefinite lengths and f818
    for e in out:
        first = int(e["hex"][:2], 16)
        if e["outcome"] == "rejected:float not supported":
            assert first in (0xF9, 0xFA, 0xFB) or e["hex"].startswith("c1fb")
        elif e["outcome"] == "rejected:indefinite length not supported":
            assert "5f" in e["hex"][:2] or "7f" in e["hex"][:2] or "9f" in e["hex"] or "bf" in e["hex"]
        elif e["outcome"].startswith("rejected"):
            assert e["hex"] == "f818"
