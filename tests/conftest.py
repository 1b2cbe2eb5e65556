import os
import sys

import pytest
from hypothesis import settings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from runtimes import FUZZ, RUNTIMES  # noqa: E402

# `make fuzz` sets VITALE_FUZZ (a multiplier of every property test's example count).
settings.register_profile("vitale", max_examples=100 * FUZZ, deadline=None)
settings.load_profile("vitale")


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    """Each test that takes this runs once on CPython and once on real MicroPython."""
    return request.param
