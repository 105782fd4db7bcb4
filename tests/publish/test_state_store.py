"""The build's state (microsite.store, microsite.publish.records): a sealed row per bucket of
articles, written by change, trusted only where this user's build put it."""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import time

import pytest

from microsite.cache import TOO_RECENT
from microsite.errors import BuildError
from microsite.publish.builder import build_site
from microsite.publish.records import bucket, state_path
from microsite.store import Changes, Store
from tests.index_reader import answers, without_index
from tests.publish.test_incremental import tree

ARTICLES = [f"bai-{n:02}" for n in range(12)]


@pytest.fixture
def archive(site):
    for slug in ARTICLES:
        site.article(slug, body=f"Đoạn văn của {slug}.\n")
        site.translate(slug)
    build_site(site.config)
    time.sleep(TOO_RECENT + 0.1)  # old enough for the next build to keep every record
    build_site(site.config)
    return site


def store_of(site):
    return state_path(site.config.cache_dir, site.config.output_dir.resolve())


def raw_rows(site, table: str = "records") -> dict[str, bytes]:
    with sqlite3.connect(store_of(site)) as connection:
        rows = dict(connection.execute(f"SELECT key, value FROM {table}"))
    connection.close()
    return rows


def log_writes(path) -> None:
    """Make the store at ``path`` note the key of every row written into it from now on."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS written (tab TEXT, key TEXT)")
        connection.execute("DELETE FROM written")
        for table in ("records", "pages", "lists", "trees"):
            connection.execute(
                f"CREATE TRIGGER IF NOT EXISTS log_{table} AFTER INSERT ON {table} "
                f"BEGIN INSERT INTO written VALUES ('{table}', new.key); END"
            )
    connection.close()


def writes(path, table: str) -> list[str]:
    with sqlite3.connect(path) as connection:
        found = [key for (key,) in connection.execute("SELECT key FROM written WHERE tab = ?", (table,))]
    connection.close()
    return found


def stored_paths(site) -> set[str]:
    """The articles whose records the store holds (read through the seal, as a build does)."""
    with Store.open(store_of(site)) as store:
        return {key for _, data in store.rows("records") for key in pickle.loads(data)}


def edit(site, slug: str) -> None:
    path = site.root / "content" / slug / "index.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
    time.sleep(TOO_RECENT + 0.1)  # old enough to be judged by its stat: its record is kept


def as_a_clean_build(site, tmp_path) -> bool:
    """Whether site/ is what a build with no state of its own writes (into another output)."""
    other = tmp_path / "clean-output"
    build_site(site.config, output=other)
    same = without_index(tree(site.root / "site")) == without_index(tree(other))
    return same and answers(site.root / "site") == answers(other)  # the index: by what it answers


def row_of(site, slug: str) -> str:
    return bucket(str(site.root / "content" / slug / "index.md"))


def test_an_edit_rewrites_only_the_row_of_the_edited_article(archive) -> None:
    before = raw_rows(archive)
    assert len({row_of(archive, slug) for slug in ARTICLES}) > 6  # spread over rows
    log_writes(store_of(archive))
    edit(archive, "bai-03")
    build_site(archive.config)
    after = raw_rows(archive)
    assert after.keys() == before.keys()
    assert writes(store_of(archive), "records") == [row_of(archive, "bai-03")]
    assert writes(store_of(archive), "pages") == [str(archive.root / "content" / "bai-03" / "index.md")]
    assert after[row_of(archive, "bai-03")] != before[row_of(archive, "bai-03")]
    lists = writes(store_of(archive), "lists")  # the pages showing the article: its own, the lists'
    assert lists and len(lists) < len(raw_rows(archive, "lists")) / 2


def test_a_removed_article_leaves_the_store(archive) -> None:
    import shutil

    shutil.rmtree(archive.root / "content" / "bai-05")
    build_site(archive.config)
    paths = stored_paths(archive)
    assert str(archive.root / "content" / "bai-05" / "index.md") not in paths
    assert len(paths) == len(ARTICLES) - 1
    assert set(raw_rows(archive, "pages")) == paths  # its pages' row too


def test_a_row_moved_to_another_key_is_not_used(archive, tmp_path) -> None:
    """Sealed with its table and key: a row of this user's, put under another key, is not trusted."""
    a, b = row_of(archive, "bai-01"), row_of(archive, "bai-02")
    assert a != b
    rows = raw_rows(archive)
    with sqlite3.connect(store_of(archive)) as connection:
        connection.execute("UPDATE records SET value = ? WHERE key = ?", (rows[a], b))
    connection.close()
    edit(archive, "bai-07")  # a real build, not a no-op
    build_site(archive.config)
    assert raw_rows(archive)[b] != rows[a]  # written again, from bai-02 read again
    assert str(archive.root / "content" / "bai-02" / "index.md") in stored_paths(archive)
    assert as_a_clean_build(archive, tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "a link"])
