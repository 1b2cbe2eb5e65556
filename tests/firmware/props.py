"""Property tests (hypothesis) run *as firmware*, on the CPython runtime (hypothesis needs CPython).

The firmware modules are imported here, in the runtime's own process, never in
pytest's. ``@prop`` registers a property; ``report()`` runs them all and prints
JSON ``{name: null}`` for one that held, or the falsifying report.
"""
import json
import os
import traceback

from hypothesis import settings

FUZZ = int(os.environ.get("VITALE_FUZZ", "1"))  # `make fuzz` sets it: that many times the examples
settings.register_profile("vitale", max_examples=100 * FUZZ, deadline=None)
settings.load_profile("vitale")

_PROPERTIES = []


def prop(fn):
    _PROPERTIES.append(fn)
    return fn


def report():
    out = {}
    for fn in _PROPERTIES:
        try:
            fn()
            out[fn.__name__] = None
        except Exception as err:  # the falsifying example and the traceback go to the test
            out[fn.__name__] = "".join(traceback.format_exception(err))[-6000:]
    print(json.dumps(out))
