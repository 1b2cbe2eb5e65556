"""The bottom layer of the firmware: what every other layer stands on.

``core.errors`` (the exception root ``ReaderError`` and its branches),
``core.clock`` (monotonic ticks, the host-set wall clock) and
``core.tasks`` (the cooperative scheduler, ``sleep_ms``, ``Deadline``).
Nothing here imports from another firmware package (docs/ARCHITECTURE.md,
checked by tests/test_layers.py).
"""
