"""The review desk's HTTP side without a browser: every page, the save, and every refused request."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import polib
import pytest
from bs4 import BeautifulSoup

from microsite.desk.app import MAX_BODY, Desk
from microsite.desk.review import review_article
from microsite.errors import ContentError
from microsite.translation.merge import DRAFT, FRESH
from tests.conftest import REPO
from tests.needs import need
from tests.test_external import nu_check

BODY = """\
Đoạn có **đậm** và [liên kết](https://example.org/).

![Ảnh cảng Cái Lân](images/cang.jpg "Cảng *Cái Lân* năm 2021.")

## Tiêu đề phụ

- Mục một
- Mục hai

> Trích dẫn.

| Chỉ số | Giá trị |
|---|--:|
| Tăng trưởng | 38,95% |
"""


class Client:
    """Calls the desk as tornado's WSGI container would, from a page of the desk by default."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        kind: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        accept: str = "application/json",
    ) -> tuple[int, dict[str, str], bytes]:
        path, _, query = path.partition("?")  # (as a server hands a request's address over)
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path.encode().decode("latin-1"),
            "QUERY_STRING": query,
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_ACCEPT": accept,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
        }
        if method == "POST":
            environ["CONTENT_TYPE"] = kind
            environ["HTTP_ORIGIN"] = "http://127.0.0.1:8000"
            environ["HTTP_SEC_FETCH_SITE"] = "same-origin"
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            if value is None:
                environ.pop(key if key.startswith("CONTENT") else f"HTTP_{key}", None)
            else:
                environ[key if key.startswith("CONTENT") else f"HTTP_{key}"] = value
        answer: dict = {}

        def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
            answer["status"] = int(status.split()[0])
            answer["headers"] = dict(response_headers)

        content = b"".join(self.desk(environ, start_response))
        return answer["status"], answer["headers"], content

    def get(self, path: str, **options) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path, accept="text/html", **options)

    def page(self, path: str) -> BeautifulSoup:
        status, _, body = self.get(path)
        assert status == 200, body
        return BeautifulSoup(body, "html.parser")

    def save(self, slug: str = "bai", accept: str = "application/json", headers=None, **fields) -> tuple[int, dict]:
        form = {"token": self.desk.token, "action": "approve", **fields}
        form = {key: value for key, value in form.items() if value is not None}
        status, response_headers, body = self.request(
            "POST", f"/_review/en/{slug}/save", urlencode(form).encode(), headers=headers, accept=accept
        )
        if response_headers["Content-Type"].startswith("application/json"):
            return status, json.loads(body)
        return status, {"headers": response_headers, "body": body.decode()}


@pytest.fixture
def desk_site(site):
    site.article("bai", body=BODY, photos=("images/cang.jpg",))
    site.translate("bai", fuzzy=True)
    return site


@pytest.fixture
def saved() -> list[Path]:
    return []


@pytest.fixture
def client(desk_site, saved) -> Client:
    return Client(Desk(lambda: desk_site.config, saved=saved.append))


def po_of(site, slug: str = "bai") -> Path:
    return site.root / "content" / slug / "en.po"


def version(client: Client, source: str, slug: str = "bai") -> str:
    return review_article(client.desk.config(), slug, "en").version_of(source)


def entry(path: Path, msgid: str) -> polib.POEntry:
    return next(item for item in polib.pofile(str(path)) if item.msgid == msgid)


# --- pages ---------------------------------------------------------------------------------------


def test_overview_lists_articles_needing_work_first_with_counts(desk_site, client) -> None:
    desk_site.article("xong", front='title: "Bài đã xong"\ndate: 2022-01-01\n')
    desk_site.translate("xong")
    desk_site.article("hong", front='title: "Hỏng"\ndate: 2021-01-01\nbogus: 1\n')
    page = client.page("/_review/")
    rows = page.select("tbody tr")
    assert [row["class"][0] for row in rows] == ["broken", "needs-work", "done"]
    assert "hong/index.md:4" in rows[0].get_text() and "bogus" in rows[0].get_text()
    cells = [cell.get_text() for cell in rows[1].select("td")]
    segments = len(review_article(desk_site.config, "bai", "en").segments)
    assert cells == ["en", "0", str(segments), "0", "0", "0", "1"]  # "EN 38,95%": not English notation
    assert rows[1].a["href"] == "en/bai/"
    assert [cell.get_text() for cell in rows[2].select("td")][1:3] == ["2", "0"]  # title, paragraph


