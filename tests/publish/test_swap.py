"""The site swap: site/ is at every instant the complete old or the complete new site.

Builds are killed (SIGKILL) at random moments while another process watches site/; leftovers of
killed builds and saves are removed by the next run; a symlinked site/ is updated through the link;
a read-only site/ is refused before anything is written.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from microsite.files import clean_leftovers
from tests.conftest import REPO
from tests.faults import cli, snapshot

WATCHER = textwrap.dedent(
    """
    import os, sys, time
    site, stop = sys.argv[1], sys.argv[2]
    checks = missing = 0
    while not os.path.exists(stop):
        checks += 1
        # the home page and the marker of a complete build must always both be there
        if not (os.path.isfile(os.path.join(site, "index.html")) and os.path.isfile(os.path.join(site, ".nojekyll"))):
            missing += 1
    print(checks, missing)
    """
)


@pytest.mark.slow
def test_killed_builds_never_leave_site_missing_or_half(site, tmp_path) -> None:
    for number in range(30):  # enough pages that writing them takes a good part of a build
        site.article(f"bai-{number}", body="Đoạn.\n\n" * 30)
        site.translate(f"bai-{number}")
    template = site.root / "templates" / "base.html"
    durations = []
    for number in range(3):  # the warm time (templates compiled, caches made) is what the killed builds take
        change_every_page(template, f"warm {number}")
        started = time.perf_counter()
        assert cli("--root", str(site.root)).returncode == 0
        durations.append(time.perf_counter() - started)
    duration = min(durations)  # kills land anywhere from start-up to the swap
    out = site.root / "site"
    stop = tmp_path / "stop"
    watcher = subprocess.Popen([sys.executable, "-c", WATCHER, str(out), str(stop)], stdout=subprocess.PIPE, text=True)
    killed = left_behind = 0
    moments = [0.2 + 0.9 * n / 30 for n in range(30)]  # spread from start-up to past the swap
    random.Random(7).shuffle(moments)
    try:
        for round in range(40):
            change_every_page(template, f"round {round}")  # every page differs: the standby has work to do
            build = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(site.root)])
            if round < 30:  # at a moment spread over the build
                time.sleep(moments[round] * duration)
            else:  # at an event: as soon as the standby copy of the site is being changed, mid-write
                wait_for_standby_change(build, site.root)
            if build.poll() is None:
                build.send_signal(signal.SIGKILL)
                killed += 1
            build.wait()
            left_behind += bool(list((site.root / ".cache" / "output").glob("*/dirty")))
    finally:
        stop.touch()
        checks, missing = map(int, watcher.communicate(timeout=30)[0].split())
    assert checks > 1000 and killed > 0, (checks, killed)
    assert left_behind > 0  # some kills hit a build mid-write: the next build had a half-changed standby
    assert missing == 0  # never, at any check, was site/ missing or without its home page and marker
    final = cli("--root", str(site.root))
    assert final.returncode == 0, final.stderr
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".site.")] == []
    assert not list((site.root / ".cache" / "output").glob("*/dirty"))
    swept = ("pages", "articles", "templates", "images", "lists")  # what killed builds left there is gone
    assert [p for name in swept for p in (site.root / ".cache" / name).rglob(".*.tmp")] == []
    assert sorted(os.listdir(site.root / ".cache" / "running")) == ["swept"]
    clean = cli("--root", str(site.root), "--out", str(tmp_path / "clean"))  # written whole, beside
    assert clean.returncode == 0, clean.stderr
    assert snapshot(out) == snapshot(tmp_path / "clean")  # after the kills, the same site byte for byte


def change_every_page(template, text: str) -> None:
    """A comment in the base template: every page of the site changes."""
    content = template.read_text(encoding="utf-8")
    content = content.split("\n<!-- kill test", 1)[0]
    template.write_text(f"{content}\n<!-- kill test {text} -->\n", encoding="utf-8")


def wait_for_standby_change(build: subprocess.Popen, root, seconds: float = 60) -> None:
    """Return as soon as the build has begun changing the standby copy of the site, or ended."""
    deadline = time.monotonic() + seconds
    while build.poll() is None and time.monotonic() < deadline:
        if list((root / ".cache" / "output").glob("*/dirty")):
            return
        time.sleep(0.002)


def test_a_symlinked_site_keeps_its_link_and_its_target_is_updated(site, tmp_path) -> None:
    site.article("bai")
    site.translate("bai")
    target = tmp_path / "served" / "www"
    target.parent.mkdir()
    (site.root / "site").symlink_to(target, target_is_directory=True)
    index = site.root / "content" / "bai" / "index.md"
    for old, title in (("Tiêu đề bài viết", "Một"), ("Một", "Hai")):
        index.write_text(index.read_text(encoding="utf-8").replace(old, title), encoding="utf-8")
        site.translate("bai")
        result = cli("--root", str(site.root))
        assert result.returncode == 0, result.stderr
        assert (site.root / "site").is_symlink() and os.readlink(site.root / "site") == str(target)
        assert title in (target / "bai" / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in target.parent.iterdir()) == ["www"]


def test_a_read_only_site_is_refused_before_anything_is_written(site) -> None:
    site.article("bai")
    site.translate("bai")
    assert cli("--root", str(site.root)).returncode == 0
    (site.root / "content/bai/index.md").write_text("---\ntitle: Mới\ndate: 2021-06-25\n---\n\nMới.\n")
    out = site.root / "site"
    before = snapshot(out)
    out.chmod(0o555)
    try:
        result = cli("--root", str(site.root), privileged=False)
    finally:
        out.chmod(0o755)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "site: this folder is read-only" in result.stderr
    assert snapshot(out) == before
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".site.")] == []


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_leftovers_of_killed_runs_are_cleaned_and_those_of_running_ones_kept(site) -> None:
    site.article("bai")
    site.translate("bai")
    folder = site.root / "content" / "bai"
    gone, alive = dead_pid(), os.getpid()
    dead_save = folder / f".en.po.{gone}.0badc0de.tmp"
    live_save = folder / f".en.po.{alive}.0badc0de.tmp"
    old_style, recent_old_style = folder / ".en.po.k3j_x9a2.tmp", folder / ".en.po.q8w2e7r1.tmp"  # no pid
    for path in (dead_save, live_save, old_style, recent_old_style):
        path.write_text("half a catalog", encoding="utf-8")
    hours_ago = time.time() - 7200
    os.utime(old_style, (hours_ago, hours_ago))
    dead_build = site.root / f".site.building-{gone}"
    dead_old = site.root / f".site.old-{gone}"
    for path in (dead_build, dead_old):
        (path / "bai").mkdir(parents=True)
        (path / "bai" / "index.html").write_text("old", encoding="utf-8")
        (path / "bai").chmod(0o555)  # even read-only leftovers go
    result = cli("--root", str(site.root))
    assert result.returncode == 0, result.stderr
    assert not dead_save.exists() and not dead_build.exists() and not dead_old.exists()
    assert live_save.exists()  # a save still running in another process is not touched
    assert not old_style.exists() and recent_old_style.exists()  # without a pid: only when surely dead
    assert clean_leftovers(folder) == []  # its process runs (this one): still not touched


def test_the_caches_are_swept_after_a_killed_build_or_once_a_day(site) -> None:
    """Listing every cache folder on every build cost seconds at 100,000 articles: a build sweeps
    them when a build that marked itself running is gone (it was killed), or a day after the last
    sweep; the caches of builds still running are never touched."""
    site.article("bai")
    site.translate("bai")
    assert cli("--root", str(site.root)).returncode == 0
    cache = site.root / ".cache"
    marks = cache / "running"
    assert sorted(os.listdir(marks)) == ["swept"]  # the build's own mark is gone with it
    gone, alive = dead_pid(), os.getpid()
    leftover, kept = cache / "pages" / f".x.html.{gone}.0badc0de.tmp", cache / "pages" / f".y.html.{alive}.0badc0de.tmp"

    def plant() -> None:
        for path in (leftover, kept):
            path.write_text("half a page", encoding="utf-8")

    def build_an_edit() -> None:  # (a build with nothing to do writes nothing and sweeps nothing)
        with (site.root / "content" / "bai" / "index.md").open("a", encoding="utf-8") as file:
            file.write("\nThêm.\n")
        result = cli("--root", str(site.root))
        assert result.returncode == 0 and "Built " in result.stdout, result.stderr

    index = next((cache / "search").glob("*/vi"))  # the search index's cache, and a killed build's leftovers there
    spill, half = index / f".postings.building-{gone}", index / "p" / f".7.json.{gone}.0badc0de.tmp"
    spill.mkdir()
    (spill / "3").write_text("postings", encoding="utf-8")
    half.write_text("half a fragment", encoding="utf-8")
    plant()
    build_an_edit()  # no build was killed, and the last sweep was moments ago: not due
    assert spill.exists() and half.exists()
    assert leftover.exists() and kept.exists()
    (marks / str(gone)).touch()  # as a build killed mid-write leaves its mark
    build_an_edit()
    assert not leftover.exists() and kept.exists() and sorted(os.listdir(marks)) == ["swept"]
    assert not spill.exists() and not half.exists()
    plant()
    day_ago = time.time() - 24 * 3600 - 60
    os.utime(marks / "swept", (day_ago, day_ago))
    build_an_edit()
    assert not leftover.exists() and kept.exists()
    assert (marks / "swept").stat().st_mtime > day_ago + 3600


def test_the_sweep_never_reaches_through_a_link_in_the_search_cache(site, tmp_path) -> None:
    """A link planted as the search index's ``p/`` folder: the sweep after a killed build cleans
    the real folders, never the one the link leads to."""
    site.article("bai")
    site.translate("bai")
    assert cli("--root", str(site.root)).returncode == 0
    cache = site.root / ".cache"
    gone = dead_pid()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    theirs = outside / f".notes.txt.{gone}.0badc0de.tmp"  # named like a killed build's leftover
    theirs.write_text("keep me", encoding="utf-8")
    index = next((cache / "search").glob("*/vi"))
    shutil.rmtree(index / "p")
    (index / "p").symlink_to(outside, target_is_directory=True)
    leftover = index / "b" / f".1.json.{gone}.0badc0de.tmp"
    leftover.write_text("half a shard", encoding="utf-8")
    (cache / "running" / str(gone)).touch()  # a build was killed: the next one sweeps
    with (site.root / "content" / "bai" / "index.md").open("a", encoding="utf-8") as file:
        file.write("\nThêm.\n")
    result = cli("--root", str(site.root))
    assert result.returncode == 0, result.stderr
    assert theirs.read_text(encoding="utf-8") == "keep me" and not leftover.exists()


@pytest.mark.parametrize("command", ["translate", "desk"])
def test_a_save_cleans_the_temporary_files_of_killed_saves(site, command, fake_engine) -> None:
    from microsite.desk.review import review_article, save_entry
    from microsite.translation.translate import plan_translation, run_translation

    site.article("bai", body="Đoạn một.\n\nĐoạn hai.\n")
    site.translate("bai", skip=1)
    folder = site.root / "content" / "bai"
    leftover = folder / f".en.po.{dead_pid()}.0badc0de.tmp"
    leftover.write_text("half", encoding="utf-8")
    if command == "translate":
        result = run_translation(plan_translation(site.config), lambda source, target: fake_engine)
        assert result.written == [folder / "en.po"]
    else:
        version = review_article(site.config, "bai", "en").version_of("Đoạn hai.")
        assert save_entry(site.config, "bai", "en", "Đoạn hai.", "Paragraph two.", True, version).written
    assert not leftover.exists()
    assert sorted(p.name for p in folder.iterdir()) == ["en.po", "index.md"]
