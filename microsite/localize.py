"""Put an article into one language: its texts and Markdown body from the source or a catalog."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .article import Article
from .blocks import Figure, Segment
from .catalog import MISSING, REVIEWED, Catalog

FIGURE_TOKEN = "msfigure{}x"  # a paragraph of its own in the Markdown body, replaced when rendering


@dataclass(frozen=True)
class FigureText:
    """A figure in one language: the photo and its alt text and caption (inline Markdown)."""

    src: str
    file: Path
    alt: str
    caption: str


@dataclass(frozen=True)
class Localized:
    """An article's texts in one language, ready to render."""

    article: Article
    language: str
    title: str
    summary: str
    tags: tuple[str, ...]
    body: str
    figures: tuple[FigureText, ...]
    states: Counter

    @property
    def is_source(self) -> bool:
        return not self.states

    @property
    def reviewed(self) -> int:
        return self.states[REVIEWED]

    @property
    def total(self) -> int:
        """Distinct segments counted in :attr:`states` (0 for the source language)."""
        return sum(self.states.values())

    @property
    def reviewed_share(self) -> float:
        """Share of segments whose translation is reviewed (1.0 for the source language)."""
        total = sum(self.states.values())
        return 1.0 if not total else self.states[REVIEWED] / total


def missing_segments(article: Article, catalog: Catalog) -> list[Segment]:
    """The segments (each distinct source once) that have no text in the catalog yet."""
    seen: dict[str, Segment] = {}
    for segment in article.segments():
        if segment.source not in seen and catalog.translation(segment.source) is None:
            seen[segment.source] = segment
    return list(seen.values())


def localize(article: Article, language: str, catalog: Catalog | None = None) -> Localized:
    """The article in ``language``: the source texts, or with ``catalog`` their translations.

    Every segment must have text in the catalog (see :func:`missing_segments`).
    """
    if catalog is None:
        states: Counter = Counter()

        def text(segment: Segment) -> str:
            return segment.source
    else:
        states = catalog.statistics(s.source for s in article.segments())
        if states[MISSING]:
            raise ValueError(f"{article.slug}: {states[MISSING]} segments have no {language} text")

        def text(segment: Segment) -> str:
            return catalog.translation(segment.source)

    parts: list[str] = []
    figures: list[FigureText] = []
    for block in article.blocks:
        if isinstance(block, Figure):
            parts.append(FIGURE_TOKEN.format(len(figures)))
            figures.append(
                FigureText(
                    block.src,
                    (article.folder / block.src).resolve(),
                    text(block.alt) if block.alt else "",
                    text(block.caption) if block.caption else "",
                )
            )
        else:
            parts.append(block.to_markdown(text))
    return Localized(
        article=article,
        language=language,
        title=text(article.title),
        summary=text(article.summary) if article.summary else "",
        tags=tuple(text(tag) for tag in article.tags),
        body="\n\n".join(parts) + "\n",
        figures=tuple(figures),
        states=states,
    )
