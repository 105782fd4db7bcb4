"""The imported article: what both readers fill (:class:`Imported`, :class:`Photo`), and the Markdown they write.

The readers (:mod:`.saved_page`, :mod:`.scrape`) turn a page into an :class:`Imported` made of
Markdown blocks and photos; :mod:`.write` turns that into ``index.md`` and ``images/``. This module
knows neither: it is the model they share, so neither imports the other.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

PHOTO_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}


@dataclass
class Photo:
    """A photo of the article: its bytes if they were saved with the page, else where it was."""

    alt: str  # as pages show it
    caption: str  # Markdown
    origin: str  # the URL (or file) it came from
    data: bytes | None = None  # None: not saved; a labelled placeholder takes its place
    name: str = ""  # its file name in images/, given by the writer


@dataclass
class Imported:
    """An article as read from a saved page or a scrape, before it is written."""

    title: str
    date: dt.date | dt.datetime | None = None
    source: str = ""
    source_url: str = ""
    summary: str = ""
    tags: list[str] = field(default_factory=list)
    cover: Photo | None = None
    blocks: list[str | Photo] = field(default_factory=list)  # Markdown blocks, and figures
    left_out: list[str] = field(default_factory=list)  # what the reader dropped, for the editor

    @property
    def photos(self) -> list[Photo]:
        return [block for block in self.blocks if isinstance(block, Photo)]


@dataclass
class ImportResult:
    path: Path  # the index.md written
    photos: list[Photo]
    missing: list[Photo]  # photos not saved with the page: placeholders stand in for them
    left_out: list[str]
    backup: Path | None
    date_found: bool


# --- Markdown -----------------------------------------------------------------------------------

_ALWAYS = re.compile(r"([\\`*_\[\]])")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^(#|>|[-+*=](?=\s|$)|-{3,}|={3,}|\d{1,9}(?=[.)](?:\s|$))|\|)")


def text(value: str) -> str:
    """Plain text as Markdown that renders as that text: whitespace collapsed, markup characters escaped."""
    value = " ".join(value.split())
    value = _ALWAYS.sub(r"\\\1", value)
    value = _ENTITY.sub("&amp;", value)
    return _TAG_START.sub("&lt;", value)


def block_start(markdown: str) -> str:
    """A paragraph's text made safe at the start of a line (not read as a heading, list, quote…)."""
    match = _LINE_START.match(markdown)
    if not match:
        return markdown
    marker = match.group(1)
    if marker[0].isdigit():
        return marker + "\\" + markdown[len(marker) :]
    return "\\" + markdown


# --- photos -------------------------------------------------------------------------------------


def photo_format(data: bytes) -> str | None:
    """The photo format of ``data`` as Pillow reads it, or None when it is not a readable photo."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def usable_photo(data: bytes) -> bool:
    """A photo the build publishes (JPEG, PNG, WebP or GIF that Pillow reads)."""
    return photo_format(data) in PHOTO_SUFFIXES
