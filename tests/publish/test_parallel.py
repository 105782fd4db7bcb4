"""Work spread over forked workers gives the same results, in order, as one process."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from microsite import parallel
from microsite.publish.builder import build_site
from tests.conftest import REPO
from tests.publish.test_build import snapshot


@pytest.fixture(params=["workers", "fresh"])
def mode(request, monkeypatch) -> str:
    """How fork_map runs 200 items: on long-lived workers (work that reads files), or, work that
    reads the parent's records (list pages), each batch (of 16 records read here) in a child forked
    for it alone (however few they read in all: :data:`parallel.FRESH_MINIMUM` 0)."""
    if request.param == "fresh":
        monkeypatch.setattr(parallel, "FRESH_READS", 16)
        monkeypatch.setattr(parallel, "FRESH_MINIMUM", 0)
    return request.param


def test_fork_map_keeps_order_and_runs_closures(monkeypatch, mode) -> None:
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)  # workers, even on a one-core machine
    offset = 1000
    parents = {os.getpid()}
    results = parallel.fork_map(lambda n: (n + offset, os.getpid()), range(200), minimum=10, fresh=mode == "fresh")
    assert [value for value, _ in results] == list(range(1000, 1200))
    assert {pid for _, pid in results} - parents, "no worker process was used"
    batches = [{pid for _, pid in results[start : start + 16]} for start in range(0, 200, 16)]
    if mode == "fresh":  # each batch in a process of its own, never one used before
        assert all(len(pids) == 1 for pids in batches) and len(set.union(*batches)) == len(batches) == 13
    else:
        assert len(set.union(*batches)) <= 2
    plain = parallel.fork_map(lambda n: os.getpid(), range(200), minimum=10)  # work that reads files
    assert len(set(plain)) <= 2  # long-lived workers, whatever the count


def test_fresh_batches_read_at_most_so_many_records(monkeypatch) -> None:
    """A fresh child's batch is cut by the records its items read (a month's archive page shows
    every card of the month, a related-reading block three): an even share for each core, and
    never so many that a child copies much of the parent's memory; an item that reads more than
    a batch may read runs alone."""
    monkeypatch.setattr(parallel, "FRESH_READS", 16)
    monkeypatch.setattr(parallel, "FRESH_MINIMUM", 0)
    assert parallel._batches([1] * 10 + [30] + [3] * 10, jobs=1) == [(0, 10), (10, 11), (11, 16), (16, 21)]
    assert parallel._batches([1] * 10, jobs=2) == [(0, 5), (5, 10)]  # (an edit's few pages: one batch a core)
    assert parallel._batches([1, 1, 4, 1, 1], jobs=2) == [(0, 2), (2, 3), (3, 5)]  # (by weight, not count)
    assert parallel._batches([], jobs=2) == []
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    weights = [1] * 30 + [40] + [1] * 29
    pids = parallel.fork_map(lambda n: os.getpid(), range(60), minimum=10, fresh=True, weights=weights)
    assert pids[30] not in pids[:30] + pids[31:]  # the heavy one in a child of its own
    assert len(set(pids)) == len(parallel._batches(weights, jobs=2)) == 5 and os.getpid() not in pids
    # A few items that read many records each (a sitemap a month): fresh by what they read.
    assert len(set(parallel.fork_map(lambda n: os.getpid(), range(20), minimum=10, fresh=True))) == 2
    heavy = parallel.fork_map(lambda n: os.getpid(), range(20), minimum=10, fresh=True, weights=[10] * 20)
    assert len(set(heavy)) == 20 and os.getpid() not in heavy  # (10 + 10 > 16: each alone)


def test_fresh_work_reading_few_records_in_all_runs_in_this_process(monkeypatch) -> None:
    """Work that reads the parent's records runs in forked children only when it reads at least
    :data:`parallel.FRESH_MINIMUM` of them in all (an article added renders a hundred list pages
    sooner here than a child could start, copy what it reads and compile the templates)."""
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "FRESH_READS", 16)
    monkeypatch.setattr(parallel, "FRESH_MINIMUM", 100)
    here = parallel.fork_map(lambda n: os.getpid(), range(99), minimum=10, fresh=True)
    assert set(here) == {os.getpid()}
    assert set(parallel.fork_map(lambda n: os.getpid(), range(20), minimum=10, fresh=True, weights=[4] * 20)) == {
        os.getpid()
    }  # (80 read in all)
    children = parallel.fork_map(lambda n: os.getpid(), range(20), minimum=10, fresh=True, weights=[5] * 20)
    assert os.getpid() not in children and len(set(children)) == len(parallel._batches([5] * 20, jobs=2))


def test_fork_map_fresh_children_see_the_parent_as_it_is_when_they_start(monkeypatch, mode) -> None:
    """A child forked for a later batch starts from the parent's memory then: what it works on
    is the task given (the items), never what an earlier child changed in its own copy."""
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    seen: list[int] = []

    def work(n: int) -> int:
        seen.append(n)  # in the worker's copy of the list only
        return len(seen)

    results = parallel.fork_map(work, range(200), minimum=10, fresh=mode == "fresh")
    assert seen == []
    if mode == "fresh":
        assert results == [n % 16 + 1 for n in range(200)]  # each child started with the empty list


def test_fork_map_small_work_stays_in_process() -> None:
    assert {pid for pid in parallel.fork_map(lambda _: os.getpid(), range(5), minimum=10)} == {os.getpid()}


@pytest.mark.parametrize("cores", [1, 2])
def test_fork_map_reports_progress_in_this_process(monkeypatch, cores, mode) -> None:
    """A long build's progress bar: every item counted once, as batches finish, in the caller."""
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: cores)
    counted: list[tuple[int, int]] = []
    results = parallel.fork_map(
        lambda n: n * 2,
        range(100),
        minimum=10,
        progress=lambda c: counted.append((c, os.getpid())),
        fresh=mode == "fresh",
    )
    assert results == [n * 2 for n in range(100)]
    assert sum(count for count, _ in counted) == 100 and {pid for _, pid in counted} == {os.getpid()}
    batches = 8 if mode == "workers" else 7  # (four a worker; or each of at most 16 records read)
    assert len(counted) == (100 if cores == 1 else batches)  # an item at a time alone; a batch at a time on cores


