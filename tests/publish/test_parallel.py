"""Work spread over forked workers gives the same results, in order, as one process."""

from __future__ import annotations

import os

import pytest

from microsite.publish import parallel
from microsite.publish.builder import build_site
from tests.publish.test_build import snapshot


def test_fork_map_keeps_order_and_runs_closures(monkeypatch) -> None:
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)  # workers, even on a one-core machine
    offset = 1000
    parents = {os.getpid()}
    results = parallel.fork_map(lambda n: (n + offset, os.getpid()), range(200), minimum=10)
    assert [value for value, _ in results] == list(range(1000, 1200))
    assert {pid for _, pid in results} - parents, "no worker process was used"


def test_fork_map_small_work_stays_in_process() -> None:
    assert {pid for pid in parallel.fork_map(lambda _: os.getpid(), range(5), minimum=10)} == {os.getpid()}


def test_fork_map_passes_errors_on() -> None:
    def fail(n: int) -> int:
        if n == 150:
            raise ValueError("article 150 is broken")
        return n

    with pytest.raises(ValueError, match="article 150 is broken"):
        parallel.fork_map(fail, range(200), minimum=10)


def test_a_large_site_builds_the_same_on_many_cores_as_on_one(site, monkeypatch, tmp_path) -> None:
    for number in range(70):
        site.article(f"bai-{number:02d}", body=f"Đoạn **{number}**.\n\n- mục {number}\n")
        if number % 3:
            site.translate(f"bai-{number:02d}", fuzzy=number % 2 == 0)
    site.publish_drafts()
    build_site(site.config, output=tmp_path / "parallel")
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    build_site(site.config, output=tmp_path / "serial")
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")
    # translated articles, index, feed, the tags index, the archive, numbered home pages (20 a page), search
    assert len(list((tmp_path / "serial" / "en").iterdir())) == 46 + 2 + 3 + 1


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
    from pathlib import Path

    from microsite.errors import ContentError

    error = pickle.loads(pickle.dumps(ContentError(Path("a/index.md"), "what to do", 7)))
    assert (error.problem.path, error.problem.message, error.problem.line) == (Path("a/index.md"), "what to do", 7)
