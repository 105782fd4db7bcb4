"""Broken inline Markdown in an article's Vietnamese, found with the one shared reader (:mod:`microsite.inline`)."""

from __future__ import annotations

from ..errors import Problem
from ..inline import markup_problems
from .article import Article
from .blocks import FIGURE_CAPTION, HEADING, LIST_ITEM, PARAGRAPH, QUOTE, TABLE_CELL

# Segment kinds whose text is rendered as inline Markdown (titles, summaries, tags, alt texts are plain).
MARKDOWN_KINDS = frozenset({HEADING, PARAGRAPH, LIST_ITEM, QUOTE, TABLE_CELL, FIGURE_CAPTION})


def article_markup(article: Article) -> tuple[list[Problem], list[Problem]]:
    """Broken inline Markdown in an article's Vietnamese: errors and warnings, each with its line."""
    errors, warnings = [], []
    for segment in article.distinct_segments():
        if segment.kind in MARKDOWN_KINDS:
            for problem in markup_problems(segment.source, article.references):
                for line in segment.lines:
                    (errors if problem.error else warnings).append(Problem(article.path, problem.message, line))
    return errors, warnings
