"""The site's files put into a folder: every file planned first, then written only where it differs.

A build first plans every file of the site (:class:`Plan`): its path under ``site/`` and what it
holds (a text, a file of ``.cache/``, a newsroom file to copy), with a *fingerprint* that changes
whenever what it holds may have changed. The plan is then brought into a folder that replaces
``site/`` in one step (:func:`..files.swap_folders`), so ``site/`` is at every instant the complete
old site or the complete new one, never a mix.

Which folder (:class:`Standby`): ``.cache/output/<output>/tree/``, a standby copy of the site.
After each swap it holds the site as it was before the build (the folders were exchanged), and a
sealed record says what each of its files holds and its stamp (size, modification and change time,
inode). The next build checks every file of the standby against that record (an ``lstat`` each;
anything unknown, changed, or not a regular file is removed, never followed), writes only the
files whose fingerprint differs from what the standby holds, removes those the site no longer has,
and swaps it in. An edit costs the files it changes, plus a stat per file: not a copy of the site.
A file the standby lacks that the site holds as planned (the first edit after a site written
whole, the pages a template edit wrote into the site) is linked from the site (:class:`Donor`),
not written: the two trees then share it until one of them changes it, and any change to it, made
through either, moves its change time, so the check above removes it.

The standby is skipped, and the site written in full into a new folder beside ``site/`` as
before, when it cannot serve: another build of the same output holds it (a lock), ``.cache`` is on
another disk than the output (the swap is a rename), or its record is missing or not this user's.
A build killed while bringing the standby up to date leaves a mark, and the next one rebuilds it
from scratch, so a half-written standby is never trusted.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import math
import os
import pickle
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

from ..cache import StaleCache, Stamp, stamp_from, too_recent
from ..errors import ContentError
from ..files import problem_of, remove_file, remove_tree, swap_folders
from ..parallel import Pending, Progress, alone, forked
from ..store import Changes, Store, collector_paused
from .records import OutputFile, bucket, by_bucket
from .search import MARK, page_digest

INDEX = "searchindex/"  # the search index's folder: written by .search, never planned
STATE_FORMAT = 5  # 5: the standby kept as what differs from the site


Fingerprint = tuple


class Planned(NamedTuple):
    """One file of the plan: what it holds (one of ``text``, ``cache``, ``copy``) and its fingerprint."""

    fingerprint: Fingerprint
    text: str | None = None
    cache: str | None = None  # a file of .cache/, read only if it is a regular file (never through a link)
    copy: str | None = None  # a newsroom file (a static file, a photo)


class Entry(NamedTuple):
    """A file of a tree as it was written: what it holds, its stamp, and for a page the search
    indexes, the digest of its bytes (:func:`.search.page_digest`), else None."""

    fingerprint: Fingerprint
    stamp: Stamp
    indexed: str | None


@dataclass
class TreeRecord:
    """What a tree folder holds: its folder's inode (which folder it is) and each file's entry.

    ``listed``: the time (``time.time()``) from which the record gives each folder's names: a folder
    whose times are older still (by :data:`..cache.TOO_RECENT`) holds those and no others, so a
    survey stats its files without listing it (None: every folder is listed)."""

    inode: int
    files: dict[str, Entry] = field(default_factory=dict)
    listed: float | None = None
    # Stamps of folders known from the survey that brought the tree up to date and not touched since
    # (nothing written, removed or linked in them): the manifest takes them instead of an ``lstat``
    # each. Never stored: a record read from the store has none.
    folders: dict[str, Stamp] = field(default_factory=dict, compare=False, repr=False)


# What :func:`survey` finds in a tree: the files as its record has them, every other entry, its
# folders, the time it began (the tree's names are known from then: :attr:`TreeRecord.listed`), and
# the stamps of the folders it stat'ed (those not listed: all but the tree itself, for an edit).
Survey = tuple[dict[str, Entry], list[str], set[str], float, dict[str, Stamp]]


def _entries(data: bytes | None, diff: bool = False) -> dict[str, Entry | None] | None:
    """A row of a tree's record: its files' entries (kept as plain tuples: three times faster to
    save than named tuples, by the ten thousand); None when it cannot be trusted (its seal, which
    names its tree and bucket, was checked). ``diff``: a row of what the standby holds otherwise
    than the site, None for a path it lacks."""
    try:
        found = None if data is None else pickle.loads(data)
    except Exception:
        return None
    if not isinstance(found, dict):
        return None
    make = partial(tuple.__new__, Entry)  # (in C: ``Entry._make`` is a Python call an entry)
    if diff:
        return {path: None if entry is None else make(entry) for path, entry in found.items()}
    return dict(zip(found, map(make, found.values()), strict=True))


def _dumped(entries: dict) -> bytes:
    return pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)


def _diff(site: dict[str, Entry], standby: dict[str, Entry]) -> dict[str, tuple | None]:
    """What ``standby`` holds otherwise than ``site``: its entries that differ, None where it lacks
    a path of the site (both trees share most files, linked: an edit's diff is the edit)."""
    diff: dict[str, tuple | None] = dict.fromkeys(site.keys() - standby.keys())
    for path, entry in standby.items():
        mine = site.get(path)
        if mine is not entry and mine != entry:
            diff[path] = tuple(entry)
    return diff


class Plan:
    """Every file of the site, by path under it; a second claim on one path is an error."""

    def __init__(self, where: Path) -> None:
        self.where = where  # named in errors (the output folder)
        self.files: dict[str, Planned] = {}

    def _claim(self, path: str, planned: Planned) -> None:
        if path in self.files or path.startswith(INDEX):
            message = "two outputs claim this path; rename one of the articles or photos"
            raise ContentError(self.where / path, message)
        self.files[path] = planned

    def write(self, path: str, text: str) -> None:
        digest = hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
        self._claim(path, Planned(("text", digest), text=text))

    def place(self, file: OutputFile) -> None:
        """An article's file: its text, a copy of its cached file, or a copy of a photo."""
        if file.text is not None:
            self.write(file.path, file.text)
        elif file.cache is not None:
            self._claim(file.path, Planned(("cache", file.cache, file.stamp), cache=file.cache))
        else:
            self.copy(file.path, file.copy)

    def copy(self, path: str, source: str | Path) -> None:
        """A newsroom file, known by its stat (a file changed since differs next time)."""
        try:
            known = stamp_from(os.stat(source))
        except OSError:
            known = None  # reported when it is copied
        self._claim(path, Planned(("copy", str(source), known), copy=str(source)))


class Donor(NamedTuple):
    """Another tree of this output holding files as ``record`` has them (the site, for its standby):
    a planned file it holds under the same fingerprint, with the recorded stamp, is linked from
    there, not read and written again. A link changes the file's change time, in both trees:
    ``record`` is given the new stamps of what was linked."""

    tree: Path
    record: TreeRecord


def bring(
    tree: Path,
    record: TreeRecord,
    plan: Plan,
    progress: Progress | None = None,
    donor: Donor | None = None,
    surveyed: Survey | None = None,
) -> TreeRecord:
    """Make ``tree`` hold the plan, writing only what differs from ``record`` (what it is known to
    hold) and linking what ``donor`` holds as planned; the search index's folder is left for
    :mod:`.search`. Returns the tree's new record (the index's files not in it yet).
    ``surveyed``: :func:`survey` of ``tree`` against ``record``, made already.

    Raises ContentError naming the file on any failure of the file system.
    """
    found, stale, folders, listed, stamps = surveyed if surveyed is not None else survey(tree, record)
    for path in stale:
        _remove(tree / path)
    keep = {path: entry for path, entry in found.items() if path.startswith(INDEX)}
    needed = {""} | _folders_of(plan.files)
    removed = list(stale)
    for path, entry in found.items():
        if path.startswith(INDEX):
            continue
        planned = plan.files.get(path)
        if planned is not None and planned.fingerprint == entry.fingerprint:
            keep[path] = entry
        else:
            remove_entry(tree, path, entry, donor)
            removed.append(path)
    for folder in sorted(folders - needed, key=len, reverse=True):
        if folder != INDEX.rstrip("/") and not folder.startswith(INDEX):
            remove_tree(tree / folder)
            removed.append(folder)
    todo = [path for path in plan.files if path not in keep]
    keep.update(_put_all(str(tree), todo, plan, set(needed & folders), progress, donor))
    untouched = untouched_folders(stamps, removed + todo)
    return TreeRecord(record.inode, keep, listed, untouched)  # (every folder changed since: newer than ``listed``)


def untouched_folders(stamps: dict[str, Stamp], touched: list[str]) -> dict[str, Stamp]:
    """The folder ``stamps`` but those of the folders holding a ``touched`` path (written, linked or
    removed in it: its times moved) or being one (a folder removed), and of every folder above them
    (made or removed in theirs)."""
    if not stamps:
        return {}
    untouched = dict(stamps)
    for folder in _folders_of(touched) | set(touched):
        untouched.pop(folder, None)
    return untouched


def _put_all(
    base: str, todo: list[str], plan: Plan, made: set[str], progress: Progress | None, donor: Donor | None = None
) -> dict[str, Entry]:
    """The planned files at ``todo`` written (or linked from ``donor``) under ``base`` (``made``:
    its folders that exist)."""
    advance = progress(len(todo), "Writing the site", "file") if progress is not None and todo else None
    written = {}
    given = donor.record.files if donor is not None else {}
    source = str(donor.tree) if donor is not None else ""
    for path in todo:
        folder = path.rpartition("/")[0]
        if folder not in made:
            _make_folder(f"{base}/{folder}" if folder else base)
            made.add(folder)
        planned = plan.files[path]
        known = given.get(path)
        entry = None
        if known is not None and known.fingerprint == planned.fingerprint:
            entry = _link(f"{source}/{path}", f"{base}/{path}", known)
            if entry is not None:
                given[path] = entry  # (the same file: its change time moved in the donor too)
        written[path] = entry or _put(f"{base}/{path}", planned)
        if advance is not None:
            advance(1)
    return written


def link_from(donor: Donor, target: str, path: str, digest: str) -> bool:
    """``donor``'s file at ``path`` linked at ``target`` if its record holds it with ``digest`` as
    the last part of its fingerprint and it is intact; its entry given the moved change time."""
    known = donor.record.files.get(path)
    if known is None or known.fingerprint[-1] != digest:
        return False
    entry = _link(f"{donor.tree}/{path}", target, known)
    if entry is not None:
        donor.record.files[path] = entry
    return entry is not None


def _link(source: str, target: str, known: Entry) -> Entry | None:
    """``source`` linked at ``target`` if it is the file ``known`` records (its stamp as recorded:
    nothing changed it since it was written); the entry both now have, or None (then write it)."""
    try:
        if stamp_from(os.lstat(source)) != known.stamp:
            return None
        os.link(source, target, follow_symlinks=False)
    except OSError:  # changed or gone, or a file system without links: written instead
        return None
    try:
        info = os.lstat(target)
    except OSError:
        info = None
    size, modified, _, inode = known.stamp  # (the link moved the change time: not compared)
    same = info is not None and stat.S_ISREG(info.st_mode)
    if not same or (info.st_size, info.st_mtime_ns, info.st_ino) != (size, modified, inode):
        # replaced between the check and the link: not that file
        remove_file(target)
        return None
    return Entry(known.fingerprint, stamp_from(info), known.indexed)


def _touched(stored: dict[str, dict], files: dict[str, Entry]) -> tuple[dict[str, str], set[str]]:
    """Each stored path's bucket, and the buckets holding a path of ``files`` that is new or changed
    since ``stored`` (rows by bucket) was read, or a stored path ``files`` no longer has."""
    where: dict[str, str] = {}
    for part, entries in stored.items():
        where.update(dict.fromkeys(entries, part))  # (made in C: hashing each path again is what is avoided)
    touched: set[str] = set()
    for path, entry in files.items():
        part = where.get(path)
        if part is None:
            touched.add(bucket(path))
        elif stored[part][path] is not entry and stored[part][path] != entry:
            touched.add(part)
    touched.update(where[path] for path in where.keys() - files.keys())
    return where, touched


def _folders_of(paths: Iterable[str]) -> set[str]:
    """The folders holding ``paths`` (relative, as :func:`survey` names them)."""
    folders: set[str] = set()
    for folder in {path.rpartition("/")[0] for path in paths}:  # (each folder once: most hold several files)
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def remove_entry(tree: Path, path: str, entry: Entry, donor: Donor | None) -> None:
    """A file of ``tree`` removed; if it was linked to ``donor``'s (one inode, intact), the
    donor's entry given the change time the removal moved (:func:`_restamp`)."""
    theirs = donor.record.files.get(path) if donor is not None else None
    linked = theirs is not None and theirs.stamp[3] == entry.stamp[3] and _intact(donor, path)  # type: ignore[arg-type]
    _remove(tree / path)
    if linked:
        _restamp(donor, path, theirs)  # type: ignore[arg-type]


def _intact(donor: Donor, path: str) -> bool:
    """Whether ``donor``'s file at ``path`` is as its record has it, change time included."""
    try:
        return stamp_from(os.lstat(f"{donor.tree}/{path}")) == donor.record.files[path].stamp
    except OSError:
        return False


def _restamp(donor: Donor, path: str, known: Entry) -> None:
    """A file of ``donor`` that was linked to the one just removed, and intact just before
    (:func:`_intact`): removing a link moves the file's change time, in the donor too; its entry is
    given the new one if it is still that file (else the next survey of that tree finds it changed,
    and it is written again). A file changed before, even with its times put back, is never given
    one: its change time had moved already."""
    try:
        info = os.lstat(f"{donor.tree}/{path}")
    except OSError:
        return
    size, modified, _, inode = known.stamp
    if stat.S_ISREG(info.st_mode) and (info.st_size, info.st_mtime_ns, info.st_ino) == (size, modified, inode):
        donor.record.files[path] = Entry(known.fingerprint, stamp_from(info), known.indexed)


def survey(tree: Path, record: TreeRecord) -> Survey:
    """The files of ``tree`` that are as ``record`` has them, every other entry (to remove), the
    folders (relative; never through a link), the time the survey began, and the stamps of the
    folders it stat'ed.

    A folder whose times (modification and change: an entry added, removed or renamed in it, or the
    folder itself moved in) are older than the record's :attr:`TreeRecord.listed` holds the names the
    record gives it: its files are stat'ed, but it is not listed. At 100,000 articles that spares
    listing 200,000 folders, each several system calls, of an edit's survey.
    """
    began = time.time()
    known = record.files
    layout = _layout(known) if record.listed is not None else {}
    found: dict[str, Entry] = {}
    stale: list[str] = []
    folders: set[str] = set()
    stamps: dict[str, Stamp] = {}
    stack = [""]
    while stack:
        folder = stack.pop()
        where = f"{tree}/{folder}" if folder else str(tree)
        names = layout.get(folder)
        if names is not None and folder:  # (the tree itself is listed: a swap changes its times)
            try:
                info = os.lstat(where)
            except FileNotFoundError:
                continue  # (gone: its files are not found)
            except OSError as exc:
                raise ContentError(Path(where), problem_of(exc)) from None
            if not stat.S_ISDIR(info.st_mode):
                stale.append(folder)  # (a file or a link where a folder was)
                continue
            folders.add(folder)
            if not too_recent(info.st_mtime_ns, info.st_ctime_ns, record.listed):  # type: ignore[arg-type]
                stamps[folder] = stamp_from(info)
                _stat_known(tree, names[0], known, found, stale)
                stack.extend(names[1])
                continue
        _list_folder(tree, folder, known, found, stale, folders, stack)
    return found, stale, folders, began, stamps


def _layout(files: Iterable[str]) -> dict[str, tuple[list[str], list[str]]]:
    """Each folder of ``files`` (relative; the tree itself: "") with the files and the folders it
    holds, as a record gives them."""
    layout: dict[str, tuple[list[str], list[str]]] = {"": ([], [])}
    for path in files:
        folder = path.rpartition("/")[0]
        names = layout.get(folder)
        if names is None:
            names = layout[folder] = ([], [])
            child, parent = folder, folder.rpartition("/")[0]
            while parent not in layout:  # (its parents, each made once and named in its own)
                layout[parent] = ([], [child])
                child, parent = parent, parent.rpartition("/")[0]
            layout[parent][1].append(child)
        names[0].append(path)
    return layout


def _stat_known(tree: Path, paths: list[str], known: dict[str, Entry], found: dict, stale: list[str]) -> None:
    """The files of a folder that holds the names its record gives it: each as recorded (found),
    else to remove (stale); one that is gone is neither."""
    for path in paths:
        try:
            info = os.lstat(f"{tree}/{path}")
        except FileNotFoundError:
            continue
        except OSError:
            info = None
        expected = known[path]
        if info is not None and stat.S_ISREG(info.st_mode) and stamp_from(info) == expected.stamp:
            found[path] = expected
        else:
            stale.append(path)


def _list_folder(
    tree: Path,
    folder: str,
    known: dict[str, Entry],
    found: dict[str, Entry],
    stale: list[str],
    folders: set[str],
    stack: list[str],
) -> None:
    """One folder listed: its files as recorded (found), every other entry (stale), its folders
    (to survey in turn)."""
    relative = f"{folder}/" if folder else ""
    try:
        with os.scandir(f"{tree}/{folder}" if folder else tree) as listing:
            entries = list(listing)
    except OSError as exc:
        raise ContentError(tree / folder, problem_of(exc)) from None
    for entry in entries:
        name = relative + entry.name
        if entry.is_dir(follow_symlinks=False):
            folders.add(name)
            stack.append(name)
            continue
        expected = known.get(name)
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            info = None
        if (
            expected is not None and info is not None and stat.S_ISREG(info.st_mode)
            and stamp_from(info) == expected.stamp
        ):  # fmt: skip
            found[name] = expected
        else:
            stale.append(name)


def _put(target: str, planned: Planned) -> Entry:
    """Write one planned file as a new file (never over one, never through a link); its entry."""
    try:
        if planned.text is not None:
            data = planned.text.encode("utf-8")
        elif planned.cache is not None:
            try:
                data, info = _read(planned.cache, nofollow=True)
            except (FileNotFoundError, IsADirectoryError) as exc:
                raise StaleCache(planned.cache) from exc  # gone, or not a regular file
            except OSError as exc:
                if exc.errno != errno.ELOOP:
                    raise
                raise StaleCache(planned.cache) from exc  # a link put in its place
            if planned.fingerprint[0] == "cache" and stamp_from(info) != planned.fingerprint[2]:
                raise StaleCache(planned.cache)  # (never published: the build starts again)
        elif planned.copy is not None:
            data = _read(planned.copy, nofollow=False)[0]
        else:
            raise StaleCache(target)  # a text known only by its digest, and neither tree holds it
    except OSError as exc:
        source = planned.cache or planned.copy
        raise ContentError(Path(exc.filename or source), problem_of(exc, "read")) from None
    try:
        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            info = os.fstat(file.fileno())
    except OSError as exc:
        raise ContentError(Path(target), problem_of(exc, "write")) from None
    indexed = page_digest(data) if target.endswith(".html") and MARK in data else None
    return Entry(planned.fingerprint, stamp_from(info), indexed)


def _read(source: str, nofollow: bool) -> tuple[bytes, os.stat_result]:
    """A regular file's bytes, and its stat as it was opened."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (getattr(os, "O_NOFOLLOW", 0) if nofollow else 0)
    handle = os.open(source, flags)
    with os.fdopen(handle, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(0, "not a regular file", source)
        return file.read(), info


def _remove(path: Path) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        remove_tree(path)
    else:
        remove_file(path)


def _make_folder(folder: str) -> None:
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise ContentError(Path(folder), problem_of(exc, "write")) from None


def _listed(value: bytes | None) -> float | None:
    """:attr:`TreeRecord.listed` as the store keeps it; None when not known (a store written before)
    or not a time before now (the clock was set back since: no folder's times can be trusted)."""
    try:
        listed = float(value or b"")
    except ValueError:
        return None
    return listed if math.isfinite(listed) and 0 < listed <= time.time() else None


def standby_folder(cache_dir: Path, target: Path) -> Path:
    """Where the standby of the output folder ``target`` (resolved) is kept."""
    key = hashlib.sha256(str(target).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_dir / "output" / key


def survey_beside(cache_dir: Path, target: Path) -> tuple[str, tuple | None]:
    """The survey of ``target``'s standby as :meth:`Standby.survey_ahead`'s child sends it, made
    before the build holds the standby (in the child that took the inputs' snapshot for a build
    certain to come: :func:`.manifest.check_last_build`). It only reads; the build takes it only if
    the record it reads under the lock is the very one surveyed (the same tree, files and token:
    a build since, even one killed, changes or marks it), else it surveys the standby itself."""
    folder = standby_folder(cache_dir, target)
    if any(os.path.islink(made) for made in (cache_dir, folder.parent, folder)):
        return str(folder), None  # (never through a link: the build will not use such a standby either)
    return str(folder), Standby(folder, -1, read_only=True)._survey()


class _Given:
    """A survey :func:`survey_beside` is making, as :meth:`Standby.surveyed` takes it: its answer
    if it is of this standby's folder, else None."""

    def __init__(self, pending: Pending, folder: Path) -> None:
        self.pending, self.folder = pending, str(folder)

    def __call__(self) -> tuple | None:
        folder, answer = self.pending()
        return answer if folder == self.folder else None

    def cancel(self) -> None:
        self.pending.cancel()


class Standby:
    """The standby copy of one output folder in ``.cache/output/``, held under a lock while used."""

    def __init__(self, folder: Path, handle: int, read_only: bool = False) -> None:
        self.folder, self.handle = folder, handle
        self.read_only = read_only  # (not locked: its store is read as it is, never made or mended)
        self.tree = folder / "tree"
        self.dirty = folder / "dirty"  # there while the standby is being changed: not to be trusted
        self.state = folder / "state.sqlite"
        self.site: TreeRecord | None = None  # what the current site holds, if known
        self.rows: dict[str, dict[str, dict]] = {}  # the store's rows as read: "site"/"diff" → bucket → entries
        self.read = False  # whether ``rows`` is all the store holds (else it is written afresh)
        self.token = ""  # the build that recorded the site (see :meth:`swap_in`)
        self._loaded: tuple[TreeRecord | None, TreeRecord | None] | None = None
        self._ahead: Pending | None = None  # the survey made beside the build (:meth:`survey_ahead`)

    @classmethod
    def open(cls, cache_dir: Path, target: Path) -> Standby | None:
        """The standby for ``target``, locked; None when it cannot serve (write the site in full)."""
        import fcntl  # here: a build with nothing to do never needs it

        outputs, folder = cache_dir / "output", standby_folder(cache_dir, target)
        try:
            for made in (outputs, folder):
                if os.path.islink(made):
                    return None  # never through a link (open_cache removes such links)
                made.mkdir(exist_ok=True)
            if os.stat(folder).st_dev != os.stat(target.parent).st_dev:
                return None  # on another disk: the swap could not be a rename
            handle = os.open(folder / "lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another build of this output is using it
            os.close(handle)
            return None
        return cls(folder, handle)

    def prepare(self) -> tuple[Path, TreeRecord] | None:
        """The standby folder and what it holds (an empty new folder when that is not known),
        marked as being changed until :meth:`swap_in` records the result; None if it cannot be
        made ready (write the site whole: a cache that cannot serve only costs speed)."""
        self.load()
        assert self._loaded is not None
        self.site, standby = self._loaded
        try:
            if os.path.islink(self.dirty) or (os.path.lexists(self.dirty) and not os.path.isfile(self.dirty)):
                remove_file(self.dirty)  # a link or anything else there is removed, never followed
            os.close(os.open(self.dirty, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600))
            try:
                info = os.lstat(self.tree)
            except FileNotFoundError:
                info = None
            if standby is None or info is None or not stat.S_ISDIR(info.st_mode) or info.st_ino != standby.inode:
                remove_tree(self.tree)
                os.mkdir(self.tree)
                standby = TreeRecord(os.lstat(self.tree).st_ino)
        except OSError:
            return None
        return self.tree, standby

    def survey_ahead(self, given: Pending | None = None) -> None:
        """Start the standby's survey (an ``lstat`` of each of its files: :func:`survey`) in a forked
        child, beside the build's own work until its plan is made; :meth:`surveyed` takes it.
        ``given``: a survey of this standby under way already (:func:`survey_beside`), taken instead.

        The child reads the standby's record itself, so that this process holds it only once it
        needs it (a build of many changes renders first, with less held). Where other threads run
        (the preview), the record is read here first and the child only shares it: a lock another
        thread held in the store's library at the fork would never be let go in the child.
        """
        if given is not None and self._ahead is None:
            self._ahead = _Given(given, self.folder)  # type: ignore[assignment]
        if not hasattr(os, "fork") or self._ahead is not None:
            return
        if not alone():
            self.load()
            if self.held is None:
                return
        with contextlib.suppress(OSError):  # no process could be made: the build surveys it itself
            self._ahead = forked(self._survey)

    def _survey(self) -> tuple | None:
        """In the child: the survey of the standby as recorded, sent as the paths not found as the
        record has them (a few, for an edit), with what names that record; None if not known."""
        gc.disable()  # (walking the parent's objects would copy their pages into the child)
        if self._loaded is None:
            self._loaded = self._stored()
        held = self.held
        if held is None:
            return None
        info = os.lstat(self.tree)
        if not stat.S_ISDIR(info.st_mode) or info.st_ino != held.inode:
            return None
        found, stale, folders, began, stamps = survey(self.tree, held)
        lost = [path for path in held.files if path not in found]
        # (the folders stamped are sent once, as the stamps' names; the files found are not sent)
        return (held.inode, len(held.files), self.token), lost, stale, folders - stamps.keys(), began, stamps

    def surveyed(self, record: TreeRecord) -> Survey | None:
        """The survey :meth:`survey_ahead` started, if it was made of the tree ``record`` describes
        (as this build read it: nothing but this build changes the store while it holds the lock);
        None when it was not, or failed (then the caller surveys)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and record is not self.held:  # (the standby was made anew: not waited for)
            ahead.cancel()
            ahead = None
        try:
            answer = None if ahead is None else ahead()
        except RuntimeError:  # (killed, or the tree could not be read: the caller's survey says why)
            answer = None
        if answer is None or answer[0] != (record.inode, len(record.files), self.token):
            return None
        _, lost, stale, unstamped, began, stamps = answer
        found = dict(record.files)
        for path in lost:
            found.pop(path, None)
        return found, stale, unstamped | stamps.keys(), began, stamps

    def let_go(self) -> None:
        """Forget what the standby held before this build brought it up to date (its record, and
        the store's rows of how it differed from the site: those are all written again when the
        new record is stored); what the site holds is kept."""
        if self._loaded is not None:
            self._loaded = (self._loaded[0], None)
        if "diff" in self.rows:
            self.rows["diff"] = dict.fromkeys(self.rows["diff"])  # (their names: the rows to replace)

    def differ(self) -> set[str] | None:
        """The paths whose entries the standby's record (:attr:`held`) holds otherwise than the
        site's (:meth:`load`), as the store's rows were read: every other entry of the two is the
        very same object. None when the standby's record was not read from the store."""
        if self._loaded is None or self._loaded[1] is None or not self.read:
            return None
        found: set[str] = set()
        for entries in self.rows.get("diff", {}).values():
            found.update(entries or ())
        return found

    def load(self) -> TreeRecord | None:
        """What the current site holds, as last recorded (None: not known), read once; :attr:`token`
        names the build that recorded it."""
        if self._loaded is None:
            self._loaded = self._stored()
        return self._loaded[0]

    @property
    def held(self) -> TreeRecord | None:
        """What the standby holds, as last recorded (after :meth:`load`; None: not known)."""
        return None if self._loaded is None else self._loaded[1]

    def swap_in(self, target: Path, record: TreeRecord, token: str = "") -> None:
        """Swap the brought-up-to-date standby in for ``target``; the old site becomes the standby.
        ``token`` names this build in the record (the state of its records names it too: the two
        were saved by one build only if they name the same)."""
        aside = self.folder / "old"
        remove_tree(aside)
        try:
            swap_folders(self.tree, target, aside=aside)
            if os.path.lexists(aside):  # (only where folders cannot be exchanged in one step)
                os.rename(aside, self.tree)
        except OSError as exc:
            raise ContentError(target, problem_of(exc, "replace")) from None
        try:
            info = os.lstat(self.tree)
        except OSError:
            info = None
        old = self.site
        standby = old if old is not None and info is not None and info.st_ino == old.inode else None
        if self._store(record, standby, token):
            remove_file(self.dirty)

    def record_site(self, record: TreeRecord, token: str = "") -> None:
        """Record a site written whole (the output folder was missing) under ``token`` (see
        :meth:`swap_in`): the standby, untouched, stays what it was, to be brought up to date by
        the next build."""
        self._store(record, self._stored()[1], token)

    def _stored(self) -> tuple[TreeRecord | None, TreeRecord | None]:
        """What the site and the standby hold, as last recorded; nothing while the mark says a
        build was changing the standby. Kept in a store (:mod:`...store`) by bucket of paths: the
        site's entries in rows ``site:<bucket>``, the standby's as what differs from them in rows
        ``diff:<bucket>`` (a path the standby lacks: None). After an edit the two trees differ by
        the edit, so what is read, held and written does not double with the site's size."""
        self.rows, self.read, self.token = {}, False, ""
        if os.path.lexists(self.dirty):
            return None, None
        store = Store.open(self.state, read_only=self.read_only)
        if store is None:
            return None, None
        with store, collector_paused():
            meta = dict(store.rows("meta"))
            if meta.get("format") != str(STATE_FORMAT).encode():
                return None, None
            self.token = meta.get("token", b"").decode()
            for row, data in store.rows("trees"):
                kind, _, part = row.partition(":")
                self.rows.setdefault(kind, {})[part] = _entries(data, kind == "diff")
            if store.failed:
                self.rows = {}
                return None, None
            self.read = True
        site_inode, standby_inode = (meta.get(name, b"").decode() for name in ("site", "standby"))
        rows = {kind: self.rows.get(kind, {}) for kind in ("site", "diff")}
        if not site_inode.isdigit() or any(entries is None for parts in rows.values() for entries in parts.values()):
            return None, None
        files: dict[str, Entry] = {}
        for entries in rows["site"].values():
            files.update(entries)  # type: ignore[arg-type]
        site = TreeRecord(int(site_inode), files, _listed(meta.get("site_listed")))
        if not standby_inode.isdigit():
            return site, None
        held = dict(files)
        for entries in rows["diff"].values():
            for path, entry in entries.items():  # type: ignore[union-attr]
                if entry is None:
                    held.pop(path, None)
                else:
                    held[path] = entry
        return site, TreeRecord(int(standby_inode), held, _listed(meta.get("standby_listed")))

    def _store(self, site: TreeRecord, standby: TreeRecord | None, token: str = "") -> bool:
        """Write the rows of the two trees' records that differ from the store's."""
        parts = self._parts(site)
        kept = {f"site:{part}" for part in parts}
        rows = {f"site:{part}": _dumped(entries) for part, entries in parts.items() if entries is not None}
        if standby is not None:
            diff = _diff(site.files, standby.files)
            read = self.rows.get("diff", {}) if self.read else {}
            for part, entries in by_bucket(diff.items()).items():
                kept.add(f"diff:{part}")
                if read.get(part) != entries:
                    rows[f"diff:{part}"] = _dumped(entries)
        present = {f"{kind}:{part}" for kind, parts in self.rows.items() for part in parts}
        meta = {"format": str(STATE_FORMAT).encode(), "site": str(site.inode).encode()}
        meta["standby"] = b"" if standby is None else str(standby.inode).encode()
        meta["site_listed"] = repr(site.listed).encode()
        meta["standby_listed"] = repr(None if standby is None else standby.listed).encode()
        meta["token"] = token.encode()
        store = Store.open(self.state)
        if store is None:
            return False
        with store:
            saved = store.save({"meta": Changes(meta), "trees": Changes(rows, present - kept, clear=not self.read)})
        remove_file(self.folder / "state.pickle")  # the record as versions before the store kept it
        return saved

    def _parts(self, record: TreeRecord) -> dict[str, dict[str, tuple] | None]:
        """The site's rows, by bucket: the entries of each row to write, None for a row the store
        holds as it is. Found by change where the store's rows were read (an entry not changed is
        the very object read): the buckets of the paths that changed."""
        stored = self.rows.get("site") if self.read else None
        if not stored or any(entries is None for entries in stored.values()):
            return by_bucket((path, tuple(entry)) for path, entry in record.files.items())
        files = record.files
        where, touched = _touched(stored, files)  # type: ignore[arg-type]
        parts: dict[str, dict[str, tuple] | None] = {part: None for part in stored if part not in touched}
        parts.update((part, {}) for part in touched)
        for path in [path for path in files if where.get(path) in touched or path not in where]:
            parts[where.get(path) or bucket(path)][path] = tuple(files[path])  # type: ignore[index]
        return {part: entries for part, entries in parts.items() if entries is None or entries}

    def close(self) -> None:
        """The lock let go (once), and a survey still under way stopped."""
        if self._ahead is not None:
            self._ahead.cancel()
            self._ahead = None
        if self.handle >= 0:
            with contextlib.suppress(OSError):
                os.close(self.handle)
            self.handle = -1
