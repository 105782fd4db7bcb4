"""Builds write only what changed, into a standby copy of the site that is then swapped in (publish.tree).

Each test checks the site against a clean build of the same content written whole into another
folder, byte for byte: after an edit, after damage done through site/, after damage done to the
standby itself in .cache/, and while another build holds the standby.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from microsite.cache import stamp_from
from microsite.publish.builder import build_site
from microsite.publish.tree import Entry, TreeRecord, _listed, survey
from tests.conftest import make_photo
from tests.faults import snapshot
from tests.index_reader import answers, without_index
from tests.publish.conftest import ARTICLES, edit, settle


def standby(site) -> Path:
    (tree,) = (site.root / ".cache" / "output").glob("*/tree")
    return tree


def identities(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and change time: a file written anew differs (an inode alone may be reused)."""
    return {
        str(p.relative_to(folder)): (p.lstat().st_ino, p.lstat().st_ctime_ns) for p in folder.rglob("*") if p.is_file()
    }


def same_as_a_clean_build(site, tmp_path: Path, name: str = "clean") -> None:
    clean = tmp_path / name
    build_site(site.config, output=clean)  # another output: its own standby and index, written whole
    assert without_index(snapshot(site.root / "site")) == without_index(snapshot(clean))
    assert answers(site.root / "site") == answers(clean)
    assert not [p for p in (site.root / "site").rglob("*") if p.is_symlink()]


def test_an_edit_writes_only_the_files_it_changes(newsroom, tmp_path) -> None:
    tree = standby(newsroom)
    before = identities(tree)  # the site two builds ago, to be brought up to date and swapped in
    edit(newsroom, "bai-c", "Một câu mới.")
    settle()
    build_site(newsroom.config)
    after = identities(newsroom.root / "site")
    assert len(after) > 60
    written = {path for path, identity in after.items() if before.get(path) != identity}
    # this build's edit and the last one's (the standby lacked it): their pages, lists, feeds, sitemap
    assert "bai-c/index.html" in written and "bai-b/index.html" in written
    assert not any(path.startswith(("bai-d/", "en/bai-d/")) for path in written), sorted(written)
    assert not any(path.startswith("static/") or "/images/" in path for path in written), sorted(written)
    index = [path for path in written if path.startswith("searchindex/")]
    assert index and not any("/b/" in path for path in index), index  # the delta and fragments, never the base
    assert len(written) < len(after) / 4, sorted(written)
    same_as_a_clean_build(newsroom, tmp_path)


def test_damage_done_through_the_site_never_outlives_the_next_builds(newsroom, tmp_path) -> None:
    secret = tmp_path / "id_ed25519"
    secret.write_text("PRIVATE KEY", encoding="utf-8")
    out = newsroom.root / "site"
    with open(out / "bai-d" / "index.html", "a", encoding="utf-8") as page:  # changed in place
        page.write("<script>alert(1)</script>")
    (out / "en" / "index.html").unlink()
    (out / "bai-d" / "extra.html").write_text("added", encoding="utf-8")
    (out / "static" / "style.css").unlink()
    (out / "static" / "style.css").symlink_to(secret)
    for round, slug in enumerate(("bai-a", "bai-c", "bai-a")):  # the damaged tree is the standby two builds on
        edit(newsroom, slug, f"Vòng {round}.")
        build_site(newsroom.config)
        same_as_a_clean_build(newsroom, tmp_path, f"clean-{round}")
        assert not any(b"PRIVATE KEY" in data or b"alert(1)" in data for data in snapshot(out).values())


