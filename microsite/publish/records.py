"""What a build keeps of each article for the next one: its list-page data and its pages' cached files.

A build reads and renders only the articles whose files changed (all of them when a template,
strings.toml, site.toml or the code changed). Every other article comes from the last build's
:class:`ArticleRecord`: its warnings, its card on the home pages, its feed entry, its sitemap entry
and the files its pages are made of, kept in ``.cache/`` and copied into the site (:mod:`.tree`).

A record is used only when its article's key and the site's key are those of this build and each
of its cached files still has the stamp it had when it was made (:func:`..cache.stamp_of`). A
cached file changed in place, replaced or put behind a link is so noticed, removed and made again:
what is published is always what a clean build writes. Cached files are copied into ``site/``,
never linked, so nothing done to the published site reaches them. Records are kept in a store
per output folder (:mod:`..store`), in 256 sealed rows (a bucket of articles each): a build
writes the rows holding the articles it read again, not the archive's. What is kept by the thousand is a named tuple (it
loads several times faster than a dataclass).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import pickle
import stat
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from ..cache import StaleCache, Stamp, stamp_from, stamp_of
from ..errors import Problem
from ..files import decode_utf8, remove_file, write_cache
from ..store import Changes, Store, collector_paused

if TYPE_CHECKING:  # (not imported: the standby's survey, made in a child before the builder is, needs none of it)
    from .pages import Card

STATE_FORMAT = 11  # 10: each record's cards told without its pages (``cards``); 11: its pages and files unpickled apart
HEAVY = "_heavy"  # a record's pages and files, pickled apart (:meth:`ArticleRecord.__getstate__`)
HEAVY_DIGEST = "_heavy_digest"  # that blob's digest: the store keeps the blob in its own row (table "pages")
HEAVY_FROM = "_heavy_from"  # (never stored) the store a record was loaded from, to fetch its blob from
HEAVY_AT = "_heavy_at"  # (never stored) where a shelved record's blob was set down on disk: (Spill, offset, size)
STAMPED = "_stamped"  # (never stored) whether a shelved record's files all have stamps (:func:`shelve`)
WHERE = "_where"  # a record's path as text, as it was unpickled: its ``Path`` made when first asked for
SPILL_FROM = 16 << 20  # a build's new blobs set down on disk (:class:`Spill`) from this many bytes of them
SPILL_CHUNK = 4 << 20  # ...written this many bytes at a time
SPILL_ROOM = 256 << 20  # ...when the disk keeps this much free beside twice their size (the site is written next)
V = TypeVar("V")


class OutputFile(NamedTuple):
    """A file of an article's pages: where it goes under ``site/`` and where its bytes are.

    ``cache`` is a file in ``.cache/`` made for it, copied into each site, with its ``stamp`` (size,
    modification and change time, inode: :func:`..cache.stamp_of`) when made. Without a writable
    cache, ``text`` holds a page and ``copy`` a newsroom photo to copy.
    """

    path: str
    cache: str | None = None
    stamp: Stamp | None = None
    text: str | None = None
    copy: str | None = None


class Tag(NamedTuple):
    """An article's tag in one edition: its Vietnamese, its text in that edition, its URL name."""

    source: str
    text: str
    slug: str


class PageRecord(NamedTuple):
    """An article's page in one language: its folder in the site, its card and feed entry."""

    language: str
    folder: str  # "slug/", "en/slug/"
    card: Card
    card_html: str  # rendered for a list page, its photo loaded lazily
    entry: OutputFile  # the Atom entry, kept in .cache/ (its ``path`` is unused)