def test_the_overview_shows_a_large_archive_a_page_at_a_time_needing_work_first(desk_site, client, monkeypatch) -> None:
    """At 100,000 articles one page of them all was ~50 MB, ~15 s to put together: pages of
    PER_PAGE, the counts of the whole archive above them, a bad page number refused with a word."""
    from microsite.desk import app

    monkeypatch.setattr(app, "PER_PAGE", 2)
    for number in range(1, 5):
        desk_site.article(f"xong-{number}", front=f'title: "Xong {number}"\ndate: 2022-01-0{number}\n')
        desk_site.translate(f"xong-{number}")
    first = client.page("/_review/")
    assert "5 articles · 1 needs work" in first.get_text()
    assert [row["class"][0] for row in first.select("tbody tr")] == ["needs-work", "done"]
    assert first.select_one("a[rel=next]")["href"] == "?page=2" and first.select_one("a[rel=prev]") is None
    assert "Page 1 of 3" in first.get_text() and "1 to 2" in first.select_one("caption").get_text()
    second, last = client.page("/_review/?page=2"), client.page("/_review/?page=3")
    titles = [row.a.get_text() for page in (first, second, last) for row in page.select("tbody tr")]
    assert titles[1:] == ["Xong 4", "Xong 3", "Xong 2", "Xong 1"]  # newest first after what needs work
    assert last.select_one("a[rel=prev]")["href"] == "?page=2" and last.select_one("a[rel=next]") is None
    status, _, body = client.get("/_review/?page=4")
    assert status == 404 and b"the overview has 3 page(s); page 4 is not one of them" in body
    assert client.get("/_review/?page=" + "1" * 5000)[0] == 404  # (not Python's limit on a number's digits)
    for asked in ("0", "abc", "-1", "2&page=3", "", "²"):
        status, _, body = client.get(f"/_review/?page={asked}")
        assert status == 400 and b"a whole number from 1" in body, asked


def test_the_overview_reads_again_only_what_changed_and_shows_every_change(desk_site, client) -> None:
    def cells() -> list[str]:
        return [cell.get_text() for cell in client.page("/_review/").select("tbody tr")[0].select("td")]

    assert cells()[1:] == ["0", "14", "0", "0", "0", "1"]
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    po[0].flags = []
    po.save(str(path))
    assert cells()[1:] == ["1", "13", "0", "0", "0", "1"]
    (desk_site.root / "content" / "glossary.yaml").write_text("terms:\n  Mục: Item\n", encoding="utf-8")
    assert cells()[1:] == ["1", "13", "0", "0", "0", "3"]  # "Mục một", "Mục hai": the glossary's Item is missing
    (desk_site.root / "content" / "bai" / "index.md").unlink()
    assert client.page("/_review/").select("tbody tr") == []


def test_article_page_shows_every_segment_in_reading_order_with_figures(desk_site, client) -> None:
    page = client.page("/_review/en/bai/")
    items = page.select("li.segment")
    kinds = [item.select_one(".source .meta").get_text().split(" ", 1)[1].split(" ·")[0] for item in items]
    assert kinds == [
        "title", "summary", "byline", "paragraph", "figure alt text", "figure caption", "heading",
        "list item", "list item", "block quote", "table cell", "table cell", "table cell", "table cell",
    ]  # fmt: skip
    assert all(item["data-state"] == "machine draft" for item in items)
    alt, caption = items[4], items[5]
    assert alt.select_one("img.thumb")["src"] == "photo/images/cang.jpg"
    assert caption.select_one(".source .text").decode_contents() == "Cảng <em>Cái Lân</em> năm 2021."
    assert caption.textarea.get_text() == "EN Cang *Cai Lan* nam 2021."
    assert items[3].select_one(".source .text a")["href"] == "https://example.org/"
    status, headers, body = client.get("/_review/en/bai/photo/images/cang.jpg")
    assert status == 200 and headers["Content-Type"] == "image/jpeg" and body[:2] == b"\xff\xd8"


