"""Boards: the hardware abstraction the rest of the firmware sees.

A board object carries the buses and services described in
docs/ARCHITECTURE.md ("The board (HAL) object"). ``pico`` and
``esp32_devkit`` build it from ``machine``; the simulator builds its own.
"""