@dataclass
class ArticleRecord:
    """One article folder as the last build found it; ``errors`` stop the build."""

    path: Path
    key: str | None  # of the article's files (None: read it again next time)
    site_key: str | None  # of the templates, strings, site.toml, options and code it was rendered with
    slug: str = ""
    draft: bool = False
    date: dt.date | dt.datetime | None = None
    errors: list[Problem] = field(default_factory=list)
    publish_errors: list[Problem] = field(default_factory=list)  # broken markup about to be published
    warnings: list[Problem] = field(default_factory=list)
    states: dict[str, dict[str, int]] = field(default_factory=dict)  # each translation's: state → segments
    languages: tuple[str, ...] = ()  # the editions it is published in
    tags: dict[str, tuple[Tag, ...]] = field(default_factory=dict)  # in each edition it is published in
    pages: dict[str, PageRecord] = field(default_factory=dict)  # by language, once rendered
    files: list[OutputFile] = field(default_factory=list)  # pages, photos, photo variants
    # (site path, cached file, the newsroom's photo or None for a variant): photos to copy and resize
    variants: list[tuple[str, str, str | None]] = field(default_factory=list)
    images: list = field(default_factory=list)  # ImageInfo of the photos whose variants are to make
    findings: dict[str, list[Problem]] | None = None  # each translation's QA and review findings, when asked for
    findings_key: str | None = None
    rendered: bool = False  # its pages are in ``files`` (False: read by ``check``, which renders nothing)
    shape: str | None = None  # digest of what other pages show of it (:func:`shape_of`)
    cards: dict[str, CardFacts] = field(default_factory=dict)  # by language, once rendered (:func:`card_facts`)
    stored: bool = field(default=False, compare=False, repr=False)  # as the state's store holds it (unchanged)

    @property
    def reusable(self) -> bool:
        """Whether a later run can take this record as it is: a build only if it is ``rendered``."""
        if self.key is None or self.site_key is None or self.errors:
            return False
        held = self.__dict__
        return held[STAMPED] if STAMPED in held else _stamped(self.pages, self.files)

    @property
    def page_languages(self) -> tuple[str, ...]:
        """The languages of its pages (``pages``' keys), told without unpickling them."""
        held = self.__dict__
        return tuple(held["pages"]) if "pages" in held else held.get("_page_languages", ())

    # A record is pickled with its pages and files (most of its bytes: cards, their HTML, the
    # cached files' names and stamps) as one blob of their own, unpickled only when one of them is
    # first asked for: a build that plans an edit from the last site's record needs them for a few
    # articles, not for the archive's (at 100,000 articles, two thirds of loading the records).
    # The blob holds the two apart (:func:`_pack`): a list page rendered again asks for the pages
    # of the articles it shows (their cards), never their files. The one unpickled is then a view
    # of the blob, which the record keeps, and pickles, until both are (a record as the store holds
    # it is never changed: the store would not take the change, :func:`save_state`).
    # The state's store keeps each blob in a row of its own (by the article's path, table "pages"),
    # read only then: a record loaded from the store names its blob by its digest.

    # Its path is pickled as text, and made a ``Path`` again only when asked for: most records a
    # build loads are only looked up by it (at 100,000 articles, making the paths was a tenth of
    # an edit's build). :attr:`where` is that text.

    @property
    def where(self) -> str:
        """The article's path as text (its ``index.md``), without making it a ``Path``."""
        held = self.__dict__
        return held[WHERE] if WHERE in held else str(held["path"])

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        where = state.pop(WHERE, None)
        state.pop(STAMPED, None)
        at = state.pop(HEAVY_AT, None)
        state["path"] = where if where is not None else str(state["path"])
        if at is not None and HEAVY not in state and not ("pages" in state and "files" in state):
            state[HEAVY] = at[0].read(at[1], at[2])  # (pickled whole: the spill is this process's)
        if "pages" in state and "files" in state:
            pages, files = state.pop("pages"), state.pop("files")
            state[HEAVY] = _pack(pages, files)
            state["_page_languages"] = tuple(pages)
        else:  # (never unpickled, or one of them only: its blob as it was read)
            state.pop("pages", None)
            state.pop("files", None)
        return state

    def __setstate__(self, state: dict) -> None:
        held = self.__dict__
        held.update(state)
        if isinstance(held.get("path"), str):
            held[WHERE] = held.pop("path")

    def __getattr__(self, name: str) -> object:
        # Called only for what the instance lacks: its path while still text, its pages and files
        # while still a blob.
        held = self.__dict__
        if name == "path" and WHERE in held:
            held["path"] = path = Path(held[WHERE])
            return path
        blob = _blob(self) if name in ("pages", "files") else None
        if blob is not None:
            value = held.setdefault(name, _unpack(blob, name))  # (another thread may have been first)
            if "pages" in held and "files" in held:  # both unpickled: the blob let go
                held.pop(HEAVY, None)
                held.pop(HEAVY_AT, None)
                held.pop("_page_languages", None)
                held.pop(STAMPED, None)
            elif HEAVY_AT not in held:  # (a spilled blob is read again from disk for the other)
                held.setdefault(HEAVY, blob)  # (for the other: a stored record's row read once)
            return value
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def _pack(pages: dict[str, PageRecord], files: list[OutputFile]) -> bytes:
    """A record's pages and files as one blob: the pages' pickle after its length, then the files':
    each is unpickled without the other (:func:`_unpack`)."""
    first = pickle.dumps(pages, protocol=pickle.HIGHEST_PROTOCOL)
    return len(first).to_bytes(4, "little") + first + pickle.dumps(files, protocol=pickle.HIGHEST_PROTOCOL)


