"""A fast QR code encoder for share pages: byte mode, error correction M, one fixed mask.

Why our own: segno spends ~13 ms of every code searching the best of 8 masks, and share pages
must render at thousands of articles a second. Any of the 8 masks gives a valid, scannable code
(ISO/IEC 18004 §7.8; the penalty search only picks the prettiest), so one fixed mask is used.
What is left is made cheap by precomputing, once per version, everything that does not depend
on the data: the function patterns and format/version bits, the zigzag order of the data
modules and the mask bits in that order. Encoding one URL is then a Reed-Solomon remainder on
Python ints, one XOR, and a C-level permutation of a bit string (`operator.itemgetter`).

The matrix follows Nayuki's reference construction (drawing order, alignment positions, block
interleaving); tests compare its function patterns and format/version bits with segno's for
the same mask, and read every version back from our SVG path with an independent decoder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import chain
from operator import itemgetter

__all__ = ["MASK", "QrCode", "encode", "svg_path"]

MASK = 2  # columns: (x % 3 == 0) flipped; any fixed mask is a valid code
_ECC_PER_BLOCK = (10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26,
                  26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
                  28)  # level M, versions 1..40
_BLOCKS = (1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21,
           23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49)
_FORMAT_M = 0b00  # the error correction level's two format bits (L=01, M=00, Q=11, H=10)
_MASKS = (lambda x, y: (x + y) % 2 == 0, lambda x, y: y % 2 == 0, lambda x, y: x % 3 == 0,
          lambda x, y: (x + y) % 3 == 0, lambda x, y: (x // 3 + y // 2) % 2 == 0,
          lambda x, y: x * y % 2 + x * y % 3 == 0, lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
          lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0)


@dataclass(frozen=True)
class QrCode:
    """A QR symbol of `size` x `size` modules: `text` holds its rows, '1' dark and '0' light,
    each ended by a newline."""

    version: int
    size: int
    text: str

    @property
    def rows(self) -> list[str]:
        return self.text.splitlines()


# --- Reed-Solomon over GF(256), polynomial 0x11D ---------------------------------------------

def _gf_mul(x: int, y: int) -> int:
    z = 0
    for i in reversed(range(8)):
        z = (z << 1) ^ ((z >> 7) * 0x11D)
        z ^= ((y >> i) & 1) * x
    return z


@cache
def _rs_table(degree: int) -> tuple[int, ...]:
    """factor -> the generator polynomial times factor, as one big-endian int of `degree` bytes."""
    divisor = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            divisor[j] = _gf_mul(divisor[j], root)
            if j + 1 < degree:
                divisor[j] ^= divisor[j + 1]
        root = _gf_mul(root, 0x02)
    return tuple(int.from_bytes(bytes(_gf_mul(c, f) for c in divisor), "big") for f in range(256))


def _rs_remainder(data: bytes, degree: int) -> bytes:
    table, shift, full = _rs_table(degree), 8 * (degree - 1), (1 << (8 * degree)) - 1
    rem = 0
    for byte in data:  # one table lookup and three int operations per data byte
        rem = ((rem << 8) & full) ^ table[byte ^ (rem >> shift)]
    return rem.to_bytes(degree, "big")


# --- per-version layout, computed once -------------------------------------------------------

def _raw_modules(version: int) -> int:
    result = (16 * version + 128) * version + 64
    if version >= 2:
        align = version // 7 + 2
        result -= (25 * align - 10) * align - 55
        if version >= 7:
            result -= 36
    return result


def _data_codewords(version: int) -> int:
    return _raw_modules(version) // 8 - _ECC_PER_BLOCK[version - 1] * _BLOCKS[version - 1]


def _alignment_positions(version: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    step = (version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
    size = version * 4 + 17
    return [6] + sorted(size - 7 - i * step for i in range(count - 1))


def _bch(data: int, bits: int, poly: int) -> int:
    rem = data
    for _ in range(bits):
        rem = (rem << 1) ^ ((rem >> (bits - 1)) * poly)
    return data << bits | rem


@dataclass(frozen=True)
class _Layout:
    version: int
    size: int
    data_cells: int  # modules left for codewords and remainder bits
    permutation: itemgetter  # bit string (data, "0", "1", "\n") -> rows of modules
    mask_bits: int  # the mask over the data modules, in placement order, as one int


@cache
def _layout(version: int) -> _Layout:
    size = version * 4 + 17
    grid: list[list[bool | None]] = [[None] * size for _ in range(size)]  # None: a data module

    def put(x: int, y: int, dark: bool) -> None:
        grid[y][x] = dark

    for i in range(size):  # timing patterns
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):  # finders with their separators
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                if 0 <= cx + dx < size and 0 <= cy + dy < size:
                    put(cx + dx, cy + dy, max(abs(dx), abs(dy)) not in (2, 4))
    positions = _alignment_positions(version)
    last = len(positions) - 1
    for i, ax in enumerate(positions):
        for j, ay in enumerate(positions):
            if (i, j) in ((0, 0), (0, last), (last, 0)):
                continue  # these overlap the finders
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    put(ax + dx, ay + dy, max(abs(dx), abs(dy)) != 1)
    _format_bits(put, size)
    if version >= 7:
        bits = _bch(version, 12, 0x1F25)
        for i in range(18):
            a, b, on = size - 11 + i % 3, i // 3, bool(bits >> i & 1)
            put(a, b, on)
            put(b, a, on)
    order = _zigzag(grid, size)
    index = {cell: n for n, cell in enumerate(order)}
    light, dark, newline = len(order), len(order) + 1, len(order) + 2
    perm = []
    for y in range(size):
        perm += [index[(x, y)] if grid[y][x] is None else (dark if grid[y][x] else light)
                 for x in range(size)]
        perm.append(newline)
    flip = _MASKS[MASK]
    mask = int("".join("1" if flip(x, y) else "0" for x, y in order), 2)
    return _Layout(version, size, len(order), itemgetter(*perm), mask)


def _format_bits(put, size: int) -> None:
    bits = _bch(_FORMAT_M << 3 | MASK, 10, 0x537) ^ 0x5412
    bit = [bool(bits >> i & 1) for i in range(15)]
    for i in range(6):
        put(8, i, bit[i])
    put(8, 7, bit[6])
    put(8, 8, bit[7])
    put(7, 8, bit[8])
    for i in range(9, 15):
        put(14 - i, 8, bit[i])
    for i in range(8):
        put(size - 1 - i, 8, bit[i])
    for i in range(8, 15):
        put(8, size - 15 + i, bit[i])
    put(8, size - 8, True)  # the dark module


def _zigzag(grid: list[list[bool | None]], size: int) -> list[tuple[int, int]]:
    """Data modules in placement order: two-column strips from the right, up then down."""
    order = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5  # skip the vertical timing pattern
        upward = ((right + 1) & 2) == 0
        for vert in range(size):
            y = size - 1 - vert if upward else vert
            for x in (right, right - 1):
                if grid[y][x] is None:
                    order.append((x, y))
        right -= 2
    return order


# --- encoding --------------------------------------------------------------------------------

def _version_for(length: int) -> int:
    for version in range(1, 41):
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * length <= _data_codewords(version) * 8:
            return version
    raise ValueError(f"{length} bytes do not fit in a QR code at level M")


def _codewords(data: bytes, version: int) -> bytes:
    """Data codewords (mode, count, bytes, terminator, pad) then EC codewords, interleaved."""
    capacity = _data_codewords(version)
    count_bits = 8 if version < 10 else 16
    bits = 4 + count_bits + 8 * len(data)
    value = ((0b0100 << count_bits | len(data)) << 8 * len(data)) | int.from_bytes(data, "big")
    pad = min(4, capacity * 8 - bits)  # terminator, then zeros to a byte boundary
    pad += (-(bits + pad)) % 8
    body = (value << pad).to_bytes((bits + pad) // 8, "big")
    body += bytes((0xEC, 0x11) * capacity)[: capacity - len(body)]
    blocks, ecc = _BLOCKS[version - 1], _ECC_PER_BLOCK[version - 1]
    if blocks == 1:
        return body + _rs_remainder(body, ecc)
    raw = _raw_modules(version) // 8
    short = raw // blocks - ecc  # data codewords of a short block; long blocks hold one more
    shorts = blocks - raw % blocks
    cuts = [i * short + max(0, i - shorts) for i in range(blocks + 1)]
    parts = [body[a:b] for a, b in zip(cuts, cuts[1:])]
    # interleave: byte i of every block in turn; the long blocks' extra byte comes last
    out = bytes(chain.from_iterable(zip(*parts)))
    out += bytes(part[short] for part in parts[shorts:])
    return out + bytes(chain.from_iterable(zip(*(_rs_remainder(p, ecc) for p in parts))))


def encode(text: str) -> QrCode:
    """`text` (UTF-8, byte mode) as the smallest QR code at level M; ValueError if too long."""
    data = text.encode("utf-8")
    layout = _layout(_version_for(len(data)))
    words = _codewords(data, layout.version)
    stream = int.from_bytes(words, "big") << (layout.data_cells - 8 * len(words))
    bits = format(stream ^ layout.mask_bits, f"0{layout.data_cells}b") + "01\n"
    return QrCode(layout.version, layout.size, "".join(layout.permutation(bits)))


# --- SVG path ---------------------------------------------------------------------------------

_RUNS = re.compile("0*1+|0*\n")  # light modules then dark ones, or then the row's end


@cache
def _moves(size: int) -> dict[str, str]:
    """Every token of a row -> its relative path commands: a run of light then dark modules
    moves over the light ones and draws the dark ones; a row's end (after `k` light modules)
    goes back to the start of the next row."""
    moves = {"0" * gap + "1" * width: (f"m{gap} 0h{width}" if gap else f"h{width}")
             for gap in range(size) for width in range(1, size - gap + 1)}
    moves.update({"0" * k + "\n": f"m-{size - k} 1" for k in range(size + 1)})
    return moves


def svg_path(code: QrCode, border: int) -> str:
    """The dark modules as one stroked path (stroke-width 1): a horizontal line through the
    middle of its row for each run of dark modules, offset by `border` modules. One regex
    pass and one dict lookup per run, all in C."""
    tokens = _RUNS.findall(code.text)
    tokens.pop()  # the last row's end: nothing follows it
    return f"M{border} {border}.5" + "".join(map(_moves(code.size).__getitem__, tokens))