def test_damage_done_to_the_standby_is_never_published(newsroom, tmp_path) -> None:
    secret = tmp_path / "id_ed25519"
    secret.write_text("PRIVATE KEY", encoding="utf-8")
    tree = standby(newsroom)
    with open(tree / "bai-d" / "index.html", "a", encoding="utf-8") as page:
        page.write("<script>alert(1)</script>")
    (tree / "leak.txt").symlink_to(secret)
    (tree / "bai-d" / "images").rename(tree / "moved")
    (tree / "searchindex" / "vi" / "meta.json").write_text("{}", encoding="utf-8")
    (tree / "searchindex" / "vi" / "b" / "0.json").write_text("{}", encoding="utf-8")
    make_photo(tree / "bai-a" / "images" / "a.jpg", color="red")  # another photo under the same name
    edit(newsroom, "bai-c", "Một câu mới.")
    build_site(newsroom.config)
    same_as_a_clean_build(newsroom, tmp_path)
    out = newsroom.root / "site"
    assert not (out / "leak.txt").exists() and not (out / "moved").exists()


def test_a_build_that_finds_the_standby_in_use_writes_the_site_whole(newsroom, tmp_path) -> None:
    tree = standby(newsroom)
    folder = tree.parent
    state = (folder / "state.sqlite").read_bytes()
    inode = tree.lstat().st_ino
    handle = os.open(folder / "lock", os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as another build of this output would
        edit(newsroom, "bai-c", "Một câu mới.")
        build_site(newsroom.config)
        assert (folder / "state.sqlite").read_bytes() == state and tree.lstat().st_ino == inode  # not touched
        assert not (folder / "dirty").exists()
        assert not [p for p in newsroom.root.iterdir() if p.name.startswith(".site.")]
        same_as_a_clean_build(newsroom, tmp_path)
    finally:
        os.close(handle)
    edit(newsroom, "bai-d", "Một câu nữa.")
    build_site(newsroom.config)  # the standby knows nothing of the site written whole: still right
    same_as_a_clean_build(newsroom, tmp_path, "clean-after")


def test_a_killed_update_is_never_trusted(newsroom, tmp_path) -> None:
    tree = standby(newsroom)
    (tree.parent / "dirty").touch()  # as a build killed while changing the standby leaves it
    for name in ("bai-d/index.html", "en/index.html"):
        (tree / name).write_text("half written", encoding="utf-8")
        os.utime(tree / name, ns=(0, 0))
    edit(newsroom, "bai-c", "Một câu mới.")
    build_site(newsroom.config)
    same_as_a_clean_build(newsroom, tmp_path)
    assert not (tree.parent / "dirty").exists()


def test_a_link_planted_as_the_standby_or_its_mark_is_removed_never_followed(newsroom, tmp_path) -> None:
    tree = standby(newsroom)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine", encoding="utf-8")
    (tree.parent / "dirty").symlink_to(outside / "keep.txt")
    edit(newsroom, "bai-c", "Một câu mới.")
    build_site(newsroom.config)
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "mine"
    shutil.rmtree(tree)
    tree.symlink_to(outside, target_is_directory=True)  # the standby itself a link to another folder
    edit(newsroom, "bai-d", "Một câu nữa.")
    build_site(newsroom.config)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "mine"
    same_as_a_clean_build(newsroom, tmp_path)


def test_a_removed_output_is_written_whole_and_the_standby_kept_for_the_next_build(newsroom, tmp_path) -> None:
    tree = standby(newsroom)
    inode = tree.lstat().st_ino
    shutil.rmtree(newsroom.root / "site")
    build_site(newsroom.config)
    same_as_a_clean_build(newsroom, tmp_path)
    assert tree.lstat().st_ino == inode  # not swapped away: there was nothing to swap with
    before = identities(tree)
    edit(newsroom, "bai-c", "Một câu mới.")
    settle()
    build_site(newsroom.config)
    after = identities(newsroom.root / "site")
    # The standby's own files, or links to the site's (removing site/ moved the change time of
    # what the two trees shared, so those were linked again, not written): a file written anew
    # has an inode no file of the old site, now the standby, can have while it exists.
    old_site = {inode for inode, _ in identities(tree).values()}
    reused = [path for path, identity in after.items() if before.get(path) == identity or identity[0] in old_site]
    assert len(reused) > len(after) / 2, sorted(set(after) - set(reused))
    same_as_a_clean_build(newsroom, tmp_path, "clean-after")


def test_the_first_standby_is_linked_from_the_site_not_written_and_never_from_damage(site, tmp_path) -> None:
    for slug in ARTICLES:
        site.article(slug, body=f'Đoạn về {slug}.\n\n![Ảnh](images/a.jpg "Chú thích.")\n', photos=("images/a.jpg",))
        site.translate(slug)
    settle()
    build_site(site.config)  # written whole: no standby yet
    out = site.root / "site"
    with open(out / "bai-d" / "index.html", "a", encoding="utf-8") as page:  # damaged before the standby is made
        page.write("<script>alert(1)</script>")
    edit(site, "bai-a", "Một đoạn thêm.")
    settle()
    build_site(site.config)  # the standby made from the site: what it holds as planned is linked
    after = identities(out)
    old_site = {inode for inode, _ in identities(standby(site)).values()}
    written = {
        path for path, (inode, _) in after.items() if inode not in old_site and not path.startswith("searchindex/")
    }
    edited = {"bai-a/index.html", "en/bai-a/index.html", "feed.xml", "en/feed.xml"}  # (the feeds hold its text)
    assert written == edited | {"bai-d/index.html"}  # the rest (60 files, the photos too) linked, not written
    assert b"alert(1)" not in (out / "bai-d" / "index.html").read_bytes()
    same_as_a_clean_build(site, tmp_path)
    with open(out / "bai-b" / "index.html", "a", encoding="utf-8") as page:  # in place: both trees have it
        page.write("<script>alert(2)</script>")
    for round, slug in enumerate(("bai-c", "bai-a")):  # the damaged file, in the standby too, is never published
        edit(site, slug, f"Vòng {round}.")
        build_site(site.config)
        same_as_a_clean_build(site, tmp_path, f"clean-{round}")
        assert not any(b"alert(2)" in data for data in snapshot(out).values())


@pytest.mark.parametrize("threads", ["one thread", "another thread running (as in the preview)"])
def test_the_standby_is_surveyed_beside_the_build_not_in_its_way(newsroom, tmp_path, monkeypatch, threads) -> None:
    """The standby's ``lstat``s are made by a forked child while the build gathers and plans (the
    child reads the standby's record itself, or, where another thread runs, shares the one read
    before the fork): the build's own process surveys it only when that child's answer cannot
    serve (here: none was asked)."""
    from microsite.publish import tree

    surveyed = []
    real = tree.survey
    monkeypatch.setattr(tree, "survey", lambda folder, record: surveyed.append(folder) or real(folder, record))
    edit(newsroom, "bai-c", "Một câu mới.")
    settle()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    if threads != "one thread":
        other.start()
    else:  # (threads earlier tests left in this process, a served site's, are not the build's)
        monkeypatch.setattr(tree, "alone", lambda: True)
    try:
        build_site(newsroom.config)  # (a child's calls are counted in the child)
    finally:
        stop.set()
    assert standby(newsroom) not in surveyed
    same_as_a_clean_build(newsroom, tmp_path)
    monkeypatch.setattr(tree.Standby, "survey_ahead", lambda self, given=None: None)
    edit(newsroom, "bai-d", "Một câu nữa.")
    settle()
    build_site(newsroom.config)
    assert surveyed.count(standby(newsroom)) == 1
    same_as_a_clean_build(newsroom, tmp_path, "clean-after")


def test_the_standbys_old_record_is_let_go_before_the_search_index_is_made(newsroom, tmp_path, monkeypatch) -> None:
    """Once the standby's files are brought up to date, the record of what it held before (after a
    template or code change, every page's entry differing from the site's) is no longer held by
    the build: the search index, made next, has the room at 100,000 articles."""
    import gc
    import weakref

    from microsite.publish import search, tree

    old, alive = [], []
    prepare, place = tree.Standby.prepare, search.place

    def prepared(self):
        answer = prepare(self)
        if answer is not None and answer[1].files:
            old.append(weakref.ref(answer[1]))
        return answer

    def placing(*args, **kwargs):
        gc.collect()
        alive.append(any(ref() is not None for ref in old))
        return place(*args, **kwargs)

    monkeypatch.setattr(tree.Standby, "prepare", prepared)
    monkeypatch.setattr(search, "place", placing)
    template = newsroom.root / "templates" / "base.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</body>", "<!-- x --></body>"), encoding="utf-8")
    settle()
    build_site(newsroom.config)
    edit(newsroom, "bai-c", "Một câu mới.")
    settle()
    build_site(newsroom.config)
    assert len(old) == 2 and alive == [False, False]
    same_as_a_clean_build(newsroom, tmp_path)


