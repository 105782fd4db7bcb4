"""Put an article into one language: the source texts, or their translations from a catalog."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from ..content.article import Article, DistinctSegment
from ..content.blocks import SUMMARY, TITLE, Segment
from ..content.markup import MARKDOWN_KINDS
from ..translation.catalog import MACHINE, MISSING, REVIEWED, Catalog
from .typography import smarten

READ_KINDS = MARKDOWN_KINDS | {TITLE, SUMMARY}  # what a reader reads as passages (not tags, bylines, alt texts)


@dataclass(frozen=True)
class Localized:
    """An article in one language: ``texts`` maps each source segment to its text (None: the source).

    What a page shows several times (its headline, the count of reviewed passages) is worked out
    once: a page template asks for each three or four times."""

    article: Article
    language: str
    texts: Mapping[str, str] | None
    states: Counter
    unreviewed: frozenset[str] = frozenset()  # sources whose translation is not reviewed yet
    machine: frozenset[str] = frozenset()  # of those, the machine's drafts (the others are a person's)

    def text(self, segment: Segment) -> str:
        return segment.source if self.texts is None else self.texts[segment.source]

    @cached_property
    def title(self) -> str:
        """The headline as readers see it (curly quotes, range dashes: :mod:`.typography`)."""
        return smarten(self.text(self.article.title), self.language)

    @cached_property
    def summary(self) -> str:
        return smarten(self.text(self.article.summary), self.language) if self.article.summary else ""

    @cached_property
    def byline(self) -> str:
        """The byline (the front matter's ``source``), in this language."""
        return smarten(self.text(self.article.byline), self.language) if self.article.byline else ""

    @cached_property
    def tags(self) -> tuple[str, ...]:
        return tuple(smarten(self.text(tag), self.language) for tag in self.article.tags)

    @property
    def is_source(self) -> bool:
        return self.texts is None

    @property
    def reviewed(self) -> int:
        return self.states[REVIEWED]

    @property
    def fully_reviewed(self) -> bool:
        """Every segment's translation reviewed by an editor (always true of the source)."""
        return self.reviewed == self.total

    @property
    def total(self) -> int:
        """Distinct segments counted in :attr:`states` (0 for the source language)."""
        return sum(self.states.values())

    def machine_text(self, segment: Segment) -> bool:
        """Whether readers see this passage as the machine (or an editor's draft) left it, unreviewed."""
        return segment.source in self.unreviewed

    def drafted_by_machine(self, segment: Segment) -> bool:
        """Whether this unreviewed passage is the machine's draft (else an editor's draft, or stale)."""
        return segment.source in self.machine

    @property
    def any_machine_text(self) -> bool:
        """Whether any unreviewed text on the page is the machine's (the notice and badge say so only then)."""
        return bool(self.machine)

    @cached_property
    def passages(self) -> tuple[int, int]:
        """(reviewed, total) of the passages readers read: headline, lead, body and captions.

        Tags and alt texts are left out of the notice's count (they are not passages), though
        the publishing policy wants them reviewed too.
        """
        sources = {s.source for s in self.article.distinct_segments() if s.kind in READ_KINDS}
        return len(sources - self.unreviewed), len(sources)


def counted(article: Article, catalog: Catalog) -> list[DistinctSegment]:
    """The segments a translation is judged by: every one but an optional one (a byline) that has
    no text in the catalog yet, which readers see as written."""
    return [s for s in article.distinct_segments() if not (s.optional and catalog.translation(s.source) is None)]


def missing_segments(article: Article, catalog: Catalog) -> list[DistinctSegment]:
    """The article's distinct segments that have no text in the catalog yet (and must have)."""
    return [segment for segment in counted(article, catalog) if catalog.translation(segment.source) is None]


def localize(article: Article, language: str, catalog: Catalog | None = None) -> Localized:
    """The article in ``language``: the source texts, or with ``catalog`` their translations.

    Every segment but an optional one must have text in the catalog (see :func:`missing_segments`).
    """
    if catalog is None:
        return Localized(article, language, None, Counter())
    sources = [segment.source for segment in counted(article, catalog)]
    states = catalog.statistics(sources)
    if states[MISSING]:
        raise ValueError(f"{article.slug}: {states[MISSING]} segments have no {language} text")
    texts = {segment.source: segment.source for segment in article.distinct_segments()}  # (optional: as written)
    texts |= {source: catalog.translation(source) for source in sources}
    unreviewed = frozenset(source for source in sources if catalog.state(source) != REVIEWED)
    machine = frozenset(source for source in unreviewed if catalog.state(source) == MACHINE)
    return Localized(article, language, texts, states, unreviewed, machine)
