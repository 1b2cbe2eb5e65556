"""Board estimates derived from figures measured in the same `make bench` run.

No board is attached to CI, so board times are estimated from the wasm
figures with the two calibration programs of BRIEF.md section 6, run by
bench_ecdsa.py in the same bench (``calib_pi1000_ms_micropython``, big-int
bound; ``calib_intloop_ms_micropython``, interpreter bound) and the public
MicroPython benchmark's board times for the same programs
(shaoziyang/micropython_benchmarks, MicroPython 1.9.4):

    ESP32 @ 240 MHz:    pi 570 ms,  int loop 2610 ms
    STM32F411 @ 96 MHz: pi 1250 ms, int loop 5860 ms

RP2040 @ 125 MHz (Cortex-M0+) has no published figure; it is taken as equal
to the STM32F411 @ 96 MHz (Cortex-M4): 1.3x the clock, roughly 0.75x the
work per clock (no 32x32->64 multiply, fewer addressing modes). That is an
assumption, stated here and in BENCHMARKS.md.

Each estimate is a range: ``_est_low`` scales by the interpreter-bound
factor, ``_est_high`` by the big-int-bound factor. P-256 code (256-bit
ints: many small big-int operations) lies in between; ``_est`` is their
geometric mean, the headline figure.
"""
import math

BOARD_MS = {
    "esp32": {"pi": 570.0, "intloop": 2610.0},
    "stm32f411": {"pi": 1250.0, "intloop": 5860.0},
    "rp2040": {"pi": 1250.0, "intloop": 5860.0},  # assumed equal to the STM32F411 (see above)
}
ESTIMATED = (
    "ecdsa_verify_ms_micropython",
    "ecdsa_verify_trusted_ms_micropython",
    "presentation_verify_ms_micropython",
    "qr_verify_ms_micropython",
    "nfc_tap_compute_ms_micropython",
    "ecdh_ms_micropython",
    "trustlist_load_ms_micropython",
    "gm65_text_ms_micropython",
    "link_mac_ms_micropython",
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
        out[f"calib_factor_intloop_{board}"] = low_factor
        out[f"calib_factor_pi_{board}"] = high_factor
        lo, hi = sorted((low_factor, high_factor))
        for key in ESTIMATED:
            if key in figures:
                base = key[: -len("_micropython")]
                out[f"{base}_{board}_est_low"] = figures[key] * lo
                out[f"{base}_{board}_est_high"] = figures[key] * hi
                out[f"{base}_{board}_est"] = figures[key] * math.sqrt(lo * hi)
    return out
