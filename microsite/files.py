"""Files, the one way: read only regular files (UTF-8, NFC), write atomically, lose nobody's save.

Everything that reads an input file or replaces one goes through here, so that every failure of the
file system becomes a :class:`~microsite.errors.ContentError` naming the file and what to do, and
so that a save never silently overwrites a save made by someone else.

How a save stays race-free (:func:`replace_file` with ``expected``): the new text is written to a
temporary file beside the target, which is then *exchanged* with the target in one atomic step
(Linux ``renameat2(RENAME_EXCHANGE)``). What was swapped out is then compared with what the saver
loaded: if somebody else's save landed at any moment before the exchange, it is the file swapped
out, it differs, and it is swapped straight back (and a newer save that replaced ours meanwhile is
kept in its place), so the other side's file is what remains and the save is refused. A file that
must not exist yet is created with ``RENAME_NOREPLACE``. Where the platform or file system has no
such renames, the save compares just before an ordinary atomic rename: a save landing in the
microseconds between the two can then still be overwritten (documented in docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from .errors import ContentError, StorageError
from .text import FORBIDDEN, control_problem

NAME_BYTES = 255  # the longest file or folder name most file systems allow
AT_FDCWD = -100
RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2
ANY = object()  # replace_file: overwrite whatever is there

# Temporary files and folders carry the process id, so a later run can tell a leftover of a killed
# process from the work of one that is still running.
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp$")
# Saves by earlier versions named their temporary files without the process id (tempfile.mkstemp).
_OLD_TEMPORARY = re.compile(r"^\.(?P<name>.+\.po)\.[a-z0-9_]{8}\.tmp$")
OLD_TEMPORARY_AGE = 3600  # seconds; no save takes an hour
_BUILD_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:building|old)-(?P<pid>\d+)$")
# XML 1.0 cannot carry these at all, and no text of an article needs them.


class ChangedOnDisk(Exception):
    """The file is not what the saver loaded: somebody else saved it. Nothing was overwritten."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} changed on disk")


def problem_of(exc: OSError, doing: str = "read") -> str:
    """What an operating-system error means for a newsroom user, and what to do about it."""
    number = exc.errno
    if number in (errno.EACCES, errno.EPERM):
        able = "readable" if doing == "read" else "writable"
        return f"cannot {doing} it: permission denied; make it {able} (e.g. chmod u+rw) or run as its owner"
    if number == errno.EROFS:
        return f"cannot {doing} it: the file system is read-only; choose a writable folder"
    if number in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot {doing} it: the disk is full; free some space, then run again (nothing was replaced)"
    if number == errno.EISDIR:
        return "this is a folder, where a file is expected; remove or rename the folder"
    if number == errno.ENOTDIR:
        return "a part of this path is a file, where a folder is expected"
    if number == errno.ENAMETOOLONG:
        return "the name is too long for the file system (255 bytes a name at most); shorten it"
    if number == errno.ENOENT:
        return "no such file or folder"
    if number == errno.ELOOP:
        return "a loop of symbolic links; replace the link by the file itself"
    return f"cannot {doing} it: {exc.strerror or exc}"


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file; never blocks on a pipe or device. ContentError for anything else."""
    path = Path(path)
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:
        if isinstance(exc, PermissionError) and not os.access(path.parent, os.R_OK | os.X_OK):
            raise ContentError(path.parent, "cannot read this folder: permission denied; chmod u+rwx it") from None
        raise ContentError(path, _path_problem(exc)) from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a pipe, socket or device"
            raise ContentError(path, f"this is {kind}, not a regular file; replace it with an ordinary file")
        chunks = [os.read(handle, info.st_size + 1)]  # (one read of what it holds, one to see the end)
        while chunks[-1]:
            chunks.append(os.read(handle, 1 << 20))
        return chunks[0] if len(chunks) == 2 else b"".join(chunks)
    except OSError as exc:
        raise ContentError(path, problem_of(exc)) from None
    finally:
        os.close(handle)


def read_text(path: Path) -> str:
    """A UTF-8 text file (settings, interface texts), read as :func:`read_bytes` reads it."""
    return decode_utf8(path, read_bytes(path))


def decode_utf8(path: Path, data: bytes) -> str:
    """The bytes as UTF-8 text; ContentError with the line of the first bad byte otherwise."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ContentError(path, "not valid UTF-8; save the file as UTF-8", line) from None


def read_nfc_text(path: Path) -> str:
    """A UTF-8 text file in composed Unicode (NFC) without control characters; line endings normalised."""
    return decode_text(path, read_bytes(path))


