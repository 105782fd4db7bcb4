"""Spread per-article work over the machine's cores, with forked workers.

Forked workers inherit the function and its inputs, so nothing but the results is pickled, and
the function may be a closure. Where fork is missing (Windows), or the work is small enough that
starting processes would cost more than it saves, everything runs in this process.

A worker dies with the process that forked it (Linux's parent-death signal): a build killed with
``kill -9`` leaves no worker waiting forever for work that will never come.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# A long step's progress: called with (total, label, unit), returns what to call with each count done.
Progress = Callable[..., Callable[[int], object]]

# The task forked workers run: set by the parent just before it forks them, cleared after.
_task: tuple[Callable, Sequence] | None = None

# Work that reads the parent's records (``fresh``: list pages and sitemaps, each item weighing the
# records it reads, 1 unless told) runs each batch in a child forked for it alone: a long-lived
# worker's memory grows with every record it touches (each touch copies the page of the parent's
# memory it is on), a child's ends with its batch; and a fork costs less than starting a pool of
# workers (its imports, its queues: an edit's hundred list pages rendered in half the time). A
# batch reads an even share for each core, at most FRESH_READS records (an item that reads more
# runs alone). A month's archive page or sitemap shows every article of the month: batches of
# 4,000 pages, whatever they showed, copied ~0.35 GB each of a 100,000-article build's memory.
# Work that reads its input from files (rendering) keeps long-lived workers, which compile the
# templates once each (docs/speed.md has the measurements).
FRESH_READS = 2_000
# ...and such work reading fewer records than this in all runs in this process: a child copies each
# page of memory it touches and compiles the templates it renders with, so that an article added
# to a 1,000-article archive (~100 list pages, 2,200 cards) rendered them in 0.10 s in two children
# and in 0.06 s here (the whole build ~0.04 s sooner). After a template edit, forking wins.
FRESH_MINIMUM = 8_000


def fork_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    minimum: int = 64,
    progress: Callable[[int], object] | None = None,
    fresh: bool = False,
    weights: Sequence[int] | None = None,
) -> list[Result]:
    """``[function(item) for item in items]``, on every core when there are at least ``minimum`` items.

    ``progress(count)`` is called in this process as items are done (a batch at a time on cores).
    ``fresh``: the work reads this process's large state (``weights``: how many records each item
    reads; 1 each if None): each batch runs in a child forked for it alone, and reads at most
    :data:`FRESH_READS` of them; all of it in this process if it reads fewer than
    :data:`FRESH_MINIMUM`.
    """
    jobs = os.cpu_count() or 1
    few = fresh and (sum(weights) if weights is not None else len(items)) < FRESH_MINIMUM
    if jobs == 1 or len(items) < minimum or few:  # (an edit's few items: multiprocessing never imported, ~5 ms)
        return [_counted(function(item), progress) for item in items]
    global _task
    size = -(-len(items) // (jobs * 4))  # a few batches per worker evens out uneven articles
    if fresh and hasattr(os, "fork"):
        _task = (function, items)
        # The children share this process's memory until they write to it; the collector writes
        # to every object it looks at, so what exists now is set aside from it (as Python's docs
        # advise before a fork): a large archive's records are not copied into each child.
        gc.freeze()
        try:
            return _fresh_map(_batches(weights or [1] * len(items), jobs), jobs, progress)
        finally:
            gc.unfreeze()
            _task = None
    import multiprocessing  # (not at the top: the no-op build's check uses only forked())

    if "fork" not in multiprocessing.get_all_start_methods():
        return [_counted(function(item), progress) for item in items]
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ranges = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _task = (function, items)
    gc.freeze()  # (as above: the pool's workers are forked at the first submit)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_die_with, initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(_run, bounds) for bounds in ranges]
            gc.unfreeze()  # (in this process, once the workers are forked: they were, at the submits)
            if progress is not None:
                for future in as_completed(futures):
                    progress(len(future.result()))
            return [result for future in futures for result in future.result()]
    finally:
        gc.unfreeze()
        _task = None


def _batches(weights: Sequence[int], jobs: int) -> list[tuple[int, int]]:
    """Consecutive batches (start, end) of items, each weighing about an even share of the whole
    for ``jobs`` children (one each: a child forked costs little, one that renders much less than
    the rest keeps a core idle), and at most :data:`FRESH_READS` (an item that weighs more alone)."""
    most = min(FRESH_READS, -(-sum(weights) // jobs))
    ranges: list[tuple[int, int]] = []
    start, total = 0, 0
    for number, weight in enumerate(weights):
        if number > start and total + weight > most:
            ranges.append((start, number))
            start, total = number, 0
        total += weight
    if start < len(weights):
        ranges.append((start, len(weights)))
    return ranges


def _fresh_map(ranges: list[tuple[int, int]], jobs: int, progress: Callable[[int], object] | None) -> list:
    """:data:`_task` over ``ranges``, each in a child forked for it (``jobs`` at a time), the results
    in order; a child's exception raised here. The collector stays frozen throughout, so that the
    children forked later do not copy the parent's objects either."""
    results: list = []
    running: list[tuple[int, int]] = []  # (pid, the pipe its results come on), oldest first
    todo = list(ranges)
    try:
        while todo or running:
            while todo and len(running) < jobs:
                running.append(_start(todo.pop(0)))
            pid, reader = running[0]  # (stays listed until it is reaped: an interrupt stops it)
            with os.fdopen(reader, "rb", closefd=False) as incoming:
                data = incoming.read()
            running.pop(0)
            os.close(reader)
            os.waitpid(pid, 0)
            done = _answer(data)
            results += done
            if progress is not None:
                progress(len(done))
    finally:
        for pid, reader in running:  # (an error or an interrupt: the others are not waited for)
            _stop(pid, reader)
    return results


