"""Which other catalogs hold reviewed English for a source: what ``translate`` reuses, found fast.

A segment new to its article takes the English an editor reviewed for the same source in another
article's catalog (current entries first, then obsolete ones; by article). Finding it used to mean
reading every catalog of the archive and holding them all: for one new article at 100,000 articles,
over two minutes (stopped). Here an index is kept in ``.cache/translate-reuse.sqlite``
(:mod:`..store`, sealed rows): for each catalog its stat and the digests of the sources it holds
reviewed English for; for each digest (in :data:`SOURCE_BUCKETS` rows), the catalogs holding it. A
run brings the index up to date by reading only the catalogs whose stat changed (all of them the
first time), under the store's lock, and a lookup reads only the catalogs the index names.

The index only says where to look: the English is always read from the catalog itself, so a stale
or colliding digest costs a read, never a wrong reuse. What must never happen is a catalog holding
a reviewed source the index does not name; hence a catalog is taken as indexed only by a stat taken
before its bytes were read (one this run has read already is compared byte for byte, not parsed
again) and old enough to be trusted (:func:`..cache.too_recent`), and anything the
index cannot vouch for (a row not sealed by this user, another version of the code) makes it again.
Without a usable ``.cache`` the same index is made in memory, every catalog read one at a time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from ..cache import code_version, stamp_from, too_recent
from ..errors import ContentError, display_path
from ..store import Changes, Store
from .merge import Reuse
from .pofile import Chunk, PoDocument, read_document

STORE_NAME = "translate-reuse.sqlite"
TABLES = ("meta", "catalogs", "sources")
FORMAT = b"1"
SOURCE_BUCKETS = 4096  # rows of digests → catalogs, per language: one edit rewrites a few dozen
CATALOG_BUCKETS = 1024  # rows of catalogs → their stat and digests, per language
KEPT_OPEN = 64  # catalogs read for lookups, kept parsed (a source often recurs in the same few)

Mark = tuple[int, bool]  # a reviewed source's digest, and whether its entry is obsolete
Known = dict[str, tuple[object, tuple[Mark, ...]]]  # slug → (its catalog's stamp, its marks)
Pointers = dict[int, list[tuple[bool, str]]]  # digest → (obsolete, slug), sorted: current first, by slug


def digest(source: str) -> int:
    return int.from_bytes(hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def reviewed(chunk: Chunk) -> bool:
    """An entry whose English may be reused: one of ours, not fuzzy, not empty."""
    entry = chunk.entry
    return chunk.ours and "fuzzy" not in entry.flags and bool(entry.msgstr.strip())


def marks_of(document: PoDocument) -> tuple[Mark, ...]:
    return tuple(sorted({(digest(chunk.msgid), chunk.obsolete) for chunk in document.chunks if reviewed(chunk)}))


def first_reviewed(document: PoDocument, source: str, obsolete: bool) -> Chunk | None:
    """The first entry of ``document`` (in file order) with reviewed English for ``source``, current or obsolete."""
    for chunk in document.chunks:
        if chunk.msgid == source and chunk.obsolete == obsolete and reviewed(chunk):
            return chunk
    return None


class ReuseIndex:
    """The reviewed English of every catalog in ``language``; ``catalogs``: slug → its catalog's path;
    ``read``: the catalogs this run has read already (slug → document), looked up as read.

    Nothing is read until the first lookup (a run with nothing new never opens it); :meth:`close` it."""

    def __init__(
        self, language: str, catalogs: dict[str, str | Path], read: dict[str, PoDocument], folder: Path | None
    ):
        self.language, self.catalogs, self.read = language, catalogs, read
        self.path = None if folder is None else folder / STORE_NAME
        self.store: Store | None = None
        self.pointers: Pointers | None = None  # the buckets read so far (all of them when kept in memory)
        self.now: Known = {}  # each catalog's stamp and marks, as the index was brought up to date
        self.offered: dict[str, tuple[bytes, tuple[Mark, ...]]] = {}  # slug → (its bytes' digest, marks)
        self.whole = False  # every bucket is in :attr:`pointers`
        self._read_buckets: set[int] = set()
        self.opened: OrderedDict[str, PoDocument | None] = OrderedDict()
        self.last: tuple[str, str, Reuse | None] | None = None

    def offer(self, slug: str, document: PoDocument) -> None:
        """A catalog this run read (its marks then taken from it, if the file still holds what was read)."""
        self.offered[slug] = (_digest_bytes(document.raw), marks_of(document))

    def lookup(self, source: str, slug: str) -> Reuse | None:
        """The reviewed English for ``source`` in a catalog other than ``slug``'s, the first in order."""
        if self.last is not None and self.last[:2] == (source, slug):
            return self.last[2]  # (asked twice in a row: whether it is there, then what it is)
        if self.pointers is None:
            self._bring_up_to_date()
        found = None
        for obsolete, other in self._pointed(digest(source)):
            document = self._document(other) if other != slug else None
            chunk = document and first_reviewed(document, source, obsolete)
            if chunk:
                found = Reuse(chunk.entry.msgstr, display_path(document.path))
                break
        self.last = (source, slug, found)
        return found

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    # --- lookups ------------------------------------------------------------------------------

    def _pointed(self, number: int) -> list[tuple[bool, str]]:
        assert self.pointers is not None
        bucket = number % SOURCE_BUCKETS
        if not self.whole and bucket not in self._read_buckets:
            self._read_buckets.add(bucket)
            found = self._bucket_of(self.store, bucket) if self.store is not None else None
            if found is None:  # damaged, or not this user's: what it named is unknown, made again
                self._forget()
                self.pointers, self.whole = _changed({}, {}, self.now, set(self.now)), True
            else:
                self.pointers.update(found)
        return self.pointers.get(number, [])

    def _forget(self) -> None:
        """The store made again from the catalogs by the next run (its version removed)."""
        if self.store is not None:
            self.store.save({"meta": Changes(removed=[self.language])})

    def _document(self, slug: str) -> PoDocument | None:
        if slug in self.read:
            return self.read[slug]
        if slug in self.opened:
            self.opened.move_to_end(slug)
            return self.opened[slug]
        path = self.catalogs.get(slug)
        try:
            document = read_document(path, self.language) if path is not None else None
        except ContentError:
            document = None  # (its own run reports it; reuse is only a convenience)
        self._keep(slug, document)
        return document

    def _keep(self, slug: str, document: PoDocument | None) -> None:
        self.opened[slug] = document
        self.opened.move_to_end(slug)
        if len(self.opened) > KEPT_OPEN:
            self.opened.popitem(last=False)

    def _key(self, kind: str, bucket: int) -> str:
        return f"{self.language}:{kind}{bucket}"

    # --- bringing the index up to date -------------------------------------------------------

    def _bring_up_to_date(self) -> None:
        store = Store.open(self.path, tables=TABLES) if self.path is not None else None
        if store is not None:
            with store.locked() as held:
                if held and self._update(store):
                    self.store = store
                    return
            store.close()
        self.now = now = self._marks(self.catalogs, {})  # without a store: made in memory, every catalog read
        self.pointers, self.whole = _changed({}, {}, now, set(now)), True

    def _update(self, store: Store) -> bool:
        """Bring the store's index up to date with the catalogs, in the transaction held; False if it
        could not be read (it is then not used). If it cannot be saved, it still serves this run."""
        version = FORMAT + b":" + code_version().encode()  # (per language: each is brought up to date alone)
        fresh = store.row("meta", self.language) != version
        known: Known = {}
        if not fresh:
            for key, data in store.rows("catalogs"):
                if key.startswith(f"{self.language}:c"):
                    value = _loaded(data)
                    if not isinstance(value, dict):
                        fresh = True  # a row this user's run did not make: what it named is unknown
                        break
                    known.update(value)
        if store.failed:
            return False
        if fresh:
            known = {}
        self.now = now = self._marks(self.catalogs, known)
        changed = {slug for slug in now.keys() | known.keys() if now.get(slug) != known.get(slug)}
        before: Pointers = {}
        buckets = {number % SOURCE_BUCKETS for slug in changed for number, _ in _all_marks(slug, now, known)}
        for bucket in sorted(buckets):
            self._read_buckets.add(bucket)
            found = {} if fresh else self._bucket_of(store, bucket)
            if found is None:
                return False
            before.update(found)
        self.pointers, self.whole = _changed(before, known, now, changed), fresh
        store.save(self._changes(now, changed, fresh, version))  # (best effort: made again next time if not)
        return True

    def _bucket_of(self, store: Store, bucket: int) -> Pointers | None:
        """The pointers of one bucket; None when its row is there but damaged or not this user's."""
        key = self._key("s", bucket)
        data = store.row("sources", key)
        if data is None:
            return {} if store.holds("sources", key) is False else None
        value = _loaded(data)
        return value if isinstance(value, dict) else None

    def _changes(self, now: Known, changed: set[str], fresh: bool, version: bytes) -> dict[str, Changes]:
        assert self.pointers is not None
        sources: dict[int, Pointers] = {}
        for number, pointers in self.pointers.items():
            sources.setdefault(number % SOURCE_BUCKETS, {})[number] = pointers
        catalogs: dict[int, Known] = {}
        touched = {_slug_bucket(slug) for slug in changed}
        for slug, value in now.items():
            if _slug_bucket(slug) in touched:
                catalogs.setdefault(_slug_bucket(slug), {})[slug] = value
        rows = {
            "sources": Changes(rows=_pickled((self._key("s", b), sources.get(b, {})) for b in self._read_buckets)),
            "catalogs": Changes(rows=_pickled((self._key("c", b), catalogs.get(b, {})) for b in touched)),
            "meta": Changes(rows={self.language: version}),
        }
        if fresh:
            kept = {self._key("s", b) for b in self._read_buckets} | {self._key("c", b) for b in touched}
            rows["sources"].removed = self._all_keys("s", SOURCE_BUCKETS) - kept
            rows["catalogs"].removed = self._all_keys("c", CATALOG_BUCKETS) - kept
        return rows

    def _all_keys(self, kind: str, count: int) -> set[str]:
        return {self._key(kind, bucket) for bucket in range(count)}

    def _marks(self, catalogs: dict[str, str | Path], known: Known) -> Known:
        """Each catalog's stamp and marks: from ``known`` when its stamp is unchanged, else read."""
        taken = time.time()
        found: Known = {}
        for slug, path in catalogs.items():
            stamp = _stamp(path, taken)
            if stamp is not None and slug in known and known[slug][0] == stamp:
                found[slug] = known[slug]
                continue
            if slug in self.offered and self.offered[slug][0] == _digest_bytes(_bytes_of(path)):
                found[slug] = (stamp, self.offered[slug][1])  # (read by this run, and unchanged since)
                continue
            try:
                document = read_document(path, self.language)
            except ContentError:
                found[slug] = (None, ())  # read again next time; its own run reports it
                continue
            found[slug] = (stamp, marks_of(document))
            self._keep(slug, document)  # (a catalog just changed is the likeliest a lookup names)
        self.offered = {}
        return found


