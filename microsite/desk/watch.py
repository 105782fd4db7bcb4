"""Noticing saved sources for the preview: the system's file events where it allows them, a look
at the files every so often where it does not.

Each watched folder has a thread of its own. It first asks the system (watchfiles: inotify on
Linux) for events from the folder and everything in it: every save is seen within ~50 ms.

Linux allows a user a fixed number of watched folders (``fs.inotify.max_user_watches``; ~190,000
on a 24 GB machine, fewer on a laptop), and one is needed for every folder. An archive of 100,000
articles, each with its ``images/`` folder, needs more. So the thread counts the folders first;
when they are more than the limit, or the system refuses them all the same (other programs hold
watches), it watches the folder and its own subfolders (the articles) without what lies below
them, so an article's text is still seen at once, and looks at the rest itself (:class:`Looker`:
a new article's folder, the photos). When even the subfolders are too many or refused, or the
system refuses another watcher altogether (``fs.inotify.max_user_instances``, used up by editors
and browsers), the looker takes all of it. Either way the preview says so once, with what would
let it see every save at once.

:func:`watch_sources` answers how far it is (:class:`Ready`): every folder is watched once the
system has taken its watches, or looked at once the looker has made its first look. A save made
before then may go unseen (at 100,000 articles that is a few seconds after the start), so the
preview's first build waits for it: whatever changed before is in that build.

The looker walks its folders and compares each file's stamp with the last walk's, then waits
three times as long as the walk took (never less than :data:`POLL_MS`): at most a quarter of one
core, however large the archive, rather than one whole core (watchfiles' own polling, measured at
100,000 articles: a full core, and a save seen after ~5 s).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger(__name__)

POLL_MS = 300  # the shortest wait between two looks at the files (:class:`Looker`)
LOOK_SHARE = 3  # the looker waits this many times as long as its last look took
# where the limit is read: this user namespace's, else the system's
LIMITS = (Path("/proc/sys/user/max_inotify_watches"), Path("/proc/sys/fs/inotify/max_user_watches"))

Changed = Callable[[set[Path]], object]
Said = Callable[[], None]  # a watching thread's word that its places are watched (or looked at)


class Ready:
    """Whether every place :func:`watch_sources` was given is watched or looked at: each of its
    threads says so once (:meth:`expect` gives it the call to make)."""

    def __init__(self, then: Said | None = None) -> None:
        self.pending = 0
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.then = then  # (said too, once all have said so)

    def expect(self) -> Said:
        with self.lock:
            self.pending += 1
        said = []  # (once said, never again)

        def say() -> None:
            with self.lock:
                if said:
                    return
                said.append(True)
                self.pending -= 1
                if self.pending:
                    return
                self.done.set()
            if self.then is not None:
                self.then()

        return say

    def wait(self, seconds: float | None = None) -> bool:
        return self.done.wait(seconds)


def watch_sources(paths: list[Path], changed: Changed, stop: threading.Event) -> Ready:
    """Call ``changed`` with the files changed under ``paths`` (batched over 50 ms) until ``stop``;
    the answer says when every save is seen (:class:`Ready`).

    Folders are watched with everything in them; a single file (site.toml) through its folder, as
    editors save by writing a new file and renaming it over the old one, which ends a watch on the
    file itself. Editors' and our own temporary files (dot files, backups) are not sources.
    """
    ready = Ready()
    folders = [path for path in paths if path.is_dir()]
    files = {path for path in paths if path.is_file()}
    threads = [(_watch_folder, folder, ready.expect()) for folder in folders]  # (all expected before any starts)
    if files:
        threads.append((_watch_files, files, ready.expect()))
    if not threads:
        ready.done.set()
    for target, place, say in threads:
        start(target, place, changed, stop, say)
    return ready


def start(target: Callable, *args: object) -> None:
    threading.Thread(target=target, args=args, name="preview-watch", daemon=True).start()


def keeps(path: str) -> bool:
    """Whether a changed path is a source: not a dot file, nor what watchfiles ignores by default
    (backups, ``__pycache__``, ``.git``)."""
    return not os.path.basename(path).startswith(".") and _ignoring()(None, path)


@functools.cache
def _ignoring() -> Callable[[object, str], bool]:
    import watchfiles

    return watchfiles.DefaultFilter()


def _watch_folder(folder: Path, changed: Changed, stop: threading.Event, ready: Said) -> None:
    """One folder's thread: events for all of it; else events for it and its subfolders, the
    looker for what lies deeper; else the looker for all of it. A folder with more subfolders than
    the system allows is not asked for all of them first: that would take every watch the user
    has, for a moment, from the other folders and programs."""
    limit, needed = system_limit(), folders_in(folder)
    refusal = None
    if not limit or needed <= limit:
        refusal = events(changed, stop, [folder], recursive=True, ready=ready)
        if refusal is None:
            return
        if not watch_limit(refusal):
            said_refused(folder, refusal)
            Looker([folder]).run(changed, stop, ready)
            return
    apart = watched_apart(folder)
    looked = bool(limit) and len(apart) > limit
    said_limit(folder, needed, limit, len(apart) - 1, refusal, looked)
    if looked or _watch_apart(folder, apart, changed, stop, ready) is not None:
        Looker([folder]).run(changed, stop, ready)


def _watch_apart(
    folder: Path, apart: dict[str, int], changed: Changed, stop: threading.Event, ready: Said
) -> Exception | None:
    """Events for ``folder`` and its own subfolders (``apart``), the looker for what lies deeper,
    until ``stop`` (then None); the error if the system refuses even that (the looker is stopped).
    ``ready`` is said once both are in place."""
    both = Ready(then=ready)
    looked, watching = both.expect(), both.expect()
    looker = Looker([folder], skip=apart)
    start(looker.run, changed, stop, looked)
    for attempt in range(3):  # (a subfolder removed meanwhile is not a refusal: listed again)
        refusal = events(changed, stop, [Path(path) for path in apart], recursive=False, ready=watching)
        if watch_limit(refusal) and attempt < 2:  # the watches of a refused attempt at all of it
            stop.wait(0.5)  # are given back by the system a moment after: asked again, once or twice
            continue
        if not isinstance(refusal, FileNotFoundError):
            break
        apart = looker.skip = watched_apart(folder)
    if refusal is not None:
        looker.done.set()
        log.warning("the system refused to watch even the subfolders of %s (%s): looking at all of it", folder, refusal)
    return refusal


def _watch_files(files: set[Path], changed: Changed, stop: threading.Event, ready: Said) -> None:
    """Single files (site.toml), watched through their folders; else looked at."""
    keep = {str(path) for path in files}
    parents = sorted({path.parent for path in files})
    refusal = events(changed, stop, parents, recursive=False, only=keep, ready=ready)
    if refusal is not None:
        said_refused(parents[0], refusal)
        Looker([], files=files).run(changed, stop, ready)


def events(
    changed: Changed,
    stop: threading.Event,
    targets: list[Path],
    recursive: bool,
    only: set[str] | None = None,
    ready: Said | None = None,
) -> Exception | None:
    """Pass the system's file events for ``targets`` on until ``stop`` (then None); the error if
    the system refuses to watch them (nothing is passed on then). ``ready`` is said once the
    system has taken the watches: watchfiles' first answer, a batch or none within half a second."""
    import watchfiles

    def keep(change: watchfiles.Change, path: str) -> bool:
        return path in only if only is not None else keeps(path)

    try:
        for batch in watchfiles.watch(
            *targets,
            watch_filter=keep,
            step=50,
            stop_event=stop,
            rust_timeout=500,
            yield_on_timeout=True,
            recursive=recursive,
        ):
            if ready is not None:
                ready()
            if batch:
                changed({Path(path) for _, path in batch})
    except (RuntimeError, OSError) as exc:  # (watchfiles' own: ``changed`` raises no OSError to here)
        if stop.is_set():
            return None
        return exc
    return None


