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

**Every edit costs what it changes.** An edit re-reads only the pages whose bytes changed, and
indexes again only those whose story changed (not a page whose template or related reading did):
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
from collections.abc import Iterator
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

from ..cache import code_version, load_pickle, stamp_of, store_pickle
from ..errors import ContentError
from ..files import problem_of, remove_file, remove_tree, write_cache
from ..parallel import fork_map

FOLDER = "searchindex"
FORMAT = 2
MARK = b"data-pagefind-body"  # the article pages' marker: their story is what is indexed
SHARD_CHARS = 24_000  # about this much JSON per shard: a query's download per word, and an edit's writes
DELTA_SHARE = 0.05  # the base is made again when the delta holds more than this share of the pages
DELTA_MINIMUM = 64  # ...or more than this many, whichever is larger
MAX_SHARDS = 1 << 16
PARALLEL_PAGES = 256  # editions' bases are made on every core from this many pages (a pool costs ~0.1 s)
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
    start = html.find("data-pagefind-body")
    try:
        story.feed(html[html.rfind("<", 0, start) :] if start >= 0 else html)  # from the story's tag
        story.close()
    except _Story.Ended:  # (nothing after the story is read)
        pass
    lines = (" ".join(line.split()) for line in "".join(story.parts).split("\n"))
    title, date = (" ".join("".join(parts).split()) for parts in (story.title, story.date))
    return Page(url, title, date, "\n".join(line for line in lines if line))


# --- segments -------------------------------------------------------------------------------------


def segment(pages: dict[int, Page], language: str, chars: int = SHARD_CHARS) -> tuple[int, dict[int, str]]:
    """The shards of an index over ``pages`` (by id): their count, and each one's JSON text.

    A key's entry is ``[spellings, posting, posting, ...]``; a posting is ``[page id, weight,
    spellings mask, position, ...]``: the weight counts the word's occurrences, those in the title
    five times; the mask has bit *i* set when the page writes the word as ``spellings[i]`` (the
    31st bit: any spelling past the 30th).
    """
    entries: dict[str, tuple[dict[str, int], list[list[int]]]] = {}  # key → (spellings' bits, postings)
    keys: dict[str, str] = {}
    size = 0
    for page_id in sorted(pages):
        page = pages[page_id]
        title = len(words(page.title))
        spelled: dict[str, list[int]] = defaultdict(list)  # each spelling's positions
        for position, word in enumerate(words(page.content)):
            spelled[word].append(position)
        found: dict[str, list] = {}  # key → [spellings mask, positions]
        for word, positions in spelled.items():
            key = keys.get(word)
            if key is None:
                key = keys[word] = key_of(word, language)
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = ({}, [])
            bit = entry[0].setdefault(word, len(entry[0]))
            flag = 1 << (bit if bit < 30 else 30)
            known = found.get(key)
            if known is None:
                found[key] = [flag, positions]
            else:  # another spelling of the same key in this page
                known[0] |= flag
                known[1] = sorted(known[1] + positions)
        for key, (mask, positions) in found.items():
            in_title = bisect.bisect_left(positions, title) if title else 0
            entries[key][1].append([page_id, len(positions) + 4 * in_title, mask, *positions])
            size += 4 * len(positions) + 12
    size += sum(len(key) + 8 * len(bits) for key, (bits, _) in entries.items())
    shards = 1
    while shards < MAX_SHARDS and size / shards > chars:
        shards *= 2
    grouped: dict[int, dict[str, list]] = defaultdict(dict)
    for key in sorted(entries):
        bits, postings = entries[key]
        grouped[shard_of(key, shards)][key] = [list(bits), *postings]
    return shards, {number: _json(grouped[number]) for number in sorted(grouped)}


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def fragment(page: Page) -> str:
    return _json({"url": page.url, "title": page.title, "date": page.date, "content": page.content})


# --- the index of a site --------------------------------------------------------------------------


