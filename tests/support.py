"""What the tests share: paths, the fuzz scale, firmware check scripts run on a runtime, condition waits."""
import ast
import os
import time

from vitale_sim import runtimes

ROOT = runtimes.ROOT
FIRMWARE_CHECKS = os.path.join(ROOT, "tests", "firmware")  # scripts run as firmware, on every runtime
FUZZ = int(os.environ.get("VITALE_FUZZ", "1"))  # property-test scale: 1 in `make test`, more in `make fuzz`


def check(runtime, script, *args, **options):
    """Run ``tests/firmware/SCRIPT`` on ``runtime``; return the JSON it printed last."""
    return runtimes.run_json(runtime, os.path.join(FIRMWARE_CHECKS, script), *args, **options)


def firmware_constant(module, name):
    """The value of ``NAME = <literal>`` in ``firmware/MODULE`` (read, not imported: one source for a timing)."""
    with open(os.path.join(ROOT, "firmware", module)) as f:
        for node in ast.parse(f.read()).body:
            if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [name]:
                return ast.literal_eval(node.value)
    raise LookupError(f"{name} in firmware/{module}")


def wait_until(predicate, timeout=30.0, what="the condition", every=0.01):
    """Poll ``predicate()`` every ``every`` seconds until it is true (returns its value); fail after a
    generous ``timeout``. (Ask a reader over its link no more than a few times a second.)"""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(every)
