"""QR rendering of a presentation text (segno: alphanumeric mode, error correction M)."""
from __future__ import annotations

import os

import segno


def make(text: str) -> segno.QRCode:
    """The QR code as the phone shows it: alphanumeric mode, ECC level M, smallest version."""
    return segno.make_qr(text, error="m", mode="alphanumeric", boost_error=False)


def version(text: str) -> int:
    return int(make(text).version)


def save_png(text: str, path: str | os.PathLike, scale: int = 4) -> int:
    qr = make(text)
    qr.save(str(path), kind="png", scale=scale, border=4)
    return int(qr.version)
