"""Import an article from elsewhere into ``content/<slug>/``: the model both readers fill, and the writer.

Two readers fill an :class:`Imported`: :mod:`.saved_page` (a page saved from a browser, "Web page,
complete") and :mod:`.scrape` (the plain-text scrapes the sample article came from). This module
turns it into ``index.md`` (Markdown the build reads back to the same text) and ``images/``, and
writes the folder in one step: the article appears whole or not at all, and an existing article
is never overwritten unless asked (``force``), and then its folder is kept in ``content/.backups/``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError
from ..files import clean_leftovers, move_new, problem_of, remove_tree, strip_forbidden
from .discovery import existing_folder, slug_problem
from .placeholder import placeholder_jpeg

BACKUPS = ".backups"  # under content/: a dot folder the build never reads as an article
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


def figure(photo: Photo) -> str:
    """A figure line. Pages show the alt text as written, so it is written as it is (a bare ``]``
    escaped: it would end it); the caption is Markdown, its quotes escaped inside the title."""
    alt = re.sub(r"(?<!\\)\]", r"\\]", " ".join(photo.alt.split()))
    caption = block_start(" ".join(photo.caption.split())).replace('"', '\\"')  # "#2 …" is no heading
    title = f' "{caption}"' if caption else ""
    return f"![{alt}](images/{photo.name}{title})"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_PLAIN = re.compile(r"[^\W\d_][\w ,.()%/'&+-]*")


def _plain_or_quoted(value: str) -> str:
    """A YAML scalar written plain when it reads back as itself (as an editor would type it), else quoted."""
    if _PLAIN.fullmatch(value) and ": " not in value and " #" not in value and not value.endswith(" "):
        return value
    return _quoted(value)


def _tag(value: str) -> str:
    if _PLAIN.fullmatch(value) and "," not in value:
        return value
    return _quoted(value)


def _date(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")  # with its UTC offset when the page gave one
    return value.isoformat()


def index_text(article: Imported, date: dt.date | dt.datetime) -> str:
    """The ``index.md`` of an imported article: front matter (``draft: true``), then the body."""
    lines = ["---", f"title: {_quoted(article.title)}", f"date: {_date(date)}"]
    lines.append("draft: true             # imported: read it through, then remove this line to publish")
    if article.source:
        lines.append(f"source: {_plain_or_quoted(article.source)}")
    if article.source_url:
        lines.append(f"source_url: {_quoted(article.source_url)}")
    if article.summary:
        lines.append(f"summary: {_quoted(article.summary)}")
    if article.cover is not None:
        lines.append(f"image: images/{article.cover.name}")
    if article.tags:
        lines.append(f"tags: [{', '.join(_tag(tag) for tag in article.tags)}]")
    lines.append("---")
    body = [figure(block) if isinstance(block, Photo) else block for block in article.blocks]
    return strip_forbidden("\n".join(lines) + "\n\n" + "\n\n".join(body) + "\n")  # pasted-in control codes


# --- writing ------------------------------------------------------------------------------------


def _photo_name(photo: Photo, taken: set[str], number: int) -> str:
    """A file name for a photo in images/: from where it came, ASCII, unique, its format's suffix."""
    from slugify import slugify

    suffix = ".jpg"
    if photo.data is not None:
        suffix = PHOTO_SUFFIXES.get(_format(photo.data) or "", ".jpg")
    stem = re.split(r"[?#]", photo.origin)[0].rstrip("/").rpartition("/")[2].rpartition(".")[0]
    if photo.origin.startswith("data:"):
        stem = ""
    stem = slugify(unicodedata.normalize("NFC", stem).replace("đ", "d").replace("Đ", "D"), max_length=60)
    if not stem:  # named for the first words of what it shows
        stem = "-".join(slugify(photo.caption or photo.alt).split("-")[:6]) or f"anh-{number}"
    name, extra = stem + suffix, 2
    while name.casefold() in taken:
        name, extra = f"{stem}-{extra}{suffix}", extra + 1
    taken.add(name.casefold())
    return name


def _format(data: bytes) -> str | None:
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
    return _format(data) in PHOTO_SUFFIXES