def decode_text(path: Path, data: bytes) -> str:
    """The file's bytes as :func:`read_nfc_text` returns them (``path`` is for the messages)."""
    text = decode_utf8(path, data).removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    forbidden = FORBIDDEN.search(text)
    if forbidden:
        line = text.count("\n", 0, forbidden.start()) + 1
        raise ContentError(path, control_problem(forbidden.group()), line)
    if not unicodedata.is_normalized("NFC", text):
        for number, content in enumerate(text.split("\n"), 1):
            if not unicodedata.is_normalized("NFC", content):
                word = next(w for w in content.split() if not unicodedata.is_normalized("NFC", w))
                raise ContentError(
                    path,
                    f"decomposed Unicode (NFD) in {unicodedata.normalize('NFC', word)!r}: the same "
                    "Vietnamese word would then be spelled two ways and stop matching its "
                    f"translation; run `python build.py fix-unicode {path}` to re-save it composed (NFC)",
                    number,
                )
    return text


def file_stamp(path: Path | str) -> tuple | None:
    """What tells a file's versions apart without reading it (None: no such file)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino, info.st_ctime_ns


def check_inside(path: Path, folder: Path, what: str, folder_resolved: bool = False) -> Path:
    """``path`` resolved, refused (ContentError) when it, or a link in it, leads outside ``folder``.

    ``folder_resolved``: the caller's ``folder`` is resolved already (saves resolving it again).
    """
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise ContentError(path, _path_problem(exc) if isinstance(exc, OSError | ValueError) else str(exc)) from None
    if not resolved.is_relative_to(Path(folder) if folder_resolved else Path(folder).resolve()):
        raise ContentError(
            path,
            f"this {what} is a symbolic link to {resolved}, outside {folder}; links out of the site are "
            "refused (they would publish files from elsewhere): copy the file in instead",
        )
    return resolved


# --- writing ------------------------------------------------------------------------------------


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: readers see the old file or the new, never half."""
    replace_file(path, text.encode("utf-8"), ANY)


def write_cache(path: Path, data: bytes) -> bool:
    """Best effort, for cache files: atomic (a temporary renamed in), not synced, never an error.

    A cache that cannot be written (read-only or full ``.cache``) only costs speed, so failures
    return False. The temporary is named like every save's, so :func:`clean_leftovers` removes
    what a killed build leaves.
    """
    folder, name = os.path.split(os.fspath(path))
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        try:
            _write_new(temporary, data)
        except FileNotFoundError:  # (the folder made only when missing: a cache writes thousands)
            os.makedirs(folder, exist_ok=True)
            _write_new(temporary, data)
        os.replace(temporary, path)
    except OSError:
        remove_file(Path(temporary))
        return False
    return True


def _write_new(path: str, data: bytes) -> None:
    """``data`` in a new file at ``path``: never written through anything already there (a link)."""
    with open(path, "xb") as file:
        file.write(data)


def replace_file(path: Path, data: bytes, expected: bytes | object | None = ANY) -> None:
    """Write ``data`` to ``path`` atomically; with ``expected``, only over exactly that content.

    ``expected`` is the file's bytes as the saver loaded them (None: the file did not exist). If
    the file holds anything else, :class:`ChangedOnDisk` is raised and the other side's file is left
    in place; see the module docstring for why this holds even for a save landing mid-way. Failures
    of the file system raise ContentError naming the file; the temporary file never outlives them.
    """
    path = Path(path)
    if expected is not ANY:
        _refuse_read_only(path)
    temporary, ours = _write_temporary(path, data)
    try:
        if expected is ANY:
            os.replace(temporary, path)
        elif expected is None:
            _create(temporary, path)
        else:
            _exchange_if(temporary, path, expected, ours)
    except OSError as exc:
        raise StorageError(path, problem_of(exc, "write"), exc.errno) from None
    finally:
        remove_file(temporary)


def _write_temporary(path: Path, data: bytes) -> tuple[Path, tuple[int, int]]:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o644
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
    except OSError as exc:
        raise StorageError(
            path, problem_of(exc, "write") + " (saving needs its folder to be writable)", exc.errno
        ) from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())  # on disk before it takes the place of the old file
            info = os.fstat(file.fileno())
        os.chmod(temporary, mode)  # the umask must not narrow what the file had
    except OSError as exc:
        remove_file(temporary)
        raise StorageError(path, problem_of(exc, "write"), exc.errno) from None
    except BaseException:
        remove_file(temporary)
        raise
    return temporary, (info.st_dev, info.st_ino)


