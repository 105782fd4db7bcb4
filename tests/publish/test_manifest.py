"""A build with nothing to do ends at once and writes nothing; any change, or any doubt, builds again."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from microsite.cache import SEAL_BYTES, TOO_RECENT, load_pickle, store_pickle
from microsite.content.config import load_config
from microsite.publish.manifest import Manifest, manifest_path, unchanged, up_to_date
from microsite.publish.records import named_pages, state_path
from tests.conftest import REPO, make_photo
from tests.faults import cli, snapshot

NOTHING = "Nothing changed since the last build"


@pytest.fixture
def built(site):
    site.article("bai", body='Đoạn một.\n\n![Ảnh](images/a.jpg "Chú thích.")\n', photos=("images/a.jpg",))
    site.translate("bai")
    site.article("nhap", body="Diện tích 2 * 3 mét.\n")  # a warning, printed by every build
    # Past the window in which a file's stat cannot stand for it: else a build started that soon
    # after these writes keeps none of its pages for the next (its articles' keys cannot be made),
    # and a test that counts them races the clock.
    time.sleep(TOO_RECENT * 2)
    result = cli("--root", str(site.root))
    assert result.returncode == 0 and "Built " in result.stdout, result.stderr
    return site


def build(site, *args: str) -> subprocess.CompletedProcess:
    result = cli("--root", str(site.root), *args)
    assert result.returncode == 0, result.stderr
    return result


def stamps(site) -> dict[str, int]:
    out = site.root / "site"
    return {str(p.relative_to(out)): p.lstat().st_mtime_ns for p in [out, *out.rglob("*")]}


def test_nothing_changed_writes_nothing_and_says_the_same(built) -> None:
    first = build(built)  # the build after the fixture's: its manifest is the fixture's
    assert NOTHING in first.stdout
    before, files = stamps(built), snapshot(built.root / "site")
    again = build(built)
    assert NOTHING in again.stdout and "(articles 2 in vi, 1 in en;" in again.stdout
    assert stamps(built) == before and snapshot(built.root / "site") == files
    for manifest in (built.root / ".cache").glob("build-*.pickle"):
        manifest.unlink()
    full = build(built)  # a whole build of the same sources prints the same warnings
    assert "Built " in full.stdout and again.stderr.splitlines() == full.stderr.splitlines()
    assert "a lone * shown as it is" in again.stderr  # warnings are printed as the full build printed them


def test_a_no_op_that_skips_pythons_teardown_still_prints_everything(built) -> None:
    """Its output block-buffered into pipes (no PYTHONUNBUFFERED): the line and every warning arrive."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    command = [sys.executable, str(REPO / "build.py"), "--root", str(built.root)]
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    assert result.returncode == 0 and NOTHING in result.stdout and result.stdout.endswith("s.\n")
    assert "a lone * shown as it is" in result.stderr


def test_a_no_op_build_imports_none_of_the_libraries_it_does_not_use(built) -> None:
    probe = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); import build\n"
        "code = build.main(['build', '--root', sys.argv[1]])\n"
        "heavy = ('jinja2', 'markdown', 'babel', 'PIL', 'nh3', 'polib', 'yaml', 'microsite.publish.builder',\n"
        "         'dataclasses', 'zoneinfo')  # the last two: ~9 ms of a no-op's ~0.12 s\n"
        "print(code, sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(built.root)], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout + result.stderr


def test_an_edit_renders_its_pages_without_importing_babel_once_its_texts_are_kept(built) -> None:
    """babel's answers (the days, months and language names the pages show) are kept in .cache: an
    edit's pages show the same texts, and babel (~35 ms of an edit's start) is not imported."""
    from microsite.publish.render import _formatted_day

    page = built.root / "site/bai/index.html"
    before = page.read_text(encoding="utf-8")
    edit(built.root / "content/bai/index.md", "\nĐoạn hai.\n")
    probe = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); import build\n"
        "code = build.main(['build', '--root', sys.argv[1]])\n"
        "print(code, sorted(m for m in sys.modules if m.startswith('babel')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(built.root)], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout + result.stderr
    after = page.read_text(encoding="utf-8")
    assert "Đoạn hai." in after and after != before
    vi = load_config(built.root / "site.toml").languages[0]
    day = _formatted_day(dt.date(2021, 6, 25), vi.date_format, vi.locale)  # babel's own (the fixture's article's date)
    assert day in before and day in after
    assert "Tiếng Việt" in after and "English" in after  # the language switcher's names