def test_a_damaged_store_costs_speed_only(archive, tmp_path, damage) -> None:
    path = store_of(archive)
    outside = tmp_path / "outside.db"
    if damage == "garbage":
        path.write_bytes(b"not a database at all" * 100)
    elif damage == "truncated":
        with open(path, "r+b") as file:
            file.truncate(1000)
    else:
        outside.write_bytes(path.read_bytes())
        path.unlink()
        path.symlink_to(outside)
    kept = outside.read_bytes() if outside.exists() else None
    edit(archive, "bai-04")
    build_site(archive.config)
    assert not path.is_symlink() and path.is_file()
    if kept is not None:
        assert outside.read_bytes() == kept  # never written through the link
    assert len(stored_paths(archive)) == len(ARTICLES)
    assert as_a_clean_build(archive, tmp_path)


def test_a_store_that_cannot_be_written_keeps_its_rows(tmp_path) -> None:
    path = tmp_path / "state.sqlite"
    with Store.open(path) as store:
        assert store.save({"records": Changes({"a": b"1", "b": b"2"})})
        assert dict(store.rows("records")) == {"a": b"1", "b": b"2"}
        assert store.save({"records": Changes({"c": b"3"}, removed=["a"])})
        assert dict(store.rows("records")) == {"b": b"2", "c": b"3"}
    os.chmod(path, 0o444)
    os.chmod(tmp_path, 0o555)
    try:
        with Store.open(path) as store:
            if os.geteuid() != 0:  # root writes read-only files anyway
                assert not store.save({"records": Changes({"d": b"4"}, clear=True)})
            assert dict(store.rows("records")) in ({"b": b"2", "c": b"3"}, {"d": b"4"})
    finally:
        os.chmod(tmp_path, 0o755)
        os.chmod(path, 0o644)


def test_a_failed_transaction_changes_no_table(tmp_path) -> None:
    path = tmp_path / "state.sqlite"
    with Store.open(path) as store:
        assert store.save({"meta": Changes({"version": b"1"}), "records": Changes({"a": b"1"})})
        other = sqlite3.connect(path, timeout=0)
        other.execute("BEGIN EXCLUSIVE")  # another build holds the store
        store.connection.execute("PRAGMA busy_timeout = 0")
        assert not store.save({"meta": Changes({"version": b"2"}, clear=True), "records": Changes({}, clear=True)})
        other.rollback()
        other.close()
        assert dict(store.rows("meta")) == {"version": b"1"} and dict(store.rows("records")) == {"a": b"1"}


def test_the_standby_record_rewrites_only_rows_whose_files_changed(archive) -> None:
    """The standby's record (microsite/publish/tree.py) is kept the same way, by bucket: the site's
    rows, and the standby's as what differs from the site's. Once the two trees share every file
    an edit leaves alone (linked: the first edit links them, moving each file's change time), an
    edit rewrites a few rows, and the standby's rows hold the edit only."""
    (state,) = (archive.config.cache_dir / "output").glob("*/state.sqlite")

    def rows() -> dict[str, tuple[bytes, dict]]:
        with sqlite3.connect(state) as connection:
            raw = dict(connection.execute("SELECT key, value FROM trees"))
        connection.close()
        with Store.open(state) as store:
            return {key: (raw[key], pickle.loads(data)) for key, data in store.rows("trees")}

    for round_, slug in enumerate(("bai-02", "bai-09", "bai-02", "bai-05")):
        before = rows()
        log_writes(state)
        edit(archive, slug)
        build_site(archive.config)
        after = rows()
        assert {key.partition(":")[0] for key in after} == {"site", "diff"}
        rewritten = writes(state, "trees")
        assert rewritten and all(after[key][1] != before.get(key, (b"", {}))[1] for key in rewritten)
        if round_ == 0:
            continue
        held = {kind: {path for key, (_, entries) in after.items() if key.startswith(kind) for path in entries}
                for kind in ("site", "diff")}  # fmt: skip
        assert f"{slug}/index.html" in held["diff"] and len(held["diff"]) < len(held["site"]) / 4
        assert len(rewritten) < len(after) / 2


