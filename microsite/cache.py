"""The build's cache (``.cache/``): reused only where this user's own builds provably made it.

A ``.cache/`` folder can arrive with the project (committed by mistake, or in a pull request that
a CI workflow then builds), so nothing in it is trusted for what it is named:

- **Sealed files.** Pickles, compiled templates, manifests and indexes of what is kept start with
  an HMAC of their content under a secret key kept outside the project
  (``$XDG_CACHE_HOME/microsite/cache.key``, else ``~/.cache/microsite/cache.key``, mode 0600).
  A file without a valid seal is ignored: the build reads or renders again.
- **Stamped files.** Files whose bytes are published (rendered pages, photos and their resized
  copies) are reused only when a sealed record of this user's build holds their stamp: inode,
  size, modification and change time, read with ``lstat``. Writing to a file, truncating it,
  replacing it or putting a link in its place changes its stamp; a change time cannot be set back
  by a user. Nothing of the cache is ever hard-linked into ``site/``, so no tool working on the
  published site can change what the cache holds.
- **The folder itself** (:func:`open_cache`) must be a real folder of this user's, never a link;
  its sealed owner mark says this user's builds made it. A folder without the mark is emptied
  (entries are removed, never followed), and the build says so once. A ``.cache`` that is a file,
  a link, someone else's or unwritable is not used at all: the build runs on a private temporary
  folder, one warning, the same site.
- **Versions.** :func:`code_version` covers the project's code, Python, and every library that
  shapes the output, so an upgrade of one (a sanitiser's security fix) is never hidden by a cache.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import stat
import sys
from functools import cache
from pathlib import Path
from typing import NamedTuple

from .errors import Problem
from .files import remove_file, remove_tree, write_cache

KEY_BYTES = 32
SEAL_BYTES = hashlib.sha256().digest_size
CODE = Path(__file__).resolve().parent  # the microsite package
OWNER = "owner"  # the sealed mark in .cache/ saying this user's builds made the folder
OWNER_TEXT = b"microsite cache folder"
FOLDERS = ("articles", "pages", "templates", "images", "search", "lists", "output")  # the build's own, in .cache/
# The distributions whose code shapes what a build writes (PyPI names, normalised).
LIBRARIES = frozenset(
    {
        "jinja2",
        "markupsafe",
        "markdown",
        "nh3",
        "pillow",
        "babel",
        "pyyaml",
        "polib",
        "python_slugify",
        "text_unidecode",
        "snowballstemmer",
        "pystemmer",
        "beautifulsoup4",
        "soupsieve",
    }
)

Stamp = tuple[int, int, int, int]  # size, modification time, change time, inode


# --- seals ---------------------------------------------------------------------------------------


def key_path() -> Path:
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(home) / "microsite" / "cache.key"


@cache
def secret() -> bytes | None:
    """This user's cache key, made on first use; None if it cannot be read or made safely."""
    path = key_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            pass
        else:
            import secrets  # (here: made once per user, never needed by a build with nothing to do)

            with os.fdopen(handle, "wb") as file:
                file.write(secrets.token_bytes(KEY_BYTES))
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(handle, "rb") as file:
            info = os.fstat(file.fileno())
            key = file.read(KEY_BYTES + 1)
    except OSError:
        return None
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or not mine or len(key) != KEY_BYTES:
        return None  # shared, someone else's or damaged: not a key to trust
    return key


def _mac(key: bytes, data: bytes, context: bytes) -> bytes:
    """The seal of ``data``; with a ``context`` (where the data is kept: a table and a row's key),
    that too, so data sealed for one place is not valid in another."""
    if context:  # (one call in C: the same seal as the context, then the data, given to one HMAC)
        data = len(context).to_bytes(4, "big") + context + data
    return hmac.digest(key, data, "sha256")


def seal(data: bytes, context: bytes = b"") -> bytes | None:
    """``data`` with its seal in front; None when there is no key (do not cache)."""
    key = secret()
    if key is None:
        return None
    return _mac(key, data, context) + data


def unseal(blob: bytes, context: bytes = b"") -> bytes | None:
    """The data of a sealed blob, or None when the seal is missing or wrong (never load it)."""
    key = secret()
    if key is None or len(blob) < SEAL_BYTES:
        return None
    mark, data = blob[:SEAL_BYTES], blob[SEAL_BYTES:]
    if not hmac.compare_digest(mark, _mac(key, data, context)):
        return None
    return data