def _start(bounds: tuple[int, int]) -> tuple[int, int]:
    """A child forked to run one batch and send its results (or exception) on a pipe."""
    parent = os.getpid()

    def work() -> list:
        _die_with(parent)
        return _run(bounds)

    return _fork_child(work)


def _fork_child(work: Callable[[], object], spool: int | None = None) -> tuple[int, int]:
    """``work()`` started in a forked child, which sends ``(True, result)`` or ``(False, exception)``
    pickled on a pipe, then leaves without running the parent's clean-ups; its pid and the pipe's
    reading end. ``spool``: an unnamed file the child writes an answer larger than a pipe holds
    into instead (sending :data:`SPOOLED` on the pipe), so that it leaves at once rather than wait
    for the parent to read it: a forked child's memory grows while it lives (each page the parent
    writes to is copied for it), and a build may ask for the answer many minutes later."""
    import pickle

    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # (no process could be made: the error is the build's, the pipe is not kept)
        os.close(reader)
        os.close(writer)
        raise
    if pid == 0:
        try:
            os.close(reader)
            data = _sent(work, pickle)
            if spool is not None and len(data) > PIPE_BYTES:
                data = _spooled(spool, data)
            with os.fdopen(writer, "wb") as out:
                out.write(data)
        finally:
            os._exit(0)
    os.close(writer)
    return pid, reader


SPOOLED = b"spooled"  # (no pickle is this: each starts with its protocol's byte, 0x80)
PIPE_BYTES = 1 << 16  # what a pipe holds (Linux's default): a child writes this much without waiting


def _spool() -> int | None:
    """An unnamed temporary file for a child's answer (Linux's O_TMPFILE: nothing is left behind,
    whatever becomes of either process); None where none can be made (the answer then waits in
    the pipe, only the child's memory is held longer)."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return None
    try:
        return os.open(os.environ.get("TMPDIR") or "/tmp", flag | os.O_RDWR, 0o600)
    except OSError:
        return None


def _spooled(spool: int, data: bytes) -> bytes:
    """In a child: ``data`` written into ``spool``, and :data:`SPOOLED` to send instead; ``data``
    itself if it cannot be (a full disk: it is sent on the pipe)."""
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(spool, view) :]
    except OSError:
        return data
    return SPOOLED


def _unspooled(spool: int) -> bytes:
    """The answer a child wrote into ``spool``, which is closed here whatever happens (once: its
    number may be another file's the moment after)."""
    with os.fdopen(spool, "rb") as incoming:
        incoming.seek(0)
        return incoming.read()


def _answer(data: bytes) -> list:
    import pickle

    try:
        ok, value = pickle.loads(data)
    except Exception:
        raise RuntimeError("a worker process ended without its results (killed, or out of memory?)") from None
    if not ok:
        raise value
    return value


def _stop(pid: int, reader: int) -> None:
    import signal

    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.close(reader)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)


def _counted(result: Result, progress: Callable[[int], object] | None) -> Result:
    if progress is not None:
        progress(1)
    return result


def _run(bounds: tuple[int, int]) -> list:
    function, items = _task
    return [function(item) for item in items[bounds[0] : bounds[1]]]


PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """In a worker: be killed when ``parent`` dies (Linux), and exit now if it already has."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal  # (not at the top: the no-op build's check never needs it)

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def alone() -> bool:
    """Whether this process runs no thread but the caller's: a forked child may then take any lock
    (in the store's library, OpenSSL's, a lazily made property's); where others run (the preview),
    a lock one of them held at the fork would never be let go in the child."""
    import threading

    return threading.active_count() == 1


def forked(function: Callable[[], Result]) -> Pending[Result]:
    """Start ``function()`` in a forked child now; call the returned :class:`Pending` to wait for
    its result (or :meth:`Pending.cancel` it).

    For a little work that can overlap with the caller's own (the no-op check's ``lstat``s of the
    output while the caller stats the inputs). Where fork is missing, ``function`` runs when the
    result is asked for. An exception in the child is raised in the caller as a RuntimeError.
    """
    if not hasattr(os, "fork"):
        return Pending(function)
    spool = _spool()
    try:
        return Pending(function, _fork_child(function, spool), spool=spool)
    except OSError:
        if spool is not None:
            os.close(spool)
        raise


def forked_then(first: Callable[[], Result], then: Callable[[], object]) -> tuple[Pending[Result], Pending]:
    """:func:`forked` for two pieces of work done one after the other by one child: ``first()``'s
    result can be taken while ``then()`` is under way (each is sent on a pipe of its own). Only the
    second reaps the child: take it or :meth:`Pending.cancel` it, whatever becomes of the first."""
    if not hasattr(os, "fork"):
        return Pending(first), Pending(then)
    import pickle

    pipes = [os.pipe(), os.pipe()]
    try:
        pid = os.fork()
    except OSError:
        for pipe in pipes:
            for end in pipe:
                os.close(end)
        raise
    if pid == 0:
        try:
            for reader, _ in pipes:
                os.close(reader)
            for (_, writer), work in zip(pipes, (first, then), strict=True):
                data = _sent(work, pickle)
                _room(writer, len(data))
                with os.fdopen(writer, "wb") as out:
                    out.write(data)
        finally:
            os._exit(0)
    for _, writer in pipes:
        os.close(writer)
    return Pending(first, (pid, pipes[0][0]), reap=False), Pending(then, (pid, pipes[1][0]))


def _room(writer: int, size: int) -> None:
    """A pipe made to hold ``size`` bytes where the system allows (Linux: up to 1 MB by default), so
    the child writes its first answer and goes on to the second without waiting for it to be read."""
    import fcntl

    if size > 1 << 16 and hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):
            fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, size)


def _sent(work: Callable[[], object], pickle) -> bytes:
    """In a child: ``(True, work())`` or ``(False, the exception)``, pickled."""
    try:
        return pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # handed to the parent
        try:
            return pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            return pickle.dumps((False, RuntimeError(repr(exc))))


class Pending(Generic[Result]):
    """The result of :func:`forked`'s child, to wait for once; or the function, where there is no fork.
    ``reap``: whether taking or cancelling it reaps the child (not the first of :func:`forked_then`,
    whose child goes on to the second)."""

    def __init__(
        self,
        function: Callable[[], Result],
        child: tuple[int, int] | None = None,
        reap: bool = True,
        spool: int | None = None,
    ) -> None:
        self.function, self.child, self.reap, self.spool = function, child, reap, spool

    def __call__(self) -> Result:
        import pickle

        if self.child is None:
            return self.function()
        pid, reader = self.child
        self.child = None
        spool, self.spool = self.spool, None
        try:
            try:
                with os.fdopen(reader, "rb") as incoming:
                    data = incoming.read()
            finally:
                if self.reap:
                    os.waitpid(pid, 0)
            if spool is not None and data == SPOOLED:
                taken, spool = spool, None  # (closed by _unspooled only, even if reading it fails)
                data = _unspooled(taken)
        finally:
            if spool is not None:
                with contextlib.suppress(OSError):
                    os.close(spool)
        try:
            ok, value = pickle.loads(data)
        except Exception as exc:  # the child died before it answered
            raise RuntimeError(f"the forked check ended without an answer ({exc})") from None
        if not ok:
            raise RuntimeError(f"the forked check failed: {value!r}")
        return value

    def cancel(self) -> None:
        """The child stopped and reaped if it has not answered yet (its result is not wanted); for
        the first of :func:`forked_then`, only its answer left unread."""
        if self.child is not None and not self.reap:
            with contextlib.suppress(OSError):
                os.close(self.child[1])
        elif self.child is not None:
            _stop(*self.child)
        self.child = None
        if self.spool is not None:
            with contextlib.suppress(OSError):
                os.close(self.spool)
            self.spool = None


class Threaded(Generic[Result]):
    """``function()`` run in a thread from now, for work spent mostly waiting on system calls (the
    ``lstat``s of the site's folders), which let this thread's own work run meanwhile. A forked child
    would cost more there: each page of memory this process writes to while the child lives is
    copied. Call it to wait for the result (an exception in the thread is raised as a
    RuntimeError); :meth:`cancel` only stops waiting (the work, a few system calls, ends by itself)."""

    def __init__(self, function: Callable[[], Result]) -> None:
        import threading

        self._outcome: tuple[bool, object] | None = None
        self._thread: threading.Thread | None = threading.Thread(target=self._run, args=(function,), daemon=True)
        self._thread.start()

    def _run(self, function: Callable[[], Result]) -> None:
        try:
            self._outcome = (True, function())
        except BaseException as exc:  # handed to the caller
            self._outcome = (False, exc)

    def __call__(self) -> Result:
        thread, self._thread = self._thread, None
        if thread is None:
            raise RuntimeError("the work beside was already taken or cancelled")
        thread.join()
        outcome = self._outcome
        if outcome is None or not outcome[0]:
            raise RuntimeError(f"the work beside failed: {None if outcome is None else outcome[1]!r}")
        return outcome[1]  # type: ignore[return-value]

    def cancel(self) -> None:
        self._thread = None