def test_article_page_shows_findings_and_a_stale_segments_change(desk_site, client) -> None:
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    table = next(item for item in po if item.msgid == "38,95%")
    table.msgstr = "38.5%"
    title = po[0]
    title.previous_msgid = "Tiêu đề bài cũ"
    title.tcomment = f"{FRESH} (fake 1.0): Fresh title"
    po.save(str(path))
    page = client.page("/_review/en/bai/")
    first = page.select_one("#s-1")
    assert first["data-state"] == "stale"
    assert [node.get_text() for node in first.select(".before del")] == ["cũ"]
    assert [node.get_text() for node in first.select(".after ins")] == ["viết"]
    assert first.select_one(".fresh-text").get_text() == "Fresh title"
    cell = next(item for item in page.select("li.segment") if "38,95%" in item.get_text())
    found = [item.get_text() for item in cell.select(".findings li .finding")]
    assert found == ["number mismatch: 38.95 not in the English"]


def test_text_is_shown_through_the_builds_sanitiser(desk_site, client) -> None:
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    po[0].msgstr = 'Title <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror="alert(3)">'
    po.save(str(path))
    page = client.page("/_review/en/bai/")
    preview = page.select_one("#s-1 .preview")
    assert preview.script is None and preview.img is None and "onerror" not in str(preview)
    assert "javascript:" not in str(preview)
    assert page.select_one("#s-1 textarea").get_text() == po[0].msgstr  # the text itself, as typed
    status, data = client.save(version=version(client, po[1].msgid), source=po[1].msgid, text="<b onclick=x()>Bold</b>")
    assert status == 200 and data["html"] == "<b>Bold</b>"


def test_pages_forbid_framing_and_caching(client) -> None:
    for path in ("/_review/", "/_review/en/bai/"):
        status, headers, _ = client.get(path)
        assert status == 200
        assert headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Cache-Control"] == "no-store"
    status, headers, _ = client.get("/_review/en/bai")
    assert status == 301 and headers["Location"] == "/_review/en/bai/"


# --- saving --------------------------------------------------------------------------------------


def test_approve_changes_only_that_entry(desk_site, client, saved) -> None:
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    po[2].tcomment = f"{DRAFT}fake 1.0\nAsk the desk about this one."
    po.save(str(path))
    before = path.read_text(encoding="utf-8")
    source = po[2].msgid
    status, data = client.save(version=version(client, source), source=source, text="The corrected paragraph.")
    assert status == 200, data
    assert data["state"] == "reviewed" and data["written"] and data["counts"]["reviewed"] == 1
    after = path.read_text(encoding="utf-8")
    changed = entry(path, source)
    assert changed.msgstr == "The corrected paragraph." and "fuzzy" not in changed.flags
    assert changed.tcomment == "Ask the desk about this one."  # the tool's note went, the editor's stayed
    old_chunks, new_chunks = before.split("\n\n"), after.split("\n\n")
    assert len(old_chunks) == len(new_chunks)
    assert [n for n, (a, b) in enumerate(zip(old_chunks, new_chunks, strict=True)) if a != b] == [3]
    assert saved == [path]
    assert data["version"] == version(client, source) != ""


def test_save_keeps_a_draft_and_a_stale_entry_stays_stale(desk_site, client) -> None:
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    po[0].previous_msgid = "Tiêu đề bài cũ"
    po[1].flags = []
    po.save(str(path))
    title, summary = po[0].msgid, po[1].msgid
    status, first = client.save(version=version(client, title), source=title, text="Kept title", action="save")
    assert status == 200 and first["state"] == "stale" and first["stale"]
    status, data = client.save(version=version(client, summary), source=summary, text="Summary again", action="save")
    assert status == 200 and data["state"] == "editor draft"  # a person wrote it: no longer the engine's
    assert "fuzzy" in entry(path, summary).flags and "machine draft" not in entry(path, summary).tcomment
    status, data = client.save(version=first["version"], source=title, text="Kept title")  # another entry changed
    assert status == 200 and data["state"] == "reviewed" and not data["stale"]
    assert entry(path, po[0].msgid).previous_msgid is None


