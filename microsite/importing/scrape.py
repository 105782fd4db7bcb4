"""Read the plain-text scrapes the sample article came from (``../shared/seed/``).

The layout: the headline on the first line; an outlet line ("NDO -"); the lead paragraph; then
paragraphs separated by blank lines. A photo shows as two lines: its caption twice (a scrape
artefact: one caption, also the alt text), or a line ending in `` -0`` (the alt text) followed by
the caption. The photos themselves are not in the scrape: each becomes a figure whose photo is a
labelled placeholder, which the build warns about until the real photo is saved in its place.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..errors import ContentError
from ..files import read_bytes
from .model import Imported, Photo, block_start, text

OUTLET = re.compile(r"^(?P<outlet>[^\s].{0,40}?)\s*[-–—]$")
ALT_MARK = re.compile(r"\s+-\d+$")


def read_scrape(path: Path) -> Imported:
    """Read a plain-text scrape into an :class:`Imported` article; ContentError naming the line if it is not one."""
    raw = read_bytes(path)
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(path, "not UTF-8 text; save the scrape as UTF-8", line) from None
    lines = unicodedata.normalize("NFC", content).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = _blocks(lines)
    if not blocks:
        raise ContentError(path, "the file is empty; a scrape starts with the headline on its first line")
    (title_line, title), *rest = blocks
    if len(title) != 1:
        raise ContentError(path, "the first line must be the headline alone, followed by a blank line", title_line)
    article = Imported(title=" ".join(title[0].split()))
    if rest and len(rest[0][1]) == 1 and OUTLET.match(rest[0][1][0].strip()):
        article.source = OUTLET.match(rest[0][1][0].strip()).group("outlet")
        rest = rest[1:]
    if rest and not _photo(rest[0][1]):
        article.summary = " ".join(" ".join(rest[0][1]).split())
        rest = rest[1:]
    for _line, block in rest:
        photo = _photo(block)
        if photo is not None:
            article.blocks.append(photo)
        else:
            article.blocks += [block_start(text(line)) for line in block if line.strip()]
    article.cover = next(iter(article.photos), None)  # the first photo, as the sample article has it
    if not article.blocks and not article.summary:
        raise ContentError(path, "the scrape has a headline but no text")
    return article


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, with the line number each starts on."""
    blocks, current, start = [], [], 0
    for number, line in enumerate(lines, 1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _photo(block: list[str]) -> Photo | None:
    """A two-line photo block: the caption twice, or an alt text line ending in " -0" and the caption."""
    if len(block) != 2:
        return None
    first, second = (" ".join(line.split()) for line in block)
    if first == second:
        return Photo(alt=first, caption=text(first), origin="")
    if ALT_MARK.search(first):
        return Photo(alt=ALT_MARK.sub("", first), caption=text(second), origin="")
    return None
