"""Property tests (hypothesis): bad input never escapes the firmware's decoder or verifier as an
exception, and the firmware's and the host's verifiers give the same reason.

The properties (tests/firmware/credential_props.py) run as firmware on the
CPython runtime, so no firmware module enters this process; the same code runs
under the real MicroPython interpreter on a fixed fuzz batch in
test_credential_firmware.py.
"""
import os

import pytest

from support import ROOT, check

PROPERTIES = ("cbor_decoder_random_bytes", "cbor_decoder_structured_noise", "cbor_encoder_decoder_roundtrip",
              "verify_qr_random_text", "verify_mutated_presentations",
              "internal_reason_when_the_verifier_itself_fails")


@pytest.fixture(scope="module")
def results():
    return check("cpython", "credential_props.py", paths=(os.path.join(ROOT, "tests"),), timeout=900)


def test_every_property_ran(results):
    assert sorted(results) == sorted(PROPERTIES)


@pytest.mark.parametrize("name", PROPERTIES)
def test_property(results, name):
    assert results[name] is None, results[name]