def test_saving_unchanged_text_writes_nothing(desk_site, client, saved) -> None:
    path = po_of(desk_site)
    source = polib.pofile(str(path))[0].msgid
    client.save(version=version(client, source), source=source, text="Once")
    stamp = path.stat().st_mtime_ns
    status, data = client.save(version=version(client, source), source=source, text="Once")
    assert status == 200 and not data["written"] and path.stat().st_mtime_ns == stamp and len(saved) == 1


def test_a_segment_without_entry_gets_one_in_reading_order(desk_site, client) -> None:
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    missing = po[4].msgid  # the figure's alt text
    po.remove(po[4])
    po.save(str(path))
    status, data = client.save(version=version(client, missing), source=missing, text="Typed by hand", action="save")
    assert status == 200 and data["state"] == "editor draft"
    order = [item.msgid for item in polib.pofile(str(path))]
    assert order.index(missing) == 4
    assert entry(path, missing).comment == "figure alt text"


def test_an_obsolete_entry_comes_back_instead_of_a_second_one(desk_site, client) -> None:
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    po[5].obsolete = True
    po[5].tcomment = "Checked with the reporter."
    heading = po[5].msgid
    po.save(str(path))
    status, data = client.save(version=version(client, heading), source=heading, text="Subheading")
    assert status == 200 and data["state"] == "reviewed"
    entries = [item for item in polib.pofile(str(path)) if item.msgid == heading]
    assert len(entries) == 1 and not entries[0].obsolete and entries[0].tcomment == "Checked with the reporter."
    assert [item.msgid for item in polib.pofile(str(path))].index(heading) == 5
    msgfmt = need("msgfmt")
    run = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_the_first_save_creates_the_catalog(site, saved) -> None:
    site.article("moi")
    client = Client(Desk(lambda: site.config, saved=saved.append))
    status, data = client.save(slug="moi", version="absent", source="Tiêu đề bài viết", text="Article title")
    assert status == 200 and data["state"] == "reviewed"
    po = polib.pofile(str(po_of(site, "moi")))
    assert po.metadata["Language"] == "en" and [item.msgstr for item in po] == ["Article title"]
    assert "machine" not in po.metadata["Last-Translator"]  # no machine was involved


def test_a_form_without_javascript_is_redirected_back(desk_site, client) -> None:
    source = polib.pofile(str(po_of(desk_site)))[1].msgid
    status, data = client.save(version=version(client, source), source=source, text="Plain form", accept="text/html")
    assert status == 303 and data["headers"]["Location"] == "/_review/en/bai/#s-2"


def test_text_is_stored_as_typed_in_composed_unicode(desk_site, client) -> None:
    source = polib.pofile(str(po_of(desk_site)))[1].msgid
    typed = "Quảng Ninh’s *port*\r\nline two & <b>"
    status, _ = client.save(version=version(client, source), source=source, text=typed.replace("ả", "a\u0309"))
    assert status == 200
    assert entry(po_of(desk_site), source).msgstr == "Quảng Ninh’s *port*\nline two & <b>"


# --- conflicts -----------------------------------------------------------------------------------


def test_a_file_changed_on_disk_is_not_overwritten(desk_site, client, saved) -> None:
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    loaded = version(client, po[0].msgid)
    po[0].msgstr = "Changed in Poedit"
    po.save(str(path))
    on_disk = path.read_bytes()
    status, data = client.save(version=loaded, source=po[0].msgid, text="Typed in the desk")
    assert status == 409
    assert data["conflict"]["yours"] == "Typed in the desk"
    assert data["conflict"]["theirs"] == {
        "text": "Changed in Poedit",
        "state": "machine draft",
        "html": "Changed in Poedit",
    }
    assert "changed on disk" in data["error"] and path.read_bytes() == on_disk and saved == []
    status, data = client.save(version=data["conflict"]["version"], source=po[0].msgid, text="Typed in the desk")
    assert status == 200 and entry(path, po[0].msgid).msgstr == "Typed in the desk"


