"""The search index: this project's own, made from the published article pages, written only where
it changed, and read in the browser by ``static/words.js`` (for the search page's ``search.js``).

One index per edition, under ``searchindex/<language>/``:

- ``meta.json``: the index's version and shape (small: read first by every query);
- ``b/<n>.json``: the *base* segment, every page as it was when the base was made, cut into shards
  by a hash of each word's key, so a query fetches one shard per word, never the whole index;
- ``d/<n>.json``: the *delta* segment, the pages added or changed since the base, in a few shards
  of its own; ``meta.json`` lists the pages whose base postings the delta overrides (changed or
  removed);
- ``p/<id>.json``: each page's fragment: its address, title, date and text, for the results list,
  its excerpt and the check of quoted phrases.

A word's key is the word folded: lower case, marks removed and đ read as d (``quang ninh`` finds
*Quảng Ninh*, ``dien`` finds *điện*); in English, folded then stemmed with Porter's algorithm
(snowballstemmer's "porter"; the browser has the same algorithm in ``static/porter.js``). Each key's
entry lists the word's spellings as the pages write them, so a query can also ask for the marks as
typed, and per page its weight, which spellings it has, and the word's positions.

**Every edit costs what it changes.** An edit re-reads only the pages whose bytes changed from
the story's tag on (:func:`page_digest`: a template edit before the story costs no read), and
indexes again only those whose story changed (not a page whose footer or related reading did):
it rewrites the delta (small) and their fragments; the base's shards, the bulk of the index, stay
as they are. When the delta has grown past a share of the archive (:data:`DELTA_SHARE`),
or the code or shape changed, the base is made again from every page, the delta emptied.

The base's shards and the fragments are kept in ``.cache/search/<output>/<language>/`` (their
stamps in a sealed state: reused only if unchanged since this user's build wrote them), under a
lock, and copied into the site only where its copy differs, as every other file of the site is
(:mod:`.tree`).
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
FORMAT = 3
MARK = b"data-pagefind-body"  # the article pages' marker: their story is what is indexed
SHARD_CHARS = 24_000  # about this much JSON per shard: a query's download per word, and an edit's writes
DELTA_SHARE = 0.05  # the base is made again when the delta holds more than this share of the pages
DELTA_MINIMUM = 64  # ...or more than this many, whichever is larger
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
) -> tuple[dict[str, str], dict[str, str]]:
    """One edition's index (``state``: what its cache holds, or its base just made): its files'
    digests (by name), and the texts of those made now (every other is kept in ``cache``)."""
    if isinstance(state, NoCache):  # every file from memory: only speed is lost
        texts = dict(state.outputs)
        digests = {name: _digest(text) for name, text in texts.items()}
        return _with_meta(digests, texts, _meta(code, _version(digests), state.shards, 0, [], len(pages)))
    changed = {path for path, _ in contents.items() - state["base"].items()}
    removed = state["base"].keys() - contents.keys()
    ids = dict(state["ids"])
    _number(ids, changed)
    delta, delta_files, delta_shards = _delta(tree, code, pages, contents, changed, read, state, ids)
    # The base's shards and its pages' fragments (the delta's pages' own fragments replace theirs:
    # the same names), but for the pages removed since.
    digests = dict(zip(state["files"], map(_first, state["files"].values()), strict=True))
    digests.update((name, entry[0]) for name, entry in delta_files.items())
    texts = {name: entry[1] for name, entry in delta_files.items()}
    for path in removed:
        digests.pop(f"p/{ids[path]}.json", None)
    seen = {path: (digest, contents[path]) for path, digest in pages.items()}
    _keep(
        cache,
        state,
        {"ids": ids, "seen": seen, "delta": {path: (contents[path], delta[ids[path]]) for path in changed}},
    )
    overridden = sorted(ids[path] for path in changed | removed if path in state["base"])
    version = _delta_version(state, delta_files, sorted(f"p/{ids[path]}.json" for path in removed))
    return _with_meta(digests, texts, _meta(code, version, state["shards"], delta_shards, overridden, len(pages)))


_first = itemgetter(0)  # (a kept file's digest, from its entry: digest and stamp)


def _with_meta(digests: dict[str, str], texts: dict[str, str], meta: dict[str, tuple[str, str]]) -> tuple:
    for name, (digest, text) in meta.items():
        digests[name], texts[name] = digest, text
    return digests, texts


def _number(ids: dict[str, int], changed: set[str]) -> None:
    """The pages new since the base given the next numbers, in path order."""
    new = sorted(path for path in changed if path not in ids)
    first = max(ids.values(), default=-1) + 1 if new else 0
    ids.update(zip(new, range(first, first + len(new)), strict=True))


def _delta_version(state: dict, delta: dict[str, tuple], gone: list[str]) -> str:
    """The version of an index made of a kept base, its ``delta``'s files, and without the
    fragments ``gone``: the base's files' (worked out as the base was made) and what differs, not
    every file's digest again (at 100,000 pages, a sort and a 15 MB text every edit)."""
    version = state.get("version") or _version({name: kept[0] for name, kept in state["files"].items()})
    if not delta and not gone:
        return version  # (the base's own, as a build that made it has)
    return _digest(repr((version, sorted((name, entry[0]) for name, entry in delta.items()), gone)))[:12]


