"""An imported article written into ``content/<slug>/``: ``index.md`` and ``images/``, in one step.

:func:`index_text` writes the front matter and body as Markdown the build reads back to the same
text; :func:`write_article` writes the folder beside its place and renames it in: the article
appears whole or not at all, and an existing article is never overwritten unless asked
(``force``), and then its folder is kept in ``content/.backups/``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from pathlib import Path

from ..content.discovery import existing_folder, slug_problem
from ..content.placeholder import placeholder_jpeg
from ..errors import ContentError
from ..files import clean_leftovers, move_new, problem_of, remove_tree
from ..text import strip_forbidden
from .model import PHOTO_SUFFIXES, Imported, ImportResult, Photo, block_start, photo_format

BACKUPS = ".backups"  # under content/: a dot folder the build never reads as an article


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
        suffix = PHOTO_SUFFIXES.get(photo_format(photo.data) or "", ".jpg")
    stem = re.split(r"[?#]", photo.origin)[0].rstrip("/").rpartition("/")[2].rpartition(".")[0]
    if photo.origin.startswith("data:"):
        stem = ""
    stem = slugify(unicodedata.normalize("NFC", stem), max_length=60)  # đ → d, as slugify reads it
    if not stem:  # named for the first words of what it shows
        stem = "-".join(slugify(photo.caption or photo.alt).split("-")[:6]) or f"anh-{number}"
    name, extra = stem + suffix, 2
    while name.casefold() in taken:
        name, extra = f"{stem}-{extra}{suffix}", extra + 1
    taken.add(name.casefold())
    return name


def _name_photos(article: Imported) -> list[Photo]:
    """Give each photo its file name in images/; the photos to write, each once.

    A photo shown twice (same address and bytes) is one file; a saved social image the body does
    not show is written too (the cover); a cover neither saved nor in the body is left out.
    """
    photos = article.photos
    if article.cover is not None and article.cover.data is not None and all(p is not article.cover for p in photos):
        photos = [*photos, article.cover]
    files: dict[tuple[str, bytes | None], Photo] = {}
    names: set[str] = set()
    for number, photo in enumerate(photos, 1):
        key = (photo.origin or f"#{id(photo)}", photo.data)
        first = files.setdefault(key, photo)
        photo.name = _photo_name(photo, names, number) if first is photo else first.name
    if article.cover is not None and not article.cover.name:
        article.cover = None
    return list(files.values())


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
    photos = _name_photos(article)
    missing = [photo for photo in photos if photo.data is None]
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