def _unpack(blob: bytes, name: str) -> object:
    """The ``"pages"`` or the ``"files"`` of a blob :func:`_pack` made."""
    size = int.from_bytes(blob[:4], "little")
    view = memoryview(blob)
    return pickle.loads(view[4 : 4 + size] if name == "pages" else view[4 + size :])


def _blob(record: ArticleRecord) -> bytes | None:
    """The pickled pages and files of a record that does not hold them unpickled: its blob, or its
    row read from the store it was loaded from; None if it has neither."""
    held = record.__dict__
    blob = held.get(HEAVY)
    if blob is None and HEAVY_AT in held:
        spill, offset, size = held[HEAVY_AT]
        return spill.read(offset, size)
    if blob is None and HEAVY_FROM in held:
        blob = _fetched(held[HEAVY_FROM], record.where, held.get(HEAVY_DIGEST))
        if blob is None:  # (the store lost it: the build starts again, the store read whole)
            raise StaleCache(f"{held[HEAVY_FROM]} ({record.where})")
    return blob


class CardFacts(NamedTuple):
    """What the list pages' keys and the sitemap need of an article's page in one language, kept
    beside its record's pages so that neither unpickles them (a list page rendered again does)."""

    digest: str  # of its card's HTML (:func:`card_digest`)
    url: str  # the page's absolute URL
    date: dt.date | dt.datetime  # as its card shows it


