"""The search index: Pagefind over the published article pages, built with the site, queried in the browser.

Pagefind (``pagefind-bin`` from PyPI, its binary in the wheel; no network) reads the pages marked
``data-pagefind-body`` (article pages only: list pages, drafts, held-back editions and the desk
are never in the site or never marked) and writes a chunked index per ``<html lang>`` into
``pagefind/``, so a reader's browser fetches only the pieces a query needs.

Indexing costs time in proportion to the site, so a copy of the index is kept in ``.cache/search/``
under a digest of every indexed page's bytes: a build whose article pages are byte for byte the
last one's copies the kept index instead of running Pagefind again. Copies, not links, both ways:
nothing done to ``site/`` can change what the next build publishes. The key can be computed by
anyone who has the pages, so it proves nothing: each kept index carries a sealed list of its files
and their digests (:mod:`microsite.cache`), and is copied only if every file is a regular file
with the bytes listed there, and nothing else is in the folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

from ..cache import read_sealed, write_sealed
from ..errors import ContentError
from ..files import clean_leftovers, problem_of, remove_tree

FOLDER = "pagefind"
MARK = b"data-pagefind-body"
# Pagefind's ready-made interfaces: the search page has its own (templates/search.html, static/search.js).
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")  # fmt: skip
KEPT = 2  # indexes kept in .cache/search/: this build's and the one before (another output's)
# Word positions per index chunk (Pagefind's own default makes chunks of 250-500 KB, and a query
# downloads every chunk its words fall in). Measured with bench/search_speed.py; see docs/speed.md.
# Pagefind names the setting unstable: tests/publish/test_search.py checks that it still applies.
CHUNK_SIZE = 500
SEAL = ".sealed"  # in a kept index: its files and their digests, sealed


def pagefind_binary() -> Path | None:
    """The Pagefind executable shipped in the ``pagefind_bin`` wheel, or None when it is not installed."""
    spec = importlib.util.find_spec("pagefind_bin")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).parent / "pagefind"
    return binary if binary.is_file() else None


def index_site(site: Path, cache: Path, later: bool = False, pages: dict[str, str] | None = None) -> bool | Owed:
    """Write ``site/pagefind/`` for the pages under ``site``; True if Pagefind ran, False if the
    kept index fit (or there is nothing to index).

    ``pages``: the pages to index (those marked ``data-pagefind-body``) with the digest of each
    (:func:`page_digest`), when the build knows them (:mod:`.tree`); else every page is read.

    With ``later`` (the live preview), an index that would need Pagefind is owed instead: the
    most recent kept index stands in, and the returned :class:`Owed` makes the right one when
    called, off the build's path; the next build then finds it kept. With no kept index to stand
    in, Pagefind runs now.

    Raises ContentError when Pagefind is missing or fails: a site whose search page cannot search
    is not published.
    """
    return place_index(site, cache, later, pages)[0]


def place_index(
    site: Path,
    cache: Path,
    later: bool = False,
    pages: dict[str, str] | None = None,
    present: dict[str, str] | None = None,
) -> tuple[bool | Owed, dict[str, str]]:
    """:func:`index_site`, also returning the files of ``site/pagefind/`` and their digests.

    ``present``: the files ``site/pagefind/`` already holds, intact, with their digests (the
    build's record of its standby copy of the site): only the others are written, and those the
    index no longer has are removed. Pagefind writes into ``.cache/search/`` and the index is
    copied from there, so the site gets only the files that changed.
    """
    binary = pagefind_binary()
    if binary is None:
        raise ContentError(
            site, "the search index needs Pagefind: python -m pip install -r requirements.txt (pagefind-bin)"
        )
    digests = _digest(site) if pages is None else pages
    key = _key(digests, binary)
    target = site / FOLDER
    present = dict(present or {})
    if not digests:  # no published article: Pagefind would index every page instead, so no index
        remove_tree(target)
        return False, {}
    placed = _copy_kept(cache / key, target, present=present)
    if placed is not None:
        return False, placed
    if not os.path.isdir(target):
        present = {}  # (a failed copy removes the folder)
    clean_leftovers(cache)
    if later:
        stand_in = _latest(cache)
        placed = _copy_kept(stand_in, target, touch=False, present=present) if stand_in is not None else None
        if placed is not None:
            return Owed(binary, site, digests, cache, key), placed
    snapshot = _temporary(cache, key)
    pages_folder = snapshot if _snapshot(site, digests, snapshot) else site  # (Pagefind reads the site itself)
    try:
        if _index_into_cache(binary, pages_folder, cache, key):
            placed = _copy_kept(cache / key, target, present=present if os.path.isdir(target) else {})
        if placed is None:  # the cache could not keep it: Pagefind writes into the site itself
            remove_tree(target)
            _run(binary, pages_folder, target)
            placed = _digests(target)
    finally:
        remove_tree(snapshot)
    return True, placed


def _index_into_cache(binary: Path, pages: Path, cache: Path, key: str) -> bool:
    """Pagefind over ``pages``, its index kept (sealed) as ``cache/key``; False if the cache cannot
    hold it (or Pagefind failed there: it then runs again into the site, and says why if it fails)."""
    if os.path.islink(cache):
        return False  # never written through a link
    made = _temporary(cache, key)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        _run(binary, pages, made)
        _seal_index(made)
        remove_tree(cache / key)
        os.replace(made, cache / key)
        _prune(cache)
        return True
    except (OSError, ContentError):
        return False
    finally:
        remove_tree(made)


class Owed:
    """An index the live preview still owes: Pagefind over a snapshot of the pages it is for.

    The snapshot is taken when it is made, off the build's path, from the folder the pages are
    published in (``site``, which the build sets once the new site is swapped in): each page is
    copied only if its bytes are those the index is owed for, so a site that changed meanwhile
    (a newer build, which owes its own index) makes nothing.
    """

    def __init__(self, binary: Path, site: Path, pages: dict[str, str], cache: Path, key: str) -> None:
        self.binary, self.site, self.pages, self.cache, self.key = binary, site, pages, cache, key
        self.process: subprocess.Popen | None = None
        self.cancelled = False

    def __call__(self) -> bool:
        """Make the index and keep it in the cache; True if it was made. Best effort: on any
        failure the next build indexes as usual (and reports the failure)."""
        made = _temporary(self.cache, self.key)
        snapshot = _temporary(self.cache, self.key)
        try:
            if self.cancelled or not _snapshot(self.site, self.pages, snapshot):
                return False
            _run(self.binary, snapshot, made, background=True, started=self._started)
            _seal_index(made)
            remove_tree(self.cache / self.key)
            os.replace(made, self.cache / self.key)
            _prune(self.cache)
            return True
        except (OSError, ValueError, ContentError):
            return False
        finally:
            remove_tree(made)
            remove_tree(snapshot)

    def drop(self) -> None:
        """Not needed any more (a newer one replaces it): nothing is held until it is made."""

    def cancel(self) -> None:
        """Stop Pagefind if it is running, or as soon as it starts (the preview is stopping)."""
        self.cancelled = True
        if self.process is not None and self.process.poll() is None:
            self.process.kill()

    def _started(self, process: subprocess.Popen) -> None:
        self.process = process
        if self.cancelled:
            process.kill()


def _run(
    binary: Path,
    pages: Path,
    output: Path,
    background: bool = False,
    started: Callable[[subprocess.Popen], None] | None = None,
) -> None:
    """Pagefind over the folder ``pages``, its index written to ``output``; in the ``background``
    at a lower priority (``nice``), so the preview's own rebuilds keep the processor first.
    ``started`` is given the running process (the preview stops it when it stops)."""
    command = [str(binary), "--site", str(pages), "--output-path", str(output), "--quiet"]
    nice = shutil.which("nice") if background else None
    if nice:
        command = [nice, "-n", "10", *command]
    command = [*_dies_with_parent(), *command]  # a killed build leaves no Pagefind running
    environment = {**os.environ, "NO_COLOR": "1", "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": str(CHUNK_SIZE)}
    try:
        pipe = subprocess.PIPE
        with subprocess.Popen(command, stdout=pipe, stderr=pipe, text=True, env=environment) as process:
            if started is not None:
                started(process)
            try:
                stdout, stderr = process.communicate(timeout=3600)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ContentError(output, f"Pagefind could not build the search index: {exc}") from None
    if process.returncode != 0:
        details = (stderr or stdout).strip().splitlines()
        raise ContentError(
            output, f"Pagefind could not build the search index: {details[-1] if details else process.returncode}"
        )
    try:
        for name in UNUSED:
            (output / name).unlink(missing_ok=True)
        _canonical_entry(output / "pagefind-entry.json")
    except OSError as exc:
        raise ContentError(output, problem_of(exc, "write")) from None


@cache
def _dies_with_parent() -> list[str]:
    """The prefix that has a command killed when this process dies: util-linux's ``setpriv
    --pdeathsig`` (Linux's parent-death signal, kept across exec), where it works; else nothing."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return []
    prefix = [setpriv, "--pdeathsig", "KILL"]
    try:
        works = subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        works = False
    return prefix if works else []


def _snapshot(site: Path, pages: dict[str, str], folder: Path) -> bool:
    """Copies of the indexed pages alone under their own paths in ``folder``, so Pagefind reads a
    fixed set of files however the site changes meanwhile (and walks 2,000 pages, not the 14,000
    files of a 1,000-article site); each page must have the digest ``pages`` gives it. Copies, not
    hard links: a link changes the page's change time, which the build's record of the site
    (:mod:`.tree`) checks. False if a page differs or ``.cache`` cannot hold the copies."""
    try:
        remove_tree(folder)
        made = set()
        for page, digest in pages.items():
            target = folder / page
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            handle = os.open(site / page, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(handle, "rb") as file:
                data = file.read()
            if page_digest(data) != digest:
                raise ValueError(page)
            with open(target, "xb") as out:
                out.write(data)
    except (OSError, ValueError):
        remove_tree(folder)
        return False
    return True


def _copy_kept(
    kept: Path, target: Path, touch: bool = True, present: dict[str, str] | None = None
) -> dict[str, str] | None:
    """Copy a kept index into the site, each file checked against its seal; its files and digests,
    or None if there is none, it is not this user's build's, or it could not be copied (the
    site's copy is then removed). Files ``present`` in the site with the same digest stay; those
    the index does not have are removed."""
    listed = _sealed_list(kept)
    if listed is None:
        return None
    present = present or {}
    try:
        found = _files_of(kept)
        if found is None or set(found) != set(listed):
            return None
        for relative in sorted(found):
            if present.get(relative) == listed[relative]:
                continue  # the site has it already
            handle = os.open(kept / relative, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(handle, "rb") as file:
                data = file.read()
            if hashlib.blake2b(data, digest_size=16).hexdigest() != listed[relative]:
                raise ValueError(relative)
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            if relative in present:
                os.unlink(destination)
            with open(destination, "xb") as out:
                out.write(data)
        for relative in present:
            if relative not in listed:
                os.unlink(target / relative)
        if touch:
            os.utime(kept / SEAL, follow_symlinks=False)  # most recently used
        return listed
    except (OSError, ValueError):
        remove_tree(target)  # a damaged or foreign copy: index again
        return None


def _files_of(folder: Path) -> list[str] | None:
    """The regular files under ``folder`` (relative, POSIX), never through a link; None if anything
    else (a link, a pipe) is there."""
    found, stack = [], [""]
    while stack:
        relative = stack.pop()
        with os.scandir(folder / relative) as entries:
            for entry in entries:
                name = f"{relative}{entry.name}"
                if entry.is_symlink():
                    return None
                if entry.is_dir(follow_symlinks=False):
                    stack.append(name + "/")
                elif entry.is_file(follow_symlinks=False):
                    if name != SEAL:
                        found.append(name)
                else:
                    return None
    return found


def _sealed_list(kept: Path) -> dict[str, str] | None:
    data = read_sealed(kept / SEAL)
    try:
        listed = json.loads(data) if data is not None else None
    except ValueError:
        return None
    return listed if isinstance(listed, dict) else None


def _seal_index(folder: Path) -> None:
    """List the index's files and digests in its sealed list (OSError if it cannot be written)."""
    if not write_sealed(folder / SEAL, json.dumps(_digests(folder), sort_keys=True).encode()):
        raise OSError(f"{folder / SEAL} cannot be sealed")


def _digests(folder: Path) -> dict[str, str]:
    """The index's files (relative, POSIX) and their digests (OSError if anything but files is there)."""
    found = _files_of(folder)
    if found is None:
        raise OSError(f"{folder} holds something other than files")
    return {
        relative: hashlib.blake2b((folder / relative).read_bytes(), digest_size=16).hexdigest() for relative in found
    }


def _latest(cache: Path) -> Path | None:
    """The most recently used kept index (it is checked when copied)."""
    kept = _kept(cache)
    return kept[0] if kept else None


def _kept(cache: Path) -> list[Path]:
    """The kept indexes, most recently used first; links and files there are not indexes (nor followed)."""
    found = []
    try:
        with os.scandir(cache) as entries:
            for entry in entries:
                if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                    found.append((_used(Path(entry.path)), Path(entry.path)))
    except OSError:
        return []
    return [path for _, path in sorted(found, key=lambda item: (-item[0], item[1].name))]


def _used(index: Path) -> float:
    try:
        return os.lstat(index / SEAL).st_mtime
    except OSError:
        return 0.0


def _canonical_entry(path: Path) -> None:
    """Pagefind writes its entry file's languages in any order: sorted, the same site gives the same bytes."""
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _digest(site: Path) -> dict[str, str]:
    """The pages to be indexed (relative to ``site``) and their digests: every page marked for it."""
    pages = {}
    for root, folders, files in os.walk(site):
        folders.sort()
        for name in sorted(files):
            if name.endswith(".html"):
                path = os.path.join(root, name)
                with open(path, "rb") as file:
                    data = file.read()
                if MARK in data:
                    pages[os.path.relpath(path, site)] = page_digest(data)
    return pages


def page_digest(data: bytes) -> str:
    """A page's digest, as the index's key takes it."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def index_key(pages: dict[str, str]) -> str | None:
    """The key :func:`index_site` keeps the index of these ``pages`` under (None without Pagefind)."""
    binary = pagefind_binary()
    return None if binary is None else _key(pages, binary)


def _key(pages: dict[str, str], binary: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{binary.stat().st_size} {CHUNK_SIZE}".encode())
    for relative in sorted(pages):
        digest.update(f"{relative}\0{pages[relative]}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _temporary(cache: Path, key: str) -> Path:
    """A folder of this process's own (the preview may make two for one key at once); the next
    build removes it if the process is killed (:func:`..files.clean_leftovers`)."""
    return cache / f".{key}-{secrets.token_hex(4)}.building-{os.getpid()}"


def _prune(cache: Path) -> None:
    """Remove all but the :data:`KEPT` most recently used indexes, and anything else that is there."""
    keep = set(_kept(cache)[:KEPT])
    with os.scandir(cache) as entries:
        for entry in list(entries):
            if not entry.name.startswith(".") and Path(entry.path) not in keep:
                remove_tree(Path(entry.path))  # (a link is removed itself, never what it leads to)
