"""Import: articles from elsewhere (pages saved from a browser, plain-text scrapes) as draft articles.

``model`` (the imported article both readers fill, and the Markdown they write), the readers
``saved_page`` (a page saved as "Web page, complete", read with beautifulsoup4) and ``scrape``
(the plain-text layout the sample article came from), and ``write`` (``index.md`` and ``images/``
written into ``content/`` in one step). :func:`import_article` picks the reader by the file's kind.

May import ``errors``, ``files``, ``text`` and ``content`` (slug rules, placeholder photos); nothing
imports it but the command line. Building never loads it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import ContentError
from .model import ImportResult
from .write import write_article


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
        from ..content.scaffold import make_slug

        try:
            slug = make_slug(article.title)
        except ValueError as exc:
            raise ContentError(source, str(exc)) from None
    when = date or article.date or dt.date.today()
    if isinstance(when, dt.datetime) and when.tzinfo is not None and timezone:
        from zoneinfo import ZoneInfo

        when = when.astimezone(ZoneInfo(timezone))
    return write_article(content_dir, slug, article, when, force, languages)