def test_an_edit_of_an_articles_body_takes_its_front_matter_and_tag_names_as_kept(site) -> None:
    """An edit of the body alone: the front matter's values as this code read them last (PyYAML,
    ~16 ms of an edit's start, is not imported), the tags' names in URLs as kept with babel's
    answers (python-slugify, ~7 ms, neither), and QA's patterns are compiled only by a build that
    asks for findings. An edit of the front matter is read anew."""
    from microsite.publish.builder import build_site

    front = 'title: "Tiêu đề bài viết"\ndate: 2021-06-25\ntags: [công nghiệp, Xuất khẩu]\n'
    site.article("bai", body="Đoạn một.\n", front=front)
    time.sleep(TOO_RECENT + 0.1)  # (old enough for its reading to be kept)
    build_site(site.config)
    index = site.root / "content/bai/index.md"
    edit(index, "\nĐoạn hai.\n")
    probe = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); import build\n"
        "code = build.main(['build', '--root', sys.argv[1]])\n"
        "heavy = ('yaml', 'slugify', 'babel', 'microsite.translation.qa')\n"
        "print(code, sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(site.root)], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout + result.stderr
    page = (site.root / "site/bai/index.html").read_text(encoding="utf-8")
    assert "Đoạn hai." in page and "tags/cong-nghiep/" in page and "tags/xuat-khau/" in page
    assert "Tiêu đề bài viết" in (site.root / "site/tags/cong-nghiep/index.html").read_text(encoding="utf-8")
    index.write_text(index.read_text(encoding="utf-8").replace("Tiêu đề bài viết", "Tiêu đề mới"), encoding="utf-8")
    build_site(site.config)
    page = (site.root / "site/bai/index.html").read_text(encoding="utf-8")
    assert "Tiêu đề mới" in page and "Tiêu đề bài viết" not in page


