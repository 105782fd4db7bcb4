"""The live preview: serves under the base path, survives a failed rebuild, reloads on change."""

from __future__ import annotations

import contextlib
import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from microsite.desk.preview import Preview, watched
from tests.browser import serving, wait_for


def get(app: Preview, path: str, host: str = "127.0.0.1:8000") -> tuple[str, dict, bytes]:
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    environ = {"PATH_INFO": path.encode().decode("latin-1"), "HTTP_HOST": host}  # as WSGI hands it over
    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


def test_the_preview_refuses_a_foreign_host_as_the_desk_does(site) -> None:
    """A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) must not read the
    preview (the built site, the build-error page)."""
    site.article("bai")
    app = Preview(site.config, lambda: site.config)
    app.rebuild()
    for host in ("attacker.example", "attacker.example:8000", "127.0.0.1.nip.io:8000", ""):
        status, _, body = get(app, "/repo/bai/", host)
        assert status == "403 Forbidden" and b"Ti\xc3\xaau" not in body, host
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000"):
        assert get(app, "/repo/bai/", host)[0] == "200 OK", host
    with serving(site.root) as served:  # through the real server, as a browser's request arrives
        request = urllib.request.Request(f"{served.url}/repo/bai/", headers={"Host": "attacker.example"})
        try:
            urllib.request.urlopen(request, timeout=10)
            raise AssertionError("a foreign Host was answered")
        except urllib.error.HTTPError as exc:
            assert exc.code == 403


def test_preview_serves_the_site_under_its_base_path(site) -> None:
    site.article("bai")
    app = Preview(site.config, lambda: site.config)
    app.rebuild()
    status, headers, body = get(app, "/repo/bai/")
    assert status == "200 OK" and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Tiêu đề bài viết" in body.decode()
    assert get(app, "/")[0].startswith("302") and get(app, "/")[1]["Location"] == "/repo/"
    assert get(app, "/repo/bai")[1]["Location"] == "/repo/bai/"
    assert get(app, "/repo/../../etc/passwd")[0].startswith("404")
    assert get(app, "/repo/no-such/")[0].startswith("404")


def test_until_its_first_build_is_in_the_preview_serves_the_last_site(site) -> None:
    """``serve`` answers while its first build runs (10-40 s at 100,000 articles): the last site as it
    stands, and a page it lacks says the build is under way, with a head for livereload's script
    (it reloads when the build is in). A path outside the site is not found, build or no build."""
    index = site.article("bai")
    Preview(site.config, lambda: site.config).rebuild()  # the last session's site
    index.write_text(index.read_text().replace("Tiêu đề bài viết", "Tiêu đề đã sửa"))
    site.article("moi")
    app = Preview(site.config, lambda: site.config)
    status, _, body = get(app, "/repo/bai/")
    assert status == "200 OK" and "Tiêu đề bài viết" in body.decode()
    status, headers, body = get(app, "/repo/moi/")
    assert status.startswith("503") and b"first build is under way" in body and b"</head>" in body
    assert headers["Cache-Control"] == "no-store"
    assert get(app, "/repo/../../etc/passwd")[0].startswith("404")
    app.rebuild()
    assert "Tiêu đề đã sửa" in get(app, "/repo/bai/")[2].decode() and get(app, "/repo/moi/")[0] == "200 OK"
    assert get(app, "/repo/no-such/")[0].startswith("404")


def test_an_article_whose_folder_name_is_not_ascii_is_served(site) -> None:
    """The build accepts `bài-mới`; the preview must serve it (it answered 404: PATH_INFO misdecoded)."""
    site.article("bài-mới")
    app = Preview(site.config, lambda: site.config)
    app.rebuild()
    status, _, body = get(app, "/repo/bài-mới/")
    assert status == "200 OK" and "Tiêu đề bài viết" in body.decode()
    assert get(app, "/repo/bài-mới")[1]["Location"] == "/repo/b%C3%A0i-m%E1%BB%9Bi/"
    with serving(site.root) as served:
        url = f"{served.url}/repo/b%C3%A0i-m%E1%BB%9Bi/"
        assert "Tiêu đề bài viết" in urllib.request.urlopen(url, timeout=10).read().decode()


