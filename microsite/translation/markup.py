"""Broken inline Markdown in a catalog's translations, found with the one shared reader (:mod:`microsite.inline`).

Apart from :mod:`.qa`: every build checks this of the pages it publishes, while QA's findings are
worked out only by a build that asks for them (``--strict``, ``check``), and QA's patterns take a
tenth of an edit's imports to compile.
"""

from __future__ import annotations

from ..content.article import Article
from ..content.markup import MARKDOWN_KINDS
from ..errors import Problem
from ..inline import new_problems
from .catalog import Catalog


def markup_errors(article: Article, catalog: Catalog) -> list[Problem]:
    """Broken inline Markdown in the translations of a page about to be published: build errors."""
    errors = []
    for segment in article.distinct_segments():
        entry = catalog.entries.get(segment.source)
        if entry is not None and entry.msgstr and segment.kind in MARKDOWN_KINDS:
            for problem in new_problems(segment.source, entry.msgstr, article.references):
                if problem.error:
                    at = f"{segment.kind} at {article.path.name}:{segment.line}"
                    errors.append(Problem(catalog.path, f"{problem.message} ({at})", entry.line))
    return errors