def test_other_entries_changed_on_disk_are_kept_and_the_save_merged(desk_site, client) -> None:
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    loaded = {item.msgid: version(client, item.msgid) for item in po}
    po[2].msgstr = "Redrafted by translate"
    po.save(str(path))
    status, data = client.save(version=loaded[po[0].msgid], source=po[0].msgid, text="Title from the desk")
    assert status == 200 and data["written"]
    assert entry(path, po[0].msgid).msgstr == "Title from the desk"
    assert entry(path, po[2].msgid).msgstr == "Redrafted by translate"


def test_a_save_whose_entry_was_removed_on_disk_is_a_conflict(desk_site, client) -> None:
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    loaded = version(client, po[3].msgid)
    gone = po[3].msgid
    po.remove(po[3])
    po.save(str(path))
    on_disk = path.read_bytes()
    status, data = client.save(version=loaded, source=gone, text="Typed in the desk")
    assert status == 409 and data["conflict"]["theirs"] is None and path.read_bytes() == on_disk


def test_the_conflict_page_without_javascript_shows_both_versions(desk_site, client) -> None:
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    loaded = version(client, po[0].msgid)
    po[0].msgstr = "Changed in Poedit"
    po.save(str(path))
    status, data = client.save(version=loaded, source=po[0].msgid, text="Typed in the desk", accept="text/html")
    page = BeautifulSoup(data["body"], "html.parser")
    assert status == 409
    assert page.select_one(".english").get_text() == "Changed in Poedit"
    assert page.textarea.get_text() == "Typed in the desk"
    assert page.select_one("input[name=version]")["value"] == version(client, po[0].msgid)


# --- refused requests ----------------------------------------------------------------------------


def bad_requests(client: Client, site) -> dict[str, tuple]:
    """name → (status, JSON error or HTML body text must contain, response), nothing may be written."""
    source = polib.pofile(str(po_of(site)))[0].msgid
    good = {"version": version(client, source), "source": source, "text": "Bad"}

    def save(**changes):
        headers = changes.pop("headers", None)
        return client.save(headers=headers, **{**good, **changes})

    def raw(body: bytes, **options):
        status, _, content = client.request("POST", "/_review/en/bai/save", body, **options)
        return status, json.loads(content)

    return {
        "no token": (403, "token", save(token=None)),
        "wrong token": (403, "token", save(token="guess")),
        "foreign origin": (403, "another origin", save(headers={"Origin": "https://evil.example"})),
        "null origin": (403, "another origin", save(headers={"Origin": "null"})),
        "cross-site fetch": (403, "another site", save(headers={"Origin": None, "Sec-Fetch-Site": "cross-site"})),
        "foreign host": (403, "this computer", save(headers={"Host": "evil.example:8000"})),
        "unknown action": (400, "action", save(action="delete")),
        "missing field": (400, "'text'", save(text=None)),
        "empty text": (400, "empty", save(text="  ")),
        "control character": (400, "control character", save(text="a\x00b")),
        "non-character": (400, "control character", save(text="a\ufffeb")),
        "unknown article": (404, "no article", client.save(slug="khong-co", **good)),
        "hidden folder": (404, "no article", client.save(slug=".git", **good)),
        "outside content": (404, "no article", client.save(slug="..", **good)),
        "unknown language": (404, "not a translation language", raw_path(client, "/_review/fr/bai/save", good)),
        "source language": (404, "not a translation language", raw_path(client, "/_review/vi/bai/save", good)),
        "segment not in article": (409, "not in bai/index.md", save(source="Câu không có trong bài")),
        "stale version": (409, "changed on disk", save(version="0123")),
        "json body": (415, "urlencoded", raw(b"{}", kind="application/json")),
        "too large": (413, "KB", raw(b"text=" + b"a" * MAX_BODY)),
        "not utf-8": (400, "UTF-8", raw(b"text=\xff\xfe")),
        "escaped not utf-8": (400, "UTF-8", raw(b"text=%ff%fe")),
        "field twice": (400, "'source'", raw(urlencode({**good, "token": client.desk.token}).encode() + b"&source=x")),
        "unknown page": (404, "nothing here", jsonify(client.request("GET", "/_review/en/bai/edit"))),
        "photo outside": (404, "no photo", jsonify(client.request("GET", "/_review/en/bai/photo/../../../site.toml"))),
        "not a photo": (404, "no photo", jsonify(client.request("GET", "/_review/en/bai/photo/en.po"))),
        "foreign host page": (
            403,
            "this computer",
            jsonify(client.request("GET", "/_review/", headers={"Host": "a.b"})),
        ),
    }


