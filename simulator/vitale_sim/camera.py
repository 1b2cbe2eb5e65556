"""The simulated camera: decode QR codes and Data Matrix symbols from an image file.

``scan_image(path)`` is what the harness calls for ``scan IMAGE``: it
returns every decoded text (zxing-cpp, QR Code and Data Matrix, raw text:
a GS stays ``\\x1d``), or ``[]`` when no code is found. The harness then
hands each text to ``Gm65Model.present`` so the firmware receives it
through the scan-engine protocol, byte for byte.

``degrade`` makes a clean rendering look like a photo taken at a counter
(scale, rotation, blur, sensor noise, low contrast, a slight perspective),
for the tests; ``render_qr`` draws a text as the phone shows it.
"""
from __future__ import annotations

import os
import random
from typing import Optional, Union

import zxingcpp
from PIL import Image, ImageChops, ImageEnhance, ImageFilter

ImageSource = Union[str, os.PathLike, Image.Image]
FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.DataMatrix)


def load(source: ImageSource) -> Image.Image:
    if isinstance(source, Image.Image):
        img = source
    else:
        with Image.open(source) as f:
            f.load()
            img = f.copy()
    if img.mode in ("RGBA", "LA", "P"):
        background = Image.new("RGB", img.size, (255, 255, 255))
        rgba = img.convert("RGBA")
        background.paste(rgba, mask=rgba.split()[-1])
        img = background
    return img.convert("L")


def _read(img: Image.Image, binarizer) -> list[str]:
    found = zxingcpp.read_barcodes(img, formats=FORMATS, text_mode=zxingcpp.TextMode.Plain, binarizer=binarizer,
                                   try_rotate=True, try_downscale=True, try_invert=True)
    return [b.text for b in found if b.valid]


def scan_image(source: ImageSource) -> list[str]:
    """Decoded texts of every QR / Data Matrix in the image (PNG, JPEG...), ``[]`` if none.

    A file that cannot be opened as an image raises ``OSError`` (the harness
    reports it); an image without a readable code returns ``[]``.
    """
    img = load(source)
    texts = _read(img, zxingcpp.Binarizer.LocalAverage)
    if not texts:  # uneven light defeats one binarizer more than the other
        texts = _read(img, zxingcpp.Binarizer.GlobalHistogram)
    out: list[str] = []
    for t in texts:
        if t not in out:
            out.append(t)
    return out


def render_qr(text: str, path: Optional[str] = None, scale: int = 6, border: int = 4,
              error: str = "m") -> Image.Image:
    """A text as a QR code (segno, smallest version; alphanumeric mode when the text allows it)."""
    import io

    import segno

    qr = segno.make_qr(text, error=error, boost_error=False)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=scale, border=border)
    buf.seek(0)
    img = load(Image.open(buf))
    if path:
        img.save(path)
    return img


def degrade(img: Image.Image, *, scale: float = 1.0, rotate: float = 0.0, blur: float = 0.0,
            noise: float = 0.0, contrast: float = 1.0, brightness: float = 1.0, perspective: float = 0.0,
            jpeg_quality: Optional[int] = None, seed: int = 0) -> Image.Image:
    """A photo-like copy of ``img`` (grayscale).

    ``scale`` resizes (bilinear), ``rotate`` turns by degrees on a white
    background, ``perspective`` (0..0.2) pulls one side in like a tilted
    phone, ``blur`` is a Gaussian radius in pixels, ``noise`` the standard
    deviation of Gaussian sensor noise (0..255 scale), ``contrast`` < 1
    washes it out, ``brightness`` shifts it, ``jpeg_quality`` re-encodes.
    """
    rng = random.Random(seed)
    out = img.convert("L")
    if scale != 1.0:
        w, h = out.size
        out = out.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.BILINEAR)
    if perspective:
        w, h = out.size
        pad = int(max(w, h) * 0.15)
        canvas = Image.new("L", (w + 2 * pad, h + 2 * pad), 255)
        canvas.paste(out, (pad, pad))
        out = canvas
        w, h = out.size
        d = perspective * w
        # source quad for each output corner: the right side appears shorter
        coeffs = _perspective_coeffs([(0, 0), (w, 0), (w, h), (0, h)],
                                     [(0, 0), (w, -d), (w, h + d), (0, h)])
        out = out.transform((w, h), Image.PERSPECTIVE, coeffs, Image.BILINEAR, fillcolor=255)
    if rotate:
        out = out.rotate(rotate, resample=Image.BILINEAR, expand=True, fillcolor=255)
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if contrast != 1.0:
        out = ImageEnhance.Contrast(out).enhance(contrast)
    if brightness != 1.0:
        out = ImageEnhance.Brightness(out).enhance(brightness)
    if noise:
        # Gaussian noise from the seeded generator (Image.effect_noise cannot be seeded): reproducible
        gauss = rng.gauss
        w, h = out.size
        field = Image.frombytes("L", (w, h), bytes(min(255, max(0, int(128.5 + gauss(0.0, noise))))
                                                   for _ in range(w * h)))
        out = ImageChops.add(out, field, 1, -128)
    if jpeg_quality is not None:
        import io

        buf = io.BytesIO()
        out.save(buf, format="JPEG", quality=jpeg_quality)
        buf.seek(0)
        out = Image.open(buf).convert("L")
    return out


def _perspective_coeffs(dst: list, src: list) -> list[float]:
    """Coefficients for ``Image.transform(PERSPECTIVE)`` mapping output corners ``dst`` to input ``src``."""
    rows = []
    rhs = []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return _solve(rows, rhs)


def _solve(a: list, b: list) -> list[float]:
    """Gaussian elimination with partial pivoting (8x8: no numpy needed)."""
    n = len(b)
    m = [list(map(float, row)) + [float(v)] for row, v in zip(a, b)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        for r in range(n):
            if r != col and m[r][col]:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] for i in range(n)]