def test_fork_map_passes_errors_on(monkeypatch, mode) -> None:
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    before = set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()

    def fail(n: int) -> int:
        if n == 150:
            raise ValueError("article 150 is broken")
        return n

    with pytest.raises(ValueError, match="article 150 is broken"):
        parallel.fork_map(fail, range(200), minimum=10, fresh=mode == "fresh")
    if mode == "fresh" and before:  # no pipe left open, no child left behind
        assert set(os.listdir("/proc/self/fd")) == before
        with pytest.raises(ChildProcessError):
            os.waitpid(-1, os.WNOHANG)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork_map forks only where there is fork")
def test_a_worker_killed_is_an_error_not_a_hang(monkeypatch, mode) -> None:
    """A worker the system kills (out of memory) ends the map with an error naming what happened."""
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)

    def work(n: int) -> int:
        if n == 150:
            os.kill(os.getpid(), signal.SIGKILL)
        return n

    from concurrent.futures.process import BrokenProcessPool

    with pytest.raises((RuntimeError, BrokenProcessPool), match=r"killed|terminated abruptly"):
        parallel.fork_map(work, range(200), minimum=10, fresh=mode == "fresh")


def test_a_large_site_builds_the_same_on_many_cores_as_on_one(site, monkeypatch, tmp_path) -> None:
    for number in range(70):
        site.article(f"bai-{number:02d}", body=f"Đoạn **{number}**.\n\n- mục {number}\n")
        if number % 3:
            site.translate(f"bai-{number:02d}", fuzzy=number % 2 == 0)
    site.publish_drafts()
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)  # workers, even on a one-core machine
    build_site(site.config, output=tmp_path / "parallel")
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    build_site(site.config, output=tmp_path / "serial")
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")
    # translated articles, index, feed, the tags index, the archive, numbered home pages (20 a page), search
    assert len(list((tmp_path / "serial" / "en").iterdir())) == 46 + 2 + 3 + 1
    # A template edit: every article page and list page made again, the related reading spliced in
    # and the list pages rendered on the workers, then kept; the same as one process from nothing.
    template = site.root / "templates" / "base.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</body>", "<!-- edited --></body>"), "utf-8")
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    build_site(site.config, output=tmp_path / "parallel")
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    build_site(site.config, output=tmp_path / "clean")
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "clean")
    assert "<!-- edited -->" in (tmp_path / "parallel" / "en" / "bai-01" / "index.html").read_text(encoding="utf-8")


def test_a_build_reports_the_articles_it_reads_and_renders(site, capfd) -> None:
    """build_site's progress counts each long step's items: the articles read and rendered, the
    site's files written, the pages of a search index made from nothing; the command's bar stays
    off a pipe (tests, CI logs) and off small sites."""
    import build
    from microsite.cache import TOO_RECENT

    for number in range(3):
        site.article(f"bai-{number}")
    time.sleep(TOO_RECENT + 0.1)  # old enough for the build to keep their records
    totals, counted = {}, {}

    def progress(total: int, label: str = "Rendering", unit: str = "article"):
        totals.setdefault(label, []).append(total)
        return lambda count: counted.__setitem__(label, counted.get(label, 0) + count)

    build_site(site.config, progress=progress)
    files = len([path for path in (site.root / "site").rglob("*") if path.is_file()])
    written = totals["Writing the site"][0]
    assert totals["Rendering"] == [3] and counted["Rendering"] == 3
    assert totals["Search index (vi)"] == [3] and counted["Search index (vi)"] == 3
    assert counted["Writing the site"] == written and 0 < written < files  # (the index's files: written apart)
    site.article("bai-moi")
    build_site(site.config, progress=progress)
    assert totals["Rendering"] == [3, 1] and counted["Rendering"] == 4  # only the new article is read again
    assert totals["Search index (vi)"] == [3]  # the new page went to the delta: no base made again
    build.build_bar(500)(500)  # stderr is not a terminal here: no bar
    assert "Rendering" not in capfd.readouterr().err