def raw_path(client: Client, path: str, good: dict) -> tuple[int, dict]:
    status, _, body = client.request(
        "POST", path, urlencode({**good, "token": client.desk.token, "action": "save"}).encode()
    )
    return status, json.loads(body)


def jsonify(response: tuple[int, dict, bytes]) -> tuple[int, dict]:
    return response[0], json.loads(response[2])


def test_every_bad_request_is_refused_with_a_clear_message_and_nothing_written(desk_site, client, saved) -> None:
    before = {path: path.read_bytes() for path in (desk_site.root / "content").rglob("*") if path.is_file()}
    cases = bad_requests(client, desk_site)
    for name, (status, message, (got, data)) in cases.items():
        assert got == status, (name, data)
        assert message in data["error"], (name, data["error"])
    after = {path: path.read_bytes() for path in (desk_site.root / "content").rglob("*") if path.is_file()}
    assert after == before and saved == []


@pytest.mark.parametrize(
    ("method", "path", "allowed"), [("GET", "/_review/en/bai/save", "POST"), ("POST", "/_review/", "GET")]
)
def test_a_wrong_method_says_which_one_to_use(client, method: str, path: str, allowed: str) -> None:
    status, headers, body = client.request(method, path)
    assert status == 405 and headers["Allow"] == allowed
    assert f"use {allowed}" in json.loads(body)["error"]


def test_a_broken_catalog_is_refused_naming_the_file_and_line(desk_site, client) -> None:
    path = po_of(desk_site)
    good_version = version(client, "Tiêu đề bài viết")
    path.write_text(path.read_text(encoding="utf-8") + '\nmsgid "x\nmsgstr "y"\n', encoding="utf-8")
    status, data = client.save(version=good_version, source="Tiêu đề bài viết", text="x")
    assert status == 409 and re.search(r"en\.po:\d+: not valid PO syntax", data["error"])
    assert re.search(
        r"en\.po:\d+: not valid PO syntax", client.page("/_review/en/bai/").select_one(".error").get_text()
    )


def test_a_broken_glossary_is_shown_not_a_traceback(desk_site, client) -> None:
    (desk_site.root / "content" / "glossary.yaml").write_text("terms: [oops\n", encoding="utf-8")
    for path in ("/_review/", "/_review/en/bai/"):
        status, _, body = client.get(path)
        assert status == 409 and "glossary.yaml" in body.decode() and "fix it, then reload the desk" in body.decode()


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"])
def test_the_desk_answers_on_this_computers_names(client, host) -> None:
    assert client.get("/_review/", headers={"Host": host})[0] == 200


# --- external checks -----------------------------------------------------------------------------


@pytest.mark.external
def test_desk_pages_pass_the_nu_html_checker(desk_site, client, tmp_path) -> None:
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    po[0].previous_msgid = "Tiêu đề bài cũ"
    po[0].tcomment = f"{FRESH} (fake 1.0): Fresh title"
    loaded = version(client, po[0].msgid)
    po.save(str(path))
    pages = {
        "overview": client.get("/_review/")[2],
        "article": client.get("/_review/en/bai/")[2],
        "message": client.get("/_review/en/khong-co/")[2],
        "conflict": client.save(version=loaded, source=po[0].msgid, text="x", accept="text/html")[1]["body"].encode(),
    }
    out = tmp_path / "desk"
    out.mkdir()
    for name, body in pages.items():
        (out / f"{name}.html").write_bytes(body)
    css = REPO / "microsite" / "desk" / "static" / "desk.css"
    (out / "desk.css").write_bytes(css.read_bytes())
    nu_check(out)


