"""The review desk's model: an article's segments beside their translation, and saving one entry.

No HTML here (:mod:`microsite.desk.app` serves this to the browser); a refused request is a
:class:`ReviewError` carrying the HTTP status the desk answers with, as the one link to HTTP. A save changes one
entry of ``content/<slug>/<lang>.po``, its text and whether it is reviewed, and nothing else in
the file; and only if the file is byte for byte what the editor loaded, so a save never overwrites
what someone else wrote meanwhile (Poedit, a ``git pull``, ``translate``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import errno
import hashlib
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import polib

from ..cache import code_version, load_pickle, own_cache, store_pickle, too_recent
from ..content.article import Article, parse_article
from ..content.blocks import OPTIONAL_KINDS
from ..content.config import DRAFTS_TOO, SiteConfig
from ..content.discovery import find_articles, index_of, slug_problem
from ..errors import ContentError, StorageError
from ..files import ChangedOnDisk, clean_leftovers, file_stamp, replace_file
from ..parallel import fork_map
from ..text import forbidden_character
from ..translation.catalog import MISSING, REVIEWED, STATES, Entry, entry_of, load_catalog, settlement_key
from ..translation.glossary import NAMES as GLOSSARY_NAMES
from ..translation.glossary import Glossary, load_glossary
from ..translation.merge import add_entry, approved, drafted, fresh_draft, settled
from ..translation.pofile import WRAP, Chunk, PoDocument, new_header, read_document
from ..translation.qa import compare

ABSENT = "absent"  # the version of an entry that does not exist yet
KEEP_AFTER = 100  # articles read again before the overview's summaries are kept again (see Overview._read)
_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


class ReviewError(Exception):
    """A request the desk refuses: an HTTP status and what to do, nothing written."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


class Conflict(ReviewError):
    """The catalog changed on disk since the editor loaded it: both versions, nothing written."""

    def __init__(self, message: str, source: str, yours: str, theirs: Entry | None, version: str) -> None:
        super().__init__(409, message)
        self.source = source
        self.yours = yours
        self.theirs = theirs
        self.version = version


@dataclass(frozen=True)
class Change:
    """A piece of a stale segment's source: kept, removed from the old one, or added in the new."""

    kind: str  # "same", "removed" or "added"
    text: str


@dataclass
class SegmentReview:
    """One distinct source segment, its translation and what needs doing about it."""

    number: int  # position in reading order, from 1
    kind: str
    source: str
    lines: tuple[int, ...]
    text: str
    state: str
    findings: list[str]
    previous: str | None = None  # stale: the source the translation was written for
    fresh: str | None = None  # stale: the new machine draft translate left, if any
    figure: str | None = None  # the photo's path, for a figure's alt text and caption
    settled: list[tuple[str, str]] = field(default_factory=list)  # QA findings an editor settled, and why
    version: str = ABSENT  # its entry as loaded (entry_version): a save is refused once that changed

    @property
    def needs_work(self) -> bool:
        return self.state != REVIEWED or bool(self.findings)

    @cached_property
    def changes(self) -> list[Change]:
        """A stale segment's old source against its new one."""
        return diff(self.previous or "", self.source)

    def old_changes(self) -> list[Change]:
        return [c for c in self.changes if c.kind != "added"]

    def new_changes(self) -> list[Change]:
        return [c for c in self.changes if c.kind != "removed"]


@dataclass
class ArticleReview:
    """An article and one target language, as the desk shows it; ``error`` when it cannot be read."""

    slug: str
    language: str
    where: str  # its index.md (as text: the overview keeps 100,000 of them, unpickled at each start)
    title: str = ""
    date: dt.date | dt.datetime | None = None
    draft: bool = False
    segments: list[SegmentReview] = field(default_factory=list)  # empty in the overview
    error: str | None = None
    counts: Counter = field(default_factory=lambda: Counter({state: 0 for state in STATES}))
    findings: int = 0
    needs_work: int = 0  # segments needing an editor (0 for a broken article: it is shown apart)

    @property
    def path(self) -> Path:
        return Path(self.where)

    @property
    def catalog_path(self) -> Path:
        return self.path.parent / f"{self.language}.po"

    def version_of(self, source: str) -> str:
        """The version of a segment's entry, as a save of that segment must send it."""
        return next((segment.version for segment in self.segments if segment.source == source), ABSENT)

    def publishable(self, policy: str) -> bool:
        """Whether its edition publishes it under the site's policy (see publish.builder.edition_of)."""
        if self.counts[MISSING]:
            return False
        return policy == DRAFTS_TOO or self.counts[REVIEWED] == sum(self.counts.values())

    def tally(self, segments: list[SegmentReview]) -> None:
        # (an optional segment without text, a byline, is shown as written: it holds nothing back)
        self.counts.update(s.state for s in segments if not (s.kind in OPTIONAL_KINDS and s.state == MISSING))
        self.findings = sum(len(segment.findings) for segment in segments)
        self.needs_work = sum(segment.needs_work for segment in segments)


