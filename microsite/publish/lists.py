"""The list pages of each edition, put together from the articles' records: home pages with their
numbered pages, a page per tag with a tags index, and the archive by month.

Every list shows the articles' cards (rendered once per article and kept in its record), newest
first, ``per_page`` (site.toml) to a page; page 2 on is at ``page/2/`` below the list's first
page, linked with rel=prev/next. A list page and its counterpart in another edition (the same
numbered home page, the same month, the tag the articles translate it to) are alternates in the
sitemap and in each page's head.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import heapq
import itertools
import os
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from markupsafe import Markup

from ..content.config import Language, SiteConfig
from ..errors import Problem
from ..files import remove_file
from ..parallel import fork_map
from .pages import CARD_TEMPLATE, FEED_ENTRIES, Output, alternates, card_at, card_html, feed, switcher
from .records import (
    ArticleRecord,
    OutputFile,
    PageRecord,
    cache_file,
    cached_text,
    card_facts,
    fetch_some,
    stamp_of,
)
from .records import card_digest as digest_of
from .render import Renderer, month_name
from .urls import absolute, archive_path, language_root, numbered, relative, search_path, tag_path, tags_path


class ListCache:
    """List pages rendered before, kept in ``.cache/lists/<output>/`` under a key of everything they show.

    A list page's key covers the version of what renders it (code, strings, settings and the
    templates it is rendered with: ``version`` of the template names its identity starts with),
    its path, heading and neighbours, its counterparts, and the cards it lists: a page whose
    articles did not change is linked from the cache instead of rendered (its file checked by size,
    time and inode, as articles' files are), and an edit of a template it does not use (the
    article page's) renders it no more than an article edit would. ``made`` is what this build
    kept, for the next; :meth:`prune` removes the rest.
    """

    def __init__(
        self,
        folder: Path | None,
        version: Callable[[tuple[str, ...]], str | None] | None,
        known: dict[str, tuple[int, int, int]],
    ) -> None:
        self.folder, self.version, self.known = folder, version, known
        self.made: dict[str, tuple[int, int, int]] = {}

    def page(self, path: str, identity: tuple, render: Callable[[], str]) -> OutputFile:
        """The list page at ``path`` (under site/): from the cache if it shows what it showed then."""
        return self.pages([(path, identity, render)])[0]

    def pages(
        self,
        wanted: list[tuple[str, tuple, Callable[[], str]]],
        reads: list[int] | None = None,
        before: Callable[[list[int]], object] | None = None,
    ) -> list[OutputFile]:
        """Several pages as :meth:`page` gives each: those the cache lacks rendered on every core
        (after a template edit, thousands). ``reads``: how many articles' cards each page shows
        (:func:`..parallel.fork_map`'s weights). ``before``: called with the numbers (in ``wanted``)
        of the pages about to be rendered, before they are."""
        found: list[OutputFile | None] = []
        todo: list[tuple[int, str, str | None, Callable[[], str]]] = []
        for path, identity, render in wanted:
            key, kept = self._kept(path, identity)
            if kept is None:
                todo.append((len(found), path, key, render))
            found.append(kept)
        if before is not None and todo:
            before([number for number, *_ in todo])
        weights = None if reads is None else [reads[number] for number, *_ in todo]
        rendered = fork_map(self._make, todo, fresh=True, weights=weights)
        for (number, _, key, _), made in zip(todo, rendered, strict=True):
            if key is not None and made.stamp is not None:
                self.made[key] = made.stamp
            found[number] = made
        return found  # type: ignore[return-value]  (each filled in)

    def _kept(self, path: str, identity: tuple) -> tuple[str | None, OutputFile | None]:
        """The page's key in the cache (None without one), and its kept file if it is as made;
        ``identity`` starts with the names of the templates the page is rendered with."""
        version = None if self.folder is None or self.version is None else self.version(identity[0])
        if version is None:
            return None, None
        key = hashlib.sha256(repr((version, path, identity)).encode("utf-8", "surrogateescape")).hexdigest()[:32]
        stamp = self.known.get(key)
        if stamp is not None:
            cached = str(self.folder / f"{key}.html")
            if stamp_of(cached) == stamp:
                self.made[key] = stamp
                return key, OutputFile(path, cached, stamp)
        return key, None

    def _make(self, item: tuple[int, str, str | None, Callable[[], str]]) -> OutputFile:
        """A page rendered and kept under its key (in a worker: the caller enters it in :attr:`made`)."""
        _, path, key, render = item
        text = render()
        kept = None if key is None or self.folder is None else cache_file(self.folder / f"{key}.html", text.encode())
        return OutputFile(path, text=text) if kept is None else kept._replace(path=path)

    def prune(self, whole: bool = False) -> None:
        """Remove the cached list pages the last build kept and this one did not use (each edit
        makes a few new ones). ``whole`` (after a killed build, whose pages no state names, and
        when the last build's are not known): every page of the folder not used; the folder is
        not listed otherwise (at 100,000 articles it holds some 300,000 pages)."""
        if self.folder is None:
            return
        if whole or not self.known:
            try:
                names = [name[:-5] for name in os.listdir(self.folder) if name.endswith(".html")]
            except OSError:
                return
        else:
            names = list(self.known.keys() - self.made.keys())
        for name in names:
            if name not in self.made:
                remove_file(self.folder / f"{name}.html")


@dataclass
class ListPages:
    """What the list pages add to the site: their files, and their sitemap groups ({language: path})."""

    outputs: list[OutputFile] = field(default_factory=list)
    groups: list[dict[str, str]] = field(default_factory=list)


class EditionPages(Sequence):
    """Some articles' pages in one edition, newest first, each taken from its record only when
    asked for: a record's pages are unpickled on first use, and an edit's plan reads those of the
    lists it makes again only (:func:`list_pages`' ``shown``). A slice is another such sequence."""

    __slots__ = ("code", "records")

    def __init__(self, records: list[ArticleRecord], code: str) -> None:
        self.records, self.code = records, code

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index):  # (an int: a PageRecord; a slice: an EditionPages)
        if isinstance(index, slice):
            return EditionPages(self.records[index], self.code)
        return self.records[index].pages[self.code]

    def __iter__(self) -> Iterator[PageRecord]:
        code = self.code
        return (record.pages[code] for record in self.records)

    def digests(self) -> list[str]:
        """Each article's card digest (:func:`.records.card_facts`), its pages not unpickled."""
        code = self.code
        return [card_facts(record, code).digest for record in self.records]


class Topic(NamedTuple):
    """A tag page of one edition: its URL name, the text it shows, and its articles newest first."""

    slug: str
    text: str
    pages: EditionPages
    sources: frozenset[str]  # the Vietnamese tags whose articles it lists


class Spec(NamedTuple):
    """A list page to render: ``key`` names it across editions (its counterparts share it)."""

    key: str
    code: str
    path: str
    heading: str
    template: str
    context: dict


FETCH_UP_TO = 20_000  # cards shown by the pages rendered again, beyond which their records are not fetched first
RELATED_COUNT = 3  # articles in an article's related reading


def list_pages(
    renderer: Renderer,
    published: list[ArticleRecord],
    cache: ListCache,
    shown: list[ArticleRecord] | None = None,
    indexes: dict[str, Related] | None = None,
) -> ListPages:
    """Every list page of every edition; ``published``: the articles with pages, newest first.

    ``shown``: only the list pages showing one of these articles, no feeds and no sitemap groups:
    an edit of the articles' cards that leaves every article's place in the lists as it was
    changes no other list page. Only those pages' articles' pages are read
    (:class:`EditionPages`), and only those lists' articles looked at, through ``indexes``
    (:func:`_specs_showing`).
    """
    result = ListPages()
    if shown is not None:
        specs, counterparts = _specs_showing(renderer, published, shown, {} if indexes is None else indexes)
    else:
        specs = []
        for language in renderer.config.languages:
            edition = [record for record in published if language.code in record.page_languages]
            specs += _edition_specs(renderer, language, edition, result.outputs)
        counterparts = defaultdict(dict)
        for spec in specs:
            counterparts[spec.key][spec.code] = spec.path
    wanted = []
    for spec in specs:
        pages = spec.context.get("pages")
        cards = pages.digests() if pages is not None else []
        rest = sorted((name, repr(value)) for name, value in spec.context.items() if name != "pages")
        templates = (spec.template, CARD_TEMPLATE)  # (the first card is rendered again: not lazy)
        identity = (templates, spec.heading, rest, cards, sorted(counterparts[spec.key].items()))
        wanted.append(
            (spec.path + "index.html", identity, partial(_render_list, renderer, spec, counterparts[spec.key]))
        )
    reads = [1 + len(spec.context.get("pages", ())) for spec in specs]
    result.outputs += cache.pages(wanted, reads, partial(_fetch_cards, specs, reads))
    if shown is None:
        result.groups = [pages for key, pages in counterparts.items() if key != "search"]  # not for search engines
    return result


def _fetch_cards(specs: list[Spec], reads: list[int], numbers: list[int]) -> None:
    """The records whose cards the list pages ``numbers`` show, fetched from the state's store in a
    few queries, where an edit renders a few pages again (:data:`FETCH_UP_TO`); not after a
    template edit of a large archive (every record's pages held at once)."""
    if sum(reads[number] for number in numbers) > FETCH_UP_TO:
        return
    fetch_some(
        record
        for number in numbers
        if isinstance(pages := specs[number].context.get("pages"), EditionPages)
        for record in pages.records
    )


def _edition_specs(
    renderer: Renderer, language: Language, edition: list[ArticleRecord], feeds: list[OutputFile] | None
) -> list[Spec]:
    """One edition's list pages (``edition``: its articles, newest first); ``feeds``: where its
    feeds go (None: not made)."""
    config = renderer.config
    specs: list[Spec] = []
    code = language.code
    pages = EditionPages(edition, code)
    strings = renderer.strings[code]
    home = language_root(code, config.source_language)
    note = code != config.source_language  # every article has a page in the source language
    specs += _paginated("home", code, home, strings["latest"], pages, config.per_page, "home.html", note)
    if feeds is not None:
        feeds.append(_edition_feed(renderer, code, pages))
    topics = tags_of(edition, code)
    for topic in topics:
        first = tag_path(topic.slug, code, config.source_language)
        heading = strings["tag_heading"].format(tag=topic.text)
        tag_feed = config.tag_feeds
        specs += _paginated(
            f"tag {min(topic.sources)}", code, first, heading, topic.pages, config.per_page, feed=tag_feed
        )
        if config.tag_feeds and feeds is not None:
            feeds.append(_tag_feed(renderer, code, topic))
    index = tags_path(code, config.source_language)
    listed = sorted(topics, key=lambda topic: (_sort_key(topic.text), topic.slug))
    entries = [
        (topic.text, relative(index, tag_path(topic.slug, code, config.source_language)), len(topic.pages))
        for topic in listed
    ]
    specs.append(Spec("tags", code, index, strings["tags"], "index_list.html", {"entries": entries}))
    months = _months(edition, code)
    archive = archive_path(code, config.source_language)
    entries = [
        (
            month_name(month, language),
            relative(archive, archive_path(code, config.source_language, month)),
            len(pages),
        )
        for month, pages in months.items()
    ]
    specs.append(Spec("archive", code, archive, strings["archive"], "index_list.html", {"entries": entries}))
    specs.append(Spec("search", code, search_path(code, config.source_language), strings["search"], "search.html", {}))
    for month, month_pages in months.items():
        heading = month_name(month, language)
        path = archive_path(code, config.source_language, month)
        specs += _paginated(f"month {month}", code, path, heading, month_pages, len(month_pages) or 1)
    return specs


def _specs_showing(
    renderer: Renderer, published: list[ArticleRecord], carded: list[ArticleRecord], indexes: dict[str, Related]
) -> tuple[list[Spec], dict[str, dict[str, str]]]:
    """The list pages of :func:`_edition_specs` that show one of the articles ``carded`` (the home
    pages, tag pages and month pages holding them), and each one's counterparts (its list's page of
    the same number in every edition), found from the editions' related-reading indexes
    (``indexes``: each edition's :class:`Related` of ``published``; one missing is made here)
    at the cost of those lists: making every list's pages to keep a few took ~1 s of an edit of one
    article's card at 100,000 articles."""
    config = renderer.config
    shown = {record.where for record in carded}
    indexes = dict(indexes)  # (the caller's are left as they are)
    for language in config.languages:
        if language.code not in indexes:
            indexes[language.code] = Related(published, language.code)
    specs: list[Spec] = []
    numbers: dict[str, set[int]] = defaultdict(set)  # each list's pages showing one, by the list's key
    holders: dict[str, ArticleRecord] = {}  # each tag page's key (a Vietnamese tag): an article holding it
    for language in config.languages:
        code, index = language.code, indexes[language.code]
        mine = [record for record in carded if code in record.page_languages]
        if mine:
            specs += _home_showing(renderer, language, index, mine, numbers)
            specs += _tags_showing(renderer, language, index, mine, shown, numbers, holders)
            specs += _months_showing(renderer, language, index, mine)
    return specs, _counterparts(config, indexes, carded, numbers, holders)


def _counterparts(
    config: SiteConfig,
    indexes: dict[str, Related],
    carded: list[ArticleRecord],
    numbers: dict[str, set[int]],
    holders: dict[str, ArticleRecord],
) -> dict[str, dict[str, str]]:
    """The counterparts of :func:`_specs_showing`'s pages (``numbers``: their lists' keys and
    numbers; ``holders``: an article holding each tag page's key), by key: each edition's page
    of that list and number, in the editions' order (as :func:`list_pages` adds them)."""
    source, per_page = config.source_language, config.per_page
    counterparts: dict[str, dict[str, str]] = defaultdict(dict)
    keyed = {key: _holding(indexes[source], record, key, source) for key, record in holders.items()}
    months = sorted({(record.date.year, record.date.month) for record in carded}, reverse=True)
    for language in config.languages:  # (in the editions' order, as :func:`list_pages` adds them)
        code, index = language.code, indexes[language.code]
        for number in sorted(numbers["home"]):
            if number <= _page_count(len(index.edition), per_page):
                counterparts[f"home {number}"][code] = numbered(language_root(code, source), number)
        slugs = {
            tag.slug
            for key, held in keyed.items()
            for record in held
            if code in record.page_languages
            for tag in record.tags[code]
            if tag.source == key
        }
        for slug in sorted(slugs):  # (in :func:`tags_of`'s order: where two pages take one key, the last wins)
            topic = _topic(index, slug)
            key = f"tag {min(topic.sources)}"
            for number in sorted(numbers.get(key, ())):
                if number <= _page_count(len(topic.pages), per_page):
                    counterparts[f"{key} {number}"][code] = numbered(tag_path(slug, code, source), number)
        for month in months:
            if _in_month(index.edition, month):
                counterparts[f"month {month} 1"][code] = archive_path(code, source, month)
    return counterparts


def _home_showing(
    renderer: Renderer, language: Language, index: Related, mine: list[ArticleRecord], numbers: dict[str, set[int]]
) -> list[Spec]:
    """The edition's home pages showing one of ``mine`` (their numbers added to ``numbers``)."""
    config, code = renderer.config, language.code
    home = {index.numbers[record.slug] // config.per_page + 1 for record in mine}
    numbers["home"] |= home
    first, heading = language_root(code, config.source_language), renderer.strings[code]["latest"]
    note = code != config.source_language  # (as :func:`_edition_specs`)
    pages = EditionPages(index.edition, code)
    return _paginated("home", code, first, heading, pages, config.per_page, "home.html", note, only=home)


def _tags_showing(
    renderer: Renderer,
    language: Language,
    index: Related,
    mine: list[ArticleRecord],
    shown: set[str],
    numbers: dict[str, set[int]],
    holders: dict[str, ArticleRecord],
) -> list[Spec]:
    """The edition's tag pages showing one of ``mine`` (their numbers added to ``numbers``, an
    article holding each one's key to ``holders``)."""
    config, code = renderer.config, language.code
    specs = []
    for slug in sorted({tag.slug for record in mine for tag in record.tags.get(code, ())}):
        topic = _topic(index, slug)
        key = min(topic.sources)
        if key not in holders:
            holders[key] = next(r for r in topic.pages.records if any(tag.source == key for tag in r.tags[code]))
        showing = {n // config.per_page + 1 for n, record in enumerate(topic.pages.records) if record.where in shown}
        numbers[f"tag {key}"] |= showing
        heading = renderer.strings[code]["tag_heading"].format(tag=topic.text)
        first = tag_path(slug, code, config.source_language)
        feed = config.tag_feeds
        specs += _paginated(f"tag {key}", code, first, heading, topic.pages, config.per_page, feed=feed, only=showing)
    return specs


def _months_showing(renderer: Renderer, language: Language, index: Related, mine: list[ArticleRecord]) -> list[Spec]:
    """The edition's month pages showing one of ``mine``, newest first."""
    code, source = language.code, renderer.config.source_language
    specs = []
    for month in sorted({(record.date.year, record.date.month) for record in mine}, reverse=True):
        records = _in_month(index.edition, month)
        path, heading = archive_path(code, source, month), month_name(month, language)
        specs += _paginated(f"month {month}", code, path, heading, EditionPages(records, code), len(records))
    return specs


def _page_count(articles: int, per_page: int) -> int:
    """The pages of a list of ``articles`` (one, even empty: as :func:`_paginated`)."""
    return max(1, -(-articles // per_page))


def _topic(index: Related, slug: str) -> Topic:
    """The tag page ``slug`` of an edition, made by :func:`tags_of` from its index's articles holding
    the tag only."""
    return tags_of([index.edition[number] for number in index.tagged(slug)], index.code, {slug})[0]


def _holding(index: Related, record: ArticleRecord, source_tag: str, code: str) -> list[ArticleRecord]:
    """The articles holding the Vietnamese tag ``source_tag``, which ``record`` holds, from the
    source edition's index (``code``: it has every published article): they are among those of the
    tag page there whose URL name that tag makes (:func:`.urls.tag_slug` of the tag itself)."""
    slugs = sorted({tag.slug for tag in record.tags.get(code, ()) if tag.source == source_tag})  # (one)
    pages = [r for slug in slugs for r in _topic(index, slug).pages.records]
    return [r for r in pages if any(tag.source == source_tag for tag in r.tags[code])]


def _in_month(edition: list[ArticleRecord], month: tuple[int, int]) -> list[ArticleRecord]:
    """The articles of an edition (newest first) published in ``month``: a run of them, found by
    bisection."""
    rank = -(month[0] * 12 + month[1])
    start = bisect.bisect_left(edition, rank, key=_month_rank)
    return edition[start : bisect.bisect_right(edition, rank, lo=start, key=_month_rank)]


def _month_rank(record: ArticleRecord) -> int:
    """Rises along an edition, newest first (as :func:`_in_month` bisects it)."""
    return -(record.date.year * 12 + record.date.month)


def card_digest(page: PageRecord, made: dict[int, str]) -> str:
    """A card's digest (:func:`.records.card_digest`); ``made``: the digests made this build, by
    the page record's ``id`` (each record outlives the build's use of it)."""
    digest = made.get(id(page))
    if digest is None:
        digest = made[id(page)] = digest_of(page.card_html)
    return digest


def _edition_feed(renderer: Renderer, code: str, pages: Sequence[PageRecord]) -> OutputFile:
    """An edition's feed: its newest articles (``pages``: the edition's, newest first)."""
    entries = [cached_text(page.entry) for page in pages[:FEED_ENTRIES]]
    return _file(feed(renderer, code, entries, _updated(pages)))


def _tag_feed(renderer: Renderer, code: str, topic: Topic) -> OutputFile:
    """A tag page's feed: the newest articles of the tag."""
    config = renderer.config
    first = tag_path(topic.slug, code, config.source_language)
    heading = renderer.strings[code]["tag_heading"].format(tag=topic.text)
    entries = [cached_text(page.entry) for page in topic.pages[:FEED_ENTRIES]]
    return _file(feed(renderer, code, entries, _updated(topic.pages), first, heading))


def feeds_showing(renderer: Renderer, published: list[ArticleRecord], shown: set[str]) -> list[OutputFile]:
    """The feeds (each edition's, and each tag's where tags have feeds) among whose newest entries
    is one of the articles at ``shown`` (:attr:`.ArticleRecord.where`), made again; ``published``:
    newest first. An edit that leaves every article's place in the lists as it was changes no
    other feed."""
    outputs = []
    for language in renderer.config.languages:
        code = language.code
        newest = list(itertools.islice((record for record in published if code in record.page_languages), FEED_ENTRIES))
        if any(record.where in shown for record in newest):  # (the others' pages not read)
            outputs.append(_edition_feed(renderer, code, [record.pages[code] for record in newest]))
        if not renderer.config.tag_feeds:
            continue  # (the rest of the edition not looked at)
        edition = [record for record in published if code in record.page_languages]
        mine = [record for record in edition if record.where in shown]
        folders = {record.pages[code].folder for record in mine}
        slugs = {tag.slug for record in mine for tag in record.tags.get(code, ())}
        for topic in tags_of(edition, code, slugs):
            if any(page.folder in folders for page in topic.pages[:FEED_ENTRIES]):
                outputs.append(_tag_feed(renderer, code, topic))
    return outputs


def related_reading(
    published: list[ArticleRecord], code: str, count: int = RELATED_COUNT, only: set[str] | None = None
) -> dict[str, list]:
    """For each article of an edition (by slug), up to ``count`` others sharing a tag with it: most
    tags shared first, then newest first (``published`` is newest first); ``only``: those
    articles' (by slug)."""
    index = Related(published, code)
    numbers = index.numbers
    wanted = range(len(index.edition)) if only is None else (numbers[slug] for slug in only if slug in numbers)
    return {index.edition[number].slug: index.of(number, count=count) for number in wanted}


_slug_of = attrgetter("slug")  # (a Tag's URL name)


class Related:
    """An edition's articles grouped by their set of tags, to find each one's related reading.

    An article's reading is the others sharing most tags with it, newest first. All the articles
    of one set of tags (a group) share one ranking: each one's reading is its group's first
    ``count + 1`` but itself (:meth:`ranked`, kept for the index's life). A group's ranking is
    made from the newest few articles holding each subset of its tags (:meth:`_holding`, kept
    too): the ranking at a number of shared tags is those lists' union, newest first, and only its
    first few entries are ever read. So making the reading of a whole edition costs about a
    ranking per group, not a look at every group sharing a tag with every article (1.7 ms an
    article at 100,000 articles of 200 tags). The preview keeps one index per edition between
    builds (:class:`.builder.LastBuild`).
    """

    SUBSETS_UP_TO = 8  # tags a set may have to be ranked by its subsets (2**8 - 1); more: every group sharing one

    def __init__(self, published: list[ArticleRecord], code: str) -> None:
        self.code = code
        self.edition = [record for record in published if code in record.page_languages]  # (newest first)
        self.numbers = {record.slug: number for number, record in enumerate(self.edition)}
        self.tag_sets = [frozenset(map(_slug_of, record.tags.get(code, ()))) for record in self.edition]  # (in C)
        self.groups: dict[frozenset, list[int]] = defaultdict(list)  # each group's articles, newest first
        for number, tags in enumerate(self.tag_sets):
            self.groups[tags].append(number)
        self.touching: dict[str, list[frozenset]] = defaultdict(list)
        for tags in self.groups:
            for slug in tags:
                self.touching[slug].append(tags)
        self._rankings: dict[tuple[frozenset, int], list[int]] = {}
        self._held: dict[tuple[frozenset, int], list[int]] = {}

    def of(self, number: int, tags: frozenset | None = None, count: int = RELATED_COUNT) -> list:
        """The related reading (pages) of the article ``number``; ``tags``: its tags as edited
        since (the others' places, newest first, are the same with or without the edit)."""
        tags = self.tag_sets[number] if tags is None else tags
        chosen = [other for other in self.ranked(tags, count + 1) if other != number][:count]
        return [self.edition[other].pages[self.code] for other in chosen]

    def ranked(self, tags: frozenset, limit: int) -> list[int]:
        """The first ``limit`` articles (by number) sharing a tag with ``tags``: most tags shared
        first, then newest first."""
        key = (tags, limit)
        found = self._rankings.get(key)
        if found is None:
            if len(tags) > self.SUBSETS_UP_TO:
                found = _closest(tags, self.groups, self.touching, limit)
            else:
                found = self._by_subsets(tags, limit)
            self._rankings[key] = found
        return found

    def _by_subsets(self, tags: frozenset, limit: int) -> list[int]:
        """:meth:`ranked` from the articles holding each subset of ``tags``: when the ranking
        reaches the articles sharing ``size`` tags, every one sharing more is in it (fewer than
        ``limit``, and first in the union again), so the union's first ``limit`` entries hold all
        it can take, and each list's first ``limit`` entries hold those."""
        chosen: list[int] = []
        taken: set[int] = set()
        for size in range(len(tags), 0, -1):
            lists = [self._holding(frozenset(subset), limit) for subset in itertools.combinations(sorted(tags), size)]
            for other in heapq.merge(*lists):
                if other in taken:
                    continue  # (shares more tags: taken at a larger size; or held by two subsets)
                taken.add(other)
                chosen.append(other)
                if len(chosen) == limit:
                    return chosen
        return chosen

    def _holding(self, subset: frozenset, wide: int) -> list[int]:
        """The newest ``wide`` articles whose tags hold all of ``subset``."""
        key = (subset, wide)
        found = self._held.get(key)
        if found is None:
            rarest = min(subset, key=lambda slug: len(self.touching.get(slug, ())))
            lists = [self.groups[group][:wide] for group in self.touching.get(rarest, ()) if subset <= group]
            found = self._held[key] = list(itertools.islice(heapq.merge(*lists), wide))
        return found

    def tagged(self, slug: str) -> list[int]:
        """The articles (by number: newest first) holding the tag ``slug``."""
        return list(heapq.merge(*(self.groups[group] for group in self.touching.get(slug, ()))))

    def showing(self, number: int) -> list[int]:
        """The articles (by number) whose related reading shows the article ``number``.

        Only an article among the newest ``RELATED_COUNT + 1`` of its group (the articles of its
        very set of tags) can be shown: every article sharing a tag with it would reach that
        group's newer articles first (all of them but itself) and stop at ``RELATED_COUNT``. For
        such an article, each group sharing a tag with it is asked its ranking: if the article is
        among its first ``RELATED_COUNT``, every other article of the group shows it; if it comes
        right after them, the group's articles ranked before it do (each skips itself).
        """
        tags, count = self.tag_sets[number], RELATED_COUNT
        if bisect.bisect_left(self.groups[tags], number) > count:
            return []
        shown: list[int] = []
        for group in {group for slug in tags for group in self.touching[slug]}:
            ranking = self.ranked(group, count + 1)
            if number not in ranking:
                continue
            if ranking.index(number) < count:
                shown += [other for other in self.groups[group] if other != number]
            else:
                shown += [other for other in ranking[:count] if self.tag_sets[other] == group]
        return sorted(shown)


def _closest(
    tags: frozenset, groups: dict[frozenset, list[int]], touching: dict[str, list[frozenset]], count: int
) -> list[int]:
    """Up to ``count`` articles (by number, newest first) sharing a tag with ``tags``: the groups
    sharing most tags first (every group sharing a tag looked at: for a set of many tags)."""
    candidates = {group for slug in tags for group in touching.get(slug, ())}
    levels: dict[int, list[frozenset]] = defaultdict(list)
    for group in candidates:
        levels[len(group & tags)].append(group)
    merged = (heapq.merge(*(groups[group] for group in levels[level])) for level in sorted(levels, reverse=True))
    return list(itertools.islice(itertools.chain.from_iterable(merged), count))


def tags_of(edition: list[ArticleRecord], code: str, only: set[str] | None = None) -> list[Topic]:
    """The tag pages of an edition, by URL name; a page shows its most used spelling (``only``:
    those tags' pages, by URL name)."""
    listed: dict[str, list[ArticleRecord]] = defaultdict(list)
    spellings: dict[str, Counter] = defaultdict(Counter)
    sources: dict[str, set[str]] = defaultdict(set)
    for record in edition:
        tags = record.tags.get(code, ())
        if only is not None and tags:
            tags = [tag for tag in tags if tag.slug in only]  # (first: most articles hold none of them)
        if not tags:
            continue
        for tag in {tag.slug: tag for tag in tags}.values():
            listed[tag.slug].append(record)
            spellings[tag.slug][tag.text] += 1
            sources[tag.slug].add(tag.source)
    topics = []
    for slug, records in listed.items():
        text = min(spellings[slug].items(), key=lambda item: (-item[1], item[0]))[0]
        topics.append(Topic(slug, text, EditionPages(records, code), frozenset(sources[slug])))
    return sorted(topics, key=lambda topic: (topic.slug, topic.text))


def tag_problems(records: list[ArticleRecord], targets: list[str]) -> list[Problem]:
    """A Vietnamese tag its articles translate differently: it would split into two English tag pages."""
    problems = []
    for code in targets:
        seen: dict[str, dict[str, ArticleRecord]] = defaultdict(dict)
        for record in records:
            for tag in record.tags.get(code, ()):
                seen[tag.source].setdefault(tag.slug, record)
        for source, by_slug in sorted(seen.items()):
            if len(by_slug) > 1:
                (slug, first), *others = sorted(by_slug.items())
                texts = {tag.slug: tag.text for record in by_slug.values() for tag in record.tags[code]}
                elsewhere = ", ".join(f"{texts[s]!r} in {r.slug}" for s, r in others)
                problems.append(
                    Problem(
                        first.path.parent / f"{code}.po",
                        f"the tag {source!r} is {texts[slug]!r} here but {elsewhere}: the {code} edition would "
                        "list them on separate tag pages; give it one translation everywhere",
                    )
                )
    return problems


def _file(output: Output) -> OutputFile:
    return OutputFile(output.path, text=output.text)


def _paginated(
    key: str,
    code: str,
    first: str,
    heading: str,
    pages: EditionPages,
    per_page: int,
    template: str = "list.html",
    note: bool = False,
    feed: bool = False,
    only: set[int] | None = None,
) -> list[Spec]:
    """A list's pages: ``first``, then ``page/2/`` and on; each with its cards and its neighbours.

    ``note``: the first page holds the (hidden) note an untranslated article's language link shows;
    ``feed``: the list has its own Atom feed, beside its first page; ``only``: these pages' numbers.
    """
    total = _page_count(len(pages), per_page)
    specs = []
    for number in range(1, total + 1) if only is None else sorted(n for n in only if 1 <= n <= total):
        chunk = pages[(number - 1) * per_page : number * per_page]
        path = numbered(first, number)
        pager = {
            "number": number,
            "total": total,
            "prev": relative(path, numbered(first, number - 1)) if number > 1 else None,
            "next": relative(path, numbered(first, number + 1)) if number < total else None,
        }
        context = {"pages": chunk, "pager": pager, "front": note and number == 1}
        context["feed"] = relative(path, first + "feed.xml") if feed else None
        specs.append(Spec(f"{key} {number}", code, path, heading, template, context))
    return specs


def _render_list(renderer: Renderer, spec: Spec, counterparts: dict[str, str]) -> str:
    """One list page; its first card's photo is not lazy (it is in view at once)."""
    config = renderer.config
    context = dict(spec.context)
    pages = context.pop("pages", None)
    if pages is not None:
        up = relative(spec.path, language_root(spec.code, config.source_language))
        up = "" if up == "./" else up
        cards = [Markup(card_at(page.card_html, up)) for page in pages]
        if pages:
            cards[0] = Markup(card_html(renderer, pages[0].card, spec.code, lazy=False, up=up))
        context["cards"] = cards
    versions = alternates(renderer, counterparts, spec.code)
    return renderer.render(
        spec.template,
        language=config.language(spec.code),
        strings=renderer.strings[spec.code],
        root=relative(spec.path, ""),
        home=relative(spec.path, language_root(spec.code, config.source_language)),
        canonical=absolute(config.base_url, spec.path),
        alternates=versions if len(versions) > 1 else [],
        switcher=switcher(renderer, counterparts, spec.code, note=""),
        heading=spec.heading,
        **context,
    )


def _months(edition: list[ArticleRecord], code: str) -> dict[tuple[int, int], EditionPages]:
    """The edition's articles by month of publication, newest month first (as ``edition`` is ordered)."""
    months: dict[tuple[int, int], list[ArticleRecord]] = {}
    for record in edition:
        months.setdefault((record.date.year, record.date.month), []).append(record)
    return {month: EditionPages(records, code) for month, records in months.items()}


def _updated(pages: Sequence[PageRecord]) -> dt.date | dt.datetime | None:
    return pages[0].card.date if pages else None


ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"  # Vietnamese order; f, j, w, z for foreign names
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng


def _sort_key(text: str) -> tuple:
    """Alphabetical as Vietnamese readers expect: a, ă, â … d, đ …; tones only break ties."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFC", text.casefold()):
        parts = unicodedata.normalize("NFD", char)
        tones.append(sum(TONES.get(mark, 0) for mark in parts))
        base = unicodedata.normalize("NFC", "".join(mark for mark in parts if mark not in TONES))
        letters.append(ALPHABET.index(base) if base in ALPHABET else 100 + ord(base[0]))
    return (letters, tones, text)