def test_a_failed_rebuild_is_shown_and_the_last_good_site_kept(site) -> None:
    index = site.article("bai")
    app = Preview(site.config, lambda: site.config)
    app.rebuild()
    good = (site.root / "site" / "bai" / "index.html").read_bytes()
    index.write_text(index.read_text().replace("date: 2021-06-25", "date: hôm qua"))
    app.rebuild()
    status, _, body = get(app, "/repo/bai/")
    assert status.startswith("500")
    assert "The last build failed" in body.decode() and "index.md:3" in body.decode()
    assert (site.root / "site" / "bai" / "index.html").read_bytes() == good
    index.write_text(index.read_text().replace("date: hôm qua", "date: 2021-06-26"))
    app.rebuild()
    assert get(app, "/repo/bai/")[0] == "200 OK"


def test_the_output_is_not_watched(site) -> None:
    paths = watched(site.config)
    assert site.root / "content" in paths and site.root / "site.toml" in paths
    assert not any(p == site.root / "site" or (site.root / "site").is_relative_to(p) for p in paths)


def fetch(url: str) -> str:
    """The page's text, whatever its status (the error page answers 500)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}\n" + error.read().decode()


def causes(log: str) -> list[str]:
    """What set off each rebuild the preview logged: the changed files it names."""
    return re.findall(r"(?:rebuilt in [\d.]+ s|build failed) \(([^)]*)\)", log)


def test_serve_rebuilds_on_change_and_never_loops(site) -> None:
    index = site.article("bai")
    with serving(site.root) as served:
        url = f"{served.url}/repo/bai/"
        page = wait_for(lambda: fetch(url))
        assert "Tiêu đề bài viết" in page and "livereload" in page
        index.write_text(index.read_text().replace("Tiêu đề bài viết", "Tiêu đề đã sửa"))
        wait_for(lambda: "Tiêu đề đã sửa" in fetch(url))
        wait_for(lambda: "shown in" in served.log, message=lambda: served.log)  # made early, then built
        index.write_text(index.read_text().replace("date: 2021-06-25", "date: sai"))
        failed = wait_for(lambda: "The last build failed" in fetch(url) and fetch(url))
        assert failed.startswith("HTTP 500") and "index.md:3" in failed
        # A build that set off another would show as a rebuild no edit of ours caused. A probe,
        # changed after those builds, is built after any file events they made: then look.
        (site.root / "static" / "probe.css").write_text("/* probe */\n")
        wait_for(lambda: "static/probe.css" in " ".join(causes(served.log)), message=lambda: served.log)
        output = served.log
    named = {name for cause in causes(output) for name in cause.split(", ")}
    assert named == {"content/bai/index.md", "static/probe.css"} and len(causes(output)) <= 3, output
    assert f"{served.url}/repo/" in output


def test_the_desk_overview_follows_saves_made_outside_it_while_serving(site) -> None:
    """In `serve` the overview stats only what the watcher says changed: a catalog reviewed in
    Poedit, a new article and one removed all show in it, as a look at every article shows them."""
    from microsite.desk.review import review_articles

    for slug in ("mot", "hai"):
        site.article(slug, body=f"Đoạn của bài {slug}.\n")
        site.translate(slug, fuzzy=True)

    def row(page: str, slug: str) -> str:
        found = re.search(rf'href="en/{slug}/".*?</tr>', page, re.S)
        return found.group(0) if found else ""

    def counts(page: str, slug: str) -> list[str]:
        return re.findall(r'data-label="(?:Reviewed|Machine draft)">(\d+)<', row(page, slug))

    with serving(site.root) as served:
        overview = f"{served.url}/_review/"
        assert counts(fetch(overview), "hai") == ["0", "4"]
        po = site.root / "content" / "hai" / "en.po"
        po.write_text(po.read_text(encoding="utf-8").replace("#, fuzzy\n", ""), encoding="utf-8")  # Poedit
        wait_for(lambda: counts(fetch(overview), "hai") == ["4", "0"], message=lambda: fetch(overview))
        site.article("ba", body="Đoạn của bài ba.\n")
        wait_for(lambda: row(fetch(overview), "ba"), message=lambda: fetch(overview))
        (site.root / "content" / "mot" / "index.md").unlink()
        wait_for(lambda: not row(fetch(overview), "mot"), message=lambda: fetch(overview))
        page = fetch(overview)
    whole = review_articles(site.config)
    assert sorted({r.slug for r in whole}) == ["ba", "hai"]
    assert "2 articles" in page and counts(page, "hai") == ["4", "0"]


def test_a_change_already_built_is_not_built_again(site) -> None:
    """The desk rebuilds right after its save; the file event that follows must not rebuild again."""
    index = site.article("bai")
    preview = Preview(site.config, lambda: site.config)
    builds = []
    preview.rebuild = lambda cause=(): builds.append(index.read_text() if index.exists() else None)  # count them
    assert preview.changed([index]) is True
    assert preview.changed([index]) is False
    index.write_text(index.read_text().replace("Đoạn", "Một đoạn"))
    assert preview.changed([index, site.root / "site.toml"]) is True
    index.unlink()
    assert preview.changed([index]) is True and preview.changed([index]) is False
    assert len(builds) == 3 and "Một đoạn" in builds[1]


FOLDERS = 5_000  # (the system takes ~0.15 s to watch them all)


def test_a_save_made_as_soon_as_the_watcher_says_it_is_ready_is_seen(tmp_path) -> None:
    """The system takes a while to watch many folders (~3 s at 100,000 articles), and a save made
    before is never reported: the preview's first build waits for the watcher's word that every
    save is seen. Saves made the moment it comes, all over the archive, are all reported. (An editor
    saves from another process: here the GIL holds this test back while the system takes the
    watches, so a word said too soon is not caught; the preview's order is, in the builds' test.)"""
    import contextlib
    import queue
    import threading

    from microsite.desk.watch import watch_sources

    content = tmp_path / "content"
    for number in range(FOLDERS):
        (content / f"bai-{number:05}").mkdir(parents=True)
    seen: queue.Queue = queue.Queue()
    stop = threading.Event()
    try:
        ready = watch_sources([content, tmp_path / "site.toml"], seen.put, stop)  # (no site.toml: not watched)
        assert ready.wait(60)
        saved = {content / f"bai-{number:05}" / "index.md" for number in range(0, FOLDERS, FOLDERS // 50)}
        for index in saved:
            index.write_text("Đoạn.\n", encoding="utf-8")
        changes: set = set()
        deadline = time.monotonic() + 10
        while not saved <= changes and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                changes |= seen.get(timeout=0.1)
        assert saved <= changes, f"{len(saved - changes)} of {len(saved)} saves unseen"
    finally:
        stop.set()


def test_sources_are_watched_through_atomic_saves_and_temporary_files_ignored(site) -> None:
    """Editors save by renaming a new file over the old one: every such save must still be seen."""
    import contextlib
    import queue
    import threading

    from microsite.desk.watch import watch_sources

    index = site.article("bai")
    toml = site.root / "site.toml"
    seen: queue.Queue = queue.Queue()
    stop = threading.Event()
    watch_sources(watched(site.config), seen.put, stop)
    probe = site.root / "content" / "probe.txt"

    def watching() -> bool:  # the watches are in place once a write is seen
        probe.write_text(str(time.monotonic()), encoding="utf-8")
        with contextlib.suppress(queue.Empty):
            return probe in seen.get(timeout=0.1)
        return False

    wait_for(watching)
    probe.unlink()

    def saved_like_an_editor(path: Path, text: str) -> set:
        temporary = path.parent / f".{path.name}.swp"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
        changes: set = set()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and path not in changes:
            with contextlib.suppress(queue.Empty):
                changes |= seen.get(timeout=0.1)
        return changes

    try:
        for round_ in range(3):
            assert toml in saved_like_an_editor(toml, toml.read_text() + f"\n# {round_}\n")
            changes = saved_like_an_editor(index, index.read_text() + f"\nĐoạn {round_}.\n")
            assert index in changes and not any(path.name.startswith(".") for path in changes)
    finally:
        stop.set()


def test_serving_beyond_this_computer_warns_and_the_desk_checks_the_host_and_never_reloads(site) -> None:
    site.article("bai")

    def status(url: str, host: str) -> int:
        request = urllib.request.Request(url, headers={"Host": host})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with serving(site.root, "--host", "0.0.0.0") as served:
        desk = f"{served.url}/_review/"
        assert status(desk, f"127.0.0.1:{served.port}") == 200
        # The preview's pages get the live-reload script; the desk's never (a reload loses typing).
        assert "livereload" in fetch(f"{served.url}/repo/bai/") and "livereload" not in fetch(desk)
        assert status(desk, f"192.168.1.9:{served.port}") == 200  # an address of this computer on the network
        assert status(desk, f"rebound.example:{served.port}") == 403  # a name pointed here by someone else
    assert "warning: serving on 0.0.0.0: other computers on the network can see the preview" in served.log


def test_serve_shows_an_edit_at_once_and_search_finds_it_with_the_same_rebuild(site) -> None:
    """The search index is made by each rebuild (only the changed pages indexed again): the rebuild
    that shows a new article has its words in the index, and nothing runs after it."""
    import json

    site.article("cang", body="Cảng Cái Lân đón tàu.\n", front='title: "Cảng"\ndate: 2024-05-01\n')
    with serving(site.root) as served:
        meta = f"{served.url}/repo/searchindex/vi/meta.json"

        def vietnamese_pages() -> int:
            return json.loads(fetch(meta))["pages"]

        assert wait_for(vietnamese_pages) == 1
        site.article("ha-long", body="Vịnh Hạ Long đón khách.\n", front='title: "Hạ Long"\ndate: 2024-05-02\n')
        wait_for(lambda: vietnamese_pages() == 2, seconds=30)
        assert "Hạ Long" in fetch(f"{served.url}/repo/ha-long/")
        shape = json.loads(fetch(meta))
        delta = fetch(f"{served.url}/repo/searchindex/vi/d/0.json")
        assert {"name": "d", "shards": 1, "overridden": []} in shape["segments"]  # the delta the rebuild wrote
        assert '"vinh"' in delta  # Vịnh, folded
        (site.root / "static" / "probe.css").write_text("/* probe */\n")
        wait_for(lambda: "static/probe.css" in " ".join(causes(served.log)), message=lambda: served.log)
        output = served.log
    assert "search index" not in output, output  # nothing owed, nothing made in the background


def test_the_preview_names_the_desk_where_it_really_serves_it(site) -> None:
    """An untranslated article's warning says where to write its English: this preview's own port."""
    site.article("bai")  # no en.po: left out of the English edition
    with serving(site.root) as served:
        desk = f"{served.url}/_review/en/bai/"
        wait_for(lambda: desk in served.log)
    assert "left out of the en edition" in served.log
    assert "http://127.0.0.1:8000/" not in served.log or served.port == 8000


def tagged(slug: str, title: str, day: int, tags: str = "[cảng, biển]") -> str:
    return f'title: "{title}"\ndate: 2024-05-{day:02d}\nsource: NDO\nsummary: "Tóm tắt."\ntags: {tags}\n'


def tagged_archive(site) -> list[str]:
    """Translated articles bai-1… (3 × RELATED_COUNT + 1), each with one to three of four tags
    (the pool, returned), so that their related reading differs."""
    from microsite.publish.lists import RELATED_COUNT

    pool = ["cảng", "biển", "đảo", "sông"]
    for number in range(1, 3 * RELATED_COUNT + 2):
        tags = "[" + ", ".join(pool[(number + shift) % len(pool)] for shift in range(1 + number % 3)) + "]"
        site.article(f"bai-{number}", front=tagged(f"bai-{number}", f"Bài {number}", number, tags), body="Cảng.\n")
        site.translate(f"bai-{number}")
    return pool


@pytest.mark.parametrize("spilled", [False, True], ids=["records in memory", "their pages set down on disk"])
def test_pages_made_early_are_the_bytes_the_build_then_writes(site, monkeypatch, spilled) -> None:
    """The edited article's pages, made alone, with their related reading and language links, are
    exactly what the build that follows writes: the preview never shows a page the site won't have.
    The last build's records may hold their pages on disk (a large build: :class:`.records.Spill`)."""
    monkeypatch.setattr("microsite.cache.TOO_RECENT", 0.0)  # files just written are judged by their stats
    from microsite.publish import records as kept
    from microsite.publish.builder import LastBuild, build_site, preview_pages
    from microsite.publish.render import Renderer

    if spilled:
        monkeypatch.setattr(kept, "SPILL_FROM", 0)
        monkeypatch.setattr(kept, "SPILL_ROOM", 0)
    for number, slug in enumerate(("cang", "bien", "dao", "song"), start=1):
        site.article(slug, front=tagged(slug, f"Bài {slug}", number), body="Cảng Cái Lân đón tàu.\n")
        site.translate(slug)
    index = site.root / "content" / "bien" / "index.md"
    records = build_site(site.config).records
    assert [kept.HEAVY_AT in record.__dict__ for record in records] == [spilled] * 4
    index.write_text(index.read_text().replace("đón tàu", "đón tàu lớn"))
    site.translate("bien")  # its English follows, so it stays in both editions
    shown = preview_pages(index, Renderer(site.config), LastBuild(records))
    assert shown is not None and set(shown) == {"bien/index.html", "en/bien/index.html"}
    assert "đón tàu lớn" in shown["bien/index.html"] and "cang/" in shown["bien/index.html"]  # related reading
    result = build_site(site.config)
    for path, text in shown.items():
        assert (site.root / "site" / path).read_text() == text
    assert result.changed is not None and {"bien/index.html", "en/bien/index.html"} <= result.changed
    assert not any(path.startswith("index.html") or path.startswith("tags/") for path in result.changed)
    assert not list((site.root / ".cache" / "pages").glob(".page.*"))  # nothing made early is left