def test_the_trees_records_kept_by_change_are_what_the_trees_hold(newsroom) -> None:
    """The store rewrites only the buckets of the paths that changed (an edit, a photo added, an
    article removed): read afresh, each tree's record names exactly its files, with their stamps."""
    from microsite.cache import stamp_from
    from microsite.publish.tree import INDEX, Standby

    edit(newsroom, "bai-c", "Một câu mới.")
    settle()
    build_site(newsroom.config)
    make_photo(newsroom.root / "content" / "bai-d" / "images" / "b.jpg")
    edit(newsroom, "bai-d", '![Ảnh mới](images/b.jpg "Ảnh thứ hai.")')
    settle()
    build_site(newsroom.config)
    shutil.rmtree(newsroom.root / "content" / "bai-a")
    settle()
    build_site(newsroom.config)
    out = newsroom.root / "site"
    held = Standby.open(newsroom.config.cache_dir, out.resolve())
    assert held is not None
    try:
        site = held.load()
        for record, folder in ((site, out), (held.held, standby(newsroom))):
            assert record is not None and record.inode == folder.lstat().st_ino
            files = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() or p.is_symlink()}
            assert set(record.files) == files
            for path, entry in record.files.items():
                assert entry.stamp == stamp_from((folder / path).lstat()), (folder, path)
        assert "bai-d/images/b.jpg" in site.files and not any(p.startswith("bai-a/") for p in site.files)
        assert any(p.startswith(INDEX) for p in site.files)
    finally:
        held.close()


