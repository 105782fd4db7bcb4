"""Create and tidy content files: a new article from a title, text re-saved in composed Unicode."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from ..errors import ContentError, Problem
from ..files import ChangedOnDisk, decode_utf8, problem_of, read_bytes, replace_file, write_atomic
from ..text import control_problem, forbidden_character
from .article import Article
from .discovery import existing_folder, slug_problem

SLUG_LENGTH = 80

# The placeholder paragraph of a new article: the build warns while it is left in a published one.
PLACEHOLDER = "Viết nội dung bài ở đây, mỗi đoạn cách nhau một dòng trống."

TEMPLATE = (
    """---
title: {title}
date: {date}
draft: true             # a new article stays out of the site until you remove this line
source: ""
summary: ""
# image: images/anh-bia.jpg
tags: []
---

"""
    + PLACEHOLDER
    + """

<!-- Ảnh: ![Mô tả ảnh cho người không nhìn thấy](images/ten-anh.jpg "Chú thích dưới ảnh.") -->
"""
)


def make_slug(title: str) -> str:
    """An ASCII URL slug from a Vietnamese title: diacritics dropped, đ → d, words joined by hyphens."""
    from slugify import slugify  # only `new` needs it

    text = unicodedata.normalize("NFC", title)  # slugify writes đ as d
    slug = slugify(text, max_length=SLUG_LENGTH, word_boundary=True, replacements=[[",", "-"], [".", "-"]])
    if not slug:
        raise ValueError(f"the title {title!r} gives no letters or digits for a URL; give --slug")
    return slug


def placeholder_problems(articles: list[Article]) -> list[Problem]:
    """An error for each published article that still holds the new-article placeholder text
    (scaffold text must never reach readers, as broken Markdown must not)."""
    return [
        Problem(
            article.path,
            "the new-article placeholder text is still here; write the article's text in its place, "
            "or keep the article a draft (draft: true) until it is written",
            segment.line,
        )
        for article in articles
        if not article.draft
        for segment in article.segments()
        if PLACEHOLDER in segment.source
    ]


def new_article(
    content_dir: Path, title: str, date: dt.date, slug: str | None = None, languages: tuple[str, ...] = ()
) -> Path:
    """Create ``content/<slug>/index.md`` (and ``images/``); refuse a slug the build would refuse.

    The slug is checked exactly as the build checks folder names (``languages`` are reserved too),
    and against the existing articles, before anything is written.
    """
    title = " ".join(unicodedata.normalize("NFC", title).split())
    bad = forbidden_character(title)
    if bad:
        raise ContentError(content_dir, f"the title {control_problem(bad)}")
    slug = unicodedata.normalize("NFC", slug) if slug is not None else make_slug(title)
    problem = slug_problem(slug, languages)
    if problem:
        raise ContentError(content_dir, f"--slug {slug!r}: {problem}")
    taken = existing_folder(content_dir, slug)
    if taken is not None:
        raise ContentError(
            content_dir / taken, "an article with this slug already exists; choose another title or give --slug"
        )
    folder = content_dir / slug
    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    try:
        (folder / "images").mkdir(parents=True)
        path = folder / "index.md"
        write_atomic(path, TEMPLATE.format(title=quoted, date=date.isoformat()))
    except OSError as exc:
        raise ContentError(folder, problem_of(exc, "write")) from None
    return path


def normalize_file(path: Path) -> bool:
    """Re-save a text file in composed Unicode (NFC), atomically; True if it changed.

    Saved only over the bytes it read: an editor's save in the meantime is kept, and refused here.
    """
    raw = read_bytes(path)
    text = decode_utf8(path, raw)
    normal = unicodedata.normalize("NFC", text)
    if normal == text:
        return False
    try:
        replace_file(path, normal.encode("utf-8"), raw)
    except ChangedOnDisk:
        raise ContentError(path, "changed on disk while it was being re-saved; run fix-unicode again") from None
    return True