def card_digest(html: str) -> str:
    """A card's digest, as the keys of the pages showing it take it (its HTML repeated in every
    list page's key cost most of making the keys)."""
    return hashlib.blake2b(html.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def card_facts(record: ArticleRecord, code: str) -> CardFacts:
    """:class:`CardFacts` of the record's page in ``code``: kept, else read from its pages."""
    facts = record.cards.get(code)
    return _facts(record.pages[code]) if facts is None else facts


def cards_of(record: ArticleRecord) -> dict[str, CardFacts]:
    """:class:`CardFacts` of each of the record's pages, to keep in it once it is rendered."""
    return {code: _facts(page) for code, page in record.pages.items()}


def _facts(page: PageRecord) -> CardFacts:
    return CardFacts(card_digest(page.card_html), page.card.url, page.card.date)


def shape_of(record: ArticleRecord) -> str:
    """Digest of all that the site's other pages show of an article: its place in the lists (date,
    slug), its editions, their folders, cards and tags. An edit that leaves it as it was (a
    correction of the text) changes the article's own pages, feed entries and search entries only.
    """
    pages = [(code, page.language, page.folder, page.card, page.card_html) for code, page in record.pages.items()]
    seen = (record.slug, record.date, record.draft, record.languages, pages, list(record.tags.items()))
    return hashlib.blake2b(repr(seen).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def cached_files(record: ArticleRecord) -> list[OutputFile]:
    """The files a record keeps: its photos' variants, then each page's entry."""
    return _outputs(record.pages, record.files)


def _outputs(pages: dict[str, PageRecord], files: list[OutputFile]) -> list[OutputFile]:
    return [*files, *(page.entry for page in pages.values())]


def cached_names(records: Iterable[ArticleRecord], attach: bool = False) -> set[str]:
    """The names of the files the records keep in the cache (:func:`cached_files`'), a shelved
    record's read from its blob without unpickling its pages into it (:func:`shelve`); ``attach``:
    every record's pages unpickled into it, as when they are asked for."""
    names: set[str] = set()
    for record in records:
        outputs = cached_files(record) if attach else _outputs(*_heavy(record))
        names.update(file.cache for file in outputs if file.cache is not None)
    return names


def _heavy(record: ArticleRecord) -> tuple[dict[str, PageRecord], list[OutputFile]]:
    """A record's pages and files: those it holds, else those of its blob or its row in the store,
    read without being unpickled into it (a shelved record stays shelved)."""
    held = record.__dict__
    if "pages" in held and "files" in held:
        return held["pages"], held["files"]
    blob = _blob(record)
    if blob is None:
        return record.pages, record.files
    pages = held["pages"] if "pages" in held else _unpack(blob, "pages")
    return pages, held["files"] if "files" in held else _unpack(blob, "files")


def shelve(records: Iterable[ArticleRecord], spill_in: Path | None = None) -> None:
    """Let go of the records' pages and files once the site's plan holds what it needs of them:
    each comes back when next asked for, from the store (a record as the store holds it) or from
    its blob, pickled here (as saving the state would pickle it anyway). At 100,000 articles the
    cards, their HTML and the files' names and stamps are most of the build's memory, and the
    search index is made after the plan: it then reuses theirs instead of adding to it.

    ``spill_in``: a folder where the blobs the store does not hold yet are set down on disk
    (:class:`Spill`) when they come to :data:`SPILL_FROM` bytes or more (after a code or template
    update every record is new: ~240 MB of blobs at 100,000 articles, held through the search
    index until the state is saved) and its disk has room to spare for them (:data:`SPILL_ROOM`)."""
    fresh: list[ArticleRecord] = []
    for record in records:
        held = record.__dict__
        if "pages" not in held or "files" not in held:
            if (HEAVY in held or HEAVY_AT in held) and ("pages" in held or "files" in held):  # one unpickled
                held.pop("pages", None)
                held.pop("files", None)
                if record.stored and HEAVY_FROM in held and held.get(HEAVY_DIGEST):
                    held.pop(HEAVY, None)  # (the store holds it, as for a record whose both were unpickled)
            continue
        pages, files = held["pages"], held["files"]
        if not (record.stored and HEAVY_FROM in held and held.get(HEAVY_DIGEST)):
            held[HEAVY] = _pack(pages, files)
            fresh.append(record)
        held["_page_languages"], held[STAMPED] = tuple(pages), _stamped(pages, files)
        del held["pages"], held["files"]
    size = sum(len(record.__dict__[HEAVY]) for record in fresh)
    if spill_in is not None and size >= SPILL_FROM and _room(spill_in, 2 * size + SPILL_ROOM):
        Spill.set_down(fresh, spill_in)


def _room(folder: Path, size: int) -> bool:
    """Whether the disk holding ``folder`` has ``size`` bytes free (a blob set down never takes the
    room the site's files are written into next)."""
    try:
        found = os.statvfs(folder)
    except OSError:
        return False
    return found.f_bavail * found.f_frsize >= size


class Spill:
    """A file of this build's, unnamed in its folder (gone with the last record naming it, or with
    the process), holding blobs of records that the state's store does not hold yet: each record
    names its blob's place in it (``HEAVY_AT``) and reads it again when it is asked for (forked
    children too: reads never move the file's offset). Best effort: a blob that cannot be set down
    (a full disk, a folder that cannot be written) stays in memory."""

    def __init__(self, folder: Path) -> None:
        self.file = tempfile.TemporaryFile(dir=folder, prefix=".spill-", buffering=0)  # noqa: SIM115 (open while a record names it)
        self.size = 0

    @classmethod
    def set_down(cls, records: list[ArticleRecord], folder: Path) -> None:
        """The records' blobs written to a new spill, a few megabytes at a time, and let go."""
        try:
            spill = cls(folder)
        except OSError:
            return
        start = 0
        while start < len(records):
            end, size = start, 0
            while end < len(records) and (size < SPILL_CHUNK or end == start):
                size += len(records[end].__dict__[HEAVY])
                end += 1
            if not spill.put(records[start:end]):
                return
            start = end

    def put(self, records: list[ArticleRecord]) -> bool:
        """These records' blobs appended and let go; False if they could not be written whole."""
        blobs = [record.__dict__[HEAVY] for record in records]
        data = b"".join(blobs)
        try:
            written = os.pwrite(self.file.fileno(), data, self.size)
        except OSError:
            return False
        if written != len(data):
            return False
        offset = self.size
        for record, blob in zip(records, blobs, strict=True):
            held = record.__dict__
            held[HEAVY_AT] = (self, offset, len(blob))
            del held[HEAVY]
            offset += len(blob)
        self.size = offset
        return True

    def read(self, offset: int, size: int) -> bytes:
        """The blob set down at ``offset``; :class:`..cache.StaleCache` if it cannot be read whole."""
        try:
            data = os.pread(self.file.fileno(), size, offset)
        except OSError as exc:
            raise StaleCache(f"{self.file.name} (a record's pages, set down by this build)") from exc
        if len(data) != size:
            raise StaleCache(f"{self.file.name} (a record's pages, set down by this build)")
        return data


def share_tags(records: Iterable[ArticleRecord]) -> None:
    """The records' equal tags made one object: a newsroom reuses a few hundred tags across the
    archive, and each record made in a worker comes with its own copies (at 100,000 articles,
    ~80 MB of the records' memory)."""
    one: dict[Tag, Tag] = {}
    sets: dict[tuple[Tag, ...], tuple[Tag, ...]] = {}
    for record in records:
        record.tags = {
            code: sets.setdefault(tags, tuple(one.setdefault(tag, tag) for tag in tags))
            for code, tags in record.tags.items()
        }


def _stamped(pages: dict[str, PageRecord], files: list[OutputFile]) -> bool:
    return all(file.stamp is not None for file in files) and all(
        page.entry.stamp is not None for page in pages.values()
    )


def changed_files(records: list[ArticleRecord]) -> set[str]:
    """The cached files of these records that are no longer as they were made, now removed.

    Photos and their variants are shared by the articles that use the same photo, so all are
    checked before any is removed; each article using a removed file is then read again and
    makes it again.
    """
    changed: set[str] = set()
    seen: dict[str, Stamp | None] = {}
    for record in records:
        for file in cached_files(record):
            if file.cache is None:
                continue
            if file.cache not in seen:
                seen[file.cache] = stamp_of(file.cache)
            if seen[file.cache] != file.stamp:
                changed.add(file.cache)
    for path in changed:
        remove_file(path)
    return changed


def intact(record: ArticleRecord, changed: set[str]) -> bool:
    """Whether all of a record's files are in the cache as they were made."""
    return all(file.cache is not None and file.cache not in changed for file in cached_files(record))


def cache_file(path: Path, data: bytes) -> OutputFile | None:
    """``data`` kept in the cache at ``path``, with its stamp; None if the cache cannot be written."""
    if not write_cache(path, data):
        return None
    stamp = stamp_of(str(path))
    return None if stamp is None else OutputFile("", str(path), stamp)


def cached_text(file: OutputFile) -> str:
    """A kept file's text (a feed entry, a page before its related reading), from the record or the
    cache: a regular file with the stamp the record gives it, else :class:`..cache.StaleCache` (the
    build is made again, checking every kept file first)."""
    if file.text is not None:
        return file.text
    try:
        handle = os.open(file.cache, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(handle, "rb") as opened:
            info = os.fstat(opened.fileno())
            data = opened.read() if stat.S_ISREG(info.st_mode) and stamp_from(info) == file.stamp else None
    except (OSError, TypeError):
        data = None
    if data is None:
        raise StaleCache(str(file.cache))
    return decode_utf8(Path(file.cache), data)


def state_path(cache_dir: Path, output: Path) -> Path:
    """One state per output folder, beside its manifest."""
    key = hashlib.sha256(str(output).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_dir / f"state-{key}.sqlite"


BUCKETS = 256  # rows per table: an edit rewrites its article's row, 1/256 of the archive's records


def _number(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogateescape")) % BUCKETS


def bucket(key: str) -> str:
    """The row a record or list page is kept in (stable from run to run)."""
    return f"{_number(key):02x}"


def by_bucket(items: Iterable[tuple[str, V]]) -> dict[str, dict[str, V]]:
    """``items`` grouped by :func:`bucket` of their keys (the name made once per bucket: by the
    hundred thousand, formatting it for each key would cost more than the hash)."""
    groups: dict[int, dict[str, V]] = {}
    crc32 = zlib.crc32  # (:func:`_number`, inlined: a call a key cost as much as the hash)
    for key, value in items:
        groups.setdefault(crc32(key.encode("utf-8", "surrogateescape")) % BUCKETS, {})[key] = value
    return {f"{number:02x}": group for number, group in groups.items()}


@dataclass
class State:
    """What the last build of an output kept: its articles' records, and its list pages' cached files.

    ``rows``: the rows of each table in the store, ``current``: whether the store was of this
    build's version (else every row is replaced).
    """

    records: dict[str, ArticleRecord] = field(default_factory=dict)  # by article path
    lists: dict[str, Stamp] = field(default_factory=dict)  # list page key → its file's stamp
    rows: dict[str, set[str]] = field(default_factory=lambda: {"records": set(), "lists": set()})
    loaded: set[str] = field(default_factory=set)  # the paths of the records loaded
    current: bool = False
    supersedes: bool = False  # of another version: its records' cached files to remove (:func:`superseded_pages`)
    token: str = ""  # names the build that saved it (its site's record names it too: :mod:`.tree`)
    order: list[str] | None = None  # the published articles' paths, newest first, as the site lists them


def load_state(path: Path, version: str | None, whole: bool = False) -> State:
    """The last build's :class:`State` (:mod:`..store`); empty if it was not made with ``version``.
    Each record's pages and files are read from the store when first asked for; ``whole``: all of
    them now, and a record whose row of them is missing or not its own left out (read again).

    ``version``: the code's and the site's key (templates, strings, settings). The records are
    kept only when it matches: after a template edit, thousands of records that cannot be used
    are never held (their memory would be copied into every worker); only the names of the files
    they kept in the cache are, read by :func:`superseded_pages` for the build to remove. The list
    pages' stamps are kept either way (each key names the templates it was rendered with).
    """
    if version is None:
        return State()
    store = Store.open(path)
    if store is None:
        return State()
    with store, collector_paused():
        meta = dict(store.rows("meta"))
        if meta.get("format") != str(STATE_FORMAT).encode():
            return State()
        if meta.get("version") != version.encode():
            state = State(supersedes=True)
        else:
            state = State(current=True)
            for row, data in store.rows("records"):
                state.rows["records"].add(row)
                for key, record in _unpickled(data).items():
                    if isinstance(record, ArticleRecord) and record.where == key:
                        record.stored = True
                        record.__dict__[HEAVY_FROM] = str(path)
                        state.records[key] = record
            if whole:
                _attach(store.rows("pages"), state.records)
                for key in [key for key, record in state.records.items() if HEAVY not in record.__dict__]:
                    del state.records[key]
        if state.current:
            state.token = (meta.get("token") or b"").decode()
            order = _unpickled_list(meta.get("order"))
            state.order = order if all(isinstance(path, str) for path in order or ()) else None
        for row, data in store.rows("lists"):  # (their keys hold their own versions: kept either way)
            state.rows["lists"].add(row)
            state.lists.update(_unpickled(data))
        if store.failed:
            return State()  # not all of it could be read: written afresh
    state.loaded = set(state.records)
    return state


def named_pages(path: Path, unless: str | None = None) -> set[str] | None:
    """The cached files the records of the state at ``path`` (another output's) name; None when it
    cannot be read whole. A store of another format names none: the build that reads it next
    renders every article again; nor does one of the version ``unless``. (Never made if missing,
    nor waited for past the store's wait.)"""
    if not path.is_file() or path.is_symlink():
        return set()
    store = Store.open(path)
    if store is None:
        return None
    with store, collector_paused():
        meta = dict(store.rows("meta"))
        if meta.get("format") != str(STATE_FORMAT).encode() or (unless and meta.get("version") == unless.encode()):
            return set() if not store.failed else None
        found = _kept_files(store)
        return None if store.failed else found


def superseded_pages(path: Path, last: State, version: str | None) -> set[str]:
    """The cached files of the records of the state at ``path`` when ``last`` (as :func:`load_state`
    read it) found it made by another version of the code or the site (:attr:`State.supersedes`),
    for the build replacing them to remove. Read when the build is about to save its own, not while
    it renders or makes the search index (at 100,000 articles the names are ~70 MB); none if it
    cannot be read whole (then they stay, as strays), nor if the state is now of ``version`` (this
    build's: another build of this output, running beside it without the standby, saved it since,
    and its pages are this version's)."""
    return (named_pages(path, unless=version) or set()) if last.supersedes else set()


def _kept_files(store: Store) -> set[str]:
    """The cached files of the records in ``store``, from their pages and files, one row at a time."""
    found: set[str] = set()
    for _key, data in store.rows("pages"):
        with contextlib.suppress(Exception):  # a record of other code, maybe of another shape
            pages, files = _unpack(data, "pages"), _unpack(data, "files")  # type: ignore[arg-type]
            made = [*files, *(page.entry for page in pages.values())]
            found.update(file.cache for file in made if isinstance(file.cache, str))
    return set() if store.failed else found


def _digest(blob: bytes) -> str:
    return hashlib.blake2b(blob, digest_size=16).hexdigest()


def _attach(rows: Iterable[tuple[str, bytes | None]], records: dict[str, ArticleRecord]) -> None:
    """The pages and files of ``records`` (by path) that still lack them, from these rows of a
    store's table of them; each only if it is the blob its record names."""
    for key, data in rows:
        record = records.get(key)
        held = record.__dict__ if record is not None else {}
        if (
            data is not None
            and "pages" not in held
            and HEAVY not in held
            and HEAVY_AT not in held
            and held.get(HEAVY_DIGEST) == _digest(data)
        ):
            held[HEAVY] = data


def _lacking(records: Iterable[ArticleRecord]) -> dict[str, dict[str, ArticleRecord]]:
    """The records loaded from a store and not yet holding their pages and files: by the store's
    path, then by their own."""
    lacking: dict[str, dict[str, ArticleRecord]] = {}
    for record in records:
        held = record.__dict__
        if HEAVY_FROM in held and "pages" not in held and HEAVY not in held and HEAVY_AT not in held:
            lacking.setdefault(held[HEAVY_FROM], {})[record.where] = record
    return lacking


def fetch_all(records: Iterable[ArticleRecord]) -> None:
    """The pages and files of every record loaded from a store and not yet holding them, read in
    one pass over that store's table (a whole plan opens them all: one read, not one a record)."""
    for path, found in _lacking(records).items():
        store = Store.open(Path(path))
        if store is not None:
            with store, collector_paused():
                _attach(store.rows("pages"), found)


def fetch_some(records: Iterable[ArticleRecord]) -> None:
    """The pages and files of these records (those loaded from a store and not yet holding them),
    read in a few queries: the records of the list pages an edit renders again, fetched once here
    rather than one by one in each process rendering them."""
    for path, found in _lacking(records).items():
        store = Store.open(Path(path))
        if store is not None:
            with store:
                _attach(store.rows_of("pages", list(found)), found)


_readers: dict[tuple[int, int, str], Store] = {}  # (process, thread, store path) → the store, open


def _fetched(path: str, key: str, digest: str | None) -> bytes | None:
    """One record's blob from the store at ``path``, if it is the one ``digest`` names. The store
    stays open for the next (per process and thread: a connection is never shared across either)."""
    import threading

    where = (os.getpid(), threading.get_ident(), path)
    store = _readers.get(where)
    if store is None:
        store = Store.open(Path(path))
        if store is None:
            return None
        _readers[where] = store
    data = store.row("pages", key)
    return data if data is not None and digest is not None and _digest(data) == digest else None


def close_readers() -> None:
    """The stores :func:`_fetched` opened in this thread of this process, closed."""
    import threading

    mine = (os.getpid(), threading.get_ident())
    for where in [where for where in _readers if where[:2] == mine]:
        _readers.pop(where).close()


def _unpickled_list(data: bytes | None) -> list | None:
    try:
        found = None if data is None else pickle.loads(data)
    except Exception:
        return None
    return found if isinstance(found, list) else None


def _unpickled(data: bytes | None) -> dict:
    try:
        found = None if data is None else pickle.loads(data)
    except Exception:  # another version's, or damaged: its articles are read again
        return {}
    return found if isinstance(found, dict) else {}


def save_state(
    path: Path,
    version: str | None,
    records: list[ArticleRecord],
    lists: dict[str, Stamp],
    last: State,
    token: str = "",
    order: list[str] | None = None,
) -> None:
    """Write the rows that changed since ``last`` (what :func:`load_state` gave this build): those
    holding a record made or changed since (not :attr:`ArticleRecord.stored`), a record gone, or a
    list page kept or dropped; ``token`` names the build, ``order`` is the published articles'
    (written only when it changed).

    Best effort: without the state, the next build reads and renders every article again.
    """
    if version is None:
        return  # a site key that could not be trusted: nothing could be reused
    clear = not last.current
    # (a record as the store holds it was kept when it was saved: not asked again, its pages unread)
    kept = {record.where: record for record in records if record.stored or record.reusable or _compared(record)}
    by_row = by_bucket(kept.items())
    dirty = {row for row, found in by_row.items() if clear or not all(r.stored for r in found.values())}
    dirty |= {bucket(key) for key in last.loaded - kept.keys()}
    lists_by_row = by_bucket(lists.items())
    lists_dirty = {bucket(key) for key in lists.keys() ^ last.lists.keys()}
    lists_dirty |= {bucket(key) for key in _differing(lists, last.lists, clear)}
    rows: list[tuple[str, bytes]] = []  # the records' rows, made as their pages' rows are written
    changes = {
        "meta": _meta(version, token, order, last, clear),
        "pages": Changes(_apart(by_row, dirty, rows), last.loaded - kept.keys(), clear),
        "records": Changes(rows, last.rows["records"] - by_row.keys(), clear),
        "lists": _changes(lists_by_row, lists_dirty, last.rows["lists"], clear),
    }
    store = Store.open(path)
    if store is None:
        return
    with store:
        if not store.save(changes):
            return
    for record in kept.values():
        record.stored = True
    last.rows = {"records": set(by_row), "lists": set(lists_by_row)}
    last.loaded, last.lists, last.current = set(kept), dict(lists), True
    last.token, last.order = token, order
    if clear:
        remove_file(path.with_suffix(".pickle"))  # the state as versions before the store kept it


def _differing(now: dict[str, Stamp], before: dict[str, Stamp], every: bool) -> Iterable[str]:
    """The keys whose stamps differ from ``before``'s (``every``: all of ``now``'s). (Looked up one
    by one: a set of the items hashes each stamp, ~twice the time at 200,000 list pages.)"""
    if every:
        return now.keys()
    get = before.get
    return [key for key, stamp in now.items() if get(key) != stamp]


def _compared(record: ArticleRecord) -> bool:
    """A record kept only to be compared with: an article read too soon after it changed for its
    stat to stand for it (no key: read again next time, its pages kept for this build only). The
    next build compares its shape and its files' paths with the article's then (an edit that
    changes no other page: :func:`..builder._plan_edit`)."""
    return record.key is None and record.site_key is not None and record.shape is not None and not record.errors


def _meta(version: str, token: str, order: list[str] | None, last: State, clear: bool) -> Changes:
    """The state's meta rows: its format, version and token, and the order when it changed."""
    meta = {"format": str(STATE_FORMAT).encode(), "version": version.encode(), "token": token.encode()}
    if order is not None and (clear or order != last.order):
        meta["order"] = pickle.dumps(order, protocol=pickle.HIGHEST_PROTOCOL)
    return Changes(meta, {"order"} if order is None else (), clear=clear)


def _apart(
    by_row: dict[str, dict[str, ArticleRecord]], dirty: set[str], rows: list[tuple[str, bytes]]
) -> Iterator[tuple[str, bytes]]:
    """The pages-and-files rows to write, one record at a time, for the ``dirty`` rows of records;
    each such row, its records naming their blobs by digest, put in ``rows`` meanwhile (a first
    build's blobs are never all in memory at once). A record as the store holds it keeps its blob's
    row: only those made or changed since are written."""
    for row in sorted(dirty & by_row.keys()):
        kept = {}
        for key, record in by_row[row].items():
            state = record.__getstate__()
            state.pop(HEAVY_FROM, None)
            blob = state.pop(HEAVY, None)
            if blob is not None and not (record.stored and state.get(HEAVY_DIGEST)):
                state[HEAVY_DIGEST] = _digest(blob)
                yield key, blob
            stripped = ArticleRecord.__new__(ArticleRecord)
            stripped.__dict__.update(state)
            kept[key] = stripped
        rows.append((row, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)))


def _changes(by_row: dict[str, dict], dirty: set[str], stored: set[str], clear: bool) -> Changes:
    """The rows to write, pickled one at a time as the store writes them (at 100,000 articles, the
    records of a first build would otherwise be in memory twice more, as bytes and sealed)."""
    rows = ((row, pickle.dumps(by_row[row], protocol=pickle.HIGHEST_PROTOCOL)) for row in sorted(dirty & by_row.keys()))
    return Changes(rows, stored - by_row.keys(), clear)
