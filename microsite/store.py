"""A sealed store of rows in one SQLite file of ``.cache/``: read whole, written by change.

What a build keeps for thousands of articles (their records, the list pages it kept) used to be
one pickle, read and written whole by every build: at 100,000 articles, hundreds of megabytes
written again to change one article's record. Here they are spread over rows (a bucket of keys
each: :func:`.publish.records.by_bucket`), and a build writes only the rows that changed, in one
transaction: a build killed while saving leaves the rows as they were (SQLite's journal rolls the
rest back on the next open).

Rows are sealed like every cache file (:func:`.cache.seal`), with their table and key inside the
seal, so a row is valid only where this user's build put it: a row that is not sealed, or moved to
another key or table, is skipped (what it held is made again). The file itself is never opened
through a link. Everything here is best effort: a store that cannot be opened, read or written (a
full disk, a damaged file, another program holding its lock too long) costs speed, never a build.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sqlite3
import stat
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .cache import seal, secret, unseal
from .files import remove_file

TABLES = ("meta", "records", "pages", "lists", "trees")
KEYS_A_QUERY = 500  # keys asked in one query (SQLite allows 32,766 parameters; older builds 999)
BUSY_SECONDS = 30  # how long a build waits for another's transaction on the same store


@dataclass
class Changes:
    """What to do to one table: rows to write (key → data, or (key, data) pairs made as they are
    written: a large table's rows are never all in memory at once), keys to remove, or all rows
    removed first."""

    rows: Mapping[str, bytes] | Iterable[tuple[str, bytes]] = field(default_factory=dict)
    removed: Collection[str] = ()
    clear: bool = False


class Store:
    """One store file, open; :meth:`close` it (or use ``with``)."""

    def __init__(self, connection: sqlite3.Connection, tables: tuple[str, ...] = TABLES) -> None:
        self.connection, self.tables = connection, tables
        self.failed = False  # a read stopped by an error: what was read is not all the store holds

    @classmethod
    def open(cls, path: Path, read_only: bool = False, tables: tuple[str, ...] = TABLES) -> Store | None:
        """The store at ``path``, made if missing; None if it cannot be used. A damaged file (not a
        database, or not this code's tables) is removed and made again. ``read_only``: for a reader
        that does not hold the lock of what the store records (a forked check): nothing is made,
        removed or written, and None stands for anything but a store of this code's tables.
        ``tables``: the names of its tables (the build's by default), each of keys and sealed values."""
        if read_only:
            return cls._open_read_only(path, tables)
        for _ in range(2):
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                pass
            except OSError:
                return None
            else:
                if not stat.S_ISREG(info.st_mode):  # a link or anything else: never followed
                    remove_file(path)
                    if os.path.lexists(path):
                        return None
            try:
                return cls(_connect(path, tables=tables), tables)
            except sqlite3.OperationalError:  # locked by another build past the wait, unreadable: not used
                return None
            except sqlite3.DatabaseError:  # damaged or not a database: made again once
                _remove_store(path)
            except sqlite3.Error:
                return None
        return None

    @classmethod
    def _open_read_only(cls, path: Path, tables: tuple[str, ...]) -> Store | None:
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return None  # (a link or anything else: never followed)
            return cls(_connect(path, read_only=True, tables=tables), tables)
        except (OSError, ValueError, sqlite3.Error):
            return None

    def rows(self, table: str) -> Iterator[tuple[str, bytes | None]]:
        """Each row of ``table`` as (key, data), data None when its seal is not this user's for that
        key; read one at a time (the store may be large). Stops early, :attr:`failed` set, if the
        file cannot be read."""
        assert table in self.tables
        try:
            for key, value in self.connection.execute(f"SELECT key, value FROM {table}"):
                if isinstance(key, str) and isinstance(value, bytes):
                    yield key, unseal(value, _context(table, key))
        except sqlite3.Error:
            self.failed = True

    def rows_of(self, table: str, keys: Sequence[str]) -> Iterator[tuple[str, bytes | None]]:
        """The rows of ``table`` under these keys (those it has), as :meth:`rows` gives them: a few
        queries rather than one a key."""
        assert table in self.tables
        try:
            for start in range(0, len(keys), KEYS_A_QUERY):
                chunk = list(keys[start : start + KEYS_A_QUERY])
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, value FROM {table} WHERE key IN ({marks})"
                for key, value in self.connection.execute(query, chunk).fetchall():
                    if isinstance(key, str) and isinstance(value, bytes):
                        yield key, unseal(value, _context(table, key))
        except sqlite3.Error:
            self.failed = True

    def row(self, table: str, key: str) -> bytes | None:
        """One row's data, if the store holds it under this user's seal for that key; else None."""
        assert table in self.tables
        try:
            found = self.connection.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchall()
        except sqlite3.Error:
            return None
        if not found or not isinstance(found[0][0], bytes):
            return None
        return unseal(found[0][0], _context(table, key))

    def holds(self, table: str, key: str) -> bool | None:
        """Whether ``table`` has a row ``key`` (sealed or not: :meth:`row` tells only whether it is
        this user's); None when the store cannot be read."""
        assert table in self.tables
        try:
            return bool(self.connection.execute(f"SELECT 1 FROM {table} WHERE key = ?", (key,)).fetchall())
        except sqlite3.Error:
            return None

    def save(self, changes: dict[str, Changes]) -> bool:
        """All ``changes`` in one transaction, or none of them; False when they could not be made."""
        if secret() is None:
            return False  # no key to seal with: nothing is kept
        connection = self.connection
        own = not connection.in_transaction  # (else :meth:`locked`'s, committed when it ends)
        try:
            if own:
                connection.execute("BEGIN IMMEDIATE")
            for table, change in changes.items():
                assert table in self.tables
                if change.clear:
                    connection.execute(f"DELETE FROM {table}")
                else:
                    connection.executemany(f"DELETE FROM {table} WHERE key = ?", [(k,) for k in change.removed])
                insert = f"INSERT OR REPLACE INTO {table} (key, value) VALUES (?, ?)"
                connection.executemany(insert, _sealed(table, change.rows))
            if own:
                connection.execute("COMMIT")
        except (sqlite3.Error, _Unsealed):
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            return False
        return True

    @contextlib.contextmanager
    def locked(self) -> Iterator[bool]:
        """What is read and saved in the block made one transaction, other writers held off (for a
        read, a change and its save that no other program may interleave); yields False when the
        lock could not be had (another program held it past the wait): nothing may then be saved."""
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error:
            yield False
            return
        done = False
        try:
            yield True
            done = True
        finally:
            with contextlib.suppress(sqlite3.Error):  # (a failed save has rolled back already)
                if self.connection.in_transaction:
                    self.connection.execute("COMMIT" if done else "ROLLBACK")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class _Unsealed(Exception):
    """The key to seal with could not be read while rows were written."""


def _context(table: str, key: str) -> bytes:
    """What a row's seal names besides its data: its table and key (a row moved is not trusted)."""
    return table.encode() + b"\0" + key.encode("utf-8", "surrogateescape")


def _sealed(table: str, rows: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    for key, data in rows.items() if isinstance(rows, Mapping) else rows:
        value = seal(data, _context(table, key))
        if value is None:
            raise _Unsealed(key)
        yield key, value


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector held off while thousands of rows are unpickled: it would otherwise run
    its full passes over the growing heap again and again (twice the time of the unpickling). What
    was made is then counted with the oldest objects (a freeze and a thaw, two list splices): else
    the first allocation after would walk all of it as young objects (a tenth of an edit's time at
    1,000 articles), to find what the rows' objects never hold, cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


@contextlib.contextmanager
def collector_relaxed(young: int = 50_000) -> Iterator[None]:
    """The garbage collector's first generation let grow to ``young`` objects (Python's default:
    700) while a build runs: at every default threshold it walked the build's records and rows
    again, a tenth of an edit's time at 1,000 articles. Cycles are still collected, less often."""
    before = gc.get_threshold()
    gc.set_threshold(max(young, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()  # (what :func:`set_aside` set aside: collected again, in a long-lived process)


def set_aside() -> None:
    """What the build holds now (its records, the trees' records, by the hundred thousand) set aside
    from the collector until the build ends (:func:`collector_relaxed`): it would otherwise walk them
    at each of its passes (a tenth of an edit at 10,000 articles); they are freed as usual when let
    go, those in cycles only once the build ends."""
    gc.freeze()


def _connect(path: Path, read_only: bool = False, tables: tuple[str, ...] = TABLES) -> sqlite3.Connection:
    if read_only:  # (the file opened as it is: never made, never written)
        where = f"{Path(os.path.abspath(path)).as_uri()}?mode=ro"
        connection = sqlite3.connect(where, timeout=BUSY_SECONDS, isolation_level=None, uri=True)
    else:
        connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    # (a store held by another build is waited for, never taken for a damaged one and removed)
    try:
        connection.execute("PRAGMA trusted_schema = OFF")  # nothing in the file runs as code
        for table in () if read_only else tables:
            connection.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID")
        for table in tables:
            if [row[1] for row in connection.execute(f"PRAGMA table_info({table})")] != ["key", "value"]:
                raise sqlite3.DatabaseError("not this code's tables")
    except BaseException:
        connection.close()
        raise
    return connection


def _remove_store(path: Path) -> None:
    for name in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        remove_file(name)
