"""The firmware application without hardware, on both runtimes."""
import json
import os

from runtimes import ROOT, run_script


def test_reader_app_units(runtime):
    out = run_script(runtime, os.path.join(ROOT, "tests", "firmware", "app_units.py"))
    result = json.loads(out.stdout.decode().strip().splitlines()[-1])
    assert result == {k: True for k in result} and len(result) == 6, result