def read_sealed(path: Path) -> bytes | None:
    """A sealed file's data, or None: missing, not a regular file (never through a link), or not sealed by us."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            return None
        try:
            return unseal(file.read())
        except OSError:
            return None


def write_sealed(path: Path, data: bytes) -> bool:
    """Best effort, atomic: False when it cannot be written or sealed (no key): only costs speed."""
    sealed = seal(data)
    return sealed is not None and write_cache(path, sealed)


def load_pickle(path: Path) -> object | None:
    """A cache file's object if this user's builds sealed it, else None (read or render again)."""
    data = read_sealed(path)
    try:
        return None if data is None else pickle.loads(data)
    except Exception:  # an old or damaged cache file: only costs speed
        return None


def store_pickle(path: Path, value: object) -> bool:
    """Best effort, atomic: a cache file that cannot be written (or sealed: no key) only costs speed;
    False then."""
    return write_sealed(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


# --- stamps --------------------------------------------------------------------------------------


def _window(value: str | None, default: float = 2.0) -> float:
    try:
        seconds = float(value or default)
    except ValueError:
        return default
    return seconds if 0 <= seconds < 3600 else default


# A file changed this close to the moment its stat was read may change again within the same
# timestamp tick, and its stat would not show it: such a stat cannot stand for the file's content.
# The one rule for every stat snapshot (the build's manifest, translate's settled articles, the
# desk's overview): a file changed within TOO_RECENT seconds of the snapshot is not judged by its
# stat. MICROSITE_TOO_RECENT (seconds) shortens it where a file system's timestamps are known to be
# fine-grained; the tests set it so they need not wait two seconds.
TOO_RECENT = _window(os.environ.get("MICROSITE_TOO_RECENT"))


def too_recent(mtime_ns: int, ctime_ns: int, taken: float) -> bool:
    """Whether a file with these times was changed too close to ``taken`` (seconds) to be judged by its stat."""
    return max(mtime_ns, ctime_ns) / 1e9 > taken - TOO_RECENT


class StaleCache(Exception):
    """A kept file of ``.cache/`` a build was about to use is not as that build planned it (changed,
    replaced or gone since its stamp was taken, or a planned text is not at hand): the build is
    made again, checking every kept file before use (the file's path is the message)."""


def stamp_of(path: str | Path) -> Stamp | None:
    """A regular file's stamp, never through a link; None for anything else or nothing."""
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return stamp_from(info)


def stamp_from(info: os.stat_result) -> Stamp:
    """The stamp of a stat already taken."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


class Ledger:
    """The stamps of the files this user's builds made in one cache folder (files named by content).

    Kept sealed in the folder (``ledger.pickle``). A file is :meth:`trusted` only with the stamp
    entered for it; anything else under its name is remade, never reused. A lost ledger, or an
    entry lost to two builds saving at once, only costs the time to make the files again.
    """

    NAME = "ledger.pickle"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.where = os.fspath(folder)  # (paths are compared as strings: a build checks thousands)
        stored = load_pickle(folder / self.NAME)
        self.known: dict[str, Stamp] = stored if isinstance(stored, dict) else {}
        self.changed = False

    def _name(self, path: str | Path) -> str | None:
        """The name of ``path`` in this folder; None for a path elsewhere."""
        where, name = os.path.split(os.fspath(path))
        return name if where == self.where else None

    def trusted(self, path: str | Path) -> Stamp | None:
        """``path``'s stamp if it is the one entered for it (the file is as this user's build made it)."""
        name = self._name(path)
        known = None if name is None else self.known.get(name)
        if known is None:
            return None
        stamp = stamp_of(path)
        return stamp if stamp == known else None

    def add(self, path: str | Path) -> Stamp | None:
        """Enter the file just made at ``path`` (in this folder), as it is now; its stamp."""
        stamp = stamp_of(path)
        name = self._name(path)
        if stamp is not None and name is not None:
            self.known[name] = stamp
            self.changed = True
            return stamp
        return None

    def save(self) -> None:
        if self.changed:
            store_pickle(self.folder / self.NAME, self.known)
            self.changed = False


# --- the folder ----------------------------------------------------------------------------------


class CacheFolder(NamedTuple):
    """The folder a run keeps its cache in, and the one warning to give about ``.cache`` if any.

    ``temporary``: ``.cache`` could not be used; this run's private folder is removed by :meth:`close`.
    """

    path: Path
    warning: Problem | None = None
    temporary: bool = False

    def close(self) -> None:
        if self.temporary:
            remove_tree(self.path)


def open_cache(folder: Path) -> CacheFolder:
    """``folder`` (the project's ``.cache``) if it can be trusted, made on first use; else a private one.

    A folder this user's builds did not mark as theirs is emptied first (see the module docstring).
    """
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        return _private(folder, f"it cannot be read ({exc.strerror})")
    if secret() is None:
        return _private(folder, f"no private cache key can be kept in {key_path().parent} (make it writable)")
    if info is None:
        try:
            os.mkdir(folder, 0o755)
        except FileExistsError:
            return open_cache(folder)  # another build made it meanwhile
        except OSError as exc:
            return _private(folder, f"it cannot be made ({exc.strerror})")
        _mark(folder)
        return CacheFolder(folder)
    why = _unusable(info, folder)
    if why:
        return _private(folder, why)
    if read_sealed(folder / OWNER) == OWNER_TEXT:
        links = _remove_links(folder) + _remove_links(folder / "lists") + _remove_links(folder / "search")
        for name in FOLDERS:  # a file where the build keeps a folder of its own: in the way, removed
            if os.path.lexists(folder / name) and not os.path.isdir(folder / name):
                remove_file(folder / name)
        if not links:
            return CacheFolder(folder)
        return CacheFolder(
            folder,
            Problem(
                folder,
                f"held symbolic links this user's builds never make ({', '.join(links)}): removed (the links "
                "only, never what they lead to); a cache is never read, written or pruned through a link",
            ),
        )
    emptied = False if _made_by_an_earlier_version(folder) else _empty(folder)
    if not _mark(folder):
        return _private(folder, "it cannot be written")
    if not emptied:
        return CacheFolder(folder)  # a new folder, or one left empty: nothing was ignored
    return CacheFolder(
        folder,
        Problem(
            folder,
            "this cache was not made by this user's builds (committed, copied or from another account?): "
            "nothing in it was used, and it was emptied; the build ran without it (slower, the same site)",
        ),
    )


def own_cache(folder: Path) -> Path | None:
    """``folder`` for a command other than the build (translate, the desk) to keep a cache file in,
    or None when it cannot be trusted (the command then keeps none; the build says why)."""
    cache = open_cache(folder)
    if cache.temporary:
        cache.close()
        return None
    return cache.path


def _unusable(info: os.stat_result, folder: Path) -> str | None:
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link (the cache must be the project's own folder: remove the link)"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder (remove the file)"
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return "it belongs to another user (remove it, or build as its owner)"
    if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
        return "it cannot be read and written (make it writable: chmod u+rwx .cache)"
    return None


def _private(folder: Path, why: str) -> CacheFolder:
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="microsite-cache-"))
    message = f"not used: {why}; built without it (slower, the same site)"
    return CacheFolder(path, Problem(folder, message), temporary=True)


def _mark(folder: Path) -> bool:
    return write_sealed(folder / OWNER, OWNER_TEXT)


def _made_by_an_earlier_version(folder: Path) -> bool:
    """Whether a cache without the owner mark was made by this user's builds all the same: one of
    its records bears this user's seal (versions before the mark). Nothing in it is trusted for
    that: every file is still checked where it is used; it is only not emptied with a warning."""
    try:
        records = [entry.path for entry in os.scandir(folder) if entry.name.startswith("state-")]
    except OSError:
        return False
    return any(read_sealed(Path(record)) is not None for record in records)


def _remove_links(folder: Path) -> list[str]:
    """Unlink the symbolic links among ``folder``'s entries (the cache's own folders are never links)."""
    removed = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_symlink():
                    remove_file(entry.path)
                    removed.append(entry.name)
    except OSError:
        pass
    return removed


def _empty(folder: Path) -> bool:
    """Remove everything in ``folder`` (links themselves, never what they lead to); whether there was any."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    for entry in entries:
        remove_tree(Path(entry.path))  # (a file or a link is removed itself)
    return bool(entries)