def test_errors_from_workers_keep_their_file_and_line(site) -> None:
    from microsite.errors import BuildError

    for number in range(70):
        site.article(f"bai-{number:02d}")
    broken = site.root / "content" / "bai-33" / "index.md"
    broken.write_text(broken.read_text().replace("date: 2021-06-25", "date: 2021-02-30"))
    with pytest.raises(BuildError) as caught:
        build_site(site.config)
    (problem,) = caught.value.problems
    assert problem.path == broken and problem.line == 3


def test_content_error_survives_pickling() -> None:
    import pickle

    from microsite.errors import ContentError

    error = pickle.loads(pickle.dumps(ContentError(Path("a/index.md"), "what to do", 7)))
    assert (error.problem.path, error.problem.message, error.problem.line) == (Path("a/index.md"), "what to do", 7)


def gone(pid: int) -> bool:
    """Whether a process has ended (a zombie waiting for its new parent to reap it has ended)."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            return any(line.startswith("State:") and "Z" in line.split()[1] for line in status)
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
@pytest.mark.parametrize("fresh", [False, True])
def test_workers_die_with_a_build_killed_with_sigkill(fresh) -> None:
    """``kill -9`` on a build must not leave its workers blocked forever, waiting for work (nor,
    for a large archive, the children forked for a batch each)."""
    script = (
        f"import os, sys, time; sys.path.insert(0, {str(REPO)!r})\n"
        "from microsite import parallel\n"
        "os.cpu_count = lambda: 2\n"
        "parallel.FRESH_MINIMUM = 0  # (children, however few records the work reads)\n"
        "def work(n):\n"
        "    os.write(1, b'%d\\n' % os.getpid())  # one write: two workers' lines never interleave\n"
        "    time.sleep(120)\n"
        f"parallel.fork_map(work, range(100), minimum=10, fresh={fresh})\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers: set[int] = set()
    try:
        while len(workers) < 2:  # both workers are busy (each prints its id once, then waits)
            line = process.stdout.readline()
            assert line, "the script ended before its workers started"
            workers.add(int(line))
        assert process.pid not in workers
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while not all(gone(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(gone(pid) for pid in workers), "workers outlived the killed build"
    finally:
        process.kill()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_forked_work_runs_beside_the_caller_and_passes_errors_on() -> None:
    parent = os.getpid()
    assert parallel.forked(lambda: os.getpid())() != parent  # in a child, while the caller goes on
    assert parallel.forked(lambda: [1, "two"])() == [1, "two"]

    def fail() -> None:
        raise ValueError("a broken output listing")

    with pytest.raises(RuntimeError, match="a broken output listing"):
        parallel.forked(fail)()


@pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="spools answers in an O_TMPFILE file (Linux)")
def test_a_forked_child_with_a_large_answer_leaves_before_it_is_asked(monkeypatch) -> None:
    """A child's answer larger than a pipe holds is written into an unnamed file, so the child
    leaves at once instead of living (and its memory growing) until the caller asks, maybe many
    minutes later; where that file cannot be written (a full disk) it waits in the pipe as before.
    No file is left open either way."""
    before = set(os.listdir("/proc/self/fd"))
    answer = "Quảng Ninh " * 200_000  # (~2.4 MB pickled)
    pending = parallel.forked(lambda: answer)
    pid = pending.child[0]
    deadline = time.monotonic() + 20
    while Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.05)  # (a child that left, not yet reaped: a zombie)
    assert Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] == "Z"
    assert pending() == answer

    readonly = os.open(os.devnull, os.O_RDONLY)  # (a spool no byte can be written to)
    monkeypatch.setattr(parallel, "_spool", lambda: os.dup(readonly))
    try:
        pending = parallel.forked(lambda: answer)
        time.sleep(0.5)
        assert Path(f"/proc/{pending.child[0]}/stat").read_text().split(") ")[1][0] != "Z"  # (waits)
        assert pending() == answer
        parallel.forked(lambda: answer).cancel()
    finally:
        os.close(readonly)
    assert set(os.listdir("/proc/self/fd")) == before


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc (Linux)")
def test_a_map_stopped_midway_leaves_no_child_and_no_pipe(monkeypatch) -> None:
    """An error in the caller while fresh children work (an interrupt, a full disk in the progress
    bar): the children still running are stopped and reaped, their pipes closed."""
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "FRESH_READS", 16)
    monkeypatch.setattr(parallel, "FRESH_MINIMUM", 0)
    before = set(os.listdir("/proc/self/fd"))

    def stop(count: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        parallel.fork_map(lambda n: time.sleep(0.01) or n, range(200), minimum=10, progress=stop, fresh=True)
    assert set(os.listdir("/proc/self/fd")) == before
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