@dataclass(frozen=True)
class SaveResult:
    """What a save did: the article and the segment as they are now, whether bytes were written."""

    review: ArticleReview
    segment: SegmentReview
    written: bool


def review_articles(config: SiteConfig, known: dict | None = None) -> list[ArticleReview]:
    """Every article in every target language (counts only), needing work first, then newest first.

    ``known`` keeps the summaries between calls: an article whose files have not changed since is
    not read again (on a 1,000-article site, reading them all takes seconds). They are also kept
    in ``.cache/`` for the desk's next start (sealed, like the build's caches), except those of
    files changed too recently for their stats to tell versions apart.
    """
    return Overview(known).reviews(config)


class Overview:
    """The desk overview's summaries, kept between requests (:func:`review_articles`), and what may
    have changed since the last look.

    A look at every article stats all their files: at 100,000 articles some 200,000 stats, and
    4-5 s a request. Where the preview's watcher tells of every change (:meth:`noticed`, once
    :meth:`watched` says it sees every save), a look after the first stats only the articles
    whose folders changed since the look before, and moves only their rows in the list (8 ms at
    100,000 after a save, against 4-5 s). The glossary and the languages are checked at every
    look; when either changed, when nothing is known of changes, or when a look failed, the next
    looks at every article again.
    """

    def __init__(self, known: dict | None = None) -> None:
        self.known = {} if known is None else known  # index.md (as text) → (stamps, summaries)
        self.lock = threading.Lock()  # (guards ``changed``)
        self.looking = threading.Lock()
        self.seeing: Callable[[], bool] = lambda: False  # whether every save is noticed from now on
        self.changed: set[Path] | None = None  # what changed since the last look began (None: unknown)
        self.last: tuple | None = None  # (content/, shared stamps): what the last look saw
        self.names: dict[str, Path] = {}  # the articles' folder names → their index.md, as last seen
        self.answer: list[ArticleReview] = []  # the last look's list, in order
        self.places: list[tuple] = []  # each of its rows' place (:func:`_place`), in the same order
        self.placed: dict[str, list[tuple]] = {}  # each article's (by its folder's name) rows' places
        self.unkept = 0  # articles read again since the summaries were last kept in .cache/
        self.glossary: tuple[tuple | None, Glossary] = (None, Glossary())  # (as of its stamps: ``shared``)

    def watched(self, seeing: Callable[[], bool]) -> None:
        """From now on every change is told to :meth:`noticed` once ``seeing()`` is true."""
        self.seeing = seeing

    def noticed(self, paths: Iterable[Path]) -> None:
        """Files changed (on any thread): their articles are looked at again by the next look."""
        with self.lock:
            if self.changed is not None:
                self.changed.update(Path(path) for path in paths)

    def reviews(self, config: SiteConfig) -> list[ArticleReview]:
        with self.looking:  # (one look at a time)
            with self.lock:  # (what changes from this moment on is the next look's)
                changed, self.changed = self.changed, (set() if self.seeing() else None)
            return self._look(config, changed)

    def _look(self, config: SiteConfig, changed: set[Path] | None) -> list[ArticleReview]:
        content = config.content_dir
        codes = tuple(language.code for language in config.targets)
        shared = (codes, *(file_stamp(content / name) for name in GLOSSARY_NAMES))
        folders = None if changed is None or self.last != (content, shared) else _folders(changed, content)
        self.last = None  # (until this look is done: one that fails leaves the next to look at all)
        if not self.known:
            self.known.update(_kept_summaries(config))
        taken = time.time()
        looked = self._articles(content, folders)
        self._read(config, shared, looked, taken, whole=folders is None)
        self._order(folders)
        self.last = (content, shared)
        return list(self.answer)

    def _order(self, folders: set[str] | None) -> None:
        """The overview's list in order (:func:`_place`): made whole after a look at every article,
        else each of ``folders``' rows taken out and put in again where they now belong."""
        known, names = self.known, self.names
        if folders is None:
            rows = [
                (_place(review, name, number), review)
                for name, path in names.items()
                for number, review in enumerate(known[str(path)][1])
            ]
            rows.sort(key=lambda row: row[0])
            self.places, self.answer = [place for place, _ in rows], [review for _, review in rows]
            self.placed = {}
            for place in self.places:
                self.placed.setdefault(place[3], []).append(place)
            return
        for name in folders:
            for place in self.placed.pop(name, ()):
                at = bisect.bisect_left(self.places, place)
                del self.places[at], self.answer[at]
            if name in names:
                places = self.placed[name] = []
                for number, review in enumerate(known[str(names[name])][1]):
                    place = _place(review, name, number)
                    at = bisect.bisect_left(self.places, place)
                    self.places.insert(at, place)
                    self.answer.insert(at, review)
                    places.append(place)

    def _articles(self, content: Path, folders: set[str] | None) -> list[Path]:
        """The articles to look at: every one when ``folders`` is None, else those of these
        folders of ``content/`` (the others' are as they were; those gone are let go)."""
        known = self.known
        if folders is None:
            paths, _ = find_articles(content)
            self.names = {path.parent.name: path for path in paths}
            for path in set(known) - {str(path) for path in paths}:
                del known[path]
            return paths
        looked = []
        for name in sorted(folders):
            index = index_of(content / name)
            if index is not None:
                self.names[name] = index
                looked.append(index)
            elif self.names.pop(name, None) is not None:
                known.pop(str(content / name / "index.md"), None)
        return looked

    def _read(self, config: SiteConfig, shared: tuple, looked: list[Path], taken: float, whole: bool) -> list[Path]:
        """Those of ``looked`` whose files changed since they were summed up, summed up again.

        The summaries are kept in ``.cache/`` for the desk's next start after a look at every
        article, and after looks at some once :data:`KEEP_AFTER` (or a hundredth of the archive)
        have been read again since: at 100,000 articles the file is ~35 MB, ~2 s to write, and
        the next start reads again only what changed since (~3.5 ms an article on two cores)."""
        known, codes = self.known, shared[0]
        stamps = {}
        for path in looked:  # (as text: at 100,000 articles, 200,000 paths joined as Path objects took ~1 s)
            where = str(path)
            folder = where[: -len(path.name)]
            stamps[path] = (shared, file_stamp(where), *(file_stamp(f"{folder}{code}.po") for code in codes))
        unread = [path for path in looked if known.get(str(path), (None,))[0] != stamps[path]]
        if not unread:
            return unread
        if whole or self.glossary[0] != shared:  # (read again at every look at all: a misnamed one is said)
            self.glossary = (shared, load_glossary(config.content_dir))
        glossary = self.glossary[1]
        for path, reviews in zip(unread, fork_map(lambda path: _summaries(path, codes, glossary), unread), strict=True):
            known[str(path)] = (stamps[path], reviews)
        self.unkept += len(unread)
        if not whole and self.unkept < max(KEEP_AFTER, len(known) // 100):
            return unread
        self.unkept = 0
        settled = {path: kept for path, kept in known.items() if _settled(kept[0], taken)}
        kept = _summaries_file(config)
        if kept is not None:
            store_pickle(kept, {"code": code_version(), "summaries": settled})
        return unread


def _place(review: ArticleReview, name: str, number: int) -> tuple:
    """Where a row of the overview goes: needing work first (broken articles before all), then
    newest first, then by the article folder's name and the language's place in the settings."""
    newest = str(review.date or "").translate(_DESCENDING) + _LAST  # (ascending: the latest first)
    return (review.error is None, review.needs_work == 0, newest, name, number)


# A date's text turned so that ascending order is the date's descending order (a longer text, the
# same day with its time, before the day alone): each ASCII character mirrored at the top of Unicode.
_DESCENDING = {code: 0x10FFFE - code for code in range(128)}
_LAST = chr(0x10FFFF)


def _folders(changed: set[Path], content: Path) -> set[str] | None:
    """The names of ``content/``'s folders holding (or being) the changed paths; None when
    ``content/`` itself changed (every article is looked at again)."""
    names, resolved = set(), None
    for path in changed:
        if path.is_relative_to(content):
            parts = path.relative_to(content).parts
        else:  # (a watcher may name it by its real path: content/ reached through a link)
            resolved = resolved or content.resolve()
            if not path.is_relative_to(resolved):
                continue  # (templates, static files, settings: not the overview's)
            parts = path.relative_to(resolved).parts
        if not parts:
            return None
        names.add(parts[0])
    return names


def _summaries_file(config: SiteConfig) -> Path | None:
    """Where the overview is kept; None when ``.cache`` cannot be trusted (see :mod:`microsite.cache`)."""
    folder = own_cache(config.cache_dir)
    return None if folder is None else folder / "desk-overview.pickle"


def _kept_summaries(config: SiteConfig) -> dict:
    kept = _summaries_file(config)
    stored = load_pickle(kept) if kept is not None else None
    try:
        return dict(stored["summaries"]) if stored["code"] == code_version() else {}
    except (TypeError, KeyError, ValueError):
        return {}


def _settled(stamps: tuple, taken: float) -> bool:
    """Whether no file of these stamps changed too close to ``taken`` (their stats are trustworthy)."""
    return not any(too_recent(s[0], s[3], taken) for s in (*stamps[0][1:], *stamps[1:]) if s is not None)


def review_article(config: SiteConfig, slug: str, language: str) -> ArticleReview:
    """One article's review in one language; ReviewError 404 for an unknown article or language."""
    path = article_file(config, slug, language)
    try:
        article = parse_article(path)
        document = read_document(path.parent / f"{language}.po", language)
    except ContentError as exc:
        return _review_of(path, language, error=str(exc))
    return _detailed(article, document, load_glossary(config.content_dir))


def article_file(config: SiteConfig, slug: str, language: str) -> Path:
    """The ``index.md`` of an existing article, or ReviewError 404."""
    if language not in {target.code for target in config.targets}:
        raise ReviewError(404, f"{language!r} is not a translation language of this site (see site.toml)")
    missing = ReviewError(404, f"no article {slug[:80]!r} in {config.content_dir.name}/; reload the overview")
    if slug_problem(slug) is not None:
        raise missing
    content = config.content_dir.resolve()
    try:
        folder = (content / slug).resolve()
        present = folder.parent == content and (folder / "index.md").is_file()
    except OSError:
        present = False
    if not present:
        raise missing
    return folder / "index.md"


SAVE_ATTEMPTS = 5  # other entries of the file changed under a save: merged again, this many times


def save_entry(
    config: SiteConfig, slug: str, language: str, source: str, text: str, approve: bool, version: str
) -> SaveResult:
    """Set one segment's translation (approved: reviewed; else a draft) if *its entry* is as loaded.

    ``version`` is the entry's version when the editor loaded it (:func:`entry_version`). Changes
    to other entries since then (a translate run, another editor) are kept: the save is merged into
    the file as it is now. Only a change to this entry, or its removal, is a conflict (409).
    """
    text = _typed(text)

    def change(article: Article, document: PoDocument, glossary: Glossary) -> None:
        wanted = article.distinct_segments()
        if source not in {item.source for item in wanted}:
            raise ReviewError(
                409,
                f"this Vietnamese text is not in {slug}/index.md (it changed since you loaded the page); "
                "reload the desk; nothing was saved",
            )
        chunk = _active(document, source)
        if entry_version(chunk) != version:
            raise _conflict(document, source, text)
        if chunk is None:
            if document.original is None:
                made_by = "an editor, in the review desk"  # (no machine was involved)
                document.chunks.insert(0, new_header(document, slug, dt.datetime.now(dt.UTC), made_by))
            chunk = add_entry(document, wanted, source, article.path.name)
        entry = (approved if approve else drafted)(chunk.entry, text)
        if chunk.text is None or entry.__unicode__(wrapwidth=WRAP) != chunk.entry.__unicode__(wrapwidth=WRAP):
            _replace(document, chunk, entry)

    def gave_up() -> Conflict:
        catalog = article_file(config, slug, language).parent / f"{language}.po"
        return _conflict(read_document(catalog, language), source, text)

    return _rewrite(config, slug, language, source, change, gave_up)


MAX_REASON = 500  # characters


def settle_finding(
    config: SiteConfig, slug: str, language: str, source: str, message: str, reason: str, version: str
) -> SaveResult:
    """Settle one QA finding of a segment's entry, as loaded (``version``), with the editor's reason.

    Kept in the catalog as a translator comment keyed by both sides of the entry and the finding
    (:func:`.catalog.settlement_key`): ``check`` and ``--strict`` no longer raise it, until the
    Vietnamese or the English changes. The entry's text and state are left as they are.
    """
    reason = " ".join(unicodedata.normalize("NFC", reason).split())
    if not reason:
        raise ReviewError(400, "say why the finding is wrong (the reason is kept in the catalog); nothing was saved")
    if len(reason) > MAX_REASON or forbidden_character(reason):
        raise ReviewError(400, f"the reason must be plain text of at most {MAX_REASON} characters; nothing was saved")

    def change(article: Article, document: PoDocument, glossary: Glossary) -> None:
        item = next((item for item in article.distinct_segments() if item.source == source), None)
        chunk = _active(document, source)
        if item is None or chunk is None or entry_version(chunk) != version:
            raise ReviewError(409, "this segment changed since you loaded it; reload the desk (nothing was saved)")
        entry = entry_of(chunk)
        found = compare(source, entry.msgstr, glossary, item.kind, article.references)
        if message not in entry.open_findings(found):
            raise ReviewError(409, "the desk no longer raises this finding for this segment; reload the desk")
        keys = {settlement_key(source, entry.msgstr, m) for m in found}
        _replace(document, chunk, settled(chunk.entry, settlement_key(source, entry.msgstr, message), reason, keys))

    def gave_up() -> ReviewError:
        return ReviewError(409, "the catalog keeps changing on disk; reload the desk (nothing was saved)")

    return _rewrite(config, slug, language, source, change, gave_up)


def _rewrite(
    config: SiteConfig,
    slug: str,
    language: str,
    source: str,
    change: Callable[[Article, PoDocument, Glossary], None],
    gave_up: Callable[[], ReviewError],
) -> SaveResult:
    """Read the article and its catalog, let ``change`` edit the catalog (or refuse), and write it
    over the file exactly as it was read. A save by someone else in between is kept, and the change
    is made again on their file, up to SAVE_ATTEMPTS times (then ``gave_up()`` is raised)."""
    path = article_file(config, slug, language)
    glossary = load_glossary(config.content_dir)
    for _attempt in range(SAVE_ATTEMPTS):
        try:
            article = parse_article(path)
            document = read_document(path.parent / f"{language}.po", language)
        except ContentError as exc:
            raise ReviewError(409, f"{exc}; fix the file, then reload the desk (nothing was saved)") from None
        change(article, document, glossary)
        try:
            written = _write(document)
        except ChangedOnDisk:  # saved by someone between our read and our swap: theirs stays; again
            continue
        review = _detailed(article, read_document(document.path, language), glossary)
        return SaveResult(review, next(s for s in review.segments if s.source == source), written)
    raise gave_up()


def _replace(document: PoDocument, chunk: Chunk, entry: polib.POEntry) -> None:
    """Put ``entry`` in ``chunk``'s place in the document (rendered anew when written)."""
    place = next(n for n, kept in enumerate(document.chunks) if kept is chunk)
    document.chunks[place] = Chunk(entry, None, chunk.line)


def entry_version(chunk: Chunk | None) -> str:
    """One entry as the editor saw it (text, state, notes): a save is refused once it changed on disk.

    Where the entry is read in index.md (``#:`` lines, which move as the article is edited) is not
    part of it: only what the editor sees and decides on.
    """
    if chunk is None:
        return ABSENT
    entry = chunk.entry
    seen = (entry.msgid, entry.msgstr, sorted(entry.flags), entry.previous_msgid, entry.tcomment)
    return hashlib.sha256(repr(seen).encode()).hexdigest()[:20]


def _typed(text: str) -> str:
    """The text as the editor typed it, composed (NFC), with \\n line ends; 400 if it cannot be saved."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise ReviewError(400, "the translation is empty: type it first (nothing was saved)")
    if forbidden_character(text):
        raise ReviewError(400, "the translation holds a control character; remove it (nothing was saved)")
    return text


def _write(document: PoDocument) -> bool:
    """Save the document over the file exactly as it was read (else ChangedOnDisk); False if nothing changed."""
    rendered = document.render()
    if rendered == document.original:
        return False
    clean_leftovers(document.path.parent, document.path.name)
    try:
        replace_file(document.path, rendered.encode("utf-8"), document.raw)
    except StorageError as exc:
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        raise ReviewError(507 if full else 403, f"{exc}; nothing was saved") from None
    return True


def _conflict(document: PoDocument, source: str, text: str) -> Conflict:
    chunk = _active(document, source)
    return Conflict(
        f"this segment's entry in {document.path.name} changed on disk since you loaded this page (another "
        "editor, Poedit, a git pull or translate): nothing was saved; compare the two versions, then keep one",
        source,
        text,
        entry_of(chunk) if chunk is not None else None,
        entry_version(chunk),
    )


def diff(old: str, new: str) -> list[Change]:
    """Word by word: what stayed, what left the old text and what came into the new one."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            changes.append(Change("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            changes.append(Change("removed", "".join(a[i1:i2])))
        if j2 > j1:
            changes.append(Change("added", "".join(b[j1:j2])))
    return changes


def _review_of(path: Path, language: str, article: Article | None = None, error: str | None = None) -> ArticleReview:
    review = ArticleReview(path.parent.name, language, str(path), error=error)
    if article is not None:
        review.title, review.date, review.draft = article.title.source, article.date, article.draft
    return review


def _detailed(article: Article, document: PoDocument, glossary: Glossary) -> ArticleReview:
    """The article page's review: every segment, with its entry's version for saving."""
    review = _review_of(article.path, document.language, article)
    review.segments = _segments(article, document, glossary)
    review.tally(review.segments)
    return review


def _summaries(path: Path, languages: tuple[str, ...], glossary: Glossary) -> list[ArticleReview]:
    """An article's counts in each language, read the quick way (no chunks: no version, no fresh drafts)."""
    try:
        article = parse_article(path)
    except ContentError as exc:
        return [_review_of(path, language, error=str(exc)) for language in languages]
    reviews = []
    for language in languages:
        review = _review_of(path, language, article)
        try:
            catalog = load_catalog(review.catalog_path, language)
        except ContentError as exc:
            review.error = str(exc)
        else:
            review.tally(_segments(article, catalog.entries, glossary))
        reviews.append(review)
    return reviews


def _segments(article: Article, source: PoDocument | dict[str, Entry], glossary: Glossary) -> list[SegmentReview]:
    """The article's distinct segments with their translation from a catalog's chunks or entries."""
    chunks = {}
    if isinstance(source, PoDocument):
        chunks = {c.msgid: c for c in source.chunks if c.ours and not c.obsolete}
        source = {msgid: entry_of(chunk) for msgid, chunk in chunks.items()}
    figures = {id(s): block.src for block in article.figures for s in block.segments()}
    segments = []
    for number, item in enumerate(article.distinct_segments(), start=1):
        entry = source.get(item.source)
        state = entry.state if entry is not None else MISSING
        text = entry.msgstr if entry is not None else ""
        found = compare(item.source, text, glossary, item.kind, article.references) if state != MISSING else []
        review = SegmentReview(
            number=number,
            kind=item.kind,
            source=item.source,
            lines=item.lines,
            text=text,
            state=state,
            findings=entry.open_findings(found) if entry is not None else found,
            figure=figures.get(id(item.first)),
            version=entry_version(chunks.get(item.source)),
            settled=[(m, reason) for m in found if (reason := entry.settled_reason(m)) is not None],
        )
        if entry is not None and entry.previous_msgid is not None and entry.fuzzy:
            review.previous = entry.previous_msgid
            review.fresh = fresh_draft(chunks[item.source].entry) if item.source in chunks else None
        segments.append(review)
    return segments


def _active(document: PoDocument, source: str) -> Chunk | None:
    return next((c for c in document.chunks if c.ours and not c.obsolete and c.msgid == source), None)
