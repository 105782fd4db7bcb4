"""The build reuses from .cache/ only what this user's own builds provably made (microsite.cache).

Each test plays one way a cache can arrive or be damaged: committed with the project (made under
another user's key), changed on disk, put behind a symbolic link, or not usable at all. The site
must always be what a clean build writes, nothing may be followed through a link, and a cache
that cannot be used costs speed only: one warning, exit 0.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from microsite.cache import TOO_RECENT, code_version, store_pickle
from tests.conftest import REPO, make_photo
from tests.faults import snapshot
from tests.needs import unavailable

NOTHING = "Nothing changed since the last build"


def build(site, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(site.root)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture
def built(site):
    site.article("bai", body='Đoạn một về Quảng Ninh.\n\n![Ảnh](images/a.jpg "Chú thích.")\n', photos=("images/a.jpg",))
    site.translate("bai")
    build(site)
    return site


def another_users_key(tmp_path) -> dict:
    """The environment of a build that signs its caches with another key (another user, another machine)."""
    return {"XDG_CACHE_HOME": str(tmp_path / "another-user")}


def search_index(site) -> list:
    """The Vietnamese edition's kept search index (its base's shards, the fragments, its state)."""
    (folder,) = [path for path in (site.root / ".cache" / "search").iterdir() if path.is_dir()]  # one per output
    kept = folder / "vi"
    assert (kept / "base.pickle").is_file() and list((kept / "b").iterdir())
    return [kept]


def test_a_committed_cache_is_emptied_never_published(built, tmp_path) -> None:
    """A .cache/ that came with the project (made under another key): its search index and its
    photos are not published, a link in it is not followed, and the build says so once."""
    clean = snapshot(built.root / "site")
    shutil.rmtree(built.root / "site")
    (kept,) = search_index(built)
    (kept / "b" / "0.json").write_text('{"xyzzy":[["<script>alert(document.domain)</script>"],[0,1,1,0]]}')
    secret = tmp_path / "id_ed25519"
    secret.write_text("PRIVATE KEY", encoding="utf-8")
    (kept / "leak.txt").symlink_to(secret)
    for photo in (built.root / ".cache" / "images").glob("*.jpg"):
        make_photo(photo, color="red")  # another photo under the newsroom photo's name
    result = build(built, another_users_key(tmp_path))
    assert result.stderr.count("was not made by this user's builds") == 1, result.stderr
    assert snapshot(built.root / "site") == clean
    assert secret.read_text(encoding="utf-8") == "PRIVATE KEY"
    again = build(built, another_users_key(tmp_path))
    assert "was not made" not in again.stderr  # the cache is now that user's own


def test_a_tampered_search_index_in_our_own_cache_is_made_again(built, tmp_path) -> None:
    clean = snapshot(built.root / "site")
    (kept,) = search_index(built)
    (kept / "p" / "0.json").write_text('{"url":"https://evil.example/","title":"x","date":"","content":""}')
    shutil.rmtree(built.root / "site")
    assert snapshot_after(built) == clean
    (kept,) = search_index(built)
    secret = tmp_path / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    (kept / "b" / "leak.json").symlink_to(secret)  # an extra file, behind a link
    (kept / "b" / "0.json").unlink()
    (kept / "b" / "0.json").symlink_to(secret)  # a kept file replaced by a link
    shutil.rmtree(built.root / "site")
    assert snapshot_after(built) == clean
    assert not any(path.name == "leak.json" for path in (built.root / "site").rglob("*"))


def snapshot_after(site) -> dict:
    build(site)
    return snapshot(site.root / "site")


def test_photos_in_the_cache_are_reused_only_as_this_users_build_made_them(built, tmp_path) -> None:
    clean = snapshot(built.root / "site")
    images = built.root / ".cache" / "images"
    originals = sorted(images.glob("*.jpg"))
    variants = sorted(path for path in images.iterdir() if "-" in path.name)
    assert originals and variants
    make_photo(originals[0], color="red")  # replaced in place, another photo
    os.truncate(variants[0], 100)  # cut short
    secret = tmp_path / "secret.jpg"
    make_photo(secret, color="black")
    variants[1].unlink()
    variants[1].symlink_to(secret)  # a link to a private file
    (built.root / "content" / "bai" / "index.md").write_text(
        (built.root / "content" / "bai" / "index.md").read_text(encoding="utf-8"), encoding="utf-8"
    )  # (the article is read again, as after an edit)
    assert snapshot_after(built) == clean
    assert not any(path.is_symlink() for path in images.iterdir())
    shutil.rmtree(built.root / "site")
    assert snapshot_after(built) == clean


@pytest.mark.parametrize("where", ["search", "lists", "images", "fragments"])
def test_nothing_is_pruned_or_written_through_a_link_in_the_cache(built, tmp_path, where) -> None:
    """A cache folder replaced by a link to a folder elsewhere: the build removes the link, never
    what it leads to (a build once deleted 3 of 5 folders there)."""
    outside = tmp_path / "elsewhere"
    for number in range(5):
        (outside / f"folder-{number}").mkdir(parents=True)
        (outside / f"folder-{number}" / "file.txt").write_text("keep me", encoding="utf-8")
    (outside / ".leftover.1.building-999999").mkdir()  # named like a killed build's leftover
    before = snapshot(outside)
    clean = snapshot(built.root / "site")
    link = built.root / ".cache" / where
    shutil.rmtree(link, ignore_errors=True)
    link.symlink_to(outside, target_is_directory=True)
    shutil.rmtree(built.root / "site")
    result = build(built)
    assert "symbolic links" in result.stderr and where in result.stderr
    assert snapshot(outside) == before and (outside / ".leftover.1.building-999999").is_dir()
    assert snapshot(built.root / "site") == clean
    assert not (built.root / ".cache" / where).is_symlink()


@pytest.mark.parametrize("kind", ["file", "dangling link", "link to a folder", "another user's"])
def test_a_cache_that_cannot_be_used_costs_speed_only(built, tmp_path, kind) -> None:
    clean = snapshot(built.root / "site")
    cache = built.root / ".cache"
    shutil.rmtree(cache)
    elsewhere = tmp_path / "elsewhere"
    if kind == "file":
        cache.write_text("not a folder", encoding="utf-8")
    elif kind == "dangling link":
        cache.symlink_to(tmp_path / "nowhere")
    elif kind == "link to a folder":
        (elsewhere / "search" / "keep").mkdir(parents=True)
        cache.symlink_to(elsewhere, target_is_directory=True)
    else:
        if os.geteuid() != 0:
            unavailable("giving a folder to another user needs root")
        cache.mkdir()
        os.chown(cache, 65534, 65534)
    shutil.rmtree(built.root / "site")
    for _ in range(2):  # and again: never "nothing changed" on a cache that was not used
        result = build(built)
        assert NOTHING not in result.stdout
        assert result.stderr.count(".cache: not used:") == 1, result.stderr
        assert snapshot(built.root / "site") == clean
    if kind == "link to a folder":
        assert sorted(path.name for path in elsewhere.rglob("*")) == ["keep", "search"]
    if kind == "file":
        assert cache.read_text(encoding="utf-8") == "not a folder"


def test_a_library_upgrade_is_part_of_every_cache_key(built, tmp_path) -> None:
    """Installing another nh3 (a sanitiser's security fix) is never hidden by a cache."""
    time.sleep(TOO_RECENT + 0.1)  # the inputs are old enough for their pages to be kept
    (built.root / "site" / "404.html").unlink()  # (so this build is a real one, and keeps them)
    build(built)
    assert NOTHING in build(built).stdout
    upgraded = tmp_path / "upgraded"
    (upgraded / "nh3-99.0.0.dist-info").mkdir(parents=True)  # found first on sys.path, as a newer install is
    env = {"PYTHONPATH": str(upgraded)}
    pages = set((built.root / ".cache" / "pages").iterdir())
    result = build(built, env)
    assert NOTHING not in result.stdout and "Built " in result.stdout
    assert set((built.root / ".cache" / "pages").iterdir()) - pages  # pages rendered again, not reused
    assert NOTHING in build(built, env).stdout
    probe = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(REPO)!r}); "
             "from microsite.cache import code_version; print(code_version())"]  # fmt: skip
    new = subprocess.run(probe, capture_output=True, text=True, env={**os.environ, **env}, check=True).stdout.strip()
    assert new != code_version()


