"""Cache files that only this computer's builds can have written: HMAC-sealed with a key kept outside the project.

The build caches compiled templates, parsed articles and rendered pages in ``.cache/`` as Python
pickles and marshalled code, which run code when loaded. A ``.cache/`` folder that arrives with
the project (committed by mistake or on purpose, in a pull request a CI workflow then builds)
must never be loaded. Each cache file therefore starts with an HMAC of its content under a
secret key kept in the user's own cache folder (``$XDG_CACHE_HOME/microsite/cache.key``, else
``~/.cache/microsite/cache.key``, mode 0600), never in the project. A file without a valid
seal is ignored (the build reads or renders again); without a key (no writable home folder) the
caches are simply not used.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import stat
from functools import cache
from pathlib import Path

from ..files import write_cache

KEY_BYTES = 32
SEAL_BYTES = hashlib.sha256().digest_size


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


def seal(data: bytes) -> bytes | None:
    """``data`` with its seal in front; None when there is no key (do not cache)."""
    key = secret()
    if key is None:
        return None
    return hmac.new(key, data, hashlib.sha256).digest() + data


def unseal(blob: bytes) -> bytes | None:
    """The data of a sealed blob, or None when the seal is missing or wrong (never load it)."""
    key = secret()
    if key is None or len(blob) < SEAL_BYTES:
        return None
    mark, data = blob[:SEAL_BYTES], blob[SEAL_BYTES:]
    if not hmac.compare_digest(mark, hmac.new(key, data, hashlib.sha256).digest()):
        return None
    return data


def load_pickle(path: Path) -> object | None:
    """A cache file's object if this user's builds sealed it, else None (read or render again)."""
    try:
        with open(path, "rb") as file:
            data = unseal(file.read())
        return None if data is None else pickle.loads(data)
    except Exception:  # a missing, old or damaged cache file: only costs speed
        return None


def store_pickle(path: Path, value: object) -> None:
    """Best effort, atomic: a cache file that cannot be written (or sealed: no key) only costs speed."""
    data = seal(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    if data is not None:
        write_cache(path, data)