def watch_limit(refusal: Exception) -> bool:
    """Whether the system refused for its limit on watched folders (not on watchers)."""
    return "watch limit" in str(refusal) or getattr(refusal, "errno", None) == 28  # (ENOSPC, as inotify says it)


def watched_apart(folder: Path) -> dict[str, int]:
    """The folder and its own subfolders, each by its inode (a folder made again under the same
    name is another folder, not watched)."""
    apart = {str(folder): _inode(folder)}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and keeps(entry.path):
                    apart[entry.path] = entry.inode()
    except OSError:
        pass
    return apart


def _inode(path: Path) -> int:
    try:
        return path.stat().st_ino
    except OSError:
        return -1


def system_limit() -> int:
    """How many folders the system lets this user watch (0: unknown, or no such limit here)."""
    for place in LIMITS:
        try:
            return int(place.read_text().strip())
        except (OSError, ValueError):
            continue
    return 0


def folders_in(folder: Path) -> int:
    """How many folders watching all of ``folder`` takes (itself and every folder in it)."""
    count, pending = 0, [str(folder)]
    while pending:
        count += 1
        try:
            with os.scandir(pending.pop()) as entries:
                pending += [entry.path for entry in entries if entry.is_dir(follow_symlinks=False)]
        except OSError:
            continue
    return count