def test_a_slug_in_unicode_is_served(site, saved) -> None:
    site.article("bài-mới")
    client = Client(Desk(lambda: site.config, saved=saved.append))
    assert client.page("/_review/en/bài-mới/").h1.get_text() == "Tiêu đề bài viết"


def test_an_entry_whose_place_in_the_article_moved_is_still_the_same_entry(desk_site, client) -> None:
    path = po_of(desk_site)
    po = polib.pofile(str(path))
    loaded = version(client, po[2].msgid)
    po[2].occurrences = [("index.md", "99")]  # translate after lines were added above it
    po.save(str(path))
    status, _ = client.save(version=loaded, source=po[2].msgid, text="Saved after the move")
    assert status == 200 and entry(path, po[2].msgid).msgstr == "Saved after the move"


def test_the_overview_keeps_its_summaries_for_the_next_start_until_a_file_changes(site, monkeypatch) -> None:
    """A 1,000-article overview must not read every article on each start of `serve`."""
    import time

    from microsite.cache import TOO_RECENT
    from microsite.desk import review

    site.article("mot")
    site.article("hai")
    site.translate("mot")
    site.translate("hai", fuzzy=True)
    time.sleep(TOO_RECENT + 0.1)  # old enough for their stats to be trusted
    read = []
    original = review._summaries
    monkeypatch.setattr(review, "_summaries", lambda path, *a: read.append(path.parent.name) or original(path, *a))
    first = review.review_articles(site.config)  # a new desk: nothing in memory
    assert sorted(read) == ["hai", "mot"]
    again = review.review_articles(site.config)  # the next start of the desk
    assert sorted(read) == ["hai", "mot"]  # nothing read again
    assert [(r.slug, r.counts, r.findings, r.needs_work) for r in again] == [
        (r.slug, r.counts, r.findings, r.needs_work) for r in first
    ]
    po = site.root / "content" / "hai" / "en.po"
    po.write_text(po.read_text(encoding="utf-8").replace("#, fuzzy\n", ""), encoding="utf-8")  # reviewed in Poedit
    after = {r.slug: r for r in review.review_articles(site.config)}
    assert sorted(read) == ["hai", "hai", "mot"] and after["hai"].needs_work == 0