def test_a_cache_of_this_users_earlier_version_is_kept_without_a_warning(built) -> None:
    """Before the owner mark, a cache was known as this user's by its sealed records alone."""
    time.sleep(TOO_RECENT + 0.1)  # old enough for the build to keep its records
    (built.root / "site" / "404.html").unlink()
    build(built)
    (built.root / ".cache" / "owner").unlink()
    (store,) = (built.root / ".cache").glob("state-*.sqlite")
    store.unlink()  # in their place, the sealed pickle of state those versions kept
    assert store_pickle(store.with_suffix(".pickle"), {"format": 5, "records": b"", "lists": {}})
    result = build(built)
    assert "not made by this user's builds" not in result.stderr
    assert (built.root / ".cache" / "images").is_dir()  # not emptied


def test_the_ledger_trusts_a_file_of_its_own_folder_only_as_entered(tmp_path) -> None:
    from microsite.cache import Ledger

    folder = tmp_path / "images"
    folder.mkdir()
    made, elsewhere = folder / "abc-480.webp", tmp_path / "abc-480.webp"
    for path in (made, elsewhere):
        path.write_bytes(b"variant")
    ledger = Ledger(folder)
    assert ledger.add(elsewhere) is None and ledger.known == {}  # a file of another folder is never entered
    stamp = ledger.add(made)
    assert stamp is not None and ledger.trusted(made) == stamp == ledger.trusted(str(made))
    assert ledger.trusted(elsewhere) is None  # the same name in another folder
    assert ledger.trusted(str(folder) + "/../images/abc-480.webp") is None  # not as entered: remade, never wrong
    time.sleep(0.01)
    made.write_bytes(b"changed")  # changed since it was entered
    assert ledger.trusted(made) is None
