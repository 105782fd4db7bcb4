"""PO reading time against the file's size: it must grow linearly, even for hostile files.

    python bench/po_read.py [--max-lines 500000]

Reads catalogs whose one msgstr is split over N continuation lines (the hostile case from the
hardening issue: a 10 MB string over 500,000 lines), and catalogs of N ordinary entries, with
``microsite.translation.pofile.read_document`` (what build, check, translate and the desk use). Prints the
time per size and the time per 1,000 lines, which stays flat when reading is linear. For
comparison, ``polib.pofile`` on the same text (the reader used before, quadratic in continuation
lines) up to 40,000 lines.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from microsite.translation.pofile import read_document  # noqa: E402

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: en\\n"\n\n'


def continuation(lines: int) -> str:
    piece = "x" * 19  # 20-byte lines: 500,000 of them are ~10 MB
    return HEADER + 'msgid "a"\nmsgstr ""\n' + f'"{piece}"\n' * lines


def entries(lines: int) -> str:
    return HEADER + "".join(f'#. paragraph\nmsgid "Đoạn {n}."\nmsgstr "Paragraph {n}."\n\n' for n in range(lines // 4))


def timed(function, *args) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-lines", type=int, default=500_000)
    args = parser.parse_args()
    sizes = [n for n in (10_000, 40_000, 160_000, 500_000, 1_000_000) if n <= args.max_lines]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "en.po"
        print(f"{'file':<28}{'lines':>10}{'MB':>8}{'seconds':>10}{'ms / 1k lines':>15}")
        for name, make in (("one string, split", continuation), ("ordinary entries", entries)):
            for lines in sizes:
                path.write_text(make(lines), encoding="utf-8")
                seconds = timed(read_document, path, "en")
                size = path.stat().st_size / 1e6
                print(f"{name:<28}{lines:>10,}{size:>8.1f}{seconds:>10.3f}{seconds * 1e6 / lines:>15.3f}")
        try:
            import polib
        except ImportError:
            return
        for lines in [n for n in sizes if n <= 40_000]:
            text = continuation(lines)
            seconds = timed(polib.pofile, text)
            print(
                f"{'polib.pofile, split string':<28}{lines:>10,}{len(text) / 1e6:>8.1f}{seconds:>10.3f}"
                f"{seconds * 1e6 / lines:>15.3f}"
            )


if __name__ == "__main__":
    main()
