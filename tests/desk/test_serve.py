"""The live preview: serves under the base path, survives a failed rebuild, reloads on change."""

from __future__ import annotations

import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

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


def test_sources_are_watched_through_atomic_saves_and_temporary_files_ignored(site) -> None:
    """Editors save by renaming a new file over the old one: every such save must still be seen."""
    import contextlib
    import queue
    import threading

    from microsite.desk.preview import watch_sources

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
        assert shape["delta"] == 1 and '"vinh"' in delta  # Vịnh, folded: in the delta the rebuild wrote
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