def test_a_standby_rebuilt_after_a_killed_build_leaves_no_stale_rows(archive) -> None:
    """A build killed while changing the standby leaves its mark; the next starts the record afresh."""
    (state,) = (archive.config.cache_dir / "output").glob("*/state.sqlite")
    with Store.open(state) as store:
        meta = dict(store.rows("meta"))
        ghost = {"ghost.html": (("text", "0"), (1, 2, 3, 4), None)}
        assert meta["site"].decode().isdigit()
        assert store.save({"trees": Changes({"site:zz": pickle.dumps(ghost)})})
    (state.parent / "dirty").touch()  # as a killed build leaves it
    edit(archive, "bai-06")
    build_site(archive.config)
    assert not (state.parent / "dirty").exists()
    with Store.open(state) as store:
        rows = {key: pickle.loads(data) for key, data in store.rows("trees")}
    assert rows and not any("ghost.html" in entries for entries in rows.values())
    assert len({key.partition(":")[0] for key in rows}) <= 2


def test_a_store_another_build_holds_is_waited_for_never_removed(tmp_path, monkeypatch) -> None:
    """A lock held past the wait is not damage: the store is left as it is (removing it would pull
    the journal from under the other build's transaction)."""
    import microsite.store

    path = tmp_path / "state.sqlite"
    with Store.open(path) as store:
        assert store.save({"records": Changes({"a": b"1"})})
    other = sqlite3.connect(path, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO records (key, value) VALUES ('b', x'00')")
    monkeypatch.setattr(microsite.store, "BUSY_SECONDS", 0.1)
    try:
        opened = Store.open(path)
        if opened is not None:  # (the schema could be read after all)
            with opened:
                assert not opened.save({"records": Changes({"c": b"3"})})
    finally:
        other.commit()
        other.close()
    assert path.exists()
    with Store.open(path) as store:
        assert dict(store.rows("records")).keys() == {"a", "b"}  # the other build's row kept, ours not made


def test_a_build_relaxes_the_garbage_collector_only_while_it_runs(archive, monkeypatch) -> None:
    """The first generation may grow while a build runs (its records are not walked again and
    again); after it, and after a failed one, the thresholds are the process's own again."""
    import gc

    from microsite.publish import builder

    before = gc.get_threshold()
    seen = []
    real = builder._build

    def spy(*args, **kwargs):
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(builder, "_build", spy)
    build_site(archive.config)
    assert seen[0][0] > before[0] and gc.get_threshold() == before
    (archive.root / "content" / ARTICLES[0] / "index.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build_site(archive.config)
    assert gc.get_threshold() == before


def test_an_edit_unpickles_only_the_pages_of_what_it_shows(archive, monkeypatch, tmp_path) -> None:
    """A record's pages and files (most of its bytes) are pickled apart and unpickled only when
    asked for: an edit planned from the site asks for those of the edited article (and of the
    articles its feeds and related reading show, none here), never the archive's."""
    from microsite.publish import builder, lists
    from microsite.publish.records import HEAVY

    monkeypatch.setattr(lists, "FEED_ENTRIES", 2)  # (the edited article is not among the feeds' newest)
    shutil.rmtree(archive.root / "site")
    build_site(archive.config)  # (written whole, the feeds as the patch makes them: the next build plans the edit)
    edit(archive, "bai-03")
    archive.translate("bai-03")  # (its English kept: what other pages show of it is as it was)
    time.sleep(TOO_RECENT + 0.1)
    opened = []  # the records holding their pages once the plan is made (then shelved)
    shelve = builder.shelve
    monkeypatch.setattr(
        builder,
        "shelve",
        lambda records, spill_in=None: (
            opened.extend(r.slug for r in records if "pages" in r.__dict__) or shelve(records, spill_in)
        ),
    )
    result = build_site(archive.config)
    assert opened == ["bai-03"]
    held = {record.slug: record.__dict__ for record in result.records}
    assert not [slug for slug, fields in held.items() if "pages" in fields]  # shelved once the plan was made
    assert [slug for slug, fields in held.items() if HEAVY in fields] == ["bai-03"]  # the others' never read
    assert as_a_clean_build(archive, tmp_path)


def test_a_record_pickled_apart_comes_back_whole(archive) -> None:
    """A record loaded from the store holds its pages and files as the digest of their row; they
    are read from the store when first asked for (in whatever process asks)."""
    from microsite.publish.records import HEAVY, HEAVY_DIGEST, close_readers, load_state

    with Store.open(store_of(archive)) as store:
        version = dict(store.rows("meta"))["version"].decode()
    state = load_state(store_of(archive), version)
    record = state.records[str(archive.root / "content" / "bai-05" / "index.md")]
    held = record.__dict__
    assert HEAVY not in held and "pages" not in held and held[HEAVY_DIGEST] and record.page_languages == ("vi", "en")
    again = pickle.loads(pickle.dumps(record))  # never read: it still names its row
    assert again.__dict__[HEAVY_DIGEST] == held[HEAVY_DIGEST] and "pages" not in again.__dict__
    assert [page.folder for page in record.pages.values()] == ["bai-05/", "en/bai-05/"]  # read now
    assert "files" not in held and HEAVY in held  # (its pages only: the blob kept for its files)
    assert pickle.loads(pickle.dumps(record)).__dict__.get(HEAVY) == held[HEAVY]  # pickled as its blob
    assert again == record and again.files == record.files and record.files
    assert HEAVY not in held and record.page_languages == ("vi", "en")  # both read: the blob let go
    record.pages.pop("en")  # changed once unpickled: pickled as it now is
    assert pickle.loads(pickle.dumps(record)).page_languages == ("vi",)
    close_readers()
    with pytest.raises(AttributeError):
        record.no_such_field  # noqa: B018


def test_a_record_loaded_keeps_its_path_as_text_until_asked(archive, monkeypatch) -> None:
    """A loaded record's path stays text (making 100,000 paths was a tenth of an edit's build at
    100,000 articles); the build gives the records it keeps the very paths it found, and a path
    asked of a record is the path it was saved with."""
    from pathlib import Path

    from microsite.publish import records
    from microsite.publish.records import WHERE, load_state

    with Store.open(store_of(archive)) as store:
        version = dict(store.rows("meta"))["version"].decode()
    key = str(archive.root / "content" / "bai-05" / "index.md")
    record = load_state(store_of(archive), version).records[key]
    assert "path" not in record.__dict__ and record.__dict__[WHERE] == key and record.where == key
    assert record.path == Path(key) and record.path is record.path  # made once, when asked
    assert pickle.loads(pickle.dumps(record)).where == key
    made = []
    monkeypatch.setattr(records, "Path", lambda text: made.append(text) or Path(text))
    edit(archive, "bai-07")
    result = build_site(archive.config)
    assert not [text for text in made if text.endswith("index.md")]  # no record made its path again
    content = archive.root / "content"
    assert [record.path for record in result.records] == [content / slug / "index.md" for slug in ARTICLES]


def test_a_shelved_record_gives_back_the_pages_it_held(archive, tmp_path) -> None:
    """Once the site's plan is made, the records let go of their pages and files (at 100,000
    articles, most of the build's memory): a record the store holds leaves them there, a record
    made by this build pickles them apart. Either gives back what it held, and is saved as it was."""
    from microsite.publish.records import HEAVY, cached_files, cached_names, close_readers, load_state, shelve

    with Store.open(store_of(archive)) as store:
        version = dict(store.rows("meta"))["version"].decode()
    stored = load_state(store_of(archive), version).records[str(archive.root / "content" / "bai-05" / "index.md")]
    edit(archive, "bai-06")
    archive.translate("bai-06")
    made = next(r for r in build_site(archive.config).records if r.slug == "bai-06")
    for record in (stored, made):
        pages, files = dict(record.pages), list(record.files)
        names = cached_names([record])
        shelve([record])
        held = record.__dict__
        assert "pages" not in held and "files" not in held and record.page_languages == tuple(pages)
        assert (HEAVY in held) is (record is made)  # (the stored one's are still in the store)
        assert cached_names([record]) == names and "pages" not in held  # (read without unpickling them)
        assert record.pages == pages and record.files == files  # back when asked for
        assert {file.cache for file in cached_files(record)} == names and len(names) == 2 * len(pages)
        shelve([record])
        assert pickle.loads(pickle.dumps(record)).pages == pages  # pickled from its blob as it was
        assert record.pages == pages and "files" not in held  # its pages only, read again
        shelve([record])  # (let go: the stored one's blob too, which the store holds)
        assert "pages" not in held and (HEAVY in held) is (record is made) and record.files == files
    close_readers()
    assert as_a_clean_build(archive, tmp_path)


@pytest.mark.parametrize("loss", ["row removed", "another record's row"])
def test_an_edit_whose_record_lost_its_pages_row_is_built_again_whole(archive, tmp_path, loss) -> None:
    """The row of a record's pages missing, or not the one its record names (a row of this user's,
    sealed under that key, with another article's pages): the build starts again, reads every
    record's pages at once, leaves out the records whose row is not theirs, and writes what a
    clean build writes."""
    from microsite.cache import StaleCache
    from microsite.publish.records import close_readers, load_state

    key = str(archive.root / "content" / "bai-03" / "index.md")
    if loss == "row removed":
        with sqlite3.connect(store_of(archive)) as connection:
            connection.execute("DELETE FROM pages WHERE key = ?", (key,))
        connection.close()
    else:
        with Store.open(store_of(archive)) as store:
            other = store.row("pages", str(archive.root / "content" / "bai-04" / "index.md"))
            assert other is not None and store.save({"pages": Changes({key: other})})
    with Store.open(store_of(archive)) as store:
        version = dict(store.rows("meta"))["version"].decode()
    state = load_state(store_of(archive), version)
    with pytest.raises(StaleCache):  # asked for: not there, or not its own
        state.records[key].pages  # noqa: B018
    close_readers()
    whole = load_state(store_of(archive), version, whole=True)  # (as the build made again reads it)
    assert key not in whole.records and len(whole.records) == len(ARTICLES) - 1
    edit(archive, "bai-03")  # (its old pages are asked for: what the plan replaces)
    build_site(archive.config)
    assert as_a_clean_build(archive, tmp_path)
    with Store.open(store_of(archive)) as store:
        now = store.row("pages", key)
    assert now is not None and (loss == "row removed" or now != other)  # its own row, written again


def test_the_records_of_pages_rendered_again_are_fetched_together(archive, monkeypatch) -> None:
    """The list pages an edit renders again show many articles' cards: their records' pages are
    read in a few queries (not one a record, in each process rendering them), each only if it is
    the row its record names; a record whose row is not its own is left to fail when asked for."""
    from microsite import store as store_module
    from microsite.cache import StaleCache
    from microsite.publish.records import HEAVY, close_readers, fetch_some, load_state

    key = str(archive.root / "content" / "bai-03" / "index.md")
    with Store.open(store_of(archive)) as store:
        version = dict(store.rows("meta"))["version"].decode()
        other = store.row("pages", str(archive.root / "content" / "bai-04" / "index.md"))
        assert other is not None and store.save({"pages": Changes({key: other})})  # sealed, but not its own
    state = load_state(store_of(archive), version)
    records = sorted(state.records.values(), key=lambda record: record.slug)
    monkeypatch.setattr(store_module, "KEYS_A_QUERY", 3)  # (several queries for the 8 asked)
    fetch_some(records[:8])
    assert [record.slug for record in records if HEAVY in record.__dict__] == [
        slug for slug in ARTICLES[:8] if slug != "bai-03"
    ]
    monkeypatch.setattr(Store, "row", lambda *args: pytest.fail("a record fetched one by one"))
    assert [page.folder for page in records[7].pages.values()] == ["bai-07/", "en/bai-07/"]
    monkeypatch.undo()
    with pytest.raises(StaleCache):
        records[3].pages  # noqa: B018
    close_readers()


def spilled_at_search(monkeypatch) -> list[list[bool]]:
    """Whether each record of the build held its blob on disk (set down by :func:`shelve`) when
    the search index was begun, one list a build."""
    from microsite.publish import records, search
    from microsite.publish.records import HEAVY, HEAVY_AT

    seen: list[list[bool]] = []
    shelve, place = records.shelve, search.place
    shelved: list = []

    def shelving(found, spill_in=None):
        shelved[:] = list(found)
        return shelve(shelved, spill_in)

    def placing(*args, **kwargs):
        held = [record.__dict__ for record in shelved if not record.stored]
        seen.append([HEAVY_AT in h and HEAVY not in h for h in held])
        return place(*args, **kwargs)

    monkeypatch.setattr("microsite.publish.builder.shelve", shelving)
    monkeypatch.setattr(search, "place", placing)
    return seen


def test_a_builds_new_blobs_are_set_down_on_disk_until_the_state_is_saved(archive, tmp_path, monkeypatch) -> None:
    """After a template or code update every record is new and its blob (its pages and files,
    pickled) is held until the state is saved, after the search index: at 100,000 articles ~240 MB.
    They are set down in a file of the build's, unnamed in the cache, and read back when asked for:
    the store then holds each blob as the record made it, and the site is what a clean build writes."""
    from microsite.publish import records
    from microsite.publish.records import HEAVY, HEAVY_AT, close_readers, shelve

    monkeypatch.setattr(records, "SPILL_FROM", 0)  # (any build with a new blob sets them down)
    monkeypatch.setattr(records, "SPILL_ROOM", 0)  # (on any disk with room for them)
    seen = spilled_at_search(monkeypatch)
    template = archive.root / "templates" / "article.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</h1>", "</h1><!-- x -->"), encoding="utf-8")
    result = build_site(archive.config)
    assert seen == [[True] * len(ARTICLES)]  # every record new, every blob on disk
    assert not [p for p in archive.config.cache_dir.rglob("*") if ".spill-" in p.name]  # (no name: nothing left)
    with Store.open(store_of(archive)) as store:
        stored = dict(store.rows("pages"))  # (read through their seals, as a build reads them)
    for record in result.records:
        spill, offset, size = record.__dict__[HEAVY_AT]
        assert stored[record.where] == spill.read(offset, size)  # saved as it was made
        again = pickle.loads(pickle.dumps(record))  # (pickled with its blob: the spill is this process's)
        assert HEAVY_AT not in again.__dict__ and again.pages == record.pages
        assert "pages" in record.__dict__ and HEAVY not in record.__dict__  # (its blob read from disk, not held)
        shelve([record])
        assert "pages" not in record.__dict__ and record.__dict__[HEAVY_AT] == (spill, offset, size)
        assert again.files == record.files and "files" in record.__dict__ and HEAVY not in record.__dict__
        assert record.pages == again.pages  # (both held now: the blob's place let go)
        assert HEAVY_AT not in record.__dict__ and HEAVY not in record.__dict__
        page = archive.root / "site" / record.pages["vi"].folder / "index.html"
        assert "</h1><!-- x -->" in page.read_text(encoding="utf-8")
    close_readers()
    assert as_a_clean_build(archive, tmp_path)
    edit(archive, "bai-04")
    build_site(archive.config)
    assert len(seen) == 3 and seen[2] == [True]  # (after the clean build's) the edited article's blob only
    close_readers()
    assert as_a_clean_build(archive, tmp_path)


def test_blobs_that_cannot_be_set_down_stay_in_memory(archive, tmp_path, monkeypatch) -> None:
    """A full disk while the blobs are set down: those written stay on disk, the rest in memory,
    and the build goes on to write what a clean build writes."""
    import errno

    from microsite.publish import records

    monkeypatch.setattr(records, "SPILL_FROM", 0)
    monkeypatch.setattr(records, "SPILL_ROOM", 0)
    monkeypatch.setattr(records, "SPILL_CHUNK", 1)  # (a blob a write)
    writes = []
    pwrite = os.pwrite

    def filling(fd, data, offset):
        writes.append(len(data))
        if len(writes) > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return pwrite(fd, data, offset)

    monkeypatch.setattr(records.os, "pwrite", filling)
    seen = spilled_at_search(monkeypatch)
    template = archive.root / "templates" / "article.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</h1>", "</h1><!-- y -->"), encoding="utf-8")
    build_site(archive.config)
    assert len(writes) == 4 and seen == [[True] * 3 + [False] * (len(ARTICLES) - 3)]
    records.close_readers()
    monkeypatch.setattr(records.os, "pwrite", pwrite)
    assert as_a_clean_build(archive, tmp_path)


def test_a_template_edit_removes_the_last_versions_pages_by_name(archive) -> None:
    """After a template edit every page is rendered again, and the last version's cached pages are
    removed by the names its state gave them (read once the site is written), even while another
    build of the same cache runs (when nothing unnamed may be swept)."""
    import subprocess
    import sys

    from microsite.publish.records import named_pages

    before = named_pages(store_of(archive))
    pages = str(archive.config.cache_dir / "pages") + os.sep
    old = {name for name in before if name.startswith(pages)}
    assert old and all(os.path.exists(name) for name in old)
    template = archive.root / "templates" / "article.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</h1>", "</h1><!-- z -->"), encoding="utf-8")
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        (archive.config.cache_dir / "running" / str(running.pid)).touch()  # (as another build marks itself)
        build_site(archive.config)
    finally:
        running.kill()
        running.wait()
    now = named_pages(store_of(archive))
    assert now and all(os.path.exists(name) for name in now)
    gone = old - now  # (the article pages: their feed entries, not made with article.html, are kept)
    assert len(gone) >= 2 * len(ARTICLES) and not [name for name in gone if os.path.exists(name)]


