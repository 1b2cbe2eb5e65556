import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from runtimes import RUNTIMES  # noqa: E402


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    """Each test that takes this runs once on CPython and once on real MicroPython."""
    return request.param