def said_limit(folder: Path, needed: int, limit: int, subfolders: int, refusal: Exception | None, looked: bool) -> None:
    """Say what the preview does instead of watching all of ``folder``, and how to let it."""
    allowed = f"{limit:,} watched folders" if limit else "a fixed number of watched folders"
    if refusal is None:
        why = f"the system allows {allowed} to a user (fs.inotify.max_user_watches) and {folder} has {needed:,}"
    else:
        why = f"other programs hold most of the {allowed} the system allows a user (fs.inotify.max_user_watches)"
        why = f"the system refused to watch the {needed:,} folders of {folder} ({refusal}): {why}"
    if looked:
        instead = f"even its own {subfolders:,} subfolders are more: all of it is looked at every few seconds"
    else:
        instead = (
            f"it and its {subfolders:,} subfolders are watched on their own, and what lies deeper (an article's "
            "photos, a new article's files) is looked at every few seconds"
        )
    enough = max(524288, 1 << (2 * max(needed, limit)).bit_length())
    log.warning(
        "%s; %s. To see every save at once, raise the limit: sudo sysctl fs.inotify.max_user_watches=%d "
        "(and put that setting into /etc/sysctl.d/60-inotify.conf to keep it)",
        why, instead, enough,
    )  # fmt: skip


def said_refused(folder: Path, refusal: Exception) -> None:
    log.warning(
        "the system refused to watch %s for changes (%s): most often its limit on watches "
        "(fs.inotify.max_user_instances) is reached by other programs; looking for changes "
        "every few seconds instead",
        folder, refusal,
    )  # fmt: skip


class Looker:
    """Finds the files changed under some folders (and some single files) by looking at them.

    ``skip``: folders (path → inode) whose own files the system's events already report; they are
    walked through for their subfolders only.
    """

    def __init__(self, folders: list[Path], skip: dict[str, int] | None = None, files: Iterable[Path] = ()) -> None:
        self.folders = [str(folder) for folder in folders]
        self.files = [str(path) for path in files]
        self.skip = skip or {}
        self.done = threading.Event()  # set: stop at the next look (another looker takes over)

    def look(self) -> dict[str, tuple]:
        """Every file's stamp (modification time, size, inode), by path: each folder listed once
        and each file stat'ed once (folders' inodes as their listing gives them, as
        :func:`watched_apart` takes them); which changes are sources is decided when they are
        reported, not for every file at every look."""
        seen: dict[str, tuple] = {}
        for path in self.files:
            _stamp(path, seen)
        ignored = set(_ignoring().ignore_dirs)
        pending = [(folder, _inode(Path(folder))) for folder in self.folders]
        while pending:
            folder, inode = pending.pop()
            try:
                with os.scandir(folder) as entries:
                    listed = list(entries)
            except OSError:  # (removed meanwhile: its files are gone from ``seen``, so they are reported)
                continue
            own = self.skip.get(folder) != inode  # (its files are not reported by events)
            for entry in listed:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in ignored:
                        pending.append((entry.path, entry.inode()))
                elif own:
                    _stamp(entry.path, seen)
        return seen

    def run(self, changed: Changed, stop: threading.Event, ready: Said | None = None) -> None:
        """Look until ``stop``, passing on what changed between two looks (``ready``: said after
        the first look, from which every change is seen)."""
        began = time.monotonic()
        last = self.look()
        if ready is not None:
            ready()
        pause = max(POLL_MS / 1000, LOOK_SHARE * (time.monotonic() - began))
        while not stop.wait(pause) and not self.done.is_set():
            began = time.monotonic()
            now = self.look()
            pause = max(POLL_MS / 1000, LOOK_SHARE * (time.monotonic() - began))
            differ = {path for path in now.keys() | last.keys() if now.get(path) != last.get(path)}
            differ = {Path(path) for path in differ if keeps(path)}
            last = now
            if differ:
                changed(differ)


def _stamp(path: str, seen: dict[str, tuple]) -> None:
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return
    seen[path] = (info.st_mtime_ns, info.st_size, info.st_ino)
