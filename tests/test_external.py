"""Real outside checks: the Nu HTML Checker, msgfmt, and a crawl of the site served under /<repo>/.

CI installs Java and gettext (see .ci/run), so none of these is skipped there; on a machine
without them they are skipped with the reason.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import re
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from microsite.content.config import load_config
from microsite.publish.builder import build_site
from tests.needs import VNU, need, need_npm

pytestmark = pytest.mark.external


@pytest.fixture
def rich(site):
    """A fixture site using every kind of block, a machine draft and an untranslated article."""
    body = (
        "Đoạn có **đậm**, *nghiêng*, `mã` và [liên kết](https://example.org/).\n\n"
        '![Ảnh một](images/a.jpg "Chú thích *một*.")\n\n'
        "## Tiêu đề phụ\n\n- Mục một\n- Mục hai\n    - Mục con\n\n1. Thứ nhất\n2. Thứ hai\n\n"
        "> Trích dẫn dài.\n\n| Chỉ số | Giá trị |\n|---|--:|\n| Tăng trưởng | 38,95% |\n\n"
        "```\nmã nguồn\n```\n\nẢnh trong dòng ![nhỏ](images/b.png) đây.\n\n"
        '![Ảnh hai](images/c.jpg "Chú thích hai.")\n'
    )
    front = (
        'title: "Tiêu đề"\ndate: 2021-06-25\nsource: NDO\nsummary: "Tóm tắt."\ntags: [công nghiệp, Đà Nẵng]\n'
        'source_url: "https://nhandan.example.vn/bai-goc-1234.html"\n'
    )
    site.article("day-du", body=body, photos=("images/a.jpg", "images/c.jpg"), front=front)
    from PIL import Image

    Image.new("RGBA", (300, 200), (10, 20, 30, 128)).save(site.root / "content/day-du/images/b.png")
    po = site.translate("day-du", fuzzy=True)
    po.write_text(  # one passage reviewed, the rest machine drafts published with their markers
        po.read_text(encoding="utf-8").replace('#, fuzzy\nmsgid "Trích dẫn dài."', 'msgid "Trích dẫn dài."'),
        encoding="utf-8",
    )
    site.publish_drafts()
    site.article("chua-dich", front='title: "Chưa dịch"\ndate: 2020-01-01\n')
    return site


def nu_check(root: Path) -> None:
    """Every HTML and CSS file under ``root`` passes the Nu HTML Checker, warnings included.

    The checker is npm's vnu-jar (package.json pins it): the current release, which knows
    attributes such as ``fetchpriority`` that older bundled copies reject.
    """
    java = need("java")
    need_npm(VNU)
    command = [java, "-jar", str(VNU), "--skip-non-html", "--also-check-css", "--Werror", "--format", "text"]
    run = subprocess.run([*command, str(root)], capture_output=True, text=True)
    assert run.returncode == 0, (run.stdout + run.stderr)[:20000]
    assert "Error" not in run.stdout + run.stderr


def test_every_page_passes_the_nu_html_checker(rich, sample_site) -> None:
    sample = sample_site / "site"
    build_site(load_config(sample_site / "site.toml"), output=sample)
    build_site(rich.config)
    for root in (sample, rich.root / "site"):
        pages = sorted(root.rglob("*.html"))
        assert len(pages) >= 5
        nu_check(root)


def test_every_po_file_passes_msgfmt_check(rich, sample_site) -> None:
    msgfmt = need("msgfmt")
    catalogs = sorted((sample_site / "content").glob("*/*.po")) + sorted((rich.root / "content").glob("*/*.po"))
    assert len(catalogs) >= 2
    for catalog in catalogs:
        run = subprocess.run([msgfmt, "--check", "-o", os.devnull, str(catalog)], capture_output=True, text=True)
        assert run.returncode == 0, f"{catalog}: {run.stderr}"


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site at /repo/ only, as GitHub Pages serves a project site."""

    def translate_path(self, path: str) -> str:
        if not path.startswith("/repo/") and path != "/repo":
            return "/nonexistent"
        return super().translate_path(path[len("/repo") :] or "/")

    def log_message(self, *args: object) -> None:
        pass


COMPRESSED = (".html", ".css", ".xml", ".svg", ".txt", ".js", ".json")