def _refuse_read_only(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ContentError(path, problem_of(exc)) from None
    if not mode & 0o222:
        raise StorageError(
            path,
            "this file is read-only (somebody protected it); make it writable (chmod u+w) to save into it",
            errno.EACCES,
        )


def _create(temporary: Path, path: Path) -> None:
    """Put the new file in place only if there is still no file there."""
    try:
        _rename2(temporary, path, RENAME_NOREPLACE)
    except FileExistsError:
        raise ChangedOnDisk(path) from None
    except _Unsupported:
        try:
            os.link(temporary, path)  # fails if the path exists: as good as NOREPLACE
        except FileExistsError:
            raise ChangedOnDisk(path) from None


def _exchange_if(temporary: Path, path: Path, expected: bytes, ours: tuple[int, int]) -> None:
    """Swap our file in; if what came out is not ``expected``, put the other side's file back."""
    if _current(path) != expected:  # the usual conflict, found without touching the file
        raise ChangedOnDisk(path)
    try:
        _rename2(temporary, path, RENAME_EXCHANGE)
    except FileNotFoundError:  # deleted meanwhile: a deletion is a change too
        raise ChangedOnDisk(path) from None
    except _Unsupported:
        os.replace(temporary, path)  # best effort: the check above was a moment ago
        return
    if _current(temporary) == expected:
        return  # what we replaced is what the saver loaded: nobody's save is lost
    # Someone saved in the moment between the check and the swap. Undo: their file goes back in
    # place. If a newer save replaced ours meanwhile, that one is put back instead.
    placed = ours
    for _ in range(100):
        taken = _identity(temporary)
        _rename2(temporary, path, RENAME_EXCHANGE)
        if _identity(temporary) == placed:
            break
        placed = taken
    raise ChangedOnDisk(path)


def _current(path: Path) -> bytes | None:
    """The file's bytes now; None if there is none, or something else than a file (never blocks)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (FileNotFoundError, IsADirectoryError):
        return None
    with os.fdopen(handle, "rb") as file:
        return file.read() if stat.S_ISREG(os.fstat(handle).st_mode) else None


def _identity(path: Path) -> tuple[int, int]:
    info = os.lstat(path)
    return info.st_dev, info.st_ino


def move_new(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target`` only if nothing is at ``target`` (FileExistsError otherwise).

    ``RENAME_NOREPLACE`` on Linux; elsewhere a check then a rename, the best the platform allows
    (a plain rename would replace an empty folder another program just made).
    """
    try:
        _rename2(source, target, RENAME_NOREPLACE)
    except _Unsupported:
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
        os.rename(source, target)


def swap_folders(new: Path, target: Path, aside: Path | None = None) -> Path | None:
    """Put folder ``new`` where ``target`` is, in one atomic step; returns where the old one went.

    On Linux the two are exchanged (``RENAME_EXCHANGE``), so ``target`` is at every instant the
    complete old or the complete new folder; the old one is then at ``new``'s path. Elsewhere, two
    renames: between them, for an instant, ``target`` does not exist (documented in docs/reliability.md);
    the old folder goes to ``aside`` (default: ``new``'s name with ``.old-`` for ``.building-``).
    """
    if not os.path.lexists(target):
        try:
            _rename2(new, target, RENAME_NOREPLACE)
        except _Unsupported:
            os.rename(new, target)
        return None
    try:
        _rename2(new, target, RENAME_EXCHANGE)
        return new
    except _Unsupported:
        old = aside or new.with_name(new.name.replace(".building-", ".old-"))
        os.rename(target, old)
        os.rename(new, target)
        return old


def remove_tree(path: Path) -> None:
    """Delete a folder the tool made, including read-only parts of it; quietly if it is gone.

    Links are removed, never followed (``shutil.rmtree`` itself never descends into one).
    """

    def writable_then_retry(function, name, _exc) -> None:
        try:
            os.chmod(os.path.dirname(name), 0o755)
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, 0o755)
            function(name)
        except OSError:
            pass  # left for the next run's clean-up

    if os.path.islink(path) or (os.path.lexists(path) and not os.path.isdir(path)):
        remove_file(path)  # a link is removed itself, never what it leads to
    elif os.path.lexists(path):
        import shutil  # (here: a build with nothing to do never removes a folder)

        shutil.rmtree(path, onerror=writable_then_retry)


