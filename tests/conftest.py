import os
import sys
import time

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


@pytest.fixture(scope="module")
def wallet_path(tmp_path_factory):
    """A phone's wallet issued by the built-in TEST PKI (a file path, as `vitale-sim tap` takes)."""
    from vitale_sim.testpki import load as load_test_pki

    path = tmp_path_factory.mktemp("wallet") / "phone.wallet"
    load_test_pki().new_wallet().save(path)
    return str(path)


def _wait_for(condition, timeout=60.0):
    """Wait until ``condition()`` holds (a generous bound, not a timing claim)."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.002)


@pytest.fixture
def wait_for():
    """``wait_for(condition, timeout=60)``: poll a condition, fail after a generous bound."""
    return _wait_for