@contextmanager
def built_and_served(root, output) -> Iterator[str]:
    """The site at ``root`` built into ``output`` and served under /repo/ as GitHub Pages would; its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SubPathHandler, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/repo/"
    build_site(load_config(root / "site.toml", base_url=base), output=output)
    try:
        yield base
    finally:
        server.shutdown()


class PagesHandler(SubPathHandler):
    """/repo/ only, text gzipped when the browser asks, as GitHub Pages does.

    A server with a ``sent`` list gets ``(path, bytes of the body sent)`` for every answer: what a
    reader downloads, workers' fetches included (a page's resource timing misses those).
    """

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?")[0].endswith("/"):
            path = os.path.join(path, "index.html")
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants and path.endswith(COMPRESSED) and os.path.isfile(path)):
            answer = super().send_head()  # photos, fonts, redirects and 404s as before
            if answer is not None and hasattr(self.server, "sent"):
                size = len(answer.getvalue()) if isinstance(answer, io.BytesIO) else os.fstat(answer.fileno()).st_size
                self.server.sent.append((self.path, size))
            return answer
        with open(path, "rb") as file:
            body = gzip.compress(file.read())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # what Pages sends
        self.end_headers()
        if hasattr(self.server, "sent"):
            self.server.sent.append((self.path, len(body)))
        return io.BytesIO(body)


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[str, Path]]:
    output = tmp_path / "out"
    handler = functools.partial(SubPathHandler, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/repo/", output
    finally:
        server.shutdown()


def links_of(url: str, body: bytes, kind: str) -> set[str]:
    if "html" in kind:
        page = BeautifulSoup(body, "html.parser")
        found = {tag["href"] for tag in page.find_all(["a", "link"], href=True)}
        found |= {tag["src"] for tag in page.find_all(["img", "script", "source"], src=True)}
        found |= {tag["action"] for tag in page.find_all("form", action=True)}  # the search pages
        found |= {tag["data-engine"] for tag in page.find_all(attrs={"data-engine": True})}  # the search index
        found |= {tag["data-index"] + "meta.json" for tag in page.find_all(attrs={"data-index": True})}
        for tag in page.find_all(srcset=True):
            found |= {part.split()[0] for part in tag["srcset"].split(",")}
    elif "xml" in kind:
        elements = list(ElementTree.fromstring(body).iter())
        found = {e.text.strip() for e in elements if e.tag.rpartition("}")[2] in ("loc", "id") and e.text}
        found |= {e.get("href") for e in elements if e.get("href")}
    elif "css" in kind:  # the self-hosted fonts
        found = set(re.findall(r"url\(\s*[\"']?([^\"')]+)", body.decode("utf-8")))
    else:
        return set()
    return {urldefrag(urljoin(url, link))[0] for link in found}


def crawl(start: list[str]) -> tuple[set[str], list[str]]:
    """Every URL on this host reachable from ``start``; the broken ones with where they were found."""
    host = urlsplit(start[0]).netloc
    seen, broken, queue = set(start), [], [(url, "start") for url in start]
    while queue:
        url, referrer = queue.pop()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body, kind = response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            broken.append(f"{url} ({error.code}) linked from {referrer}")
            continue
        for link in links_of(url, body, kind):
            if urlsplit(link).netloc == host and link not in seen:
                seen.add(link)
                queue.append((link, url))
    return seen, broken


def test_no_broken_links_images_or_stylesheets_under_a_sub_path(rich, served, sample_site) -> None:
    base, output = served
    for root in (sample_site, rich.root):
        build_site(load_config(root / "site.toml", base_url=base), output=output)
        starts = [base, base + "en/", base + "404.html", base + "sitemap.xml", base + "feed.xml", base + "en/feed.xml"]
        seen, broken = crawl(starts)
        assert broken == []
        assert any(url.endswith("static/style.css") for url in seen)
        assert any(url.endswith("-480w.jpg") for url in seen) and any(url.endswith("-480w.webp") for url in seen)
        assert any(url.endswith(".woff2") for url in seen)
        assert {"tags/", "en/tags/", "archive/", "en/archive/", "search/", "en/search/"} <= {
            url.removeprefix(base) for url in seen
        }
        assert base + "static/words.js" in seen and base + "static/search.js" in seen
        assert base + "searchindex/vi/meta.json" in seen
        assert any("/tags/" in url and not url.endswith("/tags/") for url in seen)  # a tag page
        assert sum(url.endswith("/") for url in seen) >= 4
    not_found = urllib.request.Request(base + "no/such/page/")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(not_found, timeout=10)