def clean_leftovers(folder: Path, name: str | None = None) -> list[Path]:
    """Remove the temporary files and build folders that killed runs left in ``folder``.

    Only those of processes that no longer run (their id is in the name); ``name`` limits the
    clean-up to the leftovers of that one file or folder. Returns what was removed.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name) or _BUILD_LEFTOVER.match(entry.name)
        if match is None:
            match = _OLD_TEMPORARY.match(entry.name)
            if match is None or _age(entry) < OLD_TEMPORARY_AGE:  # no process id: only old ones are surely dead
                continue
        elif _running(int(match.group("pid"))):
            continue
        if name is not None and match.group("name") != name:
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                remove_tree(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def _age(entry: os.DirEntry) -> float:
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return 0.0


SWEEP_EVERY = 24 * 3600  # seconds: the caches are swept at least this often, a killed writer or not


@contextlib.contextmanager
def writer_marked(folder: Path) -> Iterator[bool]:
    """While the block runs, ``folder/running/<pid>`` says this process may leave temporary files
    in ``folder``'s caches if it is killed. Yields whether the caller should sweep them now
    (:func:`clean_leftovers`, then :func:`swept`): the mark of a process that no longer runs is
    there (one was killed mid-write), or the last sweep is a day old (for writers that mark
    nothing). Sweeping a large archive's caches on every build cost a listing of each (seconds at
    100,000 articles). Marks that cannot be made only mean a sweep every time.
    """
    marks = folder / "running"
    mine = marks / str(os.getpid())
    due = True
    try:
        if not os.path.islink(marks):
            marks.mkdir(exist_ok=True)
            names = os.listdir(marks)
            due = bool(_gone(names)) or "swept" not in names
            due = due or time.time() - os.lstat(marks / "swept").st_mtime > SWEEP_EVERY
            os.close(os.open(mine, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600))
    except OSError:
        due = True
    try:
        yield due
    finally:
        with contextlib.suppress(OSError):
            os.unlink(mine)


def swept(folder: Path) -> None:
    """Record that ``folder``'s caches were just swept: the marks of processes gone are removed.
    (A writer killed during the sweep may lose its mark with them: the daily sweep covers it.)"""
    marks = folder / "running"
    with contextlib.suppress(OSError):
        if os.path.islink(marks):
            return
        for name in _gone(os.listdir(marks)):
            remove_file(marks / name)
        handle = os.open(marks / "swept", os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            os.utime(handle)  # the file opened, never a link put there since
        finally:
            os.close(handle)


def others_running(folder: Path) -> bool:
    """Whether another process marked as a writer of ``folder``'s caches (:func:`writer_marked`)
    still runs; True when the marks cannot be listed (nothing can be told)."""
    try:
        names = os.listdir(folder / "running")
    except OSError:
        return True
    mine = str(os.getpid())
    return any(name.isdigit() and name != mine and _running(int(name)) for name in names)


def _gone(marks: list[str]) -> list[str]:
    """The marks (``running/`` entries other than ``swept``) of processes that no longer run."""
    return [name for name in marks if name != "swept" and not (name.isdigit() and _running(int(name)))]


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process, or no such number: leave it alone
    return True


def remove_file(path: Path | str) -> None:
    """Delete a file if it is there; quietly if it cannot be (a cache file, a temporary)."""
    with contextlib.suppress(OSError):
        os.unlink(path)


def _path_problem(exc: Exception) -> str:
    if isinstance(exc, ValueError):  # "embedded null byte"
        return "the path holds a NUL character; rename the file"
    return problem_of(exc)


# --- renameat2 ----------------------------------------------------------------------------------


class _Unsupported(Exception):
    """This platform or file system cannot exchange or no-replace rename."""


_libc = None


def _rename2(source: Path, target: Path, flags: int) -> None:
    import ctypes  # here, not at the top: a build with nothing to do never needs it

    global _libc
    if _libc is None:
        try:  # the C library Python itself runs with (``ctypes.util.find_library`` would run a program)
            library = ctypes.CDLL(None, use_errno=True)
        except (OSError, TypeError):  # (TypeError: where a library must be named, as on Windows)
            library = None
        _libc = library if library is not None and hasattr(library, "renameat2") else False
    if _libc is False:
        raise _Unsupported
    result = _libc.renameat2(AT_FDCWD, os.fsencode(source), AT_FDCWD, os.fsencode(target), flags)
    if result != 0:
        number = ctypes.get_errno()
        if number in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise _Unsupported
        raise OSError(number, os.strerror(number), str(source), None, str(target))