def _recorded(tree: Path, listed: float | None = None) -> TreeRecord:
    """What ``tree`` holds now, as a build records it."""
    files = {
        str(path.relative_to(tree)): Entry(("text", "x"), stamp_from(path.lstat()), None)
        for path in tree.rglob("*")
        if path.is_file()
    }
    return TreeRecord(tree.lstat().st_ino, files, listed)


def test_a_survey_lists_only_the_folders_changed_since_the_tree_was_last_listed(tmp_path, monkeypatch) -> None:
    """A folder whose times are older than the record's listing holds the names the record gives it:
    its files are stat'ed, the folder is not listed (the tree itself always is: a swap changes its
    times). Any entry added, removed or renamed in a folder
    (and a folder moved in, which keeps its old modification time) is still found."""
    tree = tmp_path / "tree"
    for name in ("index.html", "a/index.html", "a/b/index.html", "a/b/c/photo.jpg", "d/index.html"):
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(name, encoding="utf-8")
    time.sleep(0.1)  # (older than the tests' TOO_RECENT, 0.05 s)
    listed: list[str] = []
    real = os.scandir

    def counted(path):
        listed.append(str(path))
        return real(path)

    first = _recorded(tree)
    monkeypatch.setattr(os, "scandir", counted)
    found, stale, folders, began, _ = survey(tree, first)  # never listed before: every folder
    assert len(listed) == 5 and len(found) == 5 and not stale and folders == {"a", "a/b", "a/b/c", "d"}

    record = TreeRecord(first.inode, first.files, began)
    time.sleep(0.1)
    listed.clear()
    found, stale, folders, _, _ = survey(tree, record)
    assert listed == [str(tree)] and len(found) == 5 and not stale and folders == {"a", "a/b", "a/b/c", "d"}

    with open(tree / "a" / "b" / "index.html", "a", encoding="utf-8") as page:  # changed in place
        page.write("<script>alert(1)</script>")
    (tree / "d" / "extra.html").write_text("planted", encoding="utf-8")
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    (moved / "photo.jpg").write_text("another", encoding="utf-8")
    (moved / "planted.html").write_text("planted", encoding="utf-8")
    old = (tree / "a" / "b" / "c").stat()
    os.utime(moved, ns=(old.st_atime_ns, old.st_mtime_ns))  # (its modification time as old as the one it replaces)
    shutil.rmtree(tree / "a" / "b" / "c")
    os.rename(moved, tree / "a" / "b" / "c")
    listed.clear()
    found, stale, folders, _, _ = survey(tree, record)
    assert sorted(stale) == ["a/b/c/photo.jpg", "a/b/c/planted.html", "a/b/index.html", "d/extra.html"]
    assert sorted(found) == ["a/index.html", "d/index.html", "index.html"]
    assert sorted(Path(path).name for path in listed) == ["b", "c", "d", "tree"]  # the folders changed, and the tree


