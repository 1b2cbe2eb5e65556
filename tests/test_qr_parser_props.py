"""Property tests (hypothesis) of the GM65 byte assembler and the de-duplication.

The properties (tests/firmware/qr_props.py) run as firmware on the CPython
runtime, so no firmware module enters this process. The firmware-on-both-runtimes
checks are in test_qr_units.py / test_qr_gm65.py.
"""
import pytest

from support import check

PROPERTIES = ("chunking_does_not_change_codes", "responses_between_codes_are_separated",
              "dedup_matches_a_reference_model")


@pytest.fixture(scope="module")
def results():
    return check("cpython", "qr_props.py", timeout=600)


def test_every_property_ran(results):
    assert sorted(results) == sorted(PROPERTIES)


@pytest.mark.parametrize("name", PROPERTIES)
def test_property(results, name):
    assert results[name] is None, results[name]
