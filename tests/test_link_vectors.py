"""The link vectors (protocol/vectors/link.json) hold on CPython and on real MicroPython."""
import json
import os

from runtimes import ROOT, run_script

VECTORS = os.path.join(ROOT, "protocol", "vectors", "link.json")


def test_vectors_on_both_runtimes(runtime):
    out = run_script(runtime, os.path.join(ROOT, "tests", "firmware", "link_vectors.py"), VECTORS)
    result = json.loads(out.stdout.decode().strip().splitlines()[-1])
    with open(VECTORS) as f:
        vectors = json.load(f)
    assert result["failures"] == []
    sections = ("frames", "auth_frames", "fragments", "decoder", "messages", "kdf")
    assert result["checked"] == sum(len(vectors[name]) for name in sections)