def test_a_listing_time_the_clock_has_not_reached_is_not_trusted() -> None:
    """A record's listing time after now (the clock was set back since) trusts no folder's times."""
    earlier = time.time() - 10
    assert _listed(repr(earlier).encode()) == earlier
    assert _listed(repr(time.time() + 3600).encode()) is None
    assert _listed(b"None") is None and _listed(b"nan") is None and _listed(b"inf") is None and _listed(None) is None


def test_the_folders_stamped_by_the_survey_are_the_sites_as_it_is_after_the_swap(newsroom, monkeypatch) -> None:
    """The manifest takes the stamps of the folders the standby's survey stat'ed and the build did
    not touch, instead of an ``lstat`` each. Every folder a file was written, linked or removed in,
    made or removed (a new article, one removed, the search index's files), must be stat'ed again:
    the manifest's stamps are then what a fresh look at the site gives, and the next check finds
    nothing changed."""
    from microsite.cache import load_pickle
    from microsite.publish import manifest as manifests
    from microsite.publish import tree

    given = []
    real = tree.untouched_folders
    monkeypatch.setattr(tree, "untouched_folders", lambda *a: given.append(real(*a)) or given[-1])
    output = newsroom.root / "site"
    steps = [
        lambda: edit(newsroom, "bai-c", "Một câu mới."),
        lambda: newsroom.article("bai-e", body="Một bài mới.\n"),
        lambda: edit(newsroom, "bai-a", "Thêm nữa."),
        lambda: shutil.rmtree(newsroom.root / "content" / "bai-b"),
        lambda: edit(newsroom, "bai-d", "Lần cuối."),
    ]
    for step in steps:
        step()
        settle()
        build_site(newsroom.config)
        kept = load_pickle(manifests.manifest_path(newsroom.root / ".cache", output.resolve()))
        fresh = manifests._output_state(output, kept["outputs"], len(kept["inputs"]))
        assert kept["output_state"] == fresh
        up_to_date, _ = manifests.check_last_build(newsroom.config, output=None, strict=False)
        assert up_to_date is not None
    assert any(len(stamps) > 10 for stamps in given)  # (the survey's stamps were used, not all stat'ed again)


def test_the_standby_names_every_entry_its_record_holds_otherwise_than_the_sites(tmp_path) -> None:
    """What the search index looks at besides the files whose digest differs: the paths the store
    records as differing between the two trees. A copy of the site's file (the same fingerprint,
    another inode) must be among them, and nothing the two hold alike."""
    from microsite.publish.tree import Standby

    folder = tmp_path / "standby"
    folder.mkdir()
    same = Entry(("index", "d1"), (10, 1, 1, 100), None)
    site = TreeRecord(
        1, {"searchindex/vi/p/1.json": same, "searchindex/vi/p/2.json": Entry(("index", "d2"), (10, 1, 1, 101), None)}
    )
    copy = Entry(("index", "d2"), (10, 1, 1, 202), None)  # (the same file's bytes, apart)
    held = TreeRecord(2, {"searchindex/vi/p/1.json": same, "searchindex/vi/p/2.json": copy, "a.html": same})
    assert Standby(folder, -1)._store(site, held, "token")
    again = Standby(folder, -1)
    again.load()
    assert again.differ() == {"searchindex/vi/p/2.json", "a.html"}