class _Kept(NamedTuple):
    """A file of the index kept in ``.cache/search/``: its digest and stamp there."""

    digest: str
    stamp: tuple


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def place(
    tree: Path, cache: Path, languages: dict[str, str], pages: dict[str, str], present: dict[str, str]
) -> dict[str, str]:
    """Bring ``tree/searchindex/`` up to date with the article ``pages`` (path under ``tree`` →
    digest of its bytes) of each edition (``languages``: code → its folder, "" or "en/").

    ``present``: the index's files ``tree`` holds intact (path under ``searchindex/`` → digest):
    only the files that differ are written, and those the index no longer has are removed.
    Returns every file of the index with its digest. Raises ContentError naming the file on any
    failure of the file system.
    """
    target = tree / FOLDER
    roots = sorted(languages.items(), key=lambda item: -len(item[1]))  # "en/" claims its pages before ""
    by_language: dict[str, dict[str, str]] = {code: {} for code in languages}
    for path, digest in pages.items():
        code = next(code for code, root in roots if path.startswith(root))
        by_language[code][path] = digest
    editions = {code: mine for code, mine in sorted(by_language.items()) if mine}
    with _locked(cache) as usable:  # held while kept files are copied too: no other build changes them
        placed, sources = _editions(tree, cache if usable else None, editions)
        _write(target, placed, sources, present)
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
    tree: Path, cache: Path | None, editions: dict[str, dict[str, str]]
) -> tuple[dict[str, str], dict[str, str | Path]]:
    """Every edition's index: each file under ``searchindex/`` with its digest, and where its bytes
    come from (a text, or a file kept in ``cache``; None: nothing kept or read there)."""
    placed: dict[str, str] = {}
    sources: dict[str, str | Path] = {}
    folders = {code: cache / code if cache is not None else None for code in editions}
    for folder in folders.values():
        if folder is not None and os.path.islink(folder):
            remove_file(folder)  # never read or written through a link
    states = {code: _load(folders[code]) for code in editions}
    wanted = {
        path: digest
        for code, mine in editions.items()
        for path, digest in mine.items()
        if _known(states[code], path, digest) is None  # new, or its bytes changed: read again
    }
    read = _read_all(tree, wanted)
    contents = {code: _contents(states[code], mine, read) for code, mine in editions.items()}
    stale = [code for code in editions if _needs_base(states[code], contents[code])]
    if len(stale) > 1 and sum(len(editions[code]) for code in stale) >= PARALLEL_PAGES:  # side by side
        made = fork_map(
            lambda code: _new_base(tree, folders[code], code, editions[code], contents[code], read), stale, minimum=2
        )
        states.update(zip(stale, made, strict=True))
    for code, mine in editions.items():
        index = _language_index(tree, folders[code], code, mine, contents[code], read, states[code])
        for name, (digest, source) in index.items():
            placed[f"{code}/{name}"] = digest
            sources[f"{code}/{name}"] = source
    return placed, sources


def _known(state: dict, path: str, digest: str) -> str | None:
    """The content digest of a page whose bytes are as the last build saw them, else None."""
    seen = state["seen"].get(path)
    return seen[1] if seen is not None and seen[0] == digest else None


def _contents(state: dict, pages: dict[str, str], read: dict[str, Page]) -> dict[str, str]:
    """Each page's content digest: what the index holds of it (a page whose bytes changed but not
    its story, as when a template or another article's card changed, is not indexed again)."""
    return {path: _known(state, path, digest) or _content_digest(read[path]) for path, digest in pages.items()}


def _content_digest(page: Page) -> str:
    return _digest(fragment(page))


def _read_all(tree: Path, pages: dict[str, str]) -> dict[str, Page]:
    """The pages read (on every core when there are many)."""
    paths = sorted(pages)
    return dict(zip(paths, fork_map(lambda path: _read(tree, path, pages[path]), paths), strict=True))


def _needs_base(state: dict, contents: dict[str, str]) -> bool:
    """Whether the base must be made again: made by other code, or the delta would be too large."""
    changed = sum(state["base"].get(path) != digest for path, digest in contents.items())
    removed = sum(path not in contents for path in state["base"])
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
) -> dict[str, tuple[str, str | Path]]:
    """One edition's index (``state``: what its cache holds, or its base just made): its files
    (name → digest, and its text or a kept file to copy)."""
    if isinstance(state, dict) and _needs_base(state, contents):
        state = _new_base(tree, cache, code, pages, contents, read)
    if isinstance(state, NoCache):  # every file from memory: only speed is lost
        files = {name: (_digest(text), text) for name, text in state.outputs.items()}
        return files | _meta(code, files, state.shards, 0, [], len(pages))
    changed = {path for path, digest in contents.items() if state["base"].get(path) != digest}
    removed = set(state["base"]) - set(contents)
    ids = dict(state["ids"])
    for path in sorted(changed - set(ids)):  # pages new since the base: the next numbers
        ids[path] = max(ids.values(), default=-1) + 1
    delta, files, delta_shards = _delta(tree, code, pages, contents, changed, read, state, ids)
    for name, entry in state["files"].items():  # the base's shards, and the fragments of its pages
        page_id = _fragment_id(name)
        if name not in files and (page_id is None or page_id not in delta):
            files[name] = (entry.digest, cache / name)
    for path in removed:
        files.pop(f"p/{ids[path]}.json", None)
    seen = {path: (digest, contents[path]) for path, digest in pages.items()}
    _keep(
        cache,
        state,
        {"ids": ids, "seen": seen, "delta": {path: (contents[path], delta[ids[path]]) for path in changed}},
    )
    overridden = sorted(ids[path] for path in changed | removed if path in state["base"])
    return files | _meta(code, files, state["shards"], delta_shards, overridden, len(pages))


def _keep(cache: Path | None, state: dict, now: dict) -> None:
    """Save the state with what this build saw (the pages' digests, the delta's pages), if it differs."""
    if cache is None:
        return
    digests = {path: entry[0] for path, entry in now["delta"].items()}
    before = {path: entry[0] for path, entry in state["delta"].items()}
    if now["ids"] != state["ids"] or now["seen"] != state["seen"] or digests != before:
        _save(cache, {**state, **now})


