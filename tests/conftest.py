"""Fixtures of the whole suite. Firmware checks run once per runtime of ``vitale_sim.runtimes.selected()``
(CPython and the real MicroPython interpreter unless ``VITALE_RUNTIMES`` says otherwise)."""
import pytest
from hypothesis import settings
from vitale_sim import runtimes

from support import FUZZ

# `make fuzz` sets VITALE_FUZZ (a multiplier of every property test's example count).
settings.register_profile("vitale", max_examples=100 * FUZZ, deadline=None)
settings.load_profile("vitale")


@pytest.fixture(scope="module", params=runtimes.selected())
def runtime(request):
    """The name of a firmware runtime: a test that takes this runs once on each."""
    return request.param


@pytest.fixture(scope="module")
def wallet_path(tmp_path_factory):
    """A phone's wallet issued by the built-in TEST PKI (a file path, as `vitale-sim tap` takes)."""
    from vitale_sim.testpki import load as load_test_pki

    path = tmp_path_factory.mktemp("wallet") / "phone.wallet"
    load_test_pki().new_wallet().save(path)
    return str(path)
