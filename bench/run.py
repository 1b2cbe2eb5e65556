"""`make bench`: run every bench/bench_*.py, print the figures, write build/bench.json.

Each module exposes ``figures() -> dict`` of named numbers measured in this
run (ratios are computed from figures taken side by side, never from
stored constants). A module that fails is reported and the run exits 1.
"""
import importlib.util
import json
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main() -> int:
    figures: dict = {}
    failed = []
    for name in sorted(os.listdir(HERE)):
        if not (name.startswith("bench_") and name.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(HERE, name))
        module = importlib.util.module_from_spec(spec)
        start = time.perf_counter()
        try:
            spec.loader.exec_module(module)
            got = module.figures()
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        print(f"# {name}: {time.perf_counter() - start:.1f} s", flush=True)
        for key in sorted(got):
            print(f"{key:45s} {got[key]:.4g}" if isinstance(got[key], float) else f"{key:45s} {got[key]}")
        figures.update(got)
    sys.path.insert(0, HERE)
    import estimate

    derived = estimate.derive(figures)
    if derived:
        print("# board estimates (bench/estimate.py)")
        for key in sorted(derived):
            print(f"{key:45s} {derived[key]:.4g}")
        figures.update(derived)
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    with open(os.path.join(ROOT, "build", "bench.json"), "w") as f:
        json.dump(figures, f, indent=1, sort_keys=True)
    print(f"wrote build/bench.json ({len(figures)} figures)")
    if failed:
        print("FAILED:", ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
