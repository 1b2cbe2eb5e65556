"""TEST Datamatrix INS images: the INS text, C40-encoded into an ECC 200 Data Matrix.

A small, self-contained ECC 200 encoder (ISO/IEC 16022) so the symbol is
C40 as the ANS Datamatrix INS requires (a general-purpose encoder picks its
own modes): C40 encodation with the standard end-of-data rules, Reed-Solomon
over GF(256) (poly 0x12D), the standard module placement, square symbols
10x10 .. 64x64 (interleaved blocks from 52x52). zxing-cpp decodes the result
in the tests; ``codewords_of`` reads the codewords back from a module matrix
so the tests can check the encodation.

    text = ins_text(identity)                      # "IS01S1...<GS>S2..."
    img = make_ins_image(identity, "ins.png")      # PIL image, 8 px modules

Identities come from ``vitale_sim.issuer.identity`` (test OID by default);
the text layout is the one ``firmware/verify/ins_datamatrix.py`` documents.
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

from PIL import Image

GS = "\x1d"

# square ECC 200 symbols: size, data region size, data codewords, ecc codewords, interleaved blocks
SYMBOLS = [
    (10, 8, 3, 5, 1), (12, 10, 5, 7, 1), (14, 12, 8, 10, 1), (16, 14, 12, 12, 1), (18, 16, 18, 14, 1),
    (20, 18, 22, 18, 1), (22, 20, 30, 20, 1), (24, 22, 36, 24, 1), (26, 24, 44, 28, 1),
    (32, 14, 62, 36, 1), (36, 16, 86, 42, 1), (40, 18, 114, 48, 1), (44, 20, 144, 56, 1),
    (48, 22, 174, 68, 1), (52, 24, 204, 84, 2), (64, 14, 280, 112, 2),
]

_C40_LATCH = 230
_UNLATCH = 254
_PAD = 129


# -- identity -> text -----------------------------------------------------------------

def ins_text(identity, *, gs_after_fixed: bool = True, order: Sequence[str] = ("S1", "S2", "S3", "S4", "S5",
                                                                                 "S6", "S7")) -> str:
    """The Datamatrix INS text of a ``TestIdentity`` (birth date ``YYYY-MM-DD`` -> ``DDMMYYYY``)."""
    date = identity.birth_date
    fields = {
        "S1": f"{identity.matricule}{identity.key:02d}",
        "S2": identity.oid,
        "S3": identity.birth_name,
        "S4": identity.first_names,
        "S5": identity.sex,
        "S6": date[8:10] + date[5:7] + date[0:4],
        "S7": identity.birthplace,
    }
    fixed = {"S1", "S5", "S6", "S7"}
    out = "IS01"
    for i, fid in enumerate(order):
        out += fid + fields[fid]
        if i < len(order) - 1 and (gs_after_fixed or fid not in fixed):
            out += GS
    return out


# -- C40 encodation -------------------------------------------------------------------

def _c40_values(ch: str) -> list[int]:
    c = ord(ch)
    if c > 127:
        raise ValueError("C40 here covers ASCII only (the INS alphabet is ASCII)")
    if ch == " ":
        return [3]
    if "0" <= ch <= "9":
        return [c - 48 + 4]
    if "A" <= ch <= "Z":
        return [c - 65 + 14]
    if c < 32:
        return [0, c]  # shift 1
    if 33 <= c <= 47:
        return [1, c - 33]  # shift 2
    if 58 <= c <= 64:
        return [1, c - 58 + 15]
    if 91 <= c <= 95:
        return [1, c - 91 + 22]
    return [2, c - 96]  # shift 3: ` a-z { | } ~ DEL


def _ascii(text: str) -> list[int]:
    out: list[int] = []
    i = 0
    while i < len(text):
        if text[i:i + 2].isdigit() and len(text[i:i + 2]) == 2:
            out.append(130 + int(text[i:i + 2]))
            i += 2
        else:
            out.append(ord(text[i]) + 1)
            i += 1
    return out


def c40_codewords(text: str) -> list[int]:
    """Data codewords (before padding): latch C40, triplets, then the end-of-data rule.

    The symbol size is not known yet, so the tail always unlatches (254)
    unless the data ends exactly on a triplet and the caller's symbol is
    full; ``encode`` handles that case.
    """
    per_char = [_c40_values(ch) for ch in text]
    total = sum(len(v) for v in per_char)
    tail_ascii = ""
    # characters whose values would leave a single value in the last triplet go out in ASCII
    while total % 3 == 1:
        last = per_char.pop()
        total -= len(last)
        tail_ascii = text[len(per_char)] + tail_ascii
    values = [v for vs in per_char for v in vs]
    if len(values) % 3 == 2:
        values.append(0)  # pad the last triplet with Shift 1
    out = [_C40_LATCH]
    for i in range(0, len(values), 3):
        n = 1600 * values[i] + 40 * values[i + 1] + values[i + 2] + 1
        out += [n >> 8, n & 0xFF]
    out.append(_UNLATCH)
    out += _ascii(tail_ascii)
    return out


def _pad(codewords: list[int], capacity: int) -> list[int]:
    out = list(codewords)
    if len(out) < capacity:
        out.append(_PAD)
    while len(out) < capacity:
        pos = len(out) + 1
        r = ((149 * pos) % 253) + 1
        v = _PAD + r
        out.append(v - 254 if v > 254 else v)
    return out


# -- Reed-Solomon ------------------------------------------------------------------------

def _gf_tables() -> tuple[list[int], list[int]]:
    exp = [0] * 512
    log = [0] * 256
    x = 1
    for i in range(255):
        exp[i] = x
        log[x] = i
        x <<= 1
        if x & 0x100:
            x ^= 0x12D
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    return exp, log


_EXP, _LOG = _gf_tables()


def _gf_mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def _rs_generator(n: int) -> list[int]:
    g = [1]
    for i in range(1, n + 1):
        # multiply by (x - a^i) == (x + a^i)
        nxt = [0] * (len(g) + 1)
        for j, c in enumerate(g):
            nxt[j] ^= c
            nxt[j + 1] ^= _gf_mul(c, _EXP[i])
        g = nxt
    return g  # g[0] = 1 (x^n coefficient)


def rs_ecc(data: Sequence[int], n: int) -> list[int]:
    gen = _rs_generator(n)
    rem = [0] * n
    for d in data:
        factor = d ^ rem[0]
        rem = rem[1:] + [0]
        for j in range(n):
            rem[j] ^= _gf_mul(gen[j + 1], factor)
    return rem


def _with_ecc(data: list[int], ecc_len: int, blocks: int) -> list[int]:
    if blocks == 1:
        return data + rs_ecc(data, ecc_len)
    per_block = ecc_len // blocks
    out = list(data)
    ecc_all = [0] * ecc_len
    for b in range(blocks):
        ecc = rs_ecc(data[b::blocks], per_block)
        for i, e in enumerate(ecc):
            ecc_all[b + i * blocks] = e
    return out + ecc_all


# -- placement (ISO/IEC 16022 annex: the "utah" shapes and four corner cases) -------------

def _placement(nrow: int, ncol: int) -> list[list[Optional[tuple[int, int]]]]:
    grid: list[list[Optional[tuple[int, int]]]] = [[None] * ncol for _ in range(nrow)]
    filled = [[False] * ncol for _ in range(nrow)]

    def module(r: int, c: int, cw: int, bit: int) -> None:
        if r < 0:
            r += nrow
            c += 4 - ((nrow + 4) % 8)
        if c < 0:
            c += ncol
            r += 4 - ((ncol + 4) % 8)
        grid[r][c] = (cw, bit)
        filled[r][c] = True

    def utah(r: int, c: int, cw: int) -> None:
        module(r - 2, c - 2, cw, 1)
        module(r - 2, c - 1, cw, 2)
        module(r - 1, c - 2, cw, 3)
        module(r - 1, c - 1, cw, 4)
        module(r - 1, c, cw, 5)
        module(r, c - 2, cw, 6)
        module(r, c - 1, cw, 7)
        module(r, c, cw, 8)

    def corner(cw: int, cells: Iterable[tuple[int, int]]) -> None:
        for bit, (r, c) in enumerate(cells, start=1):
            module(r, c, cw, bit)

    cw = 0
    row, col = 4, 0
    while True:
        if row == nrow and col == 0:
            corner(cw, [(nrow - 1, 0), (nrow - 1, 1), (nrow - 1, 2), (0, ncol - 2), (0, ncol - 1), (1, ncol - 1),
                        (2, ncol - 1), (3, ncol - 1)])
            cw += 1
        if row == nrow - 2 and col == 0 and ncol % 4:
            corner(cw, [(nrow - 3, 0), (nrow - 2, 0), (nrow - 1, 0), (0, ncol - 4), (0, ncol - 3), (0, ncol - 2),
                        (0, ncol - 1), (1, ncol - 1)])
            cw += 1
        if row == nrow - 2 and col == 0 and ncol % 8 == 4:
            corner(cw, [(nrow - 3, 0), (nrow - 2, 0), (nrow - 1, 0), (0, ncol - 2), (0, ncol - 1), (1, ncol - 1),
                        (2, ncol - 1), (3, ncol - 1)])
            cw += 1
        if row == nrow + 4 and col == 2 and ncol % 8 == 0:
            corner(cw, [(nrow - 1, 0), (nrow - 1, ncol - 1), (0, ncol - 3), (0, ncol - 2), (0, ncol - 1),
                        (1, ncol - 3), (1, ncol - 2), (1, ncol - 1)])
            cw += 1
        while True:  # up and to the right
            if row < nrow and col >= 0 and not filled[row][col]:
                utah(row, col, cw)
                cw += 1
            row -= 2
            col += 2
            if not (row >= 0 and col < ncol):
                break
        row += 1
        col += 3
        while True:  # down and to the left
            if row >= 0 and col < ncol and not filled[row][col]:
                utah(row, col, cw)
                cw += 1
            row += 2
            col -= 2
            if not (row < nrow and col >= 0):
                break
        row += 3
        col += 1
        if not (row < nrow or col < ncol):
            break
    if not filled[nrow - 1][ncol - 1]:
        grid[nrow - 1][ncol - 1] = (-1, 1)  # fixed dark
        grid[nrow - 2][ncol - 2] = (-1, 1)
        grid[nrow - 1][ncol - 2] = (-1, 0)  # fixed light
        grid[nrow - 2][ncol - 1] = (-1, 0)
    return grid


def _symbol_for(n_data: int) -> tuple[int, int, int, int, int]:
    for sym in SYMBOLS:
        if sym[2] >= n_data:
            return sym
    raise ValueError(f"{n_data} data codewords do not fit a 64x64 symbol")


def encode_codewords(codewords: list[int]) -> list[list[bool]]:
    """Module matrix (True = dark) of an ECC 200 square symbol carrying ``codewords`` (data, unpadded)."""
    size, region, n_data, n_ecc, blocks = _symbol_for(len(codewords))
    data = _pad(codewords, n_data)
    allcw = _with_ecc(data, n_ecc, blocks)
    per_side = size // (region + 2)
    mapping = region * per_side
    grid = _placement(mapping, mapping)
    matrix = [[False] * size for _ in range(size)]
    for r in range(mapping):
        for c in range(mapping):
            cell = grid[r][c]
            if cell is None:
                continue
            cw, bit = cell
            dark = bool(bit) if cw < 0 else bool(allcw[cw] & (0x80 >> (bit - 1)))
            # mapping row/col -> symbol row/col (skip the finder/clock lines of each region)
            sr = r + 1 + 2 * (r // region)
            sc = c + 1 + 2 * (c // region)
            matrix[sr][sc] = dark
    step = region + 2
    for rb in range(per_side):
        for cb in range(per_side):
            top, left = rb * step, cb * step
            for i in range(step):
                matrix[top + step - 1][left + i] = True  # bottom: solid
                matrix[top + i][left] = True  # left: solid
                matrix[top][left + i] = i % 2 == 0  # top: alternating
                matrix[top + i][left + step - 1] = i % 2 == 1  # right: alternating
            matrix[top + step - 1][left + step - 1] = True
            matrix[top][left] = True
    return matrix


def encode(text: str) -> list[list[bool]]:
    """Module matrix of ``text`` C40-encoded in the smallest square ECC 200 symbol."""
    return encode_codewords(c40_codewords(text))


def codewords_of(matrix: list[list[bool]]) -> list[int]:
    """Read every codeword (data + ecc) back from a module matrix made by ``encode``."""
    size = len(matrix)
    sym = next(s for s in SYMBOLS if s[0] == size)
    region = sym[1]
    per_side = size // (region + 2)
    mapping = region * per_side
    grid = _placement(mapping, mapping)
    out = [0] * (sym[2] + sym[3])
    for r in range(mapping):
        for c in range(mapping):
            cell = grid[r][c]
            if cell is None or cell[0] < 0:
                continue
            cw, bit = cell
            if matrix[r + 1 + 2 * (r // region)][c + 1 + 2 * (c // region)]:
                out[cw] |= 0x80 >> (bit - 1)
    return out


def render(matrix: list[list[bool]], module_px: int = 8, quiet: int = 2) -> Image.Image:
    """A grayscale image of the symbol, ``quiet`` modules of white margin."""
    size = len(matrix)
    side = (size + 2 * quiet) * module_px
    img = Image.new("L", (side, side), 255)
    px = img.load()
    for r in range(size):
        for c in range(size):
            if matrix[r][c]:
                for y in range((r + quiet) * module_px, (r + quiet + 1) * module_px):
                    for x in range((c + quiet) * module_px, (c + quiet + 1) * module_px):
                        px[x, y] = 0
    return img


def make_ins_image(identity, path: Optional[str] = None, module_px: int = 8, **text_options) -> Image.Image:
    """Render a TEST identity's Datamatrix INS (C40); save it as PNG when ``path`` is given."""
    img = render(encode(ins_text(identity, **text_options)), module_px)
    if path:
        img.save(path)
    return img


def make_text_image(text: str, path: Optional[str] = None, module_px: int = 8) -> Image.Image:
    """Any text as a C40 Data Matrix (tests of malformed INS codes)."""
    img = render(encode(text), module_px)
    if path:
        img.save(path)
    return img
