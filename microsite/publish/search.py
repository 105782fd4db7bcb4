"""The search index: this project's own, made from the published article pages, written only where
it changed, and read in the browser by ``static/words.js`` (for the search page's ``search.js``).

One index per edition, under ``searchindex/<language>/``:

- ``meta.json``: the index's version and shape (small: read first by every query);
- ``b/<n>.json``: the *base* segment, every page as it was when the base was made, cut into shards
  by a hash of each word's key, so a query fetches one shard per word, never the whole index;
- ``m/<n>.json``: the *middle* segment, the pages added or changed since the base as they were when
  the middle was last made;
- ``d/<n>.json``: the *delta* segment, the pages added or changed since the middle, in a few shards
  of its own; ``meta.json`` lists, for each segment, the pages whose postings a later segment
  overrides (changed or removed);
- ``p/<id>.json``: each page's fragment: its address, title, date and text, for the results list,
  its excerpt and the check of quoted phrases.

A word's key is the word folded: lower case, marks removed and đ read as d (``quang ninh`` finds
*Quảng Ninh*, ``dien`` finds *điện*); in English, folded then stemmed with Porter's algorithm
(snowballstemmer's "porter", run by its C build, PyStemmer, where installed; the browser has the
same algorithm in ``static/porter.js``). Each key's entry lists the word's spellings as the pages
write them, so a query can also ask for the marks as typed, and per page its weight, which
spellings it has, and the word's positions.

**Every edit costs what it changes.** An edit re-reads only the pages whose bytes changed from
the story's tag on (:func:`page_digest`: a template edit before the story costs no read), and
indexes again only those whose story changed (not a page whose footer or related reading did):
it rewrites the delta (small) and their fragments; the base's shards, the bulk of the index, stay
as they are. The segments are levels, so that an edit's work stays small however many edits came
since the base: when the delta holds more than a small share of the pages (:data:`FRESH_SHARE`),
the middle is made again from every page changed since the base, the delta emptied; when the
pages changed since the base pass a larger share (:data:`DELTA_SHARE`), or the code or shape
changed, the base is made again from every page, the middle and delta emptied.

The base's and the middle's shards and fragments are kept in ``.cache/search/<output>/<language>/``
(their stamps in a sealed state: reused only if unchanged since this user's build wrote them),
under a lock, and copied into the site only where its copy differs, as every other file of the
site is (:mod:`.tree`).
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import os
import re
import stat
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from html.parser import HTMLParser
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple, Protocol

from ..cache import StaleCache, code_version, load_pickle, stamp_of, store_pickle
from ..errors import ContentError
from ..files import problem_of, remove_file, remove_tree, write_cache
from ..parallel import Progress, fork_map

FOLDER = "searchindex"
FORMAT = 4
READER = "words.js"  # the index's reader in the site's static/ folder: it names the format it reads
READER_MARK = f"index format: {FORMAT} "


def check_reader(static_dir: Path) -> None:
    """ContentError when the site's ``static/words.js`` was made for another format of the index
    (a copy kept from an older version of this project): its search would find nothing. A site
    without one (no search page) is left alone."""
    path = static_dir / READER
    try:  # (never waiting on a pipe planted there: what is no regular file, copying it reports)
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return
            head = file.read(4096).decode("utf-8", "replace")
    except OSError:
        return
    if READER_MARK not in head:
        raise ContentError(
            path,
            f"this search script reads another version of the search index than this build writes "
            f"(index format {FORMAT}): its search would find nothing. Copy static/{READER} (and search.js, "
            f"porter.js) from this version of the project into your site's static/ folder, then build again",
        )


MARK = b"data-pagefind-body"  # the article pages' marker: their story is what is indexed
SHARD_CHARS = 24_000  # about this much JSON per shard: a query's download per word, and an edit's writes
DELTA_SHARE = 0.05  # the base is made again when more than this share of the pages changed since
DELTA_MINIMUM = 64  # ...or more than this many, whichever is larger
FRESH_SHARE = 0.002  # the middle is made again when the delta holds more than this share of the pages
FRESH_MINIMUM = 16  # ...or more than this many, whichever is larger
MAX_SHARDS = 1 << 16
PARALLEL_PAGES = 256  # editions' bases are made on every core from this many pages (a pool costs ~0.1 s)
SERIAL_PAGES = 40_000  # ...and one after the other again from this many (two at once: twice the memory)
WORD = re.compile(r"[^\W_]+")
ENGLISH = "en"


# --- words ----------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The words of a text as the search page reads them: NFC, lower case, runs of letters and digits."""
    return WORD.findall(unicodedata.normalize("NFC", text).lower())


@lru_cache(maxsize=1 << 17)
def fold(word: str) -> str:
    """A word with its marks removed and đ read as d: the form queries and pages are matched in."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.category(c).startswith("M"))
    return unicodedata.normalize("NFC", stripped).replace("đ", "d")


@lru_cache(maxsize=1 << 17)
def key_of(word: str, language: str) -> str:
    """The index key of a (lower-case) word: folded, and in English stemmed as well."""
    folded = fold(word)
    return _porter().stemWord(folded) if language == ENGLISH else folded


@lru_cache(maxsize=1)
def _porter():
    import snowballstemmer

    return snowballstemmer.stemmer("porter")


def shard_of(key: str, shards: int) -> int:
    """The shard a key is in: FNV-1a (32 bits) of its UTF-8 bytes, modulo the shard count (a power
    of two); ``static/words.js`` computes the same."""
    value = 0x811C9DC5
    for byte in key.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value & (shards - 1)


# --- pages ----------------------------------------------------------------------------------------


class Page(NamedTuple):
    """What the index keeps of an article page."""

    url: str  # under the site's root: "quang-ninh/"
    title: str
    date: str
    content: str  # the story's text, as the reader sees it: excerpts and phrase checks use it


class _Story(HTMLParser):
    """The text of the element marked ``data-pagefind-body``, without the parts marked
    ``data-pagefind-ignore``; its first h1 is the title, an element marked
    ``data-pagefind-meta="date"`` gives the date."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    )
    BLOCK = frozenset(
        {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "figcaption", "caption"}
        | {"td", "th", "tr", "pre", "div", "section", "ul", "ol", "table", "figure"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # open elements inside the story (0: outside)
        self.ignored = 0  # depth at which an ignored element opened (0: none)
        self.in_title = self.in_date = 0
        self.parts: list[str] = []
        self.title: list[str] = []
        self.date: list[str] = []
        self.title_done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if self.depth == 0:
            if "data-pagefind-body" in names:
                self.depth = 1
            return
        if tag in self.VOID:
            return
        self.depth += 1
        if self.ignored == 0 and "data-pagefind-ignore" in names:
            self.ignored = self.depth
        if names.get("data-pagefind-meta") == "date":
            self.in_date = self.depth
        if tag == "h1" and not self.title_done and self.ignored == 0:
            self.in_title = self.depth
        if tag in self.BLOCK:
            self.parts.append("\n")

    class Ended(Exception):
        """The story's element is closed."""

    def handle_endtag(self, tag: str) -> None:
        if self.depth == 0 or tag in self.VOID:
            return
        if self.in_title == self.depth:
            self.in_title, self.title_done = 0, True
        if self.in_date == self.depth:
            self.in_date = 0
        if self.ignored == self.depth:
            self.ignored = 0
        if tag in self.BLOCK:
            self.parts.append("\n")
        self.depth -= 1
        if self.depth == 0:
            raise self.Ended

    def handle_data(self, data: str) -> None:
        if self.depth == 0:
            return
        if self.in_date:
            self.date.append(data)
        if self.ignored:
            return
        self.parts.append(data)
        if self.in_title:
            self.title.append(data)


def read_page(url: str, html: str) -> Page:
    """The title, date and text of an article page (what Pagefind read of it before: the story)."""
    story = _Story()
    try:
        story.feed(html[_story_start(html) :])  # from the story's tag
        story.close()
    except _Story.Ended:  # (nothing after the story is read)
        pass
    lines = (" ".join(line.split()) for line in "".join(story.parts).split("\n"))
    title, date = (" ".join("".join(parts).split()) for parts in (story.title, story.date))
    return Page(url, title, date, "\n".join(line for line in lines if line))


# --- segments -------------------------------------------------------------------------------------


def segment(pages: dict[int, Page], language: str, chars: int = SHARD_CHARS) -> tuple[int, dict[int, str]]:
    """The shards of an index over ``pages`` (by id): their count, and each one's JSON text
    (:class:`Postings`, all in memory)."""
    postings = Postings(language)
    for page_id in sorted(pages):
        postings.add(page_id, pages[page_id])
    shards, texts = postings.shards(chars)
    return shards, dict(texts)


class Postings:
    """The postings of pages added in id order, then cut into shards (:meth:`shards`).

    A key's entry is ``[spellings, posting, posting, ...]``; a posting is ``[page id, weight,
    spellings mask, position, ...]``: the weight counts the word's occurrences, those in the title
    five times; the mask has bit *i* set when the page writes the word as ``spellings[i]`` (the
    31st bit: any spelling past the 30th).

    Each posting is kept as its JSON text, in one of :data:`BUCKETS` lists by a hash of its key
    (the shard's hash, so a shard's keys are all in one bucket, or a few); with ``spill``, a folder,
    the lists are appended to files there whenever they pass :data:`SPILL_CHARS`, so making the
    index of a large archive holds only its vocabulary and one bucket at a time in memory.
    """

    BUCKETS = 256
    SPILL_CHARS = 32_000_000

    def __init__(self, language: str, spill: Path | None = None) -> None:
        self.language, self.spill = language, spill
        self.spellings: dict[str, dict[str, int]] = {}  # key → its spellings' bits, in order of appearance
        self.hashes: dict[str, int] = {}  # key → its hash (shard_of with every bit)
        self.words: dict[str, tuple[str, int, list[str]]] = {}  # word → its key, spelling's flag, bucket
        self.buckets: list[list[str]] = [[] for _ in range(self.BUCKETS)]  # "key\tposting"
        self.buffered = 0
        self.size = 0  # the JSON's size, roughly: the shard count follows from it
        if spill is not None:
            spill.mkdir(parents=True, exist_ok=True)

    def add(self, page_id: int, page: Page) -> None:
        title = len(words(page.title))
        spelled: dict[str, list[int]] = defaultdict(list)  # each spelling's positions
        for position, word in enumerate(words(page.content)):
            spelled[word].append(position)
        known = self.words
        found: dict[str, list] = {}  # key → [spellings mask, positions, bucket]
        for word, positions in spelled.items():
            entry = known.get(word)
            if entry is None:
                entry = known[word] = self._word(word)
            key, flag, lines = entry
            same = found.get(key)
            if same is None:
                found[key] = [flag, positions, lines]
            else:  # another spelling of the same key in this page
                same[0] |= flag
                same[1] = sorted(same[1] + positions)
        added = size = 0
        for key, (mask, positions, lines) in found.items():
            in_title = bisect.bisect_left(positions, title) if title else 0
            # (the posting's JSON, written out: a list of integers, whose JSON is their ``str``)
            line = f"{key}\t[{page_id},{len(positions) + 4 * in_title},{mask},{','.join(map(str, positions))}]"
            lines.append(line)
            added += len(line)
            size += 4 * len(positions) + 12
        self.buffered += added
        self.size += size
        if self.spill is not None and self.buffered > self.SPILL_CHARS:
            self._spill()

    def adopt(self, key: str, spellings: list[str], rows: list[list[int]]) -> None:
        """A key's postings taken as another index made them (its shard's entry: the key's
        spellings in their bits' order, and postings whose masks follow it), without the pages
        read again. Only before any page is added: the key's spellings keep their bits."""
        bits = self.spellings.setdefault(key, {})
        if bits:
            raise ValueError(f"{key!r} adopted twice or after a page")
        bits.update(zip(spellings, range(len(spellings)), strict=True))
        self.hashes[key] = value = shard_of(key, 1 << 32)
        if rows:  # (one line for them all: a shard joins a key's postings with commas)
            self.buckets[value & (self.BUCKETS - 1)].append(f"{key}\t{_json(rows)[1:-1]}")
            self.size += 4 * sum(map(len, rows))  # (as :meth:`add` counts each)

    def _word(self, word: str) -> tuple[str, int, list[str]]:
        """A word's key, the flag of its spelling among the key's (the key's first 30 spellings have
        a bit each; the 31st bit stands for any later one), and its key's bucket."""
        key = key_of(word, self.language)
        bits = self.spellings.get(key)
        if bits is None:
            bits = self.spellings[key] = {}
            self.hashes[key] = shard_of(key, 1 << 32)
        bit = bits.setdefault(word, len(bits))
        return key, 1 << (bit if bit < 30 else 30), self.buckets[self.hashes[key] & (self.BUCKETS - 1)]

    def _spill(self) -> None:
        for number, lines in enumerate(self.buckets):
            if lines:
                with open(self.spill / str(number), "a", encoding="utf-8") as file:
                    file.write("\n".join(lines) + "\n")
                lines.clear()
        self.buffered = 0

    def _bucket(self, number: int) -> list[str]:
        lines = []
        if self.spill is not None and (self.spill / str(number)).exists():
            with open(self.spill / str(number), encoding="utf-8") as file:
                lines = file.read().split("\n")[:-1]
        return lines + self.buckets[number]

    def shards(self, chars: int = SHARD_CHARS) -> tuple[int, Iterator[tuple[int, str]]]:
        """The shard count, and each shard that holds a key with its JSON text, in order (made as
        they are asked for: one bucket in memory at a time)."""
        size = self.size + sum(len(key) + 8 * len(bits) for key, bits in self.spellings.items())
        shards = 1
        while shards < MAX_SHARDS and size / shards > chars:
            shards *= 2
        return shards, self._texts(shards)

    def _texts(self, shards: int) -> Iterator[tuple[int, str]]:
        buckets = self.BUCKETS
        if shards >= buckets:  # each bucket holds whole shards
            groups = [[number] for number in range(buckets)]
        else:  # each shard is a few buckets
            groups = [list(range(number, buckets, shards)) for number in range(shards)]
        for group in groups:
            entries: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
            for number in group:
                for line in self._bucket(number):  # (keys and postings hold no tab and no line break)
                    key, _, posting = line.partition("\t")
                    entries[self.hashes[key] & (shards - 1)][key].append(posting)
            for number in sorted(entries):
                found = entries[number]
                parts = (
                    f"{_json(key)}:[{_json(list(self.spellings[key]))},{','.join(found[key])}]" for key in sorted(found)
                )
                yield number, "{" + ",".join(parts) + "}"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def fragment(page: Page) -> str:
    return _json({"url": page.url, "title": page.title, "date": page.date, "content": page.content})


# --- the index of a site --------------------------------------------------------------------------


class KeptFile(str):
    """A file of the index kept in ``.cache/search/`` (its path), as the source of a file to write:
    its bytes are copied (a plain ``str`` source is the text itself). Made by the hundred thousand
    in an edit of a large archive: a ``str`` costs a tenth of a ``Path``."""

    __slots__ = ()


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def place(
    tree: Path,
    cache: Path,
    languages: dict[str, str],
    pages: dict[str, str],
    present: dict[str, str],
    progress: Progress | None = None,
    thorough: bool = True,
    shared: Shared | None = None,
    written: set[str] | None = None,
) -> dict[str, str]:
    """Bring ``tree/searchindex/`` up to date with the article ``pages`` (path under ``tree`` →
    digest of its bytes) of each edition (``languages``: code → its folder, "" or "en/").

    ``present``: the index's files ``tree`` holds intact (path under ``searchindex/`` → digest):
    only the files that differ are written, and those the index no longer has are removed.
    Returns every file of the index with its digest. Raises ContentError naming the file on any
    failure of the file system. ``progress`` shows a base's making (its pages read and indexed).
    ``thorough``: check every kept file's stamp before the state is used; else each is checked
    by its digest only when copied, and :class:`..cache.StaleCache` raised if it is not as kept.
    ``shared``: what links the tree's index files to another tree's (:class:`Shared`).
    ``written``: given, the files written or linked are added to it (every other file of the index
    is one ``present`` has, as it had it).
    """
    target = tree / FOLDER
    roots = sorted(languages.items(), key=lambda item: -len(item[1]))  # "en/" claims its pages before ""
    by_language: dict[str, dict[str, str]] = {code: {} for code in languages}
    for path, digest in pages.items():
        for code, root in roots:  # (a loop, not a generator: made by the hundred thousand)
            if path.startswith(root):
                by_language[code][path] = digest
                break
    editions = {code: mine for code, mine in sorted(by_language.items()) if mine}
    with _locked(cache) as usable:  # held while kept files are copied too: no other build changes them
        placed, sources = _editions(tree, cache if usable else None, editions, progress, thorough)
        changed = _write(target, placed, sources, present, shared)
    if written is not None:
        written.update(changed)
    return placed


@contextlib.contextmanager
def _locked(cache: Path) -> Iterator[bool]:
    """Hold ``cache`` for this build (True), or say it cannot be used (False: another build holds
    it, it is behind a link, or it cannot be made): the index is then made in memory, which costs
    only speed."""
    import fcntl  # here: a build with nothing to do never needs it

    handle = None
    try:
        for folder in (cache.parent, cache):
            if os.path.islink(folder):
                yield False
                return
            folder.mkdir(exist_ok=True)
        handle = os.open(cache / "lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        if handle is not None:
            os.close(handle)
        yield False
        return
    try:
        yield True
    finally:
        os.close(handle)


def _editions(
    tree: Path,
    cache: Path | None,
    editions: dict[str, dict[str, str]],
    progress: Progress | None = None,
    thorough: bool = True,
) -> tuple[dict[str, str], dict[str, str | KeptFile]]:
    """Every edition's index: each file under ``searchindex/`` with its digest, and where its bytes
    come from (a text, or a file kept in ``cache``; None: nothing kept or read there)."""
    placed: dict[str, str] = {}
    folders = _folders(cache, editions)
    sources = _Sources(folders)
    states = {code: _load(folders[code], thorough) for code in editions}
    remade = [code for code in editions if states[code]["code"] != code_version()]  # whatever the pages hold
    wanted = {  # new, or its bytes changed: read again (the editions remade read their pages as
        # their base is made, never all at once)
        path: digest
        for code, mine in editions.items()
        if code not in remade
        for path, digest in _unseen(states[code]["seen"], mine).items()
    }
    read = _read_all(tree, wanted)
    contents = {code: _contents(states[code], mine, read) for code, mine in editions.items() if code not in remade}
    stale = remade + [code for code in contents if _needs_base(states[code], contents[code])]
    for code in stale:  # (let go before the bases are made: ~100 MB an edition at 100,000 pages)
        del states[code]
        contents.pop(code, None)
    states.update(_new_bases(tree, folders, {code: editions[code] for code in stale}, read, progress))
    for code in stale:
        contents[code] = states[code]["base"] if isinstance(states[code], dict) else {}
    for code, mine in editions.items():
        digests, texts = _language_index(tree, folders[code], code, mine, contents[code], read, states[code])
        prefix = f"{code}/"
        placed.update(zip(map(prefix.__add__, digests), digests.values(), strict=True))  # (in C: 100,000 a side)
        sources.update((prefix + name, text) for name, text in texts.items())
    return placed, sources


class _Sources(dict):
    """Where each file of the index comes from, by its name under ``searchindex/``: its text, when
    this build made it; else the file kept in its edition's folder of the cache (a
    :class:`KeptFile`, made only for a file that is written: an edit writes a few of 200,000)."""

    def __init__(self, folders: dict[str, Path | None]) -> None:
        super().__init__()
        self.folders = folders

    def __missing__(self, name: str) -> KeptFile:
        code, _, rest = name.partition("/")
        return KeptFile(f"{self.folders[code]}/{rest}")


def _folders(cache: Path | None, editions: dict[str, dict[str, str]]) -> dict[str, Path | None]:
    """Each edition's folder in the cache (None: no cache); a link in its place is removed, never
    read or written through."""
    folders = {code: cache / code if cache is not None else None for code in editions}
    for folder in folders.values():
        if folder is not None and os.path.islink(folder):
            remove_file(folder)
    return folders


def _new_bases(
    tree: Path,
    folders: dict[str, Path | None],
    editions: dict[str, dict[str, str]],
    read: dict[str, Page],
    progress: Progress | None,
) -> dict[str, dict | NoCache]:
    """These editions' bases made again: side by side on the cores for a mid-sized site, else one
    after the other (a large archive's two at once would hold twice the memory)."""

    def new_base(code: str, shown: Progress | None = None) -> dict | NoCache:
        advance = shown(len(editions[code]), f"Search index ({code})", "page") if shown is not None else None
        return _new_base(tree, folders[code], code, editions[code], read, advance)

    stale = list(editions)
    if len(stale) > 1 and PARALLEL_PAGES <= sum(len(pages) for pages in editions.values()) < SERIAL_PAGES:
        return dict(zip(stale, fork_map(new_base, stale, minimum=2), strict=True))
    return {code: new_base(code, progress) for code in stale}


def _unseen(seen: dict[str, tuple[str, str]], pages: dict[str, str]) -> dict[str, str]:
    """The pages whose bytes differ from what the last build saw (or that it did not see)."""
    return {path: digest for path, digest in pages.items() if (known := seen.get(path)) is None or known[0] != digest}


def _contents(state: dict, pages: dict[str, str], read: dict[str, Page]) -> dict[str, str]:
    """Each page's content digest: what the index holds of it (a page whose bytes changed but not
    its story, as when a template or another article's card changed, is not indexed again)."""
    seen = state["seen"]
    return {
        path: known[1] if (known := seen.get(path)) is not None and known[0] == digest else _content_digest(read[path])
        for path, digest in pages.items()
    }


def _content_digest(page: Page) -> str:
    return _digest(fragment(page))


def _read_all(tree: Path, pages: dict[str, str]) -> dict[str, Page]:
    """The pages read (on every core when there are many)."""
    paths = sorted(pages)
    return dict(zip(paths, fork_map(lambda path: _read(tree, path, pages[path]), paths), strict=True))


def _needs_base(state: dict, contents: dict[str, str]) -> bool:
    """Whether the base must be made again: made by other code, or the delta would be too large."""
    changed = len(contents.items() - state["base"].items())  # (in C: a set of the few that differ)
    removed = len(state["base"].keys() - contents.keys())
    limit = max(DELTA_MINIMUM, int(len(contents) * DELTA_SHARE))
    return state["code"] != code_version() or changed + removed > limit


def _language_index(
    tree: Path,
    cache: Path | None,
    code: str,
    pages: dict[str, str],
    contents: dict[str, str],
    read: dict[str, Page],
    state: dict | NoCache,
) -> tuple[dict[str, str], dict[str, str | KeptFile]]:
    """One edition's index (``state``: what its cache holds, or its base just made): its files'
    digests (by name), and the sources of those not kept with the base in ``cache``: the texts of
    those made now, the middle's kept files."""
    if isinstance(state, NoCache):  # every file from memory: only speed is lost
        texts = dict(state.outputs)
        digests = {name: _digest(text) for name, text in texts.items()}
        segments = [("b", state.shards, [])]
        return _with_meta(digests, texts, _meta(code, _version(digests), segments, len(pages)))
    changed = {path for path, _ in contents.items() - state["base"].items()}
    removed = state["base"].keys() - contents.keys()
    ids = dict(state["ids"])
    _number(ids, changed)
    middle = state["middle"]
    fresh, passed = _since(middle, contents, changed)
    if cache is not None and len(fresh | passed) > max(FRESH_MINIMUM, int(len(contents) * FRESH_SHARE)):
        middle = _new_middle(tree, cache, code, pages, contents, changed, read, state, ids)
        fresh, passed = _since(middle, contents, changed)
    delta, delta_files, delta_shards = _delta(tree, code, pages, contents, fresh, read, state, ids)
    # The base's shards and its pages' fragments, the middle's over them, the delta's over those
    # (the same names for the same page), but for the pages removed since.
    digests = dict(zip(state["files"], map(_first, state["files"].values()), strict=True))
    texts: dict[str, str | KeptFile] = {}
    overridden = {f"p/{ids[path]}.json" for path in passed}
    for name, entry in middle["files"].items():
        if name not in overridden:
            digests[name] = entry[0]
            texts[name] = KeptFile(f"{cache}/{MIDDLE_FOLDER}/{name}")
    digests.update((name, entry[0]) for name, entry in delta_files.items())
    texts.update((name, entry[1]) for name, entry in delta_files.items())
    gone = sorted(f"p/{ids[path]}.json" for path in (removed | middle["pages"].keys()) - contents.keys())
    for name in gone:
        digests.pop(name, None)
        texts.pop(name, None)
    seen = {path: (digest, contents[path]) for path, digest in pages.items()}
    now = {"ids": ids, "seen": seen, "delta": {path: (contents[path], delta[ids[path]]) for path in fresh}}
    _keep(cache, state, {**now, "middle": middle["token"]})
    segments = [
        ("b", state["shards"], sorted(ids[path] for path in changed | removed if path in state["base"])),
        ("m", middle["shards"], sorted(ids[path] for path in passed)),
        ("d", delta_shards, []),
    ]
    version = _delta_version(state, middle, delta_files, gone, segments)
    return _with_meta(digests, texts, _meta(code, version, segments, len(pages)))


_first = itemgetter(0)  # (a kept file's digest, from its entry: digest and stamp)


def _with_meta(digests: dict[str, str], texts: dict, meta: dict[str, tuple[str, str]]) -> tuple:
    for name, (digest, text) in meta.items():
        digests[name], texts[name] = digest, text
    return digests, texts


def _number(ids: dict[str, int], changed: set[str]) -> None:
    """The pages new since the base given the next numbers, in path order."""
    new = sorted(path for path in changed if path not in ids)
    first = max(ids.values(), default=-1) + 1 if new else 0
    ids.update(zip(new, range(first, first + len(new)), strict=True))


def _delta_version(state: dict, middle: dict, delta: dict[str, tuple], gone: list[str], segments: list) -> str:
    """The version of an index made of a kept base and middle, its ``delta``'s files, without the
    fragments ``gone`` and with the ``segments``' pages overridden: the base's files' (worked out as
    the base was made) and what differs, not every file's digest again (at 100,000 pages, a sort and
    a 15 MB text every edit)."""
    version = state.get("version") or _version({name: kept[0] for name, kept in state["files"].items()})
    if not middle["files"] and not delta and not gone:
        return version  # (the base's own, as a build that made it has)
    differs = (version, middle["version"], sorted((name, entry[0]) for name, entry in delta.items()), gone, segments)
    return _digest(repr(differs))[:12]


def _keep(cache: Path | None, state: dict, now: dict) -> None:
    """Save what this build saw since the base (the pages' digests, the numbers of the pages new
    since, the middle it follows, the delta's pages) if it differs from what was kept: only those,
    never the base's state again (at 100,000 pages, 20 MB an edition, rewritten by every edit
    before)."""
    if cache is None:
        return
    base_ids, base_seen = state["base_ids"], state["base_seen"]
    edits = {  # (each found in C, as the few items that differ, then put in order)
        "ids": dict(sorted(now["ids"].items() - base_ids.items())),
        "seen": dict(sorted(now["seen"].items() - base_seen.items())),
        "gone": sorted(base_seen.keys() - now["seen"].keys()),
        "middle": now["middle"],
        "delta": now["delta"],
    }
    digests = {path: entry[0] for path, entry in edits["delta"].items()}
    before = {path: entry[0] for path, entry in state["delta"].items()}
    kept = state["edits"]
    if any(edits[name] != kept.get(name) for name in ("ids", "seen", "gone", "middle")) or digests != before:
        _save_edits(cache, state["token"], edits)


def _delta(
    tree: Path,
    code: str,
    pages: dict[str, str],
    contents: dict[str, str],
    fresh: set[str],
    read: dict[str, Page],
    state: dict,
    ids: dict[str, int],
) -> tuple[dict[int, Page], dict[str, tuple[str, str]], int]:
    """The pages changed since the middle (by id), the delta's files (its shards and their
    fragments), and its shard count (0: no delta). The delta's pages are kept in the state, so the
    next build reads only the pages that changed again."""
    delta = {ids[path]: _page(tree, path, pages, contents, read, state) for path in sorted(fresh)}
    files = {f"p/{page_id}.json": (_digest(text), text) for page_id, text in map(_fragment_of, delta.items())}
    shards, texts = segment(delta, code) if delta else (0, {})
    files |= {f"d/{number}.json": (_digest(text), text) for number, text in texts.items()}
    return delta, files, shards


def _fragment_of(item: tuple[int, Page]) -> tuple[int, str]:
    return item[0], fragment(item[1])


def _page(
    tree: Path, path: str, pages: dict[str, str], contents: dict[str, str], read: dict[str, Page], state: dict
) -> Page:
    """A page changed since the base: read by this build, or kept in the delta as it is now, else
    read (a state kept by a build that read it: never reached, but never wrong)."""
    if path in read:
        return read[path]
    kept = state["delta"].get(path)
    if kept is not None and kept[0] == contents[path]:
        return kept[1]
    return _read(tree, path, pages[path])


def _since(middle: dict, contents: dict[str, str], changed: set[str]) -> tuple[set[str], set[str]]:
    """The pages changed since the middle (the delta's), and the middle's pages it no longer holds
    as they are (changed again, as the base has them again, or removed: overridden)."""
    kept = middle["pages"]
    fresh = {path for path in changed if kept.get(path) != contents[path]}
    return fresh, {path for path, digest in kept.items() if contents.get(path) != digest}


def _version(digests: dict[str, str]) -> str:
    """What names a set of the index's files (name → digest of its text) in ``meta.json``."""
    return _digest(repr(sorted(digests.items())))[:12]


def _meta(code: str, version: str, segments: list[tuple[str, int, list[int]]], pages: int) -> dict:
    """``meta.json``: each segment holding postings (its folder, its shard count, and its pages a
    later segment overrides), in order, and a version naming every other file's bytes (queries ask
    for files with it, so no browser mixes an old file with a new one): :func:`_version` of the
    files, or of the base's and what differs."""
    shape = [{"name": name, "shards": shards, "overridden": ids} for name, shards, ids in segments if shards]
    text = _json({"version": version, "language": code, "pages": pages, "segments": shape})
    return {"meta.json": (_digest(text), text)}


def _new_base(
    tree: Path,
    cache: Path | None,
    code: str,
    pages: dict[str, str],
    read: dict[str, Page],
    advance: Callable[[int], object] | None = None,
) -> dict | NoCache:
    """The base made again from every page (those not in ``read`` read one by one, never all at
    once): its shards and fragments written into ``cache`` as they are made, with its state; or,
    if the cache cannot keep them (or is None), its files, from memory."""
    if cache is not None:
        remove_tree(cache)  # (with whatever a build killed while making a base left there)
        try:
            return _kept_base(tree, cache, code, pages, read, advance)
        except _Unkept:
            remove_tree(cache)
    ids = {path: number for number, path in enumerate(sorted(pages))}
    found = {ids[path]: read.get(path) or _read(tree, path, digest) for path, digest in pages.items()}
    shards, texts = segment(found, code)
    outputs = {f"b/{number}.json": text for number, text in texts.items()}
    outputs |= {f"p/{page_id}.json": fragment(page) for page_id, page in found.items()}
    return NoCache(outputs, shards)


class _Unkept(Exception):
    """A file of the index could not be kept in the cache."""


class _Keeper:
    """Writes files of the index into a folder of the cache, each with its digest and stamp in
    :attr:`files` (plain tuples: a named tuple is unpickled through a Python call, 100,000 of them
    an edition, every edit); raises :class:`_Unkept` if one cannot be kept."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, tuple[str, tuple]] = {}

    def __call__(self, name: str, text: str) -> str:
        path = self.folder / name
        stamp = stamp_of(str(path)) if write_cache(path, text.encode("utf-8")) else None
        if stamp is None:
            raise _Unkept(name)
        digest = _digest(text)
        self.files[name] = (digest, tuple(stamp))
        return digest


def _new_middle(
    tree: Path,
    cache: Path,
    code: str,
    pages: dict[str, str],
    contents: dict[str, str],
    changed: set[str],
    read: dict[str, Page],
    state: dict,
    ids: dict[str, int],
) -> dict:
    """The middle made again from every page changed since the base: those the last middle holds as
    they are now taken from it (their postings from its shards, their fragments as it kept them),
    the others as this build read them, or as the delta kept them, else read again. Its shards and
    fragments are written into the cache's middle folder, with its state. If the cache cannot keep
    them, no middle: the delta then holds every page changed since the base (only speed is lost)."""
    folder = cache / MIDDLE_FOLDER
    postings = Postings(code)
    kept = _kept_middle(folder, state["middle"], contents, changed, ids, postings)
    if kept is None:  # (the last middle's files not as it kept them: every page indexed again)
        kept, postings = {}, Postings(code)
    found = {ids[path]: _page(tree, path, pages, contents, read, state) for path in sorted(changed - kept.keys())}
    remove_file(cache / MIDDLE)  # (a build killed from here on finds no middle: the delta holds its pages)
    remove_tree(folder)
    if not changed:
        return NO_MIDDLE
    keep = _Keeper(folder)
    try:
        for path, text in kept.items():
            keep(f"p/{ids[path]}.json", text)
        for page_id, page in found.items():
            keep(f"p/{page_id}.json", fragment(page))
            postings.add(page_id, page)
        shards, texts = postings.shards()
        for number, text in texts:
            keep(f"m/{number}.json", text)
        middle = {
            "format": FORMAT,
            "base": state["token"],  # (the base it follows; the edits since name its own token)
            "token": os.urandom(8).hex(),
            "pages": {path: contents[path] for path in changed},
            "shards": shards,
            "files": keep.files,
            "version": _version({name: entry[0] for name, entry in keep.files.items()}),
        }
        if not store_pickle(cache / MIDDLE, middle):
            raise _Unkept(MIDDLE)
    except _Unkept:
        remove_tree(folder)
        return NO_MIDDLE
    return middle


def _kept_middle(
    folder: Path, middle: dict, contents: dict[str, str], changed: set[str], ids: dict[str, int], postings: Postings
) -> dict[str, str] | None:
    """The fragments of the pages the last middle holds as they are now (by path), their postings
    given to ``postings`` from its shards (a middle made again costs the pages changed since it,
    not every page it holds); None if one of its files is not as it kept it."""
    current = {path for path, digest in middle["pages"].items() if contents.get(path) == digest and path in changed}
    if not current:
        return {}
    wanted = {ids[path] for path in current}
    try:
        fragments = {path: _kept_text(folder, f"p/{ids[path]}.json", middle["files"]) for path in sorted(current)}
        for name in sorted(name for name in middle["files"] if name.startswith("m/")):
            for key, (spellings, *rows) in json.loads(_kept_text(folder, name, middle["files"])).items():
                postings.adopt(key, spellings, [row for row in rows if row[0] in wanted])
    except (ContentError, ValueError, TypeError, KeyError):
        return None
    return fragments


def _kept_text(folder: Path, name: str, files: dict[str, tuple]) -> str:
    """A file the middle kept, as it kept it (else ValueError)."""
    text = _kept_bytes(folder / name).decode("utf-8")
    if _digest(text) != files[name][0]:
        raise ValueError(name)
    return text


def _kept_base(
    tree: Path, cache: Path, code: str, pages: dict[str, str], read: dict[str, Page], advance: Callable | None
) -> dict:
    keep = _Keeper(cache)
    ids = {path: number for number, path in enumerate(sorted(pages))}
    spill = cache / f".postings.building-{os.getpid()}"
    contents = {}
    try:
        postings = Postings(code, spill)
        for path in sorted(pages):
            page = read.get(path) or _read(tree, path, pages[path])
            contents[path] = keep(f"p/{ids[path]}.json", fragment(page))  # its content digest
            postings.add(ids[path], page)
            if advance is not None:
                advance(1)
        shards, texts = postings.shards()
        for number, text in texts:
            keep(f"b/{number}.json", text)
    except OSError as exc:  # (the spilled postings)
        raise _Unkept(str(exc)) from None
    finally:
        remove_tree(spill)
    base = {
        "format": FORMAT,
        "token": os.urandom(8).hex(),  # (what the edits since name: :func:`_load`)
        "code": code_version(),
        "base": contents,
        "seen": {path: (digest, contents[path]) for path, digest in pages.items()},
        "ids": ids,
        "shards": shards,
        "files": keep.files,
        "version": _version({name: kept[0] for name, kept in keep.files.items()}),
    }
    if not store_pickle(cache / BASE, base):
        raise _Unkept(BASE)
    return _state(base, None)


class NoCache(NamedTuple):
    """A base the cache cannot keep: written into the site from memory (only speed is lost)."""

    outputs: dict[str, str]
    shards: int


def page_digest(data: bytes) -> str:
    """The digest of what :func:`read_page` reads of a page, as the index records the pages it was
    made from: its bytes from the story's opening tag on. A change before the story (the head, the
    site's header, a comment a template edit put there) is not a change to what is indexed, so such
    pages are not read again; a change after it (the related reading, the footer) still is."""
    return hashlib.blake2b(data[_story_start(data) :], digest_size=16).hexdigest()


def _story_start(data: bytes | str) -> int:
    """Where the tag holding the story's mark opens in a page's bytes or text (0: no mark, the whole
    page): what :func:`read_page` reads and :func:`page_digest` digests start there."""
    mark, opening = (MARK, b"<") if isinstance(data, bytes) else (MARK.decode(), "<")
    found = data.find(mark)
    return max(data.rfind(opening, 0, found), 0) if found >= 0 else 0


def _read(tree: Path, path: str, digest: str) -> Page:
    try:
        data = (tree / path).read_bytes()
    except OSError as exc:
        raise ContentError(tree / path, problem_of(exc, "read")) from None
    if page_digest(data) != digest:
        raise ContentError(tree / path, "this page changed while the search index was made; build again")
    url = path.removesuffix("index.html")
    return read_page(url, data.decode("utf-8", "replace"))


# An edition's state is kept in three sealed files: its base's (written only when a base is made),
# its middle's (written only when the middle is made, its files in MIDDLE_FOLDER) and what the
# builds since saw (the pages' digests that differ from the base's, the numbers of pages new since,
# the delta's pages: an edit rewrites only this). The middle names the base it follows, the edits
# name the base and the middle.
BASE = "base.pickle"
MIDDLE = "middle.pickle"
MIDDLE_FOLDER = "middle"
EDITS = "edits.pickle"
NO_EDITS = {"ids": {}, "seen": {}, "gone": [], "middle": "", "delta": {}}
NO_MIDDLE = {"token": "", "pages": {}, "shards": 0, "files": {}, "version": ""}


def _load(cache: Path | None, thorough: bool = True) -> dict:
    """The edition's index state if this user's build kept it and (``thorough``) its kept files are
    intact (else each is checked as it is copied: :func:`_write`). Edits that do not follow the
    base kept (lost, or another base's) are left out: the pages changed since are read again."""
    empty = {"code": None, "base": {}, "seen": {}, "ids": {}, "delta": {}, "files": {}, "shards": 1}
    empty |= {"token": "", "base_ids": {}, "base_seen": {}, "edits": NO_EDITS, "middle": NO_MIDDLE}
    if cache is None:
        return empty
    base = load_pickle(cache / BASE)
    if not isinstance(base, dict) or base.get("format") != FORMAT:
        return empty
    for name, kept in base["files"].items() if thorough else ():
        if stamp_of(str(cache / name)) != kept[1]:
            return empty
    edits = load_pickle(cache / EDITS)
    if not isinstance(edits, dict) or edits.get("token") != base["token"]:
        edits = None
    return _state(base, edits, _load_middle(cache, base, edits, thorough))


def _load_middle(cache: Path, base: dict, edits: dict | None, thorough: bool) -> dict:
    """The middle kept, if it follows the base, the edits kept follow it, and (``thorough``) its
    kept files are intact: else none (the delta holds the pages changed since the base)."""
    middle = load_pickle(cache / MIDDLE)
    if not isinstance(middle, dict) or middle.get("format") != FORMAT or middle.get("base") != base["token"]:
        return NO_MIDDLE
    if edits is None or edits.get("middle") != middle["token"]:
        return NO_MIDDLE
    for name, kept in middle["files"].items() if thorough else ():
        if stamp_of(str(cache / MIDDLE_FOLDER / name)) != kept[1]:
            return NO_MIDDLE
    return middle


def _state(base: dict, edits: dict | None, middle: dict | None = None) -> dict:
    """The state a build works with: the base's, with the middle and the edits since laid over it."""
    edits = NO_EDITS if edits is None else edits
    seen = base["seen"]
    if edits["seen"] or edits["gone"]:
        seen = {**seen, **edits["seen"]}
        for path in edits["gone"]:
            seen.pop(path, None)
    ids = {**base["ids"], **edits["ids"]} if edits["ids"] else base["ids"]
    laid = {"seen": seen, "ids": ids, "middle": middle or NO_MIDDLE, "delta": edits["delta"], "edits": edits}
    return {**base, **laid, "base_ids": base["ids"], "base_seen": base["seen"]}


def _save_edits(cache: Path, token: str, edits: dict) -> bool:
    return store_pickle(cache / EDITS, {"token": token, **edits})


def _kept_bytes(source: Path) -> bytes:
    """A kept file's bytes: a regular file, never read through a link."""
    try:
        handle = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(handle, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise ContentError(source, "not a regular file in the cache; build again")
            return file.read()
    except OSError as exc:
        raise ContentError(source, problem_of(exc, "read")) from None


class Shared(Protocol):
    """How a tree's index files are linked to another tree's (the site's, for its standby)."""

    def link(self, name: str, digest: str) -> bool:
        """The other tree's file ``name`` linked in its place if it holds it with ``digest``, intact."""
        ...

    def remove(self, name: str) -> None:
        """The tree's file ``name`` removed (the other tree's entry given the change time moved)."""
        ...

    def apart(self, name: str, digest: str) -> bool:
        """Whether the tree's file ``name`` is a copy of the other tree's: then linked instead."""
        ...

    def differing(self) -> set[str] | None:
        """The only files :meth:`apart` can be true of (None: any of them)."""
        ...


def _candidates(placed: dict[str, str], present: dict[str, str], shared: Shared | None) -> Iterable[str]:
    """The files :func:`_write` may have to write: those whose digest differs from ``present``'s,
    and those :meth:`Shared.apart` may be true of."""
    differing = None if shared is None else shared.differing()
    if shared is not None and differing is None:
        return placed
    candidates = {name for name, _ in placed.items() - present.items()}  # (in C: the few that differ)
    candidates.update(name for name in differing or () if name in placed)
    return sorted(candidates)


def _bytes_of(source: str | KeptFile, digest: str) -> bytes:
    """A file's bytes: its text, or its kept file's (checked against ``digest``)."""
    if not isinstance(source, KeptFile):
        return source.encode("utf-8")
    try:
        data = _kept_bytes(Path(source))
    except ContentError:
        raise StaleCache(str(source)) from None
    if _digest(data.decode("utf-8", "replace")) != digest:  # not as kept: checked again, or made
        raise StaleCache(str(source))
    return data


def _write(
    target: Path,
    placed: dict[str, str],
    sources: Mapping[str, str | KeptFile],
    present: dict[str, str],
    shared: Shared | None = None,
) -> set[str]:
    """Make ``target`` hold ``placed``, writing only the files whose digest differs from ``present``
    (each as a new file: never over one, never through a link), or linking them (``shared``); the
    files written or linked. Only those that may differ are looked at (an edit's few, not the
    hundred thousand fragments of a large archive's index)."""
    emptied: set[Path] = set()
    remove = (lambda name: remove_file(target / name)) if shared is None else shared.remove
    for name in sorted(present.keys() - placed.keys()):
        remove(name)
        emptied.update((target / name).parents)
    for folder in sorted((f for f in emptied if f == target or target in f.parents), key=lambda f: -len(f.parts)):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if nothing is left in it
    made: set[Path] = set()
    written = set()
    for name in _candidates(placed, present, shared):
        digest = placed[name]
        if present.get(name) == digest and (shared is None or not shared.apart(name, digest)):
            continue  # (``present``: checked by the tree's survey moments ago)
        written.add(name)
        path = target / name
        remove(name)
        try:
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
        except OSError as exc:
            raise ContentError(path, problem_of(exc, "write")) from None
        if shared is not None and shared.link(name, digest):
            continue  # (the other tree's file, as intact as when its record was made)
        data = _bytes_of(sources[name], digest)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(handle, "wb") as file:
                file.write(data)
        except OSError as exc:
            raise ContentError(path, problem_of(exc, "write")) from None
    return written