def write_article(
    content_dir: Path, slug: str, article: Imported, date: dt.date | dt.datetime, force: bool = False,
    languages: tuple[str, ...] = (),
) -> ImportResult:  # fmt: skip
    """Write ``content/<slug>/`` (index.md and images/) in one step; never over an article unless ``force``.

    Everything is written into a hidden folder beside it, then renamed into place: a killed
    import leaves no half article. With ``force`` the old folder moves to ``content/.backups/``.
    """
    problem = slug_problem(slug, languages)
    if problem:
        raise ContentError(content_dir, f"--slug {slug!r}: {problem}")
    target = content_dir / slug
    taken = existing_folder(content_dir, slug)
    if taken is not None and not force:
        raise ContentError(
            content_dir / taken,
            "an article with this slug already exists; nothing was written. Give another --slug, or --force "
            f"to replace it (its folder is then kept in content/{BACKUPS}/)",
        )
    photos = article.photos
    if article.cover is not None and article.cover.data is not None and all(p is not article.cover for p in photos):
        photos = [*photos, article.cover]  # a saved social image the body does not show
    files: dict[tuple[str, bytes | None], Photo] = {}  # a photo shown twice (same address and bytes): one file
    names: set[str] = set()
    for number, photo in enumerate(photos, 1):
        key = (photo.origin or f"#{id(photo)}", photo.data)
        first = files.setdefault(key, photo)
        photo.name = _photo_name(photo, names, number) if first is photo else first.name
    photos = list(files.values())
    missing = [photo for photo in photos if photo.data is None]
    if article.cover is not None and not article.cover.name:
        article.cover = None  # a cover that was not saved and is not in the body: left out
    clean_leftovers(content_dir)  # what a killed import left
    staging = content_dir / f".{slug}.building-{os.getpid()}"
    backup = None
    try:
        (staging / "images").mkdir(parents=True)
        for photo in photos:
            data = photo.data if photo.data is not None else placeholder_jpeg(photo.alt or photo.caption, photo.origin)
            (staging / "images" / photo.name).write_bytes(data)
        (staging / "index.md").write_text(index_text(article, date), encoding="utf-8")
        if taken is not None:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            backup = content_dir / BACKUPS / f"{taken}-{stamp}-{os.getpid()}"
            backup.parent.mkdir(exist_ok=True)
            os.rename(content_dir / taken, backup)
        move_new(staging, target)  # never over a folder another program made in the meantime
    except OSError as exc:
        remove_tree(staging)
        kept = ""
        if backup is not None and not target.exists():
            os.rename(backup, content_dir / taken)  # put the editor's article back
        elif backup is not None:  # another program wrote the folder in the meantime
            kept = f"; the article that was there is kept in {backup}"
        raise ContentError(target, problem_of(exc, "write") + "; nothing was imported" + kept) from None
    return ImportResult(target / "index.md", photos, missing, article.left_out, backup, article.date is not None)


def import_article(
    content_dir: Path, source: Path, slug: str | None = None, force: bool = False,
    date: dt.date | None = None, tags: list[str] | None = None, languages: tuple[str, ...] = (),
    timezone: str | None = None,
) -> ImportResult:  # fmt: skip
    """Import one saved page (.html) or plain-text scrape (.txt) as ``content/<slug>/``, a draft.

    ``date`` and ``tags`` override what the page says (a scrape says neither); with no date at
    all, today's is written and :attr:`ImportResult.date_found` is False. A time with a UTC offset
    is written in the site's ``timezone``, as the newsroom reads it (the offset is kept).
    """
    suffix = source.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml", ".mhtml"):
        from .saved_page import read_saved_page

        article = read_saved_page(source)
    elif suffix in (".txt", ".text", ""):
        from .scrape import read_scrape

        article = read_scrape(source)
    else:
        raise ContentError(source, "import reads a page saved as .html, or a plain-text scrape (.txt)")
    if tags is not None:
        article.tags = tags
    if slug is None:
        from .scaffold import make_slug

        try:
            slug = make_slug(article.title)
        except ValueError as exc:
            raise ContentError(source, str(exc)) from None
    when = date or article.date or dt.date.today()
    if isinstance(when, dt.datetime) and when.tzinfo is not None and timezone:
        from zoneinfo import ZoneInfo

        when = when.astimezone(ZoneInfo(timezone))
    return write_article(content_dir, slug, article, when, force, languages)