def _keep(cache: Path | None, state: dict, now: dict) -> None:
    """Save what this build saw since the base (the pages' digests, the numbers of the pages new
    since, the delta's pages) if it differs from what was kept: only those, never the base's state
    again (at 100,000 pages, 20 MB an edition, rewritten by every edit before)."""
    if cache is None:
        return
    base_ids, base_seen = state["base_ids"], state["base_seen"]
    edits = {  # (each found in C, as the few items that differ, then put in order)
        "ids": dict(sorted(now["ids"].items() - base_ids.items())),
        "seen": dict(sorted(now["seen"].items() - base_seen.items())),
        "gone": sorted(base_seen.keys() - now["seen"].keys()),
        "delta": now["delta"],
    }
    digests = {path: entry[0] for path, entry in edits["delta"].items()}
    before = {path: entry[0] for path, entry in state["delta"].items()}
    kept = state["edits"]
    if (
        edits["ids"] != kept["ids"]
        or edits["seen"] != kept["seen"]
        or edits["gone"] != kept["gone"]
        or digests != before
    ):
        _save_edits(cache, state["token"], edits)


def _delta(
    tree: Path,
    code: str,
    pages: dict[str, str],
    contents: dict[str, str],
    changed: set[str],
    read: dict[str, Page],
    state: dict,
    ids: dict[str, int],
) -> tuple[dict[int, Page], dict[str, tuple[str, str | KeptFile]], int]:
    """The pages changed since the base (by id), the delta's files (its shards and their
    fragments), and its shard count (0: no delta). The delta's pages are kept in the state, so the
    next build reads only the pages that changed again."""
    delta: dict[int, Page] = {}
    files: dict[str, tuple[str, str | KeptFile]] = {}
    for path in sorted(changed):
        kept = state["delta"].get(path)
        if path in read:
            page = read[path]
        elif kept is not None and kept[0] == contents[path]:
            page = kept[1]
        else:  # (a state kept by a build that read it: never reached, but never wrong)
            page = _read(tree, path, pages[path])
        delta[ids[path]] = page
        text = fragment(page)
        files[f"p/{ids[path]}.json"] = (_digest(text), text)
    shards, texts = segment(delta, code) if delta else (0, {})
    files |= {f"d/{number}.json": (_digest(text), text) for number, text in texts.items()}
    return delta, files, shards


def _version(digests: dict[str, str]) -> str:
    """What names a set of the index's files (name → digest of its text) in ``meta.json``."""
    return _digest(repr(sorted(digests.items())))[:12]


def _meta(code: str, version: str, base: int, delta: int, overridden: list[int], pages: int) -> dict:
    """``meta.json``: the shard counts of the two segments, the base pages the delta overrides, and a
    version naming every other file's bytes (queries ask for files with it, so no browser mixes an
    old file with a new one): :func:`_version` of the files, or of the base's and what differs."""
    shape = {"base": base, "delta": delta, "overridden": overridden, "pages": pages}
    text = _json({"version": version, "language": code, **shape})
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


def _kept_base(
    tree: Path, cache: Path, code: str, pages: dict[str, str], read: dict[str, Page], advance: Callable | None
) -> dict:
    files: dict[str, tuple[str, tuple]] = {}  # name → its digest and stamp (plain tuples: a named
    # tuple is unpickled through a Python call, 100,000 of them an edition, every edit)

    def keep(name: str, text: str) -> str:
        data = text.encode("utf-8")
        stamp = stamp_of(str(cache / name)) if write_cache(cache / name, data) else None
        if stamp is None:
            raise _Unkept(name)
        digest = _digest(text)
        files[name] = (digest, tuple(stamp))
        return digest

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
        "files": files,
        "version": _version({name: kept[0] for name, kept in files.items()}),
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


# An edition's state is kept in two sealed files: its base's (written only when a base is made) and
# what the builds since saw (the pages' digests that differ from the base's, the numbers of pages
# new since, the delta's pages: an edit rewrites only this). The edits name the base they follow.
BASE = "base.pickle"
EDITS = "edits.pickle"
NO_EDITS = {"ids": {}, "seen": {}, "gone": [], "delta": {}}


def _load(cache: Path | None, thorough: bool = True) -> dict:
    """The edition's index state if this user's build kept it and (``thorough``) its kept files are
    intact (else each is checked as it is copied: :func:`_write`). Edits that do not follow the
    base kept (lost, or another base's) are left out: the pages changed since are read again."""
    empty = {"code": None, "base": {}, "seen": {}, "ids": {}, "delta": {}, "files": {}, "shards": 1}
    empty |= {"token": "", "base_ids": {}, "base_seen": {}, "edits": NO_EDITS}
    if cache is None:
        return empty
    base = load_pickle(cache / BASE)
    if not isinstance(base, dict) or base.get("format") != FORMAT:
        return empty
    for name, kept in base["files"].items() if thorough else ():
        if stamp_of(str(cache / name)) != kept[1]:
            return empty
    edits = load_pickle(cache / EDITS)
    return _state(base, edits if isinstance(edits, dict) and edits.get("token") == base["token"] else None)


def _state(base: dict, edits: dict | None) -> dict:
    """The state a build works with: the base's, with the edits since laid over it."""
    edits = NO_EDITS if edits is None else edits
    seen = base["seen"]
    if edits["seen"] or edits["gone"]:
        seen = {**seen, **edits["seen"]}
        for path in edits["gone"]:
            seen.pop(path, None)
    ids = {**base["ids"], **edits["ids"]} if edits["ids"] else base["ids"]
    laid = {"seen": seen, "ids": ids, "delta": edits["delta"], "edits": edits}
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
