"""Create and tidy content files: a new article from a title, text re-saved in composed Unicode."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import unicodedata
from pathlib import Path

from slugify import slugify

from .errors import ContentError

SLUG_LENGTH = 80

TEMPLATE = """---
title: {title}
date: {date}
source: ""
summary: ""
# image: images/anh-bia.jpg
tags: []
---

Viết nội dung bài ở đây, mỗi đoạn cách nhau một dòng trống.

<!-- Ảnh: ![Mô tả ảnh cho người không nhìn thấy](images/ten-anh.jpg "Chú thích dưới ảnh.") -->
"""


def make_slug(title: str) -> str:
    """An ASCII URL slug from a Vietnamese title: diacritics dropped, đ → d, words joined by hyphens."""
    text = unicodedata.normalize("NFC", title).replace("đ", "d").replace("Đ", "D")
    slug = slugify(text, max_length=SLUG_LENGTH, word_boundary=True, replacements=[[",", "-"], [".", "-"]])
    if not slug:
        raise ValueError(f"the title {title!r} gives no letters or digits for a URL; give --slug")
    return slug


def new_article(content_dir: Path, title: str, date: dt.date, slug: str | None = None) -> Path:
    """Create ``content/<slug>/index.md`` (and ``images/``); refuse to touch an existing article."""
    title = " ".join(unicodedata.normalize("NFC", title).split())
    slug = slug or make_slug(title)
    folder = content_dir / slug
    if folder.exists():
        raise ContentError(folder, "an article with this slug already exists; choose another title or give --slug")
    (folder / "images").mkdir(parents=True)
    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    path = folder / "index.md"
    path.write_text(TEMPLATE.format(title=quoted, date=date.isoformat()), encoding="utf-8")
    return path


def normalize_file(path: Path) -> bool:
    """Re-save a text file in composed Unicode (NFC), atomically; True if it changed."""
    text = path.read_text(encoding="utf-8")
    normal = unicodedata.normalize("NFC", text)
    if normal == text:
        return False
    write_atomic(path, normal)
    return True


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it over: never a half-written file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def file_stamp(path: Path) -> tuple | None:
    """What tells a file's versions apart without reading it (None: no such file)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino
