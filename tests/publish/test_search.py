"""Search: a Pagefind index per edition, built with the site, queried by the search pages in a real browser."""

from __future__ import annotations

import contextlib
import json
import shutil
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from microsite.content.config import load_config
from microsite.publish import search
from microsite.publish.builder import build_site
from tests.conftest import REPO
from tests.index_reader import answers, overridden, shards
from tests.test_external import built_and_served

ARTICLES = {
    "quang-ninh": ("Quảng Ninh mở rộng cảng biển", "Tỉnh Quảng Ninh đầu tư cảng Cái Lân.", "trading"),
    "dien-luc": ("Điện lực miền Bắc bảo đảm nguồn điện", "Tập đoàn Điện lực tăng công suất phát điện.", "power"),
    "ninh-binh": ("Ninh Bình đón khách du lịch", "Khách quốc tế đến Quảng trường Ninh Bình tăng.", "tourism"),
}
ENGLISH = {
    "Quảng Ninh mở rộng cảng biển": "Quang Ninh expands its seaport",
    "Tỉnh Quảng Ninh đầu tư cảng Cái Lân.": "The province is trading more through Cai Lan port.",
    "Điện lực miền Bắc bảo đảm nguồn điện": "Northern power utility secures supply",
    "Tập đoàn Điện lực tăng công suất phát điện.": "The power group raises its output.",
    "Ninh Bình đón khách du lịch": "Ninh Binh welcomes tourists",
    "Khách quốc tế đến Quảng trường Ninh Bình tăng.": "More foreign visitors come to the square.",
}


@pytest.fixture
def searchable(site):
    for number, (slug, (title, text, _)) in enumerate(ARTICLES.items()):
        site.article(slug, body=text + "\n", front=f'title: "{title}"\ndate: 2024-05-0{number + 1}\n')
        site.translate(slug, translation=lambda source: ENGLISH.get(source, "EN"))
    site.article("ban-nhap", body="Bài nháp về Quảng Ninh.\n", front='title: "Nháp"\ndate: 2024-05-09\ndraft: true\n')
    site.article("chua-duyet", body="Hải Phòng chưa duyệt.\n", front='title: "Hải Phòng"\ndate: 2024-05-08\n')
    site.translate("chua-duyet", fuzzy=True)  # machine drafts: held back from the English edition
    return site


@pytest.fixture
def served(searchable, tmp_path) -> Iterator[str]:
    with built_and_served(searchable.root, tmp_path / "out") as base:
        yield base


def test_each_edition_has_a_search_page_the_masthead_leads_to(searchable) -> None:
    build_site(searchable.config)
    out = searchable.root / "site"
    for home, page, lang in (
        ("index.html", "search/index.html", "vi"),
        ("en/index.html", "en/search/index.html", "en"),
    ):
        form = BeautifulSoup((out / home).read_text(encoding="utf-8"), "html.parser").select_one("form[role=search]")
        assert (form["action"], form["method"], form.input["name"]) == ("./search/", "get", "q")
        shown = BeautifulSoup((out / page).read_text(encoding="utf-8"), "html.parser")
        assert shown.html["lang"] == lang and shown.find("noscript").get_text(strip=True)
        assert shown.select_one('meta[name="robots"]')["content"] == "noindex"
    assert "search/" not in (out / "sitemap.xml").read_text(encoding="utf-8")


def kept_index(site, code: str = "vi") -> Path:
    """The edition's index as the build keeps it in .cache/search/ (one folder per output)."""
    (folder,) = [path for path in (site.config.cache_dir / "search").iterdir() if path.is_dir()]
    return folder / code


def written(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is written or replaced, not when it is read (its access time);
    None if there is no file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def index_files(site_folder: Path, code: str) -> dict[str, bytes]:
    folder = site_folder / search.FOLDER / code
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def meta(site_folder: Path, code: str) -> dict:
    return json.loads((site_folder / search.FOLDER / code / "meta.json").read_text(encoding="utf-8"))


def lookup(site_folder: Path, code: str, word: str, exact: bool = False) -> set[str]:
    """The addresses of the pages holding ``word``, read from the index's files as static/words.js
    reads them: a shard of each segment (base, middle, delta), the postings of the pages a later
    segment overrides left out."""
    folder = site_folder / search.FOLDER / code
    shape = meta(site_folder, code)
    word = unicodedata.normalize("NFC", word).lower()
    key = search.key_of(word, code)
    found = set()
    for segment in shape["segments"]:
        shard = folder / segment["name"] / f"{search.shard_of(key, segment['shards'])}.json"
        entry = json.loads(shard.read_text(encoding="utf-8")).get(key) if shard.exists() else None
        if entry is None:
            continue
        spellings, *rows = entry
        for page_id, _weight, mask, *_positions in rows:
            if page_id in segment["overridden"]:
                continue
            if exact and not (word in spellings and mask & (1 << min(spellings.index(word), 30))):
                continue
            found.add(json.loads((folder / f"p/{page_id}.json").read_text(encoding="utf-8"))["url"])
    return found


def test_only_published_article_pages_are_indexed(searchable) -> None:
    build_site(searchable.config)
    site = searchable.root / "site"
    assert {code: meta(site, code)["pages"] for code in ("vi", "en")} == {"vi": 4, "en": 3}  # no draft, no held-back
    urls = {json.loads(data)["url"] for name, data in index_files(site, "en").items() if name.startswith("p/")}
    assert urls == {"en/quang-ninh/", "en/dien-luc/", "en/ninh-binh/"}
    assert lookup(site, "vi", "quang") == {"quang-ninh/", "ninh-binh/"}  # Quảng Ninh, Quảng trường
    assert lookup(site, "vi", "quảng", exact=True) == {"quang-ninh/", "ninh-binh/"}
    assert lookup(site, "vi", "quang", exact=True) == set()  # no page writes it without its marks
    assert lookup(site, "vi", "hải") == {"chua-duyet/"} and lookup(site, "en", "hai") == set()  # English held back
    assert lookup(site, "en", "trades") == {"en/quang-ninh/"}  # stemmed: the page says "trading"
    page = json.loads(index_files(site, "vi")["p/0.json"])
    assert set(page) == {"url", "title", "date", "content"} and page["title"] and "2024" in page["date"]


def test_a_page_is_read_as_its_reader_sees_the_story() -> None:
    html = (
        "<html><body><nav>Trang chủ</nav><article data-pagefind-body><h1>Cảng <em>Cái Lân</em></h1>"
        '<p class="meta" data-pagefind-ignore><span>Phóng viên</span> <time data-pagefind-meta="date">1 tháng 5, 2024'
        "</time></p><p>Đoạn&nbsp;một &amp; <b>hai</b>.</p><img src=x.jpg alt=ảnh><ul><li>Một</li><li>Hai</li></ul>"
        "<footer data-pagefind-ignore><a href=#>Thẻ</a></footer></article><footer>Chân trang</footer></body></html>"
    )
    page = search.read_page("cang/", html)
    assert page == search.Page("cang/", "Cảng Cái Lân", "1 tháng 5, 2024", "Cảng Cái Lân\nĐoạn một & hai.\nMột\nHai")


def test_an_edit_rewrites_the_delta_and_its_page_never_the_base(searchable) -> None:
    build_site(searchable.config)
    site = searchable.root / "site"
    folder = site / search.FOLDER / "vi"
    base = {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in (folder / "b").iterdir()}
    index = searchable.root / "content/ninh-binh/index.md"
    for before, after in (("Quảng trường", "Tràng An"), ("Khách quốc tế", "Du khách")):
        index.write_text(index.read_text(encoding="utf-8").replace(before, after), encoding="utf-8")
        build_site(searchable.config)
    # Two builds later the first tree is back in site/ (the standby swapped in each time), holding
    # the very same base files: only the delta, meta.json and a fragment were written.
    assert {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in (folder / "b").iterdir()} == base
    shape = meta(site, "vi")
    assert shards(shape)["d"] == 1 and len(overridden(shape)["b"]) == 1
    assert lookup(site, "vi", "trang") == {"ninh-binh/"} and lookup(site, "vi", "truong") == set()
    assert lookup(site, "vi", "quang") == {"quang-ninh/"}  # the base's posting for the edited page is overridden
    assert lookup(site, "vi", "du") == {"ninh-binh/"} and lookup(site, "vi", "quốc") == set()


def test_the_index_version_changes_with_any_of_its_files_and_only_then(searchable) -> None:
    """meta.json's version names the files of its edition's index (queries ask for each with it):
    worked out from the kept base's token and what differs from it, it must still be equal for two
    builds exactly when their files are (an edit, another, a new article, one removed, an edit
    undone, nothing changed, a page of the base removed)."""
    import hashlib

    index = searchable.root / "content/ninh-binh/index.md"
    original = index.read_text(encoding="utf-8")
    steps = [
        lambda: None,
        lambda: index.write_text(original.replace("Quảng trường", "Tràng An"), encoding="utf-8"),
        lambda: index.write_text(original.replace("Khách quốc tế", "Du khách"), encoding="utf-8"),
        lambda: searchable.article("moi", body="Cảng mới ở Hạ Long.\n", front='title: "Mới"\ndate: 2024-05-07\n'),
        lambda: shutil.rmtree(searchable.root / "content/moi"),
        lambda: index.write_text(original, encoding="utf-8"),
        lambda: None,
        lambda: shutil.rmtree(searchable.root / "content/dien-luc"),  # (a page of the base)
    ]
    seen = []
    for step in steps:
        step()
        build_site(searchable.config)
        folder = searchable.root / "site" / search.FOLDER / "vi"
        files = {
            str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in folder.rglob("*.json")
            if path.name != "meta.json"
        }
        seen.append((meta(searchable.root / "site", "vi")["version"], files))
    assert len({version for version, _ in seen}) >= 4
    for version, files in seen:
        for other_version, other_files in seen:
            assert (version == other_version) == (files == other_files)


def test_pages_whose_story_did_not_change_are_not_indexed_again(searchable) -> None:
    """A template edited outside the story changes every page's bytes, not what the index holds."""
    build_site(searchable.config)
    kept = kept_index(searchable)
    base = {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in kept.rglob("*.json")}
    template = searchable.root / "templates" / "article.html"
    template.write_text(template.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}<!-- x -->"))
    build_site(searchable.config)
    assert "<!-- x -->" in (searchable.root / "site/quang-ninh/index.html").read_text(encoding="utf-8")
    assert {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in kept.rglob("*.json")} == base
    shape = meta(searchable.root / "site", "vi")
    assert [segment["name"] for segment in shape["segments"]] == ["b"] and overridden(shape)["b"] == []


@pytest.mark.parametrize(
    ("where", "read_again"),
    [("{% block main %}", False), ("</footer>", True), ('<div class="story-body">', True)],
    ids=["before the story: not read", "after the story: read again", "in the story: read again"],
)
def test_only_a_change_from_the_story_on_makes_the_index_read_a_page_again(
    searchable, monkeypatch, where, read_again
) -> None:
    """The index knows a page by the digest of its bytes from the story's tag on: a template edit
    before it (the head, the header) costs no page read; one from the story on still does."""
    build_site(searchable.config)
    reads = []
    real = search._read
    monkeypatch.setattr(search, "_read", lambda tree, path, digest: reads.append(path) or real(tree, path, digest))
    template = searchable.root / "templates" / "article.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace(where, f"{where}<!-- x -->", 1), encoding="utf-8")
    build_site(searchable.config)
    assert "<!-- x -->" in (searchable.root / "site/quang-ninh/index.html").read_text(encoding="utf-8")
    assert ("quang-ninh/index.html" in reads) == read_again
    assert bool(reads) == read_again


def test_an_edition_left_with_no_page_leaves_no_index_behind(searchable) -> None:
    build_site(searchable.config)
    for slug in ("quang-ninh", "dien-luc", "ninh-binh"):
        (searchable.root / "content" / slug / "en.po").unlink()  # no English left to publish
    build_site(searchable.config)
    build_site(searchable.config)  # (and the tree that held it, back as the standby)
    assert not (searchable.root / "site" / search.FOLDER / "en").exists()
    assert meta(searchable.root / "site", "vi")["pages"] == 4


@pytest.mark.parametrize(("delta", "small"), [(6, 16), (20, 2)], ids=["base and delta", "base, middle, delta"])
def test_the_index_after_any_edits_answers_as_a_fresh_one(tmp_path, monkeypatch, delta, small) -> None:
    """Pages added, changed and removed at random, the base made again now and then (and the
    middle, more often): every word's pages, read as the browser reads them, are those of an index
    made from nothing."""
    import random

    monkeypatch.setattr(search, "DELTA_MINIMUM", delta)
    monkeypatch.setattr(search, "FRESH_MINIMUM", small)
    rng = random.Random(11)
    segments = set()
    vocabulary = ["cảng", "cang", "Cái", "Lân", "điện", "dien", "lực", "tàu", "tau", "biển", "bay", "đón", "don", "vân"]
    tree, cache, fresh = tmp_path / "tree", tmp_path / "cache", tmp_path / "fresh"
    pages: dict[str, str] = {}

    def write(path: str) -> None:
        body = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 12)))
        html = f"<html><body><article data-pagefind-body><h1>{rng.choice(vocabulary)}</h1><p>{body}</p></article>"
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_bytes(html.encode())
        pages[path] = search.page_digest(html.encode())

    for number in range(20):
        write(f"bai-{number}/index.html")
    present: dict[str, str] = {}
    for step in range(60):
        action = rng.random()
        if action < 0.2 and len(pages) > 2:
            path = rng.choice(sorted(pages))
            (tree / path).unlink()
            del pages[path]
        else:
            write(rng.choice(sorted(pages)) if action < 0.8 else f"moi-{step}/index.html")
        present = search.place(tree, cache, {"vi": ""}, dict(pages), present)
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir()
        for path in pages:
            (fresh / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(tree / path, fresh / path)
        search.place(fresh, tmp_path / f"cache-{step}", {"vi": ""}, dict(pages), {})
        for word in vocabulary:
            for exact in (False, True):
                assert lookup(tree, "vi", word, exact) == lookup(fresh, "vi", word, exact), (step, word, exact)
        assert answers(tree) == answers(fresh), step  # (the pages' fragments too: titles, texts)
        segments.add(tuple(segment["name"] for segment in meta(tree, "vi")["segments"]))
    assert shards(meta(tree, "vi"))["d"] or overridden(meta(tree, "vi"))["b"] == []
    assert ("b", "m", "d") in segments if small < delta / 2 else ("b", "m", "d") not in segments


def test_the_middle_made_from_the_edits_then_a_page_of_it_undone_removed_edited(tmp_path, monkeypatch) -> None:
    """Four pages edited: the delta passes its limit, so the middle is made from them (and the
    delta emptied). Then one is put back as the base has it, one removed, one edited again: each
    answers as an index made from nothing does (its title, its words), the middle's copy of it
    overridden."""
    monkeypatch.setattr(search, "FRESH_MINIMUM", 3)
    tree, fresh = tmp_path / "tree", tmp_path / "fresh"
    pages: dict[str, str] = {}

    def write(slug: str, title: str, body: str) -> None:
        html = f"<html><body><article data-pagefind-body><h1>{title}</h1><p>{body}</p></article>".encode()
        (tree / slug).mkdir(parents=True, exist_ok=True)
        (tree / slug / "index.html").write_bytes(html)
        pages[f"{slug}/index.html"] = search.page_digest(html)

    indexed: list[str] = []  # the pages the last edit indexed

    def place(present: dict[str, str]) -> dict[str, str]:
        indexed.clear()
        placed = search.place(tree, tmp_path / "cache", {"vi": ""}, dict(pages), present)
        made = list(indexed)
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(tree, fresh, ignore=shutil.ignore_patterns(search.FOLDER))
        search.place(fresh, tmp_path / "fresh-cache", {"vi": ""}, dict(pages), {})
        shutil.rmtree(tmp_path / "fresh-cache")
        assert answers(tree) == answers(fresh)
        indexed[:] = made
        return placed

    for number in range(6):
        write(f"bai-{number}", f"Bài {number}", f"cảng số {number}")
    present = place({})
    for number in range(4):
        write(f"bai-{number}", f"Tin {number}", f"tàu số {number}")
    present = place(present)
    assert [segment["name"] for segment in meta(tree, "vi")["segments"]] == ["b", "m"]  # the middle, no delta
    assert overridden(meta(tree, "vi"))["b"] == [0, 1, 2, 3]
    assert lookup(tree, "vi", "tau") == {f"bai-{n}/" for n in range(4)}
    write("bai-0", "Bài 0", "cảng số 0")  # as the base has it
    (tree / "bai-1/index.html").unlink()
    del pages["bai-1/index.html"]
    write("bai-2", "Tin 2", "biển số 2")
    present = place(present)
    shape = meta(tree, "vi")
    assert overridden(shape)["m"] == [0, 1, 2] and shards(shape)["d"] == 1
    assert json.loads((tree / search.FOLDER / "vi/p/0.json").read_text(encoding="utf-8"))["title"] == "Bài 0"
    assert not (tree / search.FOLDER / "vi/p/1.json").exists()
    assert lookup(tree, "vi", "tau") == {"bai-3/"} and lookup(tree, "vi", "bien") == {"bai-2/"}

    # The middle made again: bai-3, as it holds it, is taken from it (its postings, its fragment),
    # not indexed again; bai-2 (changed since) and bai-4 are.
    monkeypatch.setattr(search, "FRESH_MINIMUM", 0)
    real = search.Postings.add
    monkeypatch.setattr(
        search.Postings, "add", lambda self, page_id, page: indexed.append(page.url) or real(self, page_id, page)
    )
    write("bai-4", "Tin 4", "tàu biển số 4")
    place(present)
    assert [segment["name"] for segment in meta(tree, "vi")["segments"]] == ["b", "m"]
    assert sorted(indexed) == ["bai-2/", "bai-4/"]
    assert lookup(tree, "vi", "tau") == {"bai-3/", "bai-4/"} and lookup(tree, "vi", "bien") == {"bai-2/", "bai-4/"}


def test_a_middle_changed_in_the_cache_or_left_by_lost_edits_is_never_published(tmp_path, monkeypatch) -> None:
    """The middle's kept files are checked as the base's are (their stamps before use, their digest
    as they are copied); a middle the kept edits do not name (lost with them) is not laid over the
    base either: the pages it held are read again."""
    from microsite.cache import StaleCache

    monkeypatch.setattr(search, "FRESH_MINIMUM", 1)
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    pages: dict[str, str] = {}
    for number, body in [(n, f"cảng số {n}") for n in range(4)] + [(n, f"tàu số {n}") for n in range(2)]:
        html = f"<html><body><article data-pagefind-body><h1>Bài {number}</h1><p>{body}</p></article>".encode()
        (tree / f"bai-{number}").mkdir(parents=True, exist_ok=True)
        (tree / f"bai-{number}/index.html").write_bytes(html)
        pages[f"bai-{number}/index.html"] = search.page_digest(html)
        if number == 3 or body.startswith("tàu"):
            search.place(tree, cache, {"vi": ""}, dict(pages), {})
    middle = cache / "vi" / search.MIDDLE_FOLDER
    assert shards(meta(tree, "vi"))["m"] and (middle / "m/0.json").is_file()
    clean = answers(tree)
    (middle / "m/0.json").write_bytes((middle / "m/0.json").read_bytes().replace(b'"tau"', b'"xyzz"'))
    with pytest.raises(StaleCache):  # (a build then runs again, thoroughly)
        search.place(tree, cache, {"vi": ""}, dict(pages), {}, thorough=False)
    shutil.rmtree(tree / search.FOLDER)
    search.place(tree, cache, {"vi": ""}, dict(pages), {})
    assert answers(tree) == clean and lookup(tree, "vi", "tau") == {"bai-0/", "bai-1/"}

    (cache / "vi" / search.EDITS).unlink()  # (the middle the last build made again, intact, now unnamed)
    (middle / "m/0.json").write_bytes((middle / "m/0.json").read_bytes().replace(b'"tau"', b'"xyzz"'))
    shutil.rmtree(tree / search.FOLDER)
    search.place(tree, cache, {"vi": ""}, dict(pages), {}, thorough=False)
    assert answers(tree) == clean


def test_a_kept_file_changed_in_the_cache_is_never_published(searchable) -> None:
    build_site(searchable.config)
    kept = kept_index(searchable) / "b" / "0.json"
    clean = (searchable.root / "site" / search.FOLDER / "vi" / "b" / "0.json").read_bytes()
    kept.write_bytes(kept.read_bytes().replace(b"quang", b"xyzzy"))
    shutil.rmtree(searchable.root / "site")  # the site written whole, from the cache
    build_site(searchable.config)
    assert (searchable.root / "site" / search.FOLDER / "vi" / "b" / "0.json").read_bytes() == clean


def test_a_link_planted_in_the_kept_index_is_removed_never_written_through(searchable, tmp_path) -> None:
    build_site(searchable.config)
    clean = index_files(searchable.root / "site", "vi")
    kept = kept_index(searchable)
    elsewhere = tmp_path / "elsewhere"
    kept.rename(elsewhere)  # this user's own sealed state and files, intact, now behind a link
    kept.symlink_to(elsewhere, target_is_directory=True)
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in elsewhere.rglob("*") if path.is_file()}
    edit = searchable.root / "content/ninh-binh/index.md"
    edit.write_text(edit.read_text(encoding="utf-8").replace("Quảng trường", "Tràng An"), encoding="utf-8")
    build_site(searchable.config)
    after = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in elsewhere.rglob("*") if path.is_file()}
    assert after == before and not kept.is_symlink()
    assert lookup(searchable.root / "site", "vi", "trang") == {"ninh-binh/"}
    assert index_files(searchable.root / "site", "vi").keys() >= clean.keys() - {"meta.json"}


def test_a_build_that_cannot_hold_the_kept_index_makes_it_in_memory(searchable) -> None:
    """Another build holds it (its lock): this one writes the same site without touching it."""
    import fcntl
    import os

    build_site(searchable.config)
    kept = kept_index(searchable)
    state = [written(kept / name) for name in ("base.pickle", "edits.pickle")]
    edit = searchable.root / "content/ninh-binh/index.md"
    edit.write_text(edit.read_text(encoding="utf-8").replace("Quảng trường", "Tràng An"), encoding="utf-8")
    handle = os.open(kept.parent / "lock", os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        build_site(searchable.config)
    finally:
        os.close(handle)
    assert [written(kept / name) for name in ("base.pickle", "edits.pickle")] == state
    assert lookup(searchable.root / "site", "vi", "trang") == {"ninh-binh/"}
    assert shards(meta(searchable.root / "site", "vi"))["d"] == 0  # one base made from every page
    build_site(searchable.config)  # and the next build, holding it, takes up from its state
    assert shards(meta(searchable.root / "site", "vi"))["d"] == 1
    assert lookup(searchable.root / "site", "vi", "trang") == {"ninh-binh/"}


def test_an_edit_rewrites_the_edits_kept_never_the_base(searchable) -> None:
    """The kept state of an edition's index: its base's (written when a base is made) and the edits
    since (rewritten by an edit). Edits lost are made again from the pages; edits that name another
    base are never laid over this one (here they claim the edited page is as the base has it)."""
    from microsite.cache import load_pickle

    build_site(searchable.config)
    kept = kept_index(searchable)
    base = written(kept / "base.pickle")
    edit = searchable.root / "content/ninh-binh/index.md"
    edit.write_text(edit.read_text(encoding="utf-8").replace("Quảng trường", "Tràng An"), encoding="utf-8")
    build_site(searchable.config)
    assert written(kept / "base.pickle") == base and (kept / "edits.pickle").is_file()
    assert (
        lookup(searchable.root / "site", "vi", "trang") == {"ninh-binh/"}
        and shards(meta(searchable.root / "site", "vi"))["d"]
    )

    (kept / "edits.pickle").unlink()
    shutil.rmtree(searchable.root / "site")
    build_site(searchable.config)
    assert lookup(searchable.root / "site", "vi", "trang") == {"ninh-binh/"}

    page = "ninh-binh/index.html"
    stale = {
        page: (
            search.page_digest((searchable.root / "site" / page).read_bytes()),
            load_pickle(kept / "base.pickle")["base"][page],
        )
    }
    search._save_edits(kept, "another base", {"ids": {}, "seen": stale, "gone": [], "delta": {}})
    other = searchable.root / "content/dien-luc/index.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
    build_site(searchable.config)
    assert lookup(searchable.root / "site", "vi", "trang") == {"ninh-binh/"}
    assert written(kept / "base.pickle") == base


def test_the_index_comes_in_small_shards(site) -> None:
    """A query fetches one shard per word: an archive's index is cut so each stays small."""
    import random

    rng = random.Random(7)
    letters = "abcdeghiklmnopqrstuvxy"
    for number in range(40):
        words = " ".join("".join(rng.choice(letters) for _ in range(rng.randint(2, 7))) for _ in range(300))
        site.article(f"bai-{number:02d}", body=words + ".\n", front=f'title: "Bài {number}"\ndate: 2024-05-01\n')
    build_site(site.config)
    sizes = [len(data) for name, data in index_files(site.root / "site", "vi").items() if name.startswith("b/")]
    assert len(sizes) == shards(meta(site.root / "site", "vi"))["b"] >= 8
    assert max(sizes) < 3 * search.SHARD_CHARS and sum(sizes) / len(sizes) < 1.5 * search.SHARD_CHARS


@pytest.mark.parametrize("chars", [200, 24_000, 10_000_000])  # many shards (more than buckets), some, one
def test_postings_spilled_to_disk_make_the_same_shards_as_in_memory(tmp_path, monkeypatch, chars) -> None:
    """A large archive's base is made with its postings spilled to files (bounded memory): the
    shards are byte for byte those made in memory, and the spilled files are gone with the base."""
    import random

    rng = random.Random(11)
    vocabulary = ["Quảng", "quang", "Ninh", "điện", "dien", "Điện", "cảng", "Cảng", "biển", "tàu", "và", "of", "the"]
    vocabulary += ["".join(rng.choice("abcdeghiklmnoươâêôđ") for _ in range(rng.randint(2, 6))) for _ in range(400)]
    pages = {
        number: search.Page(
            f"bai-{number}/",
            " ".join(rng.choices(vocabulary, k=rng.randint(1, 6))),
            "2024-05-01",
            " ".join(rng.choices(vocabulary, k=rng.randint(0, 400))),
        )
        for number in range(300)
    }
    expected = search.segment(pages, "vi", chars)
    monkeypatch.setattr(search.Postings, "SPILL_CHARS", 5_000)  # spilled every page or two
    spilled = search.Postings("vi", tmp_path / "spill")
    for number in sorted(pages):
        spilled.add(number, pages[number])
    assert any((tmp_path / "spill").iterdir())  # it did spill
    shards, texts = spilled.shards(chars)
    assert (shards, dict(texts)) == expected
    for text in expected[1].values():  # (postings are written out by hand: each shard is JSON as json writes it)
        assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    parsed = [json.loads(text) for text in expected[1].values()]
    postings = [posting for shard in parsed for _, *found in shard.values() for posting in found]
    assert postings and all(len(p) >= 4 and all(type(n) is int for n in p) for p in postings)


def test_a_new_base_leaves_no_spilled_postings_behind(searchable, monkeypatch) -> None:
    monkeypatch.setattr(search.Postings, "SPILL_CHARS", 100)  # spilled at every page
    build_site(searchable.config)
    cache = next((searchable.root / ".cache" / "search").iterdir())
    assert not [path for path in cache.rglob("*") if "postings" in path.name]
    assert (cache / "vi" / "base.pickle").is_file()


def test_the_stemmer_in_use_stems_as_snowballstemmers_own_python() -> None:
    """The build stems with PyStemmer (C) where installed, else with snowballstemmer's Python: the
    two give the same stem to each of the Python standard library's words, so an index made on a
    machine without PyStemmer is the same (and porter.js agrees with both: the next test)."""
    import re
    import sysconfig

    import Stemmer  # (CI installs it, as requirements.txt asks: the fast path is the one tested)
    from snowballstemmer.porter_stemmer import PorterStemmer

    words: set[str] = set()
    for source in sorted(Path(sysconfig.get_path("stdlib")).glob("*.py")):
        words.update(word.lower() for word in re.findall(r"[A-Za-z]{2,}", source.read_text("utf-8", "replace")))
    fast, python = Stemmer.Stemmer("porter"), PorterStemmer()
    assert type(search._porter()) is type(fast)  # (snowballstemmer hands the build PyStemmer's)
    assert len(words) > 10_000
    assert [word for word in sorted(words) if fast.stemWord(word) != python.stemWord(word)] == []


def test_the_browser_folds_stems_and_shards_as_the_build_does(tmp_path) -> None:
    """static/porter.js and static/words.js, run by Node, against the index's Python on a large
    vocabulary: the Python standard library's own words (English), and Vietnamese with every mark."""
    import re
    import subprocess
    import sysconfig

    from tests.needs import need

    node = need("node")
    english: set[str] = set()
    for source in sorted(Path(sysconfig.get_path("stdlib")).glob("*.py")):
        text = source.read_text(encoding="utf-8", errors="replace")
        english.update(word.lower() for word in re.findall(r"[A-Za-z]{2,}", text))
    vietnamese = {
        unicodedata.normalize("NFC", f"{first}{vowel}{tone}{last}")
        for first in ("", "đ", "Đ", "ng", "qu", "d")
        for vowel in ("a", "ă", "â", "e", "ê", "o", "ô", "ơ", "u", "ư", "y", "ươ", "uyê")
        for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
        for last in ("", "n", "ng", "ch")
    }
    cases = [[word, "en"] for word in sorted(english)] + [[word.lower(), "vi"] for word in sorted(vietnamese)]
    (tmp_path / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    script = (
        f"import {{ keyOf, shardOf }} from {json.dumps((REPO / 'static/words.js').as_uri())};\n"
        "import { readFileSync } from 'node:fs';\n"
        "const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));\n"
        "console.log(JSON.stringify(cases.map(([w, l]) => [keyOf(w, l), shardOf(keyOf(w, l), 4096)])));\n"
    )
    (tmp_path / "keys.mjs").write_text(script, encoding="utf-8")
    command = [node, str(tmp_path / "keys.mjs"), str(tmp_path / "cases.json")]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    browser = json.loads(result.stdout)
    ours = [[search.key_of(word, code), search.shard_of(search.key_of(word, code), 4096)] for word, code in cases]
    wrong = [(case, theirs, mine) for case, theirs, mine in zip(cases, browser, ours, strict=True) if theirs != mine]
    assert len(cases) > 10_000 and wrong == []
    assert search.key_of("trading", "en") == search.key_of("trade", "en")
    assert search.key_of("điện", "vi") == "dien"


def results(browser, base: str, page: str, query: str) -> tuple[str, list[str]]:
    browser.get(f"{base}{page}?q={quote(query)}")
    return settled(browser)


def settled(browser) -> tuple[str, list[str]]:
    """The search page's status and results once it has answered. The page may not be there yet
    (after Enter in the masthead's box the browser is still on its way from the home page): no
    status, or one of a page being replaced, is waited for, not an error."""
    from selenium.common.exceptions import StaleElementReferenceException

    deadline = time.monotonic() + 20
    status = ""
    while time.monotonic() < deadline:
        try:
            found = browser.find_elements("id", "search-status")
            status = found[0].text if found else ""
        except StaleElementReferenceException:
            status = ""
        if status and not status.endswith("…"):
            break
        time.sleep(0.05)
    titles = [link.text for link in browser.find_elements("css selector", "#search-results h2 a")]
    return status, titles


def test_searching_in_a_real_browser(served) -> None:
    from tests.browser import chrome
    from tests.needs import need_axe

    axe = need_axe()
    browser = chrome()
    try:
        quang_ninh = "Quảng Ninh mở rộng cảng biển"
        # Vietnamese typed every way readers type it: with or without marks, any case, NFC or NFD.
        for query in (
            "Quảng Ninh",
            "quảng ninh",
            "quang ninh",
            "QUANG NINH",
            unicodedata.normalize("NFD", "Quảng Ninh"),
        ):
            status, titles = results(browser, served, "search/", query)
            assert titles[0] == quang_ninh, (query, titles)
        # d finds đ: Pagefind folds the marks, not đ; the page also looks the syllable up with đ.
        assert results(browser, served, "search/", "dien luc")[1] == ["Điện lực miền Bắc bảo đảm nguồn điện"]
        # A quoted phrase matches those syllables together only.
        assert results(browser, served, "search/", '"quang ninh"')[1] == [quang_ninh]
        assert "Ninh Bình đón khách du lịch" in results(browser, served, "search/", "ninh")[1]
        # Only published pages: not the draft, not the English edition held back.
        assert results(browser, served, "search/", "nháp")[1] == []
        status, titles = results(browser, served, "en/search/", "trade")  # stemmed: the text says "trading"
        assert titles == ["Quang Ninh expands its seaport"] and status == "1 article for “trade”"
        assert results(browser, served, "en/search/", "Hai Phong")[1] == []
        status, titles = results(browser, served, "search/", "xyzzy")
        assert titles == [] and status == "Không tìm thấy bài nào cho “xyzzy”. Hãy thử từ khác, hoặc bỏ bớt từ."
        # The page's results link to the articles under the site's sub-path.
        results(browser, served, "search/", "quang ninh")
        link = browser.find_element("css selector", "#search-results h2 a")
        assert link.get_attribute("href") == served + "quang-ninh/"
        assert browser.find_element("css selector", "#search-results mark").text.casefold() in ("quảng", "ninh")
        assert "2024" in browser.find_element("css selector", "#search-results .meta").text  # its date
        # Keyboard only: the masthead's box on the home page, Enter, then Tab to the first result.
        from selenium.webdriver.common.keys import Keys

        browser.get(served)
        box = browser.find_element("id", "site-search")
        box.send_keys("điện lực", Keys.ENTER)
        status, titles = settled(browser)
        assert browser.current_url.startswith(served + "search/?q=") and titles[0].startswith("Điện lực")
        field = browser.find_element("id", "search-query")
        assert field.get_attribute("value") == "điện lực"
        field.send_keys(Keys.TAB, Keys.TAB)  # past the button, to the first result
        assert browser.switch_to.active_element.text == titles[0]
        # A new query typed on the search page and submitted with Enter.
        field.clear()
        field.send_keys("du lịch", Keys.ENTER)
        assert settled(browser)[1] == ["Ninh Bình đón khách du lịch"]
        assert browser.current_url.endswith("?q=du+l%E1%BB%8Bch")
        # axe over the search page showing results, in both editions.
        found = {}
        for page, query in (("search/", "quang ninh"), ("en/search/", "power")):
            results(browser, served, page, query)
            browser.execute_script(axe)
            found[page] = browser.execute_async_script(
                "const done = arguments[0];"
                "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));"
            )
        assert found == {"search/": [], "en/search/": []}
        errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
    finally:
        browser.quit()


@pytest.mark.parametrize("small", [16, 1], ids=["in the delta", "in the middle and the delta"])
def test_an_edited_article_is_found_by_its_new_words_and_not_its_old(served, searchable, monkeypatch, small) -> None:
    """Three edits: with the middle made once the delta holds two pages (``small``: 1), the browser
    reads all three segments, each overriding the one before for the pages it holds."""
    from tests.browser import chrome
    from tests.needs import need_browser

    need_browser()
    monkeypatch.setattr(search, "FRESH_MINIMUM", small)
    output = searchable.root.parent / "out"
    config = load_config(searchable.root / "site.toml", base_url=served)
    for slug, before, after in [
        ("ninh-binh", "Quảng trường", "Tràng An"),
        ("dien-luc", "Tập đoàn", "Tổng công ty"),
        ("ninh-binh", "Khách quốc tế", "Du khách"),
    ]:
        index = searchable.root / f"content/{slug}/index.md"
        index.write_text(index.read_text(encoding="utf-8").replace(before, after), encoding="utf-8")
        build_site(config, output=output)
    shape = json.loads((output / search.FOLDER / "vi/meta.json").read_text(encoding="utf-8"))
    assert [segment["name"] for segment in shape["segments"]] == (["b", "m", "d"] if small == 1 else ["b", "d"])
    browser = chrome()
    try:
        assert results(browser, served, "search/", "trang an")[1] == ["Ninh Bình đón khách du lịch"]
        assert results(browser, served, "search/", "du khach")[1] == ["Ninh Bình đón khách du lịch"]
        assert results(browser, served, "search/", '"quang truong"')[1] == []
        assert results(browser, served, "search/", "quoc te")[1] == []
        assert "Ninh Bình đón khách du lịch" not in results(browser, served, "search/", "quang truong")[1]
        assert results(browser, served, "search/", "tong cong ty")[1] == ["Điện lực miền Bắc bảo đảm nguồn điện"]
        assert results(browser, served, "search/", "tap doan")[1] == []
        assert results(browser, served, "search/", "cai lan")[1] == ["Quảng Ninh mở rộng cảng biển"]  # (the base's)
    finally:
        browser.quit()


def test_a_build_with_nothing_changed_leaves_the_index_alone(searchable) -> None:
    from tests.faults import cli

    assert cli("--root", str(searchable.root)).returncode == 0
    index = searchable.root / "site" / search.FOLDER
    before = {path: path.stat().st_mtime_ns for path in index.rglob("*")}
    assert len(before) > 10
    again = cli("--root", str(searchable.root))
    assert again.returncode == 0 and "Nothing changed" in again.stdout
    assert {path: path.stat().st_mtime_ns for path in index.rglob("*")} == before


def test_a_site_with_no_published_article_gets_no_index(site) -> None:
    site.article("nhap", front='title: "Nháp"\ndate: 2024-05-01\ndraft: true\n')
    build_site(site.config)
    assert (site.root / "site/search/index.html").is_file()
    assert not (site.root / "site" / search.FOLDER).exists()


def test_results_come_ten_at_a_time_and_more_is_a_button_away(site, tmp_path) -> None:
    from selenium.webdriver.common.keys import Keys

    from tests.browser import chrome
    from tests.needs import need_axe

    axe = need_axe()
    for number in range(23):  # 23 articles about the port, most recent first in the results' ties
        body = f"Cảng Cái Lân đón chuyến tàu số {number}.\n\n" + "Hàng hóa tăng. " * (number % 5 + 1) + "\n"
        site.article(f"bai-{number:02d}", body=body, front=f'title: "Tin cảng số {number:02d}"\ndate: 2024-05-01\n')
    with built_and_served(site.root, tmp_path / "out") as base:
        browser = chrome()
        try:
            status, first = results(browser, base, "search/", "cai lan")
            assert status == "23 bài cho “cai lan”" and len(first) == 10
            more = browser.find_element("id", "search-more")
            assert more.is_displayed() and more.text == "Xem thêm kết quả"
            browser.execute_script(axe)
            violations = browser.execute_async_script(
                "const done = arguments[0];"
                "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));"
            )
            assert violations == []
            # Keyboard: Tab from the last result reaches the button; Enter shows ten more, and focus
            # moves to the first of them, so reading goes on where the new results begin.
            browser.find_elements("css selector", "#search-results h2 a")[-1].send_keys(Keys.TAB)
            assert browser.switch_to.active_element.get_attribute("id") == "search-more"
            browser.switch_to.active_element.send_keys(Keys.ENTER)
            deadline = time.monotonic() + 20
            while len(browser.find_elements("css selector", "#search-results li")) < 20 and time.monotonic() < deadline:
                time.sleep(0.05)
            shown = [link.text for link in browser.find_elements("css selector", "#search-results h2 a")]
            assert shown[:10] == first and len(shown) == 20
            assert browser.switch_to.active_element.text == shown[10]
            browser.execute_script("arguments[0].click(); arguments[0].click();", more)  # a quick double click
            deadline = time.monotonic() + 20  # until both clicks are answered: the list is no longer busy
            listing = browser.find_element("id", "search-results")
            while (more.is_displayed() or listing.get_attribute("aria-busy")) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert listing.get_attribute("aria-busy") is None
            shown = [link.text for link in browser.find_elements("css selector", "#search-results h2 a")]
            assert sorted(shown) == [f"Tin cảng số {number:02d}" for number in range(23)]  # each once
            assert not more.is_displayed()  # nothing more to show
            # A new query starts again from ten, and a query with fewer results has no button.
            assert len(results(browser, base, "search/", "hang hoa")[1]) == 10
            assert browser.find_element("id", "search-more").is_displayed()
            assert results(browser, base, "search/", "chuyen tau so 7")[1][0] == "Tin cảng số 07"
            assert results(browser, base, "search/", "xyzzy")[1] == []
            assert not browser.find_element("id", "search-more").is_displayed()
            assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
        finally:
            browser.quit()


PHRASES = {
    "san-bay": (
        "Sân bay Vân Đồn đón chuyến bay quốc tế",
        "Sân bay Vân Đồn, tỉnh Quảng Ninh, đón tàu container và khách. Cảng Cái Lân — cảng nước sâu — mở rộng.",
        "Van Don airport welcomes an international flight",
        "Van Don airport, in Quang Ninh province, receives container ships and visitors. Cai Lan port — a "
        "deep-water port — is expanding.",
    ),
    "van-de": (
        "Vấn đề vận tải biển",
        "Vấn đề vận tải: đơn hàng đón chờ, sân vận động bay màu cờ. Cảng đã cũ.",
        "The question of sea transport",
        "Transport is the question: orders wait, the stadium flies flags. The port is old.",
    ),
    "cang": (
        "Tàu cập cảng Cái Lân",
        "Tàu cập cảng Cái Lân lúc 8 giờ; tàu chở container rời bến, bay qua vịnh là chim.",
        "A ship docks at Cai Lan port",
        "A ship docks at Cai Lan port at 8 a.m.; a ship carrying containers leaves, birds fly over the bay.",
    ),
}


@pytest.fixture
def phrasal(site, tmp_path) -> Iterator[str]:
    english = {"Phóng viên Hạ Long": "Ha Long correspondent"}  # the byline
    for title, text, title_en, text_en in PHRASES.values():
        english |= {title: title_en, text: text_en}
    for number, (slug, (title, text, _, _)) in enumerate(PHRASES.items()):
        front = f'title: "{title}"\ndate: 2024-05-0{number + 1}\nsource: Phóng viên Hạ Long\n'
        site.article(slug, body=text + "\n", front=front)
        site.translate(slug, translation=english.__getitem__)
    with built_and_served(site.root, tmp_path / "out") as base:
        yield base


def test_quoted_phrases_are_found_and_what_was_typed_ranks_first(phrasal) -> None:
    from tests.browser import chrome
    from tests.needs import need_browser

    need_browser()
    airport, transport, ship = (PHRASES[slug][0] for slug in ("san-bay", "van-de", "cang"))
    browser = chrome()
    try:
        for query, found in (
            ('"sân bay"', [airport]),  # two syllables, with marks and without
            ('"san bay"', [airport]),
            ('"Vân Đồn"', [airport]),  # a name, with đ; not vấn đề, vận, đón, đơn
            ('"van don"', [airport]),
            ("“Vân Đồn”", [airport]),  # curly quotes
            ('"Cảng Cái Lân"', [ship, airport]),  # three syllables; the next word is a dash; in a title first
            ('"cang cai lan"', [ship, airport]),
            ('"tàu container"', [airport]),  # not "tàu chở container"
            ('"tỉnh Quảng Ninh"', [airport]),  # before a comma
            ('"cảng nước sâu"', [airport]),  # between dashes
            ('"sân vận động"', [transport]),
            ('"bay qua vịnh"', [ship]),
            ('"Vân Đồn" "cảng nước sâu"', [airport]),  # two phrases: both
            ('"Vân Đồn" "cảng đã cũ"', []),
            ('"sân bay vịnh"', []),  # every word is in some page, never together
        ):
            assert results(browser, phrasal, "search/", query)[1] == found, query
        # Unquoted, marks folded: every page with both syllables, the one typed first.
        titles = results(browser, phrasal, "search/", "Vân Đồn")[1]
        assert titles[0] == airport and transport in titles, titles
        assert results(browser, phrasal, "search/", "vận đơn")[1][0] == transport  # the same words, other marks
        # The excerpt is the story: not the byline, not the date.
        results(browser, phrasal, "search/", '"tàu container"')
        snippet = browser.find_element("css selector", "#search-results p.summary").text
        assert "tàu container" in snippet and "Hạ Long" not in snippet and "2024" not in snippet, snippet
        assert "2024" in browser.find_element("css selector", "#search-results .meta").text  # the date: its own line
        # The English edition.
        for query, found in (
            ('"container ships"', ["Van Don airport welcomes an international flight"]),
            ('"Cai Lan port"', ["Van Don airport welcomes an international flight", "A ship docks at Cai Lan port"]),
            ('"deep-water port"', ["Van Don airport welcomes an international flight"]),
            ('"sea transport"', ["The question of sea transport"]),
            ('"transport sea"', []),
        ):
            assert sorted(results(browser, phrasal, "en/search/", query)[1]) == sorted(found), query
        errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
    finally:
        browser.quit()


@contextlib.contextmanager
def counted(root: Path, output: Path) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """The site at ``root`` built into ``output`` and served under /repo/ as GitHub Pages serves it;
    its URL, and the (path, bytes) of every answer the server sent."""
    import functools
    import http.server
    import threading

    from tests.test_external import PagesHandler

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(PagesHandler, directory=str(output)))
    server.sent = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/repo/"
    build_site(load_config(root / "site.toml", base_url=base), output=output)
    try:
        yield base, server.sent
    finally:
        server.shutdown()
        server.server_close()


def test_a_word_whose_shard_was_never_written_finds_nothing_and_urls_name_the_index(site, tmp_path, monkeypatch):
    """A large index has many shards no key falls in (its shard count follows its size), and those
    are not written: a word in one finds no page, it is not an error. Each file the page fetches
    names the index's version, so a new index is never mixed with one the browser kept."""
    from tests.browser import chrome
    from tests.needs import need_browser

    need_browser()
    monkeypatch.setattr(search.Postings.shards, "__defaults__", (40,))  # ~40 characters a shard: most are empty
    site.article("cang", body="Cảng Cái Lân đón tàu lớn.\n", front='title: "Tin cảng"\ndate: 2024-05-01\n')
    with counted(site.root, tmp_path / "out") as (base, sent):
        index = tmp_path / "out" / "searchindex" / "vi"
        meta = json.loads((index / "meta.json").read_text(encoding="utf-8"))
        written = {int(path.stem) for path in (index / "b").glob("*.json")}
        assert shards(meta)["b"] > len(written) > 0  # shards left unwritten
        absent = next(
            word
            for word in (f"xyz{number}" for number in range(10_000))
            if search.shard_of(search.key_of(word, "vi"), shards(meta)["b"]) not in written
        )
        present = next(word for word in ("cảng", "cái", "lân", "tàu") if search.key_of(word, "vi"))
        browser = chrome()
        try:
            status, titles = results(browser, base, "search/", absent)
            assert titles == [] and status.startswith("Không tìm thấy bài nào"), status
            sent.clear()
            status, titles = results(browser, base, "search/", present)
            assert titles == ["Tin cảng"] and status == f"1 bài cho “{present}”"
        finally:
            browser.quit()
        fetched = [path for path, _ in sent if "/searchindex/" in path and not path.split("?")[0].endswith("meta.json")]
        assert fetched and all(path.endswith(f"?v={meta['version']}") for path in fetched), fetched


def test_a_phrase_in_many_pages_is_matched_by_the_index_not_by_downloading_each_page(site, tmp_path) -> None:
    """Over 100 pages hold a phrase's words: the index's word positions decide which hold the
    phrase, and only the fragments of the pages shown are downloaded (thousands at once, in a large
    archive, and the browser refused them: the search failed)."""
    from tests.browser import chrome
    from tests.needs import need_browser

    need_browser()
    for number in range(130):  # the even ones have "sân bay" as a phrase; the odd ones its words apart
        text = "Sân bay Vân Đồn mở thêm đường bay." if number % 2 == 0 else "Bay qua sân vận động Vân Đồn."
        site.article(f"bai-{number:03d}", body=f"{text}\n", front=f'title: "Tin số {number:03d}"\ndate: 2024-05-01\n')
    with counted(site.root, tmp_path / "out") as (base, sent):
        browser = chrome()
        try:
            sent.clear()
            status, titles = results(browser, base, "search/", '"sân bay"')
            assert status == '65 bài cho “"sân bay"”' and len(titles) == 10
            assert all(int(title.rpartition(" ")[2]) % 2 == 0 for title in titles), titles
            fragments = [path for path, _ in sent if "/searchindex/vi/p/" in path]
            assert 10 <= len(fragments) < 20, len(fragments)  # the pages shown, not all 130
            assert results(browser, base, "search/", '"bay qua sân"')[0] == '65 bài cho “"bay qua sân"”'
            assert results(browser, base, "search/", '"đồn mở"')[0].startswith("65 bài")  # across marks
            assert results(browser, base, "search/", '"vân bay"')[0].startswith("Không tìm thấy")  # words apart
        finally:
            browser.quit()


def test_a_file_the_other_tree_names_as_differing_is_linked_though_its_digest_is_the_same(tmp_path) -> None:
    """:func:`search._write` looks only at the files whose digest differs and those the shared
    tree names as maybe apart (a copy of its file): such a copy is linked to the other tree's, the
    files named by neither are left alone."""

    class Other:
        def __init__(self) -> None:
            self.linked: list[str] = []

        def differing(self) -> set[str]:
            return {"p/1.json"}

        def apart(self, name: str, digest: str) -> bool:
            return name in ("p/1.json", "p/2.json")  # (p/2 too: never asked, it is not named)

        def link(self, name: str, digest: str) -> bool:
            self.linked.append(name)
            (tmp_path / "index" / name).write_text("linked", encoding="utf-8")
            return True

        def remove(self, name: str) -> None:
            (tmp_path / "index" / name).unlink(missing_ok=True)

    (tmp_path / "index" / "p").mkdir(parents=True)
    for name in ("p/1.json", "p/2.json"):
        (tmp_path / "index" / name).write_text("kept", encoding="utf-8")
    other = Other()
    placed = {"p/1.json": "d1", "p/2.json": "d2", "p/3.json": "d3"}
    written = search._write(
        tmp_path / "index", placed, {"p/3.json": "new"}, {"p/1.json": "d1", "p/2.json": "d2"}, other
    )
    assert written == {"p/1.json", "p/3.json"} and other.linked == ["p/1.json", "p/3.json"]
    assert (tmp_path / "index" / "p/2.json").read_text(encoding="utf-8") == "kept"
