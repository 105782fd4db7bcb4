"""Where each page and file lives in ``site/``, and the links between them.

Paths here are POSIX paths relative to the site root; a page's path is its folder ending in ``/``
(``""`` for the home page, ``en/<slug>/`` for an English article). Links between pages are
relative, so the site works under any base path; absolute URLs (canonical, feeds, sitemap,
Open Graph) are built from the configured base URL.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from .kept import kept_text  # (python-slugify is imported only for a tag not seen yet)


def language_root(language: str, source_language: str) -> str:
    """The folder of a language's edition: the root for the source language, else ``<lang>/``."""
    return "" if language == source_language else f"{language}/"


def article_path(slug: str, language: str, source_language: str) -> str:
    return f"{language_root(language, source_language)}{slug}/"


def relative(from_page: str, target: str) -> str:
    """A link from the page whose folder is ``from_page`` to ``target`` (both site-root paths)."""
    here = [part for part in from_page.split("/") if part]
    there = target.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    link = "../" * (len(here) - common) + "/".join(there[common:])
    return quote(link) if link else "./"


def absolute(base_url: str, target: str) -> str:
    """The public URL of a site-root path, percent-encoded."""
    return base_url + quote(target)


def tag_slug(text: str) -> str:
    """A tag's stable ASCII name in URLs (``công nghiệp`` → ``cong-nghiep``); texts that differ only
    in case, accents or punctuation share it, and so share a page."""
    return kept_text(("slug", text), lambda: _slug(text))


def _slug(text: str) -> str:
    from slugify import slugify

    slug = slugify(text, max_length=80, word_boundary=True)
    return slug or "tag-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def tags_path(language: str, source_language: str) -> str:
    return f"{language_root(language, source_language)}tags/"


def search_path(language: str, source_language: str) -> str:
    return f"{language_root(language, source_language)}search/"


def tag_path(slug: str, language: str, source_language: str) -> str:
    return f"{tags_path(language, source_language)}{slug}/"


def archive_path(language: str, source_language: str, month: tuple[int, int] | None = None) -> str:
    """The archive's index, or one month's page (``archive/2024/05/``)."""
    root = f"{language_root(language, source_language)}archive/"
    return root if month is None else f"{root}{month[0]:04d}/{month[1]:02d}/"


def numbered(first: str, number: int) -> str:
    """Page ``number`` of a list whose first page is at ``first``: ``page/2/`` and on below it."""
    return first if number == 1 else f"{first}page/{number}/"
