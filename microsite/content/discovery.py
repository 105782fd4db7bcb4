"""Where the articles are: every ``content/<slug>/index.md``, and the rules an article folder's name obeys.

One place for discovery and slug rules, shared by the build, ``translate``, ``new`` and the desk.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from ..errors import ContentError, Problem
from ..files import NAME_BYTES, problem_of
from .article import Article, parse_article
from .config import SiteConfig

SLUG = re.compile(r"[\w-]+")
# Names the site's own files take at its root, besides the language codes.
RESERVED = {
    "static", "feed.xml", "sitemap.xml", "robots.txt", "404.html", "index.html", ".nojekyll", "tags", "archive", "page",
    "search", "searchindex", "sitemaps",
}  # fmt: skip


def slug_problem(slug: str, languages: tuple[str, ...] | set[str] = ()) -> str | None:
    """What is wrong with an article folder name as a URL slug, or None (the build and ``new`` agree)."""
    return _slug_problem(slug, _reserved(languages))


def _reserved(languages: tuple[str, ...] | set[str]) -> set[str]:
    return RESERVED | {code.casefold() for code in languages}


def _slug_problem(slug: str, reserved: set[str]) -> str | None:
    if not SLUG.fullmatch(slug) or slug.startswith(("_", ".")):
        return "a slug is letters, digits and hyphens only (no spaces, slashes or dots); rename it"
    if len(slug.encode("utf-8")) > NAME_BYTES:
        return f"a slug is at most {NAME_BYTES} bytes; shorten it"
    if slug.casefold() in reserved:
        return f"{slug!r} is reserved for the site's own files; choose another name"
    return None


def existing_folder(content_dir: Path, slug: str) -> str | None:
    """The name of the folder in ``content_dir`` that is ``slug`` up to case and Unicode form, if any.

    Such a folder would clash with ``slug`` on case-insensitive file systems and in URLs, so ``new``
    and ``import`` treat it as taken.
    """
    key = unicodedata.normalize("NFC", slug).casefold()
    try:
        names = [entry.name for entry in os.scandir(content_dir)]
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ContentError(content_dir, problem_of(exc)) from None
    return next((name for name in names if unicodedata.normalize("NFC", name).casefold() == key), None)


def find_articles(content_dir: Path) -> tuple[list[Path], list[Problem]]:
    """Every ``content/<slug>/index.md``, and a warning for each folder that lacks one.

    A folder that cannot be read, or whose index.md is not a regular file, is still listed: reading
    it then fails with a clear error instead of the article silently disappearing.
    """
    paths, warnings = [], []
    try:
        folders = sorted(os.scandir(content_dir), key=lambda entry: entry.name)
    except FileNotFoundError:
        raise ContentError(
            content_dir, 'content folder not found; create it, or run `python build.py new "Tiêu đề"`'
        ) from None
    except OSError as exc:
        raise ContentError(content_dir, problem_of(exc)) from None
    for folder in folders:
        if folder.name.startswith((".", "_")) or not folder.is_dir():
            continue
        index = os.path.join(folder.path, "index.md")  # (a path made only for those kept: 100,000 a run)
        if _present(index):
            paths.append(Path(index))
        else:
            warnings.append(no_index(Path(folder.path)))
    return paths, warnings


def index_of(folder: Path) -> Path | None:
    """The ``index.md`` of ``folder`` if :func:`find_articles` lists it (a folder of ``content/``)."""
    if folder.name.startswith((".", "_")) or not folder.is_dir():
        return None
    index = folder / "index.md"
    return index if _present(index) else None


def _present(index: Path | str) -> bool:
    try:
        os.lstat(index)
    except FileNotFoundError:
        return False
    except OSError:  # an unreadable folder: reading the article will say why
        pass
    return True


def no_index(folder: Path) -> Problem:
    """The warning for a folder of ``content/`` without an ``index.md``."""
    return Problem(folder, "no index.md here, so this folder is not an article; add one or move the folder")


def check_slugs(articles: Iterable[tuple[str, Path | str]], config: SiteConfig) -> list[Problem]:
    """Each article (its slug and its ``index.md``, as a path or its text) needs an output path of
    its own: a sane slug, not reserved, not taken. Problems name the article's folder. (A path is
    made of the text only for a problem: a build checks 100,000 slugs an edit.)"""
    problems = []
    reserved = _reserved({lang.code for lang in config.languages})  # (made once: 100,000 slugs at a time)
    claimed: dict[str, Path | str] = {}
    for slug, index in articles:
        problem = _slug_problem(slug, reserved)
        if problem:
            problems.append(Problem(Path(index).parent, f"folder name {slug!r}: {problem}"))
        key = unicodedata.normalize("NFC", slug).casefold()
        if key in claimed:
            problems.append(
                Problem(
                    Path(index).parent,
                    f"this folder and {Path(claimed[key]).parent} both claim site/{slug}/ (names equal once "
                    "Unicode is normalised and case ignored); rename one",
                )
            )
        claimed.setdefault(key, index)
    return problems


def parse_articles(
    config: SiteConfig, only: list[Path] | None = None, paths: list[Path] | None = None
) -> tuple[list[Article], list[Problem]]:
    """Every article (or those at ``only``) parsed, and every problem found: unreadable articles and
    slugs that clash (each article's slug is its folder's name, so all folders are checked).
    ``paths``: what :func:`find_articles` gave, when the caller has just asked it."""
    if paths is None:
        paths, _ = find_articles(config.content_dir)
    articles, problems = [], []
    for path in paths if only is None else only:
        try:
            articles.append(parse_article(path))
        except ContentError as exc:
            problems.append(exc.problem)
    return articles, problems + check_slugs(
        [(unicodedata.normalize("NFC", path.parent.name), path) for path in paths], config
    )
