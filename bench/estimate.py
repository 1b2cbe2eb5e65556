"""Board estimates derived from figures measured in the same `make bench` run.

No board is attached to CI, so board times are estimated from the wasm
figures with the two calibration programs of BRIEF.md section 6, run in
the same bench beside the code measured (``calib_pi1000_ms_micropython``,
big-int bound; ``calib_intloop_ms_micropython``, interpreter bound) and
the public MicroPython benchmark's board times for the same programs
(shaoziyang/micropython_benchmarks, MicroPython 1.9.4):

    STM32F411 @ 96 MHz: pi 1250 ms, int loop 5860 ms

RP2040 @ 125 MHz (Cortex-M0+) is taken as equal to the STM32F411 @ 96 MHz
(Cortex-M4): 1.3x the clock, roughly 0.75x the work per clock (no
64-bit multiply result, fewer addressing modes, no IT blocks) -- an
assumption, stated here and in BENCHMARKS.md. Each estimate is a range:
``_low`` scales by the interpreter-bound factor, ``_high`` by the
big-int-bound factor; P-256 code (256-bit ints, many small operations)
lies in between.
"""

BOARD_MS = {"rp2040": {"pi": 1250.0, "intloop": 5860.0}}
ESTIMATED = (
    "ecdsa_verify_ms_micropython",
    "ecdsa_verify_trusted_ms_micropython",
    "presentation_verify_ms_micropython",
    "qr_verify_ms_micropython",
    "nfc_tap_compute_ms_micropython",
    "ecdh_ms_micropython",
    "trustlist_load_ms_micropython",
)


def derive(figures: dict) -> dict:
    pi = figures.get("calib_pi1000_ms_micropython")
    loop = figures.get("calib_intloop_ms_micropython")
    if not pi or not loop:
        return {}
    out = {}
    for board, ms in BOARD_MS.items():
        low_factor = ms["intloop"] / loop
        high_factor = ms["pi"] / pi
        out[f"{board}_factor_interpreter"] = low_factor
        out[f"{board}_factor_bigint"] = high_factor
        for key in ESTIMATED:
            if key in figures:
                base = key[: -len("_micropython")]
                out[f"{base}_{board}_est_low"] = figures[key] * min(low_factor, high_factor)
                out[f"{base}_{board}_est_high"] = figures[key] * max(low_factor, high_factor)
    return out