def test_a_state_saved_since_by_this_version_names_no_superseded_pages(archive) -> None:
    """A build that found the state of another version reads its pages' names late (once its site
    is written); if another build of this output, running beside it, saved a state of this build's
    own version meanwhile, those pages are this version's and none is taken as superseded."""
    from microsite.publish.records import load_state, superseded_pages

    path = store_of(archive)
    last = load_state(path, "a-newer-version")
    named = superseded_pages(path, last, "a-newer-version")
    assert last.supersedes and named  # (the old version's pages, named)
    with Store.open(path) as store:  # (the other build's save: the same pages, now of this version)
        store.save({"meta": Changes({"version": b"a-newer-version"})})
    assert superseded_pages(path, last, "a-newer-version") == set()
    assert superseded_pages(path, last, "yet-another-version") == named  # (another version's: named)


def test_blobs_are_not_set_down_on_a_disk_short_of_room(archive, tmp_path, monkeypatch) -> None:
    """The blobs take the disk's room only when it has their size twice over and more to spare: the
    site's files, written next, must never fail for want of the room they took."""
    from microsite.publish import records

    monkeypatch.setattr(records, "SPILL_FROM", 0)
    statvfs = os.statvfs
    free = []

    def short(path):
        found = statvfs(path)
        free.append(found.f_bavail * found.f_frsize)
        return os.statvfs_result((found.f_bsize, 4096, 1000, 100, 100, *found[5:]))  # (409,600 bytes free)

    monkeypatch.setattr(records.os, "statvfs", short)
    seen = spilled_at_search(monkeypatch)
    template = archive.root / "templates" / "article.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</h1>", "</h1><!-- w -->"), encoding="utf-8")
    build_site(archive.config)
    assert free and seen == [[False] * len(ARTICLES)]  # (asked, and kept in memory)
    monkeypatch.setattr(records.os, "statvfs", statvfs)
    records.close_readers()
    assert as_a_clean_build(archive, tmp_path)