def _bytes_of(path: str | Path) -> bytes | None:
    """The file's bytes; None when it is missing; when it cannot be read, bytes no catalog holds
    (a NUL is refused in every catalog), so that it never passes for what this run read."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        return None
    except OSError:
        return b"\0unreadable"


def _digest_bytes(data: bytes | None) -> bytes:
    return b"missing" if data is None else hashlib.blake2b(data, digest_size=16).digest()


def _stamp(path: str | Path, taken: float) -> object:
    """A catalog's stat (a missing one's too); None when it is too recent to be judged by it."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "missing"
    except OSError:
        return None
    if too_recent(info.st_mtime_ns, info.st_ctime_ns, taken):
        return None
    return stamp_from(info)


def _all_marks(slug: str, now: Known, known: Known) -> Iterable[Mark]:
    yield from now[slug][1] if slug in now else ()
    yield from known[slug][1] if slug in known else ()


def _changed(before: Pointers, known: Known, now: Known, changed: set[str]) -> Pointers:
    """``before``'s pointers with the ``changed`` catalogs' marks as ``known`` replaced by theirs ``now``."""
    working = {number: set(pointers) for number, pointers in before.items()}
    for slug in changed:
        for number, obsolete in known[slug][1] if slug in known else ():
            working.get(number, set()).discard((obsolete, slug))
        for number, obsolete in now[slug][1] if slug in now else ():
            working.setdefault(number, set()).add((obsolete, slug))
    return {number: sorted(pointers) for number, pointers in working.items() if pointers}


def _slug_bucket(slug: str) -> int:
    return digest(slug) % CATALOG_BUCKETS


def _loaded(data: bytes | None) -> object:
    if data is None:
        return None
    try:
        return pickle.loads(data)  # (sealed: made by this user's run)
    except Exception:
        return None


def _pickled(rows: Iterable[tuple[str, object]]) -> Iterable[tuple[str, bytes]]:
    for key, value in rows:
        yield key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
