"""vitale_sim: run the real reader firmware against simulated hardware, with no board.

``vitale-sim`` (``harness.SimReader``) runs the firmware sources under
CPython or the real MicroPython interpreter, exposes the host link as a
pseudo-terminal, and simulates the PN532, the phone and the scan engine.
``vitale-issuer`` (``vitale_sim.issuer``) issues TEST-ONLY credentials.
"""