def _delta(
    tree: Path,
    code: str,
    pages: dict[str, str],
    contents: dict[str, str],
    changed: set[str],
    read: dict[str, Page],
    state: dict,
    ids: dict[str, int],
) -> tuple[dict[int, Page], dict[str, tuple[str, str | Path]], int]:
    """The pages changed since the base (by id), the delta's files (its shards and their
    fragments), and its shard count (0: no delta). The delta's pages are kept in the state, so the
    next build reads only the pages that changed again."""
    delta: dict[int, Page] = {}
    files: dict[str, tuple[str, str | Path]] = {}
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


def _meta(
    code: str, files: dict[str, tuple[str, str | Path]], base: int, delta: int, overridden: list[int], pages: int
) -> dict:
    """``meta.json``: the shard counts of the two segments, the base pages the delta overrides, and a
    version naming every other file's bytes (queries ask for files with it, so no browser mixes an
    old file with a new one)."""
    version = _digest(repr(sorted((name, entry[0]) for name, entry in files.items())))[:12]
    shape = {"base": base, "delta": delta, "overridden": overridden, "pages": pages}
    text = _json({"version": version, "language": code, **shape})
    return {"meta.json": (_digest(text), text)}


def _fragment_id(name: str) -> int | None:
    return int(name[2:-5]) if name.startswith("p/") else None


def _new_base(
    tree: Path, cache: Path | None, code: str, pages: dict[str, str], contents: dict[str, str], read: dict[str, Page]
) -> dict | NoCache:
    """The base made again from every page: its shards and fragments kept in ``cache`` (its state),
    or, if the cache cannot keep them (or is None), its files."""
    if cache is not None:
        remove_tree(cache)
    ids = {path: number for number, path in enumerate(sorted(pages))}
    found = {ids[path]: read.get(path) or _read(tree, path, digest) for path, digest in pages.items()}
    shards, texts = segment(found, code)
    outputs = {f"b/{number}.json": text for number, text in texts.items()}
    outputs |= {f"p/{page_id}.json": fragment(page) for page_id, page in found.items()}
    files: dict[str, _Kept] = {}
    for name, text in outputs.items() if cache is not None else ():
        data = text.encode("utf-8")
        stamp = stamp_of(str(cache / name)) if write_cache(cache / name, data) else None
        if stamp is not None:
            files[name] = _Kept(_digest(text), tuple(stamp))
    state = {
        "format": FORMAT,
        "code": code_version(),
        "base": dict(contents),
        "seen": {path: (digest, contents[path]) for path, digest in pages.items()},
        "ids": ids,
        "shards": shards,
        "files": files,
        "delta": {},
    }
    if cache is None or len(files) != len(outputs) or not _save(cache, state):
        return NoCache(outputs, shards)
    return state


class NoCache(NamedTuple):
    """A base the cache cannot keep: written into the site from memory (only speed is lost)."""

    outputs: dict[str, str]
    shards: int


def page_digest(data: bytes) -> str:
    """A page's digest, as the index records the pages it was made from."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _read(tree: Path, path: str, digest: str) -> Page:
    try:
        data = (tree / path).read_bytes()
    except OSError as exc:
        raise ContentError(tree / path, problem_of(exc, "read")) from None
    if page_digest(data) != digest:
        raise ContentError(tree / path, "this page changed while the search index was made; build again")
    url = path.removesuffix("index.html")
    return read_page(url, data.decode("utf-8", "replace"))


def _load(cache: Path | None) -> dict:
    """The edition's index state if this user's build kept it and its kept files are intact."""
    empty = {"code": None, "base": {}, "seen": {}, "ids": {}, "delta": {}, "files": {}, "shards": 1}
    if cache is None:
        return empty
    stored = load_pickle(cache / "state.pickle")
    if not isinstance(stored, dict) or stored.get("format") != FORMAT:
        return empty
    for name, kept in stored["files"].items():
        if stamp_of(str(cache / name)) != kept.stamp:
            return empty
    return stored


def _save(cache: Path, state: dict) -> bool:
    return store_pickle(cache / "state.pickle", state)


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


def _write(target: Path, placed: dict[str, str], sources: dict[str, str | Path], present: dict[str, str]) -> None:
    """Make ``target`` hold ``placed``, writing only the files whose digest differs from ``present``
    (each as a new file: never over one, never through a link)."""
    emptied: set[Path] = set()
    for name in sorted(set(present) - set(placed)):
        remove_file(target / name)
        emptied.update((target / name).parents)
    for folder in sorted((f for f in emptied if f == target or target in f.parents), key=lambda f: -len(f.parts)):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if nothing is left in it
    made: set[Path] = set()
    for name, digest in placed.items():
        if present.get(name) == digest and os.path.isfile(target / name):
            continue
        source = sources[name]
        if isinstance(source, Path):
            data = _kept_bytes(source)
            if _digest(data.decode("utf-8", "replace")) != digest:  # changed since its stamp was checked
                raise ContentError(source, "this cached file changed while the site was built; build again")
        else:
            data = source.encode("utf-8")
        path = target / name
        remove_file(path)
        try:
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(handle, "wb") as file:
                file.write(data)
        except OSError as exc:
            raise ContentError(path, problem_of(exc, "write")) from None