# --- versions ------------------------------------------------------------------------------------


@cache
def code_version() -> str:
    """What built the output: the project's modules (name, size, time), Python, and the libraries.

    A library is known by its installed ``*.dist-info`` folder (name, version, inode): installing
    another version, or the same one again, changes it.
    """
    digest = hashlib.sha256()
    digest.update(f"{sys.version}\n{sys.implementation.cache_tag}\n".encode())
    for folder, _, files in sorted(os.walk(CODE)):
        for name in sorted(files):
            if name.endswith(".py") or folder.endswith(("templates", "static")):
                info = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{info.st_size}:{info.st_mtime_ns}\n".encode())
    for line in sorted(_libraries()):
        digest.update(f"{line}\n".encode())
    return digest.hexdigest()[:24]


def _libraries() -> list[str]:
    """The installed distributions of :data:`LIBRARIES`, first on ``sys.path`` wins (as imports do)."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.scandir(entry or ".")
        except OSError:
            continue
        with names:
            for item in names:
                if not item.name.endswith((".dist-info", ".egg-info")):
                    continue
                project = item.name.rpartition(".")[0].partition("-")[0].lower().replace("-", "_").replace(".", "_")
                if project in LIBRARIES and project not in found:
                    try:
                        found[project] = f"{item.name}:{item.inode()}:{item.stat().st_mtime_ns}"
                    except OSError:
                        found[project] = item.name
    return list(found.values())
