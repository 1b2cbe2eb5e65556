"""RFC 8949 Appendix A through the firmware's CBOR decoder and encoder, on both runtimes.

What the decoder rejects by design (CREDENTIAL.md §3) is classified here
independently, by walking each vector's data items: floats (any major type 7
head with a 2-, 4- or 8-byte argument), indefinite lengths (any head with
additional information 31), and simple values below 32 in two bytes, which
RFC 8949 §3.3 makes not well-formed. Each vector must get exactly its
class's outcome; every other one must decode to the expected value and
re-encode to the same bytes.
"""
import json
import os
from collections import Counter

from support import ROOT, check

APPENDIX = os.path.join(ROOT, "tests", "vectors", "cbor", "appendix_a.json")
REJECTED = {
    "float": "rejected:float not supported",
    "indefinite": "rejected:indefinite length not supported",
    "simple24": "rejected:simple value not well-formed",
}


def classify(data):
    """What a strict decoder of CREDENTIAL.md §3 must say of ``data``: "float", "indefinite",
    "simple24" (the first such head met, depth first) or "ok"."""
    found = []

    def item(i):
        head = data[i]
        major, info = head >> 5, head & 0x1F
        i += 1
        if info == 31:
            found.append("indefinite")
            return None
        if info < 24:
            arg = info
        else:
            size = 1 << (info - 24)  # 24, 25, 26, 27: 1, 2, 4, 8 bytes
            arg = int.from_bytes(data[i:i + size], "big")
            i += size
        if major == 7:
            if info in (25, 26, 27):
                found.append("float")
            elif info == 24 and arg < 32:
                found.append("simple24")
            return i
        if major in (2, 3):
            return i + arg
        if major == 4:
            for _ in range(arg):
                i = item(i)
                if i is None:
                    return None
            return i
        if major == 5:
            for _ in range(2 * arg):
                i = item(i)
                if i is None:
                    return None
            return i
        if major == 6:
            return item(i)
        return i

    item(0)
    return found[0] if found else "ok"


def test_appendix_a(runtime):
    out = check(runtime, "verify_cbor_appendix.py", APPENDIX)
    with open(APPENDIX) as f:
        vectors = json.load(f)
    assert len(out) == len(vectors) == 82
    expected = [REJECTED.get(classify(bytes.fromhex(v["hex"])), "match") for v in vectors]
    assert [(e["hex"], e["outcome"]) for e in out] == [(v["hex"], x) for v, x in zip(vectors, expected)]
    # hand count of the appendix: 23 floats (with the tagged epoch float), 11 indefinite lengths,
    # f818, and 47 items the profile's CBOR accepts
    assert Counter(expected) == {"match": 47, REJECTED["float"]: 23, REJECTED["indefinite"]: 11,
                                 REJECTED["simple24"]: 1}
    # each decoded item re-encodes to the very bytes of the appendix
    assert [e["hex"] for e in out if e["outcome"] == "match" and e.get("roundtrip") is not True] == []