def edit(path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def same_size_same_time(path) -> None:
    """Change a file in place as a careful tool might: same length, modification time put back."""
    before = path.stat()
    data = path.read_bytes()
    path.write_bytes(data.replace(b"<body", b"<BODY", 1) if b"<body" in data else data[::-1])
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


# Damage done to the published site: the next build must notice it and write the site anew.
DAMAGE = {
    "output page removed": lambda s: (s.root / "site/en/index.html").unlink(),
    "output page appended to": lambda s: edit(s.root / "site/index.html", "<script>alert(1)</script>"),
    "output page changed, size and time kept": lambda s: same_size_same_time(s.root / "site/bai/index.html"),
    "output photo truncated": lambda s: os.truncate(s.root / "site/bai/images/a-480w.jpg", 100),
    "output file added": lambda s: (s.root / "site/bai/leak.txt").write_text("private", encoding="utf-8"),
    "output page replaced by a link": lambda s: (
        (s.root / "site/404.html").unlink() or (s.root / "site/404.html").symlink_to("/etc/hostname")
    ),
}


CHANGES = {
    "article text": lambda s: edit(s.root / "content/bai/index.md", "\nĐoạn mới.\n"),
    "en.po": lambda s: edit(s.root / "content/bai/en.po", '\n#~ msgid "cũ"\n#~ msgstr "old"\n'),
    "photo replaced": lambda s: make_photo(s.root / "content/bai/images/a.jpg", color="red"),
    "photo added": lambda s: make_photo(s.root / "content/bai/images/b.jpg"),
    "article added": lambda s: s.article("moi"),
    "article deleted": lambda s: shutil.rmtree(s.root / "content/nhap"),
    "template": lambda s: edit(s.root / "templates/article.html", "\n"),
    "strings": lambda s: edit(s.root / "templates/strings.toml", "\n"),
    "static file": lambda s: edit(s.root / "static/style.css", "\n"),
    "site.toml": lambda s: edit(s.root / "site.toml", "\n"),
    "glossary": lambda s: (s.root / "content/glossary.yaml").write_text("keep: [Hạ Long]\n", encoding="utf-8"),
    "output removed": lambda s: shutil.rmtree(s.root / "site"),
    "output replaced": lambda s: (
        (s.root / "site").rename(s.root / "old-site") or shutil.copytree(s.root / "old-site", s.root / "site")
    ),
    "manifest deleted": lambda s: [p.unlink() for p in (s.root / ".cache").glob("build-*.pickle")],
    "manifest corrupt": lambda s: [p.write_text("{", encoding="utf-8") for p in (s.root / ".cache").glob("build-*")],
    "manifest of another version": lambda s: [
        store_pickle(p, {**load_pickle(p), "code": "x"}) for p in (s.root / ".cache").glob("build-*")
    ],
    "manifest not sealed by this user": lambda s: [
        p.write_bytes(p.read_bytes()[SEAL_BYTES:]) for p in (s.root / ".cache").glob("build-*.pickle")
    ],
    **DAMAGE,
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_or_doubt_builds_again(built, change: str) -> None:
    assert NOTHING in build(built).stdout
    CHANGES[change](built)
    result = build(built)
    assert NOTHING not in result.stdout and "Built " in result.stdout
    assert NOTHING in build(built).stdout  # and then it is up to date again


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_site_is_repaired_by_the_next_build(built, damage: str) -> None:
    """What a clean build writes, byte for byte; and the damage never reached the cache it builds from."""
    assert NOTHING in build(built).stdout
    clean = snapshot(built.root / "site")
    DAMAGE[damage](built)
    assert "Built " in build(built).stdout
    assert snapshot(built.root / "site") == clean
    assert not any(path.is_symlink() for path in (built.root / "site").rglob("*"))
    shutil.rmtree(built.root / "site")  # built from the cache alone: still what a clean build writes
    assert "Built " in build(built).stdout
    assert snapshot(built.root / "site") == clean


def test_a_file_restored_with_its_old_modification_time_is_noticed(built) -> None:
    time.sleep(TOO_RECENT + 0.1)  # the inputs are old enough to be judged by their stats alone
    edit(built.root / "static/style.css", "\n")
    build(built)
    assert "content/bai/index.md" not in up_to_date(built.config).racy
    index = built.root / "content/bai/index.md"
    before = index.stat()
    index.write_text(index.read_text(encoding="utf-8").replace("Đoạn một.", "Đoạn mốt."), encoding="utf-8")
    os.utime(index, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime: as a restore leaves it
    assert index.stat().st_size == before.st_size and index.stat().st_mtime_ns == before.st_mtime_ns
    assert NOTHING not in build(built).stdout
    assert "Đoạn mốt." in (built.root / "site/bai/index.html").read_text(encoding="utf-8")


def test_a_no_op_settles_racy_files_once_they_are_old_enough(built, monkeypatch) -> None:
    """As git refreshes a racy index: checked by content once, then by stat, and a change still shows."""
    from microsite import cache

    config = built.config
    path = manifest_path(config.cache_dir, config.output_dir.resolve())
    edit(built.root / "content/bai/index.md", "\n")
    monkeypatch.setenv("MICROSITE_TOO_RECENT", "60")  # the build judges every file changed this minute by content
    build(built)
    assert "content/bai/index.md" in load_pickle(path)["racy"]
    monkeypatch.setattr(cache, "TOO_RECENT", 60.0)
    assert up_to_date(config) is not None
    assert "content/bai/index.md" in load_pickle(path)["racy"]  # still too recent to settle
    monkeypatch.setattr(cache, "TOO_RECENT", TOO_RECENT)  # a while later
    time.sleep(TOO_RECENT + 0.1)
    assert up_to_date(config) is not None
    assert load_pickle(path)["racy"] == {}  # settled: the next no-op reads no file
    index = built.root / "content/bai/index.md"
    before = index.stat()
    index.write_text(index.read_text(encoding="utf-8").replace("Đoạn một.", "Đoạn mốt."), encoding="utf-8")
    assert index.stat().st_mtime_ns != before.st_mtime_ns  # a change after settling gives a newer stat
    assert NOTHING not in build(built).stdout
    assert "Đoạn mốt." in (built.root / "site/bai/index.html").read_text(encoding="utf-8")


def test_a_moved_project_builds_again(built, tmp_path) -> None:
    moved = tmp_path / "moved"
    shutil.move(built.root, moved)
    result = cli("--root", str(moved))
    assert result.returncode == 0 and NOTHING not in result.stdout


def test_strict_trusts_only_a_strict_build(built) -> None:
    (built.root / "content/nhap/index.md").unlink()
    shutil.rmtree(built.root / "content/nhap")
    build(built)
    assert NOTHING not in build(built, "--strict").stdout  # the last build was not strict: check again
    assert NOTHING in build(built, "--strict").stdout
    assert NOTHING in build(built).stdout


def test_a_failed_build_leaves_no_manifest_that_hides_the_failure(built) -> None:
    index = built.root / "content/bai/index.md"
    edit(index, "\n![Tàu](images/x.jpg\n")
    assert cli("--root", str(built.root)).returncode == 1
    assert cli("--root", str(built.root)).returncode == 1  # still refused: never "nothing changed"


def test_the_json_manifest_of_earlier_versions_is_removed(built) -> None:
    (current,) = (built.root / ".cache").glob("build-*.pickle")
    earlier = current.with_suffix(".json")
    earlier.write_text('{"format": 6}', encoding="utf-8")
    assert NOTHING in build(built).stdout  # (a no-op writes nothing)
    edit(built.root / "content/bai/index.md", "\nThêm.\n")
    assert "Built " in build(built).stdout
    assert not earlier.exists() and current.exists()


def test_the_pages_kept_for_an_article_read_again_or_gone_leave_the_cache(built, tmp_path) -> None:
    """The cache keeps the pages and feed entries of the articles as they are, not every version
    ever made: as many as a first build of the same project keeps."""

    def kept(root) -> int:
        return len(list((root / ".cache" / "pages").iterdir()))

    def as_many_as_a_first_build(round_: int) -> None:
        # Each build past the "too recent" window of the files just changed or copied: pages made
        # from a file within it are kept for that build only, so the counts would differ (this
        # test failed about once in ten runs beside a disk-saturating writer without the waits).
        time.sleep(TOO_RECENT * 3)
        assert "Built " in build(built).stdout
        fresh = tmp_path / f"fresh-{round_}"
        shutil.copytree(built.root, fresh, ignore=shutil.ignore_patterns(".cache", "site"))
        time.sleep(TOO_RECENT * 3)
        assert cli("--root", str(fresh)).returncode == 0
        assert kept(built.root) == kept(fresh) > 0

    edit(built.root / "content/bai/index.md", "\nThêm.\n")
    as_many_as_a_first_build(1)
    edit(built.root / "templates/article.html", "<!-- a template edit renders every page -->\n")
    as_many_as_a_first_build(2)
    shutil.rmtree(built.root / "content/nhap")
    as_many_as_a_first_build(3)
    assert NOTHING in build(built).stdout


def test_a_build_that_lost_its_state_removes_the_pages_no_state_keeps(built, tmp_path) -> None:
    """A state lost (or of another format) no longer names the pages it kept in .cache/pages/: the
    next build removes every page no state keeps, but those another output's state keeps, and
    none while another build of the same cache runs."""
    cache = built.root / ".cache"
    pages, ours = cache / "pages", state_path(cache, (built.root / "site").resolve())
    assert ours.is_file()
    before = set(pages.iterdir())
    time.sleep(TOO_RECENT * 3)
    other = ("--out", str(tmp_path / "elsewhere"), "--base-url", "https://other.example/")
    assert "Built " in build(built, *other).stdout
    theirs = set(pages.iterdir()) - before  # another base URL: pages of its own, named by its state
    assert theirs
    stray = pages / ("0" * 32 + ".html")  # named as a kept page is
    stray.write_text("<p>a page of a version no state names any more</p>", encoding="utf-8")
    os.utime(stray, (time.time() - 60, time.time() - 60))

    def lose_the_state_and_build() -> None:
        ours.unlink()
        edit(built.root / "content/nhap/index.md", "\nThêm.\n")
        time.sleep(TOO_RECENT * 3)
        assert "Built " in build(built).stdout

    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        (cache / "running" / str(running.pid)).touch()  # as another build of this cache marks itself
        lose_the_state_and_build()
        assert stray.exists() and before <= set(pages.iterdir())
    finally:
        running.kill()
        running.wait()
    lose_the_state_and_build()
    assert not stray.exists()
    named = named_pages(ours)
    assert named is not None
    kept = {Path(name) for name in named if Path(name).parent == pages}  # (photos are named too)
    assert len(kept) == len(before)  # nhap's pages of both lost states gone
    assert set(pages.iterdir()) == kept | theirs
    assert "Built " in build(built, *other).stdout  # (nhap changed) its kept pages found where they were
    named = named_pages(state_path(cache, (tmp_path / "elsewhere").resolve()))
    assert named and all(os.path.exists(name) for name in named)
    stray.write_text("<p>left by a state lost long ago</p>", encoding="utf-8")
    os.utime(stray, (time.time() - 60, time.time() - 60))
    edit(built.root / "templates" / "article.html", "<!-- every page rendered again -->\n")
    time.sleep(TOO_RECENT * 3)
    assert "Built " in build(built).stdout  # a state of other templates: the last version's pages go by name
    assert not stray.exists()  # and what no state names goes with them


def test_another_output_folder_has_its_own_manifest(built, tmp_path) -> None:
    other = tmp_path / "elsewhere"
    assert NOTHING not in build(built, "--out", str(other)).stdout
    assert NOTHING in build(built, "--out", str(other)).stdout
    assert NOTHING in build(built).stdout


def test_a_file_changed_in_the_same_clock_tick_is_compared_by_content(built) -> None:
    config = built.config
    output = config.output_dir.resolve()
    manifest = up_to_date(config)
    assert manifest is not None
    path = manifest_path(config.cache_dir, output)
    data = load_pickle(path)
    data["racy"] = {"content/bai/index.md": "0" * 64}  # as if the file changed right at the snapshot
    store_pickle(path, data)
    assert unchanged(config.root.resolve(), output, manifest.options, False, config.cache_dir) is None
    data["racy"] = {}
    store_pickle(path, data)
    assert isinstance(up_to_date(config), Manifest)
    path.write_bytes(pickle.dumps(data))  # the same manifest, not sealed by this user: never trusted
    assert up_to_date(config) is None


class Planted:
    """A pickle that, if ever loaded, leaves a file behind (what a hostile cache entry would do)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_cache_that_came_with_the_project_is_never_loaded(built, tmp_path) -> None:
    import pickle
    import sqlite3

    time.sleep(TOO_RECENT + 0.1)  # old enough to be cached
    edit(built.root / "content/nhap/index.md", "\nThêm.\n")
    build(built)
    cache = built.root / ".cache"
    entries = [p for folder in ("articles", "pages", "templates") for p in (cache / folder).glob("*") if p.is_file()]
    assert {p.parent.name for p in entries} == {"articles", "pages", "templates"}
    (store,) = cache.glob("state-*.sqlite")
    before = snapshot(built.root / "site")
    marker = tmp_path / "ran"
    planted = pickle.dumps(Planted(str(marker)))
    for entry in entries:  # as a pull request could commit them: valid pickles, no seal of ours
        entry.unlink()
        entry.write_bytes(planted)
    with sqlite3.connect(store) as connection:  # every row of the build's state: the same
        for table in ("meta", "records", "lists"):
            assert connection.execute(f"UPDATE {table} SET value = ?", (planted,)).rowcount > 0
    connection.close()
    for manifest in cache.glob("build-*.pickle"):
        manifest.unlink()
    result = build(built)
    assert not marker.exists()  # nothing planted ran
    assert "Built " in result.stdout and snapshot(built.root / "site") == before


def test_without_a_key_for_the_caches_builds_still_work(built, tmp_path) -> None:
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "file")}  # no key can be made there
    shutil.rmtree(built.root / ".cache")
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "--root", str(built.root)], capture_output=True, text=True, env=env
        )
        assert result.returncode == 0, result.stderr
    assert not list((built.root / ".cache").glob("articles/*")) and not list((built.root / ".cache").glob("pages/*"))


def test_a_site_file_changed_in_place_never_reaches_the_cache(built) -> None:
    """Site pages and photos are copies of the build's cache, never hard links: a change made in
    place in site/ leaves the cache as it was, and the next build writes the file as a clean build does.
    Only the standby (``.cache/output/``) may share a file with the site, and every file of it is
    checked by its stamp before it is used: the change is never published again."""
    time.sleep(TOO_RECENT + 0.1)  # old enough for its record to be kept
    edit(built.root / "content/nhap/index.md", "\nThêm.\n")
    build(built)  # renders "bai" again (its files were too new to be kept before), keeps its record
    clean = snapshot(built.root / "site")
    cache = snapshot(built.root / ".cache")
    page, photo = built.root / "site/bai/index.html", built.root / "site/bai/images/a.jpg"
    for file in (page, photo):
        with open(file, "r+b") as opened:  # in place, as some editors and tools write
            opened.write(b"TAMPERED")
    assert without_standby(snapshot(built.root / ".cache")) == without_standby(cache)
    result = build(built)
    assert "Built " in result.stdout
    assert snapshot(built.root / "site") == clean
    edit(built.root / "content/nhap/index.md", "\nThêm nữa.\n")  # the tree that held the change is the standby now
    assert "Built " in build(built).stdout
    assert not any(b"TAMPERED" in data for data in snapshot(built.root / "site").values())


def without_standby(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if not path.startswith("output/")}


PLANS = {  # how many of the output's names the forked child stamps (this process stats the inputs)
    "child stamps half the output": lambda outputs, inputs: outputs // 2,
    "child stamps the whole output": lambda outputs, inputs: outputs,
    "child stamps nothing": lambda outputs, inputs: 0,
}


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("slug", ["bai", "nhap"])
def test_the_check_shared_with_a_forked_child_sees_every_input_and_output(built, monkeypatch, plan, slug) -> None:
    """However the no-op check's work is shared between the two processes, it stats every input (the
    same snapshot as one process takes) and a change in either process's share is a change."""
    from microsite.publish import manifest

    config = built.config
    output = config.output_dir.resolve()
    last = up_to_date(config)
    assert last is not None
    monkeypatch.setattr(manifest, "_share", PLANS[plan])
    last.save(manifest_path(config.cache_dir, output))  # its output's stamps split as this plan splits them
    found, taken = manifest.check_last_build(config)
    assert found is not None and taken[1] == manifest.snapshot(built.root.resolve())
    page = built.root / f"site/{slug}/index.html"
    kept = page.read_bytes()
    page.unlink()
    assert manifest.check_last_build(config)[0] is None
    page.write_bytes(kept)
    last.save(manifest_path(config.cache_dir, output))
    assert manifest.check_last_build(config)[0] is not None
    edit(built.root / "content" / slug / "index.md", "\nThêm.\n")
    assert manifest.check_last_build(config)[0] is None


def test_a_changed_input_is_answered_without_waiting_for_the_outputs_stamps(built, monkeypatch) -> None:
    """The forked child stamps its share of the output while this process stats the inputs: when
    one changed, the answer comes at once, this process stamps none of the output and the child is
    stopped (a build with work to do does not wait for a walk of the site it replaces)."""
    from microsite.publish import manifest

    config = built.config
    stamped = []
    real = manifest.output_stamps
    monkeypatch.setattr(manifest, "output_stamps", lambda *args: stamped.append(1) or real(*args))
    assert manifest.check_last_build(config)[0] is not None and stamped == [1]  # (the child's own is not counted)
    edit(built.root / "content" / "bai" / "index.md", "\nThêm.\n")
    found, taken = manifest.check_last_build(config)
    assert found is None and stamped == [1]
    assert taken[1] == manifest.snapshot(built.root.resolve())


def test_a_large_projects_check_takes_half_its_inputs_in_a_forked_child(built, monkeypatch) -> None:
    """On a large project the check's child stats half the articles' folders (and then stamps half
    the output) while this process stats the rest: the snapshot is every input's, as one process
    takes it, and a change in either half is a change. A child that fails gives its half to this
    process to take."""
    from microsite.publish import manifest
    from microsite.publish.builder import build_site

    config = built.config
    root = built.root.resolve()
    last = up_to_date(config)
    assert last is not None
    monkeypatch.setattr(manifest, "AHEAD_INPUTS", 0)
    last.save(manifest_path(config.cache_dir, config.output_dir.resolve()))  # (its output split in halves)
    walked: list[str] = []  # (the folders this process lists)
    listed, real = manifest._list, manifest._walk
    monkeypatch.setattr(
        manifest, "_list", lambda base, folder, found: walked.append(folder) or listed(base, folder, found)
    )
    found, taken = manifest.check_last_build(config)
    mine = set(walked)
    assert found is not None and taken[1] == manifest.snapshot(root)
    folders = sorted(
        name[:-1] for name in taken[1] if name.startswith("content/") and name.endswith("/") and name.count("/") == 2
    )
    assert len(folders) >= 2 and set(folders) - mine  # (some listed only by the child)
    for slug in (folders[0], folders[-1]):  # one in each half
        edit(built.root / slug / "index.md", "\nThêm.\n")
        found, taken = manifest.check_last_build(config)
        assert found is None and taken[1] == manifest.snapshot(root)
        build_site(config)  # (in this process: its output's stamps split as the check splits them)
        assert manifest.check_last_build(config)[0] is not None
    parent = os.getpid()

    def failing(base, stack, found):
        if os.getpid() != parent:
            raise OSError("no")
        return real(base, stack, found)

    monkeypatch.setattr(manifest, "_walk", failing)
    found, taken = manifest.check_last_build(config)
    assert found is not None and taken[1] == manifest.snapshot(root)


def newest_first(site, slug: str) -> None:
    """``slug``'s text made the input modified last, as the last build saw it (then built)."""
    index = site.root / "content" / slug / "index.md"
    later = time.time_ns() + 10**9
    os.utime(index, ns=(later, later))
    build(site)


def foreseen_as_taken_here(site) -> None:
    """The check foresees the build: its child's snapshot is every input's stat, as one process
    takes it, and its survey is of the standby as the last build left it (nothing lost or stale)."""
    from microsite.publish import manifest

    found, taken = manifest.check_last_build(site.config, ahead=True)
    assert found is None and isinstance(taken, manifest.Foreseen)
    snapshot, survey = manifest.settled(taken, site.config.root)
    assert snapshot[1] == manifest.snapshot(site.root.resolve())
    folder, answer = survey()
    assert folder.startswith(str(site.root / ".cache" / "output")) and answer[1:3] == ([], [])


def test_an_edit_of_the_input_changed_last_is_snapshot_beside_the_import(built) -> None:
    """An editor saving the article changed last: the check sees it among the few inputs it stats
    first, and the snapshot is taken by a forked child (so this process can import the builder
    meanwhile), which then surveys the standby. What it gives is every input's stat, as one process
    takes it, and the standby as the last build left it (a child killed: the next test)."""
    from microsite.publish import manifest

    config = built.config
    newest_first(built, "nhap")
    edit(built.root / "content" / "nhap" / "index.md", "\nThêm.\n")
    foreseen_as_taken_here(built)
    assert manifest.check_last_build(config)[0] is None  # (the same answer without ahead)


def stalled_in_child(real):
    """``real``, but in a forked child it waits first (long enough to be killed at leisure)."""
    parent = os.getpid()
    return lambda *args: (time.sleep(60) if os.getpid() != parent else None) or real(*args)


def test_a_foreseen_snapshot_whose_child_is_killed_is_taken_here(built, monkeypatch) -> None:
    """The child killed before it sent the snapshot: the snapshot is taken in this process (the same
    one), and the standby is surveyed by the build itself (no survey is handed on)."""
    import signal

    from microsite.publish import manifest

    config = built.config
    newest_first(built, "nhap")
    edit(built.root / "content" / "nhap" / "index.md", "\nThêm.\n")
    monkeypatch.setattr(manifest, "take_snapshot", stalled_in_child(manifest.take_snapshot))
    found, taken = manifest.check_last_build(config, ahead=True)
    assert found is None and isinstance(taken, manifest.Foreseen)
    os.kill(taken.snapshot.child[0], signal.SIGKILL)
    snapshot, survey = manifest.settled(taken, config.root)
    assert snapshot[1] == manifest.snapshot(built.root.resolve()) and survey is None


@pytest.mark.parametrize("how", ["survey killed", "another build since"])
def test_a_survey_made_beside_is_used_only_if_it_is_of_the_standby_as_it_is(built, monkeypatch, how) -> None:
    """A file planted in the standby (which becomes the site at the swap) is found and never
    published, whether the survey made beside the check fails (its child killed) or describes a
    standby another build has changed since: the build then surveys the standby itself. Used as
    made, that survey would have found nothing amiss, and the planted file would be in the site."""
    import signal

    from microsite.parallel import Pending
    from microsite.publish import manifest, tree
    from microsite.publish.builder import build_site

    config = built.config
    newest_first(built, "nhap")
    edit(built.root / "content" / "nhap" / "index.md", "\nThêm.\n")
    if how == "survey killed":
        monkeypatch.setattr(tree, "survey_beside", stalled_in_child(tree.survey_beside))
    found, taken = manifest.check_last_build(config, ahead=True)
    assert found is None and isinstance(taken, manifest.Foreseen)
    snapshot, survey = manifest.settled(taken, config.root)
    if how == "survey killed":
        os.kill(survey.child[0], signal.SIGKILL)
    else:
        folder, answer = survey()  # (of the standby as the last build left it: nothing amiss)
        assert answer is not None and answer[1:3] == ([], [])
        build(built)  # another build since: the standby's record is another
        edit(built.root / "content" / "nhap" / "index.md", "\nThêm nữa.\n")
        snapshot = manifest.take_snapshot(built.root.resolve())
        survey = Pending(lambda: (folder, answer))  # the survey made before that build, handed on
    standby = next((built.root / ".cache" / "output").glob("*/tree"))
    (standby / "planted.html").write_text("planted", encoding="utf-8")
    build_site(config, taken=snapshot, survey=survey)
    assert not (built.root / "site" / "planted.html").exists()
    assert "Thêm." in (built.root / "site" / "nhap" / "index.html").read_text(encoding="utf-8")


def test_a_foreseen_build_takes_the_survey_made_beside(built, monkeypatch) -> None:
    """The survey the check's child made is the build's: it forks no survey of its own."""
    from microsite.publish import manifest, tree
    from microsite.publish.builder import build_site

    def no_fork(work):
        raise AssertionError("the standby surveyed again")

    config = built.config
    newest_first(built, "nhap")
    edit(built.root / "content" / "nhap" / "index.md", "\nThêm.\n")
    snapshot, survey = manifest.settled(manifest.check_last_build(config, ahead=True)[1], config.root)
    assert survey is not None
    monkeypatch.setattr(tree, "forked", no_fork)
    build_site(config, taken=snapshot, survey=survey)
    assert "Thêm." in (built.root / "site" / "nhap" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("store", ["missing", "damaged", "a link"])
def test_the_survey_made_beside_makes_mends_and_follows_nothing(built, tmp_path, store) -> None:
    """The survey made before the build holds the standby's lock only reads: a store that is not
    there is not made, a damaged one is left as it is (the build under the lock mends it), a link
    is not followed; the answer is then that nothing is known."""
    from microsite.publish import tree

    config = built.config
    folder = tree.standby_folder(config.cache_dir, (built.root / "site").resolve())
    state = folder / "state.sqlite"
    assert state.is_file()
    elsewhere = tmp_path / "elsewhere.sqlite"
    shutil.copyfile(state, elsewhere)
    state.unlink()
    if store == "damaged":
        state.write_bytes(b"not a database")
    elif store == "a link":
        state.symlink_to(elsewhere)

    def held() -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in [*folder.iterdir(), elsewhere] if not path.is_dir()}

    before = held()
    assert tree.survey_beside(config.cache_dir, (built.root / "site").resolve()) == (str(folder), None)
    assert held() == before and state.is_symlink() == (store == "a link")
    assert os.path.lexists(state) == (store != "missing")


def test_an_edit_elsewhere_or_none_is_checked_as_always(built) -> None:
    """Nothing changed: the last build's manifest, with ``ahead`` as without. An input changed that
    is not among those changed last: every input compared, in the snapshot whoever takes it (this
    process, or a child once the change is seen: the next test)."""
    from microsite.publish import manifest

    config = built.config
    other = built.root / "content" / "bai" / "index.md"
    os.utime(other, ns=(10**18, 10**18))  # (in 2001: the input modified first, as the build sees it)
    newest_first(built, "nhap")
    assert manifest.check_last_build(config, ahead=True)[0] is not None
    edit(other, "\nThêm.\n")
    found, taken = manifest.check_last_build(config, ahead=True)
    snapshot, survey = manifest.settled(taken, config.root)
    if survey is not None:
        survey.cancel()  # (its child reaped: no build follows here)
    assert found is None and snapshot[1] == manifest.snapshot(built.root.resolve())


@pytest.mark.parametrize("changed", ["site.toml", "two articles", "a new article"])
def test_an_edit_seen_before_the_snapshot_is_whole_hands_the_rest_to_a_child(built, monkeypatch, changed) -> None:
    """An input that is not among those changed last, seen to differ while folders are still to be
    listed (here after each folder: ``WATCHED`` 1; two articles changed, so that one of them is not
    the last folder listed): the build is certain, so a forked child takes the rest of the snapshot
    and then surveys the standby. The snapshot it gives is every input's stat, as one process takes
    it; if no child can be made, it is taken here, the same."""
    from microsite.publish import manifest

    config = built.config
    newest_first(built, "nhap")  # (a second build: the first one's site is now the standby)
    if changed == "site.toml":  # (listed first of all)
        edit(built.root / "site.toml", "\n# Thêm.\n")
    else:
        edit(built.root / "content" / "bai" / "index.md", "\nThêm.\n")
    if changed == "two articles":
        edit(built.root / "content" / "nhap" / "index.md", "\nThêm.\n")
    elif changed == "a new article":
        built.article("moi", body="Bài mới.\n")
    monkeypatch.setattr(manifest, "WATCHED", 1)
    monkeypatch.setattr(manifest, "_edited_again", lambda root, last: False)  # (not among those changed last)
    foreseen_as_taken_here(built)

    def no_process(*args):
        raise OSError("no process could be made")

    monkeypatch.setattr(manifest, "forked_then", no_process)
    found, taken = manifest.check_last_build(config, ahead=True)
    assert found is None and not isinstance(taken, manifest.Foreseen)
    assert taken[1] == manifest.snapshot(built.root.resolve())


@pytest.mark.parametrize("how", ["edited", "output removed", "first build"])
def test_the_output_recorded_from_the_builds_own_stamps_is_the_output_on_disk(built, how) -> None:
    """The manifest lists and stamps the output from what the build wrote and checked (no second
    walk of the site); that must be exactly what listing and stat'ing the site gives."""
    from microsite.publish import manifest

    if how == "edited":
        edit(built.root / "content/bai/index.md", "\nThêm.\n")
    elif how == "output removed":
        shutil.rmtree(built.root / "site")
    else:
        shutil.rmtree(built.root / ".cache")
        shutil.rmtree(built.root / "site")
    assert "Built " in build(built).stdout
    output = (built.root / "site").resolve()
    recorded = load_pickle(manifest_path(built.config.cache_dir, output))
    assert recorded["outputs"] == "\n".join(manifest.output_listing(output))
    assert recorded["output_state"] == manifest._output_state(output, recorded["outputs"], len(recorded["inputs"]))
    assert NOTHING in build(built).stdout


@pytest.mark.parametrize("thread", ["answers", "fails"])
def test_the_outputs_stamps_taken_beside_the_last_saves_are_the_output_on_disk(built, monkeypatch, thread) -> None:
    """The output's folders are stat'ed by a thread while the build saves its records; what it
    answers (or, if it failed, what the build's own thread takes instead) is the output on disk."""
    import threading

    from microsite.publish import manifest
    from microsite.publish.builder import build_site

    monkeypatch.setattr(manifest, "STAMP_AHEAD", 1)
    real = manifest._output_state
    stamped_in: list[str] = []

    def stamping(*args):
        stamped_in.append(threading.current_thread().name)
        if thread == "fails" and threading.current_thread() is not threading.main_thread():
            raise OSError("stat failed")
        return real(*args)

    monkeypatch.setattr(manifest, "_output_state", stamping)
    edit(built.root / "content/bai/index.md", "\nThêm.\n")
    build_site(built.config)
    main = threading.main_thread().name
    assert stamped_in[0] != main and stamped_in[1:] == ([] if thread == "answers" else [main])
    output = (built.root / "site").resolve()
    recorded = load_pickle(manifest_path(built.config.cache_dir, output))
    assert recorded["outputs"] == "\n".join(manifest.output_listing(output))
    assert recorded["output_state"] == real(output, recorded["outputs"], len(recorded["inputs"]))
    assert NOTHING in build(built).stdout