def test_a_preview_started_on_an_unchanged_site_keeps_its_build_and_makes_pages_early_from_it(
    site, monkeypatch, caplog
) -> None:
    """``serve``'s start where nothing changed since the last build: that build stands (its records
    read back, nothing built: ~5 s at 100,000 articles, a build ~20 s), and the pages an edit makes
    early from those records are the bytes the build then writes. Where something changed, or the
    records are not at hand, the start builds."""
    monkeypatch.setattr("microsite.cache.TOO_RECENT", 0.0)
    from microsite.publish.builder import build_site, last_build
    from microsite.publish.records import state_path

    for number, slug in enumerate(("cang", "bien", "dao", "song"), start=1):
        site.article(slug, front=tagged(slug, f"Bài {slug}", number), body="Cảng Cái Lân đón tàu.\n")
        site.translate(slug)
    site.article("nhap", front=tagged("nhap", "Bản nháp", 5) + "draft: true\n")  # (a record without pages)
    build_site(site.config)
    page = site.root / "site" / "bien" / "index.html"
    written = page.stat()
    preview = Preview(site.config, lambda: site.config)
    assert get(preview, "/repo/no-such/")[0].startswith("503")  # (until the first build is in: it may make it)
    with caplog.at_level("INFO", logger="microsite.desk.preview"):
        result = preview.rebuild()
    assert "site/ is up to date" in caplog.text and "rebuilt in" not in caplog.text, caplog.text
    assert result is not None and result.changed == set() and result.pages == {"vi": 4, "en": 4}
    assert preview.built_early(0, result) is True  # the page that waited reloads (a 404 now)...
    assert preview.built_early(0, result) is False  # ...once
    assert (page.stat().st_ino, page.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert sorted(record.slug for record in preview.last.records) == ["bien", "cang", "dao", "nhap", "song"]
    index = site.root / "content" / "bien" / "index.md"
    index.write_text(index.read_text().replace("đón tàu", "đón tàu lớn"))
    site.translate("bien")
    assert preview.show_early(preview.differing([index])) is True
    shown = {path: text for path, (_, text) in preview.early.items()}
    assert set(shown) == {"bien/index.html", "en/bien/index.html"} and b"cang/" in shown["bien/index.html"]
    caplog.clear()
    with caplog.at_level("INFO", logger="microsite.desk.preview"):
        preview.rebuild([index])
    assert "rebuilt in" in caplog.text
    for path, text in shown.items():
        assert (site.root / "site" / path).read_bytes() == text, path
    assert last_build(site.config) is not None
    other = site.root / "content" / "dao" / "index.md"
    other.write_text(other.read_text() + "\nMột đoạn mới.\n")
    assert last_build(site.config) is None  # something changed: a build
    build_site(site.config)
    state_path(site.config.cache_dir, site.config.output_dir.resolve()).unlink()
    assert last_build(site.config) is None  # the records not at hand: a build


def test_pages_made_early_after_new_tags_and_date_are_the_bytes_the_build_then_writes(site, monkeypatch) -> None:
    """An edit that moves the article (a new date: its place among the newest) and gives it other
    tags: its related reading, worked out from the last build's index, is the build's."""
    monkeypatch.setattr("microsite.cache.TOO_RECENT", 0.0)
    from microsite.publish.builder import LastBuild, build_site, preview_pages
    from microsite.publish.render import Renderer

    pool = tagged_archive(site)
    last = LastBuild(build_site(site.config).records)
    index = site.root / "content" / "bai-4" / "index.md"
    front = tagged("bai-4", "Bài 4", 4, "[" + ", ".join(pool[(4 + shift) % len(pool)] for shift in range(2)) + "]")
    edited = tagged("bai-4", "Bài 4", 28, "[đảo, sông, phà]")
    assert front in index.read_text()
    index.write_text(index.read_text().replace(front, edited))
    site.translate("bai-4")
    renderer = Renderer(site.config)
    shown = preview_pages(index, renderer, last)
    assert shown is not None and set(shown) == {"bai-4/index.html", "en/bai-4/index.html"}
    assert preview_pages(index, renderer, last) == shown  # (the index, made once, serves every edit)
    build_site(site.config)
    for path, text in shown.items():
        assert (site.root / "site" / path).read_text() == text, path


def test_the_build_hands_the_preview_the_related_reading_indexes_it_made(site, monkeypatch) -> None:
    """Each build gives the indexes it placed related reading with (:attr:`BuildResult.related`),
    a whole build's and an edit's alike: the preview starts from them rather than working every
    edition's out again from all the records (~1.5 s at 100,000 articles, which an edit saved
    right after a build waited for). They answer as indexes made afresh from the records do."""
    monkeypatch.setattr("microsite.cache.TOO_RECENT", 0.0)
    from microsite.publish.builder import LastBuild, _newest_first, build_site
    from microsite.publish.lists import Related

    tagged_archive(site)

    def same_as_afresh(result) -> None:
        published = sorted((r for r in result.records if r.page_languages), key=_newest_first)
        for code, index in result.related.items():
            fresh = Related(published, code)
            assert [r.slug for r in index.edition] == [r.slug for r in fresh.edition]
            assert all(index.of(n) == fresh.of(n) for n in range(len(fresh.edition)))
            assert {id(r) for r in index.edition} <= {id(r) for r in result.records}  # (the build's own records)

    whole = build_site(site.config)
    assert set(whole.related) == {"vi", "en"}
    same_as_afresh(whole)
    index = site.root / "content" / "bai-4" / "index.md"
    for text in ("Cảng lớn.", "Cảng rất lớn."):  # (the first edit after a site written whole plans it whole)
        index.write_text(index.read_text().replace("Cảng", text[:-1], 1).replace(text[:-1] + ".", text))
        site.translate("bai-4")
        edit = build_site(site.config)
    assert edit.changed is not None and not any(path.startswith("tags/") for path in edit.changed)  # (an edit's plan)
    assert set(edit.related) == {"vi", "en"}
    same_as_afresh(edit)
    last = LastBuild(edit.records, edit.related)
    assert all(last.prepare()[code] is edit.related[code] for code in ("vi", "en"))  # (not worked out again)
    partly = LastBuild(edit.records, {"vi": edit.related["vi"]})  # an edition the build did not index: worked out
    assert partly.prepare()["vi"] is edit.related["vi"]
    assert [r.slug for r in partly.prepare()["en"].edition] == [r.slug for r in edit.related["en"].edition]


def test_pages_made_early_read_the_kept_pages_of_what_they_show_only(site, monkeypatch) -> None:
    """The last build's records hold their pages in the state's store until asked for: the pages
    made early ask for the edited article's and its related reading's, not the archive's."""
    monkeypatch.setattr("microsite.cache.TOO_RECENT", 0.0)
    from microsite.publish import lists
    from microsite.publish.builder import LastBuild, build_site, preview_pages
    from microsite.publish.lists import RELATED_COUNT
    from microsite.publish.render import Renderer

    monkeypatch.setattr(lists, "FEED_ENTRIES", 2)  # (the feeds show the two newest: the edits' reading)

    for number in range(1, 11):  # one tag for all, one for each pair (each article's closest reading)
        tags = f"[chung, cap-{(number + 1) // 2}]"
        site.article(f"bai-{number}", front=tagged(f"bai-{number}", f"Bài {number}", number, tags), body="Cảng.\n")
        site.translate(f"bai-{number}")
    build_site(site.config)
    other = site.root / "content" / "bai-10" / "index.md"
    for text in ("Cảng lớn.", "Cảng rất lớn."):  # (the first edit after a site written whole plans it whole)
        other.write_text(other.read_text().replace("Cảng", text[:-1], 1).replace(text[:-1] + ".", text))
        site.translate("bai-10")
        records = build_site(site.config).records  # (then the others' kept records: their pages not read)
    unread = {record.slug for record in records if "pages" not in record.__dict__}
    assert len(unread) >= 5  # (the edited article, the feeds' two and its related reading are read)
    index = site.root / "content" / "bai-3" / "index.md"
    index.write_text(index.read_text().replace("Cảng.", "Cảng Cái Lân."))
    site.translate("bai-3")
    shown = preview_pages(index, Renderer(site.config), LastBuild(records))
    assert shown is not None and "Cảng Cái Lân" in shown["bai-3/index.html"]
    read = unread - {record.slug for record in records if "pages" not in record.__dict__}
    assert "bai-3" in read and len(read) <= 1 + RELATED_COUNT, read
    build_site(site.config)
    for path, text in shown.items():
        assert (site.root / "site" / path).read_text() == text


def test_an_edit_beyond_the_article_s_own_pages_waits_for_the_build(site) -> None:
    from microsite.publish.builder import LastBuild, build_site, preview_pages
    from microsite.publish.render import Renderer

    index = site.article("cang", front=tagged("cang", "Cảng", 1))
    site.translate("cang")
    records = build_site(site.config).records
    original = index.read_text()
    renderer = Renderer(site.config)
    assert preview_pages(index, renderer, LastBuild(records)) is not None
    index.write_text(original.replace("date: 2024-05-01", "date: sai"))  # an error: the build shows it
    assert preview_pages(index, renderer, LastBuild(records)) is None
    index.write_text(original.replace("source: NDO", "source: NDO\ndraft: true"))  # leaves the site
    assert preview_pages(index, renderer, LastBuild(records)) is None
    index.write_text(original + "\nMột đoạn mới chưa dịch.\n")  # leaves the English edition
    assert preview_pages(index, renderer, LastBuild(records)) is None
    new = site.article("moi", front=tagged("moi", "Mới", 2))  # not on the site yet: lists change
    assert preview_pages(new, renderer, LastBuild(records)) is None


def test_the_preview_shows_an_edit_early_and_gives_way_to_the_site_after_its_build(site, monkeypatch) -> None:
    """What ``serve`` does on an editor's save, step by step: the article's pages are served from
    memory, the build follows, the pages made early are dropped; the open pages reload again only
    when the build changed a page that was not already shown."""
    monkeypatch.setattr("microsite.cache.TOO_RECENT", 0.0)  # (else files this new are all "changed")
    site.article("cang", front=tagged("cang", "Cảng", 1))
    site.article("bien", front=tagged("bien", "Biển", 2))
    preview = Preview(site.config, lambda: site.config)
    preview.rebuild()
    index = site.root / "content" / "cang" / "index.md"
    index.write_text(index.read_text().replace("Đoạn văn đầu tiên", "Đoạn văn đã sửa"))
    cause = preview.differing([index])
    assert preview.show_early(cause) is True
    assert "Đoạn văn đã sửa" in get(preview, "/repo/cang/")[2].decode()
    assert "Đoạn văn đã sửa" not in (site.root / "site" / "cang" / "index.html").read_text()  # not built yet
    edits = preview.edits
    assert preview.built_early(edits, preview.rebuild(cause)) is False  # the body only: nothing else to show
    assert preview.early == {} and "Đoạn văn đã sửa" in get(preview, "/repo/cang/")[2].decode()
    index.write_text(index.read_text().replace('title: "Cảng"', 'title: "Cảng mới"'))
    assert preview.show_early(preview.differing([index])) is True
    assert preview.built_early(preview.edits, preview.rebuild([index])) is True  # its card on the home page
    assert "Cảng mới" in get(preview, "/repo/")[2].decode()
    template = site.root / "templates" / "article.html"
    template.write_text(template.read_text() + "\n")
    assert preview.show_early(preview.differing([template])) is False  # every page: wait for the build


def test_pages_made_early_are_dropped_only_by_a_build_that_has_their_edit(site) -> None:
    site.article("cang", front=tagged("cang", "Cảng", 1))
    preview = Preview(site.config, lambda: site.config)
    preview.rebuild()
    index = site.root / "content" / "cang" / "index.md"
    index.write_text(index.read_text().replace("Đoạn văn đầu tiên", "Sửa lần một"))
    preview.show_early(preview.differing([index]))
    started = preview.edits  # a build starts here...
    index.write_text(index.read_text().replace("Sửa lần một", "Sửa lần hai"))
    preview.show_early(preview.differing([index]))  # ...and this edit comes while it runs
    preview.built_early(started, None)
    assert "Sửa lần hai" in get(preview, "/repo/cang/")[2].decode()  # still shown: that build predates it
    preview.built_early(preview.edits, preview.rebuild([index]))
    assert preview.early == {} and "Sửa lần hai" in get(preview, "/repo/cang/")[2].decode()


def test_builds_run_one_at_a_time_and_changes_asked_meanwhile_are_built_together(site) -> None:
    import threading

    from microsite.desk.preview import Builds
    from microsite.desk.watch import Ready

    preview = Preview(site.config, lambda: site.config)
    running, release, causes, done = threading.Event(), threading.Event(), [], []

    def rebuild(cause=()):  # a build that takes as long as the test says
        causes.append(list(cause))
        running.set()
        release.wait(10)
        return None

    preview.rebuild = rebuild
    builds = Builds(preview, lambda edits, result: done.append(edits))
    watching = Ready()
    watched_all = watching.expect()
    builds.start(watching)  # the first build (no change set it off) once every save is seen
    a, b, c = (site.root / "content" / name / "index.md" for name in "abc")
    assert not running.wait(0.3)
    watched_all()
    assert running.wait(10)
    running.clear()
    builds.ask([a])
    preview.edits = 5  # edits shown while the first build runs: the next build has them
    builds.ask([b])
    builds.ask([c, b], after=0.05)
    release.set()
    assert running.wait(10)
    wait_for(lambda: len(done) == 2)
    assert causes == [[], [a, b, c]] and done == [0, 5]


def test_a_fault_in_the_early_pages_index_leaves_the_builds_running(site, caplog, monkeypatch) -> None:
    """The builds' thread works out the last build's related-reading index after each build: a
    fault of ours there is logged, and the next change is still built."""
    from microsite.desk.preview import Builds
    from microsite.publish.builder import LastBuild

    def broken(self):
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(LastBuild, "prepare", broken)
    preview, causes, done = Preview(site.config, lambda: site.config), [], []
    preview.rebuild = lambda cause=(): causes.append(list(cause))
    builds = Builds(preview, lambda edits, result: done.append(edits))
    a, b = (site.root / "content" / name / "index.md" for name in "ab")
    with caplog.at_level("ERROR", logger="microsite.desk.preview"):
        builds.start()
        wait_for(lambda: len(done) == 1)  # the first build
        builds.ask([a])
        wait_for(lambda: len(done) == 2)
        builds.ask([b])
        wait_for(lambda: len(done) == 3)
    assert causes == [[], [a], [b]] and caplog.text.count("could not be worked out") >= 3


def test_sources_are_still_watched_when_the_system_refuses_more_watchers(site, caplog, monkeypatch) -> None:
    """Editors and browsers can use up the system's watchers (fs.inotify.max_user_instances, 128 by
    default; watchfiles then raises "Too many open files"): the preview looks for changes by itself
    instead, says so once for each watched place, and still sees a save. The refusal is the error
    watchfiles raises then (a real one: tests/desk/test_watch_limit.py)."""
    import queue
    import threading

    import watchfiles

    real = watchfiles.watch

    def refusing(*paths, **options):  # (raises as watchfiles does: when first asked)
        raise RuntimeError("Error creating recommended watcher: Too many open files (os error 24)")
        yield from real(*paths, **options)

    monkeypatch.setattr(watchfiles, "watch", refusing)
    from microsite.desk.watch import watch_sources

    index = site.article("bai")
    seen: queue.Queue = queue.Queue()
    stop = threading.Event()
    places = len([path for path in watched(site.config) if path.is_dir()]) + 1  # (each folder, and site.toml's)
    with caplog.at_level("WARNING", logger="microsite.desk.watch"):
        watch_sources(watched(site.config), seen.put, stop)
        try:
            wait_for(lambda: caplog.text.count("refused to watch") == places)
            probe = site.root / "content" / "probe.txt"

            def watching() -> bool:  # the polling has begun once a write is seen (a busy machine: seconds)
                probe.write_text(str(time.monotonic()), encoding="utf-8")
                with contextlib.suppress(queue.Empty):
                    return probe in seen.get(timeout=0.5)
                return False

            wait_for(watching, seconds=30)
            (index.parent / ".index.md.swp").write_text("an editor's", encoding="utf-8")  # (never a source)
            (index.parent / "index.md~").write_text("a backup", encoding="utf-8")
            index.write_text(index.read_text(encoding="utf-8") + "\nMột đoạn nữa.\n", encoding="utf-8")
            deadline, changes = time.monotonic() + 10, set()
            while index not in changes and time.monotonic() < deadline:
                with contextlib.suppress(queue.Empty):
                    changes |= seen.get(timeout=0.2)
            assert index in changes and {path.name for path in changes} <= {"index.md", "probe.txt"}, changes
        finally:
            stop.set()
    assert "fs.inotify.max_user_instances" in caplog.text and "Traceback" not in caplog.text