def test_a_watched_overview_looks_at_the_changed_articles_only_and_answers_as_a_whole_look(site, monkeypatch) -> None:
    """Told of every change (as `serve`'s watcher tells it), the overview stats only the articles
    whose folders changed: at 100,000 articles a look at all of them is ~200,000 stats a request.
    Each answer is the list a look at every article gives; what it was not told of is looked at
    only when the glossary or the languages change, or a look failed."""
    from microsite.desk import review

    dates = {"mot": "2024-05-01", "hai": "2024-05-01 08:30:00", "ba": "2023-12-31", "bon": "2024-05-01"}
    for slug in ("mot", "hai", "ba"):
        site.article(slug, body=f"Đoạn của bài {slug}.\n", front=f'title: "Bài {slug}"\ndate: {dates[slug]}\n')
        site.translate(slug, fuzzy=slug == "hai")
    stamped = []
    original = review.file_stamp
    monkeypatch.setattr(review, "file_stamp", lambda path: stamped.append(Path(path)) or original(path))
    overview = review.Overview()
    seeing = [False]
    overview.watched(lambda: seeing[0])

    def fields(reviews):
        return [(r.slug, r.language, r.counts, r.findings, r.needs_work, r.error) for r in reviews]

    def in_order(reviews) -> list:  # needing work first (broken before all), then newest first, then by name
        by_name = sorted(reviews, key=lambda r: r.slug)
        newest = sorted(by_name, key=lambda r: str(r.date or ""), reverse=True)
        return sorted(newest, key=lambda r: (r.error is None, r.needs_work == 0))

    def look() -> list:
        stamped.clear()
        answer = overview.reviews(site.config)
        looked = [path.parent.name for path in stamped if path.name in ("index.md", "en.po")]
        assert fields(answer) == fields(review.review_articles(site.config))  # (a whole look, apart)
        assert fields(answer) == fields(in_order(answer))
        return looked

    assert sorted(look()) == sorted(["mot", "hai", "ba"] * 2)  # the watcher not yet ready: all of them
    seeing[0] = True
    assert sorted(look()) == sorted(["mot", "hai", "ba"] * 2)  # (changes noticed from this look on)
    assert look() == []  # nothing noticed: nothing stat'ed
    po = site.root / "content" / "hai" / "en.po"
    po.write_text(po.read_text(encoding="utf-8").replace("#, fuzzy\n", ""), encoding="utf-8")  # reviewed in Poedit
    overview.noticed({po, site.root / "templates" / "base.html"})
    assert look() == ["hai", "hai"]
    new = site.article("bon", front='title: "Bài bốn"\ndate: 2024-05-01\n')
    overview.noticed({new.parent})  # (a new folder)
    assert look() == ["bon", "bon"]
    assert "bon" in {r.slug for r in overview.reviews(site.config)}
    (site.root / "content" / "ba" / "index.md").unlink()
    overview.noticed({site.root / "content" / "ba" / "index.md"})
    assert look() == []  # (gone: nothing to stat)
    broken = site.root / "content" / "mot" / "index.md"
    broken.write_text("---\ntitle: [\n---\n", encoding="utf-8")
    overview.noticed({broken})
    assert look() == ["mot", "mot"]
    assert overview.reviews(site.config)[0].slug == "mot" and overview.reviews(site.config)[0].error  # (first)
    glossary = site.root / "content" / "glossary.yaml"
    glossary.write_text("keep: [Hạ Long]\n", encoding="utf-8")
    assert sorted(look()) == sorted(["mot", "hai", "bon"] * 2)  # the glossary changed: all of them
    with monkeypatch.context() as failing:
        failing.setattr(review, "find_articles", lambda folder: (_ for _ in ()).throw(ContentError(folder, "gone")))
        glossary.write_text("keep: [Hạ Long, Vân Đồn]\n", encoding="utf-8")
        with pytest.raises(ContentError):
            overview.reviews(site.config)  # a look that fails...
    assert sorted(look()) == sorted(["mot", "hai", "bon"] * 2)  # ...leaves the next to look at all
    assert look() == []


def test_a_watched_overview_keeps_its_summaries_for_the_next_start_every_so_many_articles(site, monkeypatch) -> None:
    """Writing the kept summaries takes ~2 s at 100,000 articles: a look at a few articles keeps
    them once :data:`KEEP_AFTER` articles have been read again since (a look at all, each time)."""
    from microsite.desk import review

    monkeypatch.setattr("microsite.cache.TOO_RECENT", 0.0)  # files just written are judged by their stats
    monkeypatch.setattr(review, "KEEP_AFTER", 2)
    for slug in ("mot", "hai"):
        site.article(slug)
        site.translate(slug, fuzzy=True)
    overview = review.Overview()
    overview.watched(lambda: True)
    overview.reviews(site.config)  # (a look at all: kept)

    def kept_reviewed() -> dict:
        return {
            Path(path).parent.name: kept[1][0].counts["reviewed"]
            for path, kept in review._kept_summaries(site.config).items()
        }

    assert kept_reviewed() == {"mot": 0, "hai": 0}
    for number, slug in enumerate(("mot", "hai"), start=1):
        po = site.root / "content" / slug / "en.po"
        po.write_text(po.read_text(encoding="utf-8").replace("#, fuzzy\n", ""), encoding="utf-8")
        overview.noticed({po})
        assert overview.reviews(site.config)  # (read again)
        assert kept_reviewed() == ({"mot": 0, "hai": 0} if number == 1 else {"mot": 4, "hai": 4})
