"""Spread per-article work over the machine's cores, with forked workers.

Forked workers inherit the function and its inputs, so nothing but the results is pickled, and
the function may be a closure. Where fork is missing (Windows), or the work is small enough that
starting processes would cost more than it saves, everything runs in this process.

A worker dies with the process that forked it (Linux's parent-death signal): a build killed with
``kill -9`` leaves no worker waiting forever for work that will never come.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# A long step's progress: called with (total, label, unit), returns what to call with each count done.
Progress = Callable[..., Callable[[int], object]]

# The task forked workers run: set by the parent just before it forks them, cleared after.
_task: tuple[Callable, Sequence] | None = None


def fork_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    minimum: int = 64,
    progress: Callable[[int], object] | None = None,
) -> list[Result]:
    """``[function(item) for item in items]``, on every core when there are at least ``minimum`` items.

    ``progress(count)`` is called in this process as items are done (a batch at a time on cores).
    """
    import multiprocessing  # (not at the top: the no-op build's check uses only forked())

    jobs = os.cpu_count() or 1
    if jobs == 1 or len(items) < minimum or "fork" not in multiprocessing.get_all_start_methods():
        return [_counted(function(item), progress) for item in items]
    from concurrent.futures import ProcessPoolExecutor, as_completed

    global _task
    size = -(-len(items) // (jobs * 4))  # a few batches per worker evens out uneven articles
    ranges = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _task = (function, items)
    # The workers share this process's memory until they write to it; the collector writes to every
    # object it looks at, so what exists now is set aside from it (as Python's docs advise before
    # a fork): a large archive's records are not copied into each worker.
    gc.freeze()
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


def forked(function: Callable[[], Result]) -> Callable[[], Result]:
    """Start ``function()`` in a forked child now; the returned callable waits for its result.

    For a little work that can overlap with the caller's own (the no-op check's ``lstat``s of the
    output while the caller stats the inputs). Where fork is missing, ``function`` runs when the
    result is asked for. An exception in the child is raised in the caller as a RuntimeError.
    """
    if not hasattr(os, "fork"):
        return function
    import pickle

    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's clean-ups
        try:
            os.close(reader)
            try:
                data = pickle.dumps((True, function()))
            except BaseException as exc:  # reported to the parent
                data = pickle.dumps((False, repr(exc)))
            with os.fdopen(writer, "wb") as out:
                out.write(data)
        finally:
            os._exit(0)
    os.close(writer)

    def result() -> Result:
        with os.fdopen(reader, "rb") as incoming:
            data = incoming.read()
        os.waitpid(pid, 0)
        try:
            ok, value = pickle.loads(data)
        except Exception as exc:  # the child died before it answered
            raise RuntimeError(f"the forked check ended without an answer ({exc})") from None
        if not ok:
            raise RuntimeError(f"the forked check failed: {value}")
        return value

    return result
