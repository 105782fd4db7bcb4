"""Search index figures on generated bilingual sites; prints figures, asserts nothing.

    python bench/search_speed.py                        # 1,000 and 10,000 articles
    python bench/search_speed.py --sizes 1000 --query "Quảng" "và"
    python bench/search_speed.py --site path/to/site --query "và"   # a site built already (e.g. 100,000)

For each size: a site of generated articles (~1,000 words of Vietnamese each, whose words follow
Zipf's law, each article about one to three places; English catalogs as bench/build_speed.py
writes them; no photos, which do not change the index) is built once with empty caches
(`python build.py`, timed); then the index is made again from the built pages on their own
(:func:`microsite.publish.search.place` with nothing kept, timed), then one article is edited
and the index brought up to date (timed: what an edit costs it), and the index is measured on
disk. Last, headless Chromium opens the Vietnamese search page for each query, served under /repo/
with text gzipped as GitHub Pages serves it, and the server adds up the bytes it sent for the
first page of results: the search page's scripts and everything under searchindex/.

The default queries are "quảng ninh", a place about an eighth of the articles are about, "dien"
(typed without its marks), and "và" ("and"), which is in every article: the worst case for a
one-word query.

``--site DIR`` measures a site built already (any size: e.g. the 100,000-article archive of
bench/archive_vs_hugo.py, built once with ``python build.py --root``), queries only: its index on
disk and the first page of results of each query, nothing built or timed.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import itertools
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.build_speed import write_catalog  # noqa: E402
from microsite.publish import search  # noqa: E402
from microsite.publish.search import page_digest  # noqa: E402

# Common Vietnamese syllables, most frequent first (the head of the vocabulary).
COMMON = (  # split when used
    "và của các là có trong được cho với những một này đã không người năm về để từ theo đến "
    "tại khi cũng như đó ra sẽ vào nhiều làm lên hơn nhưng việc động phát triển kinh tế công "
    "nghiệp thương mại xuất khẩu nhập đầu tư doanh thị trường sản hàng hóa dịch vụ tỉnh "
    "huyện xã thành phố chính quyền dân ngành bộ trung ương chương trình kế hoạch dự án"
)
ONSETS = ("", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "r", "s",
          "t", "th", "tr", "v", "x")  # fmt: skip
VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "iê", "uô", "ươ", "oa", "oe", "uy")
CODAS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u")
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")  # huyền, sắc, ngã, hỏi, nặng
# Place names, most written about first; "Quảng" begins five of them, at several ranks.
PLACES = {2: "Quảng Ninh", 9: "Quảng Nam", 25: "Quảng Ngãi", 60: "Quảng Bình", 140: "Quảng Trị"}


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """``size`` distinct syllables: the common ones first, then made-up ones shaped like Vietnamese."""
    words = list(dict.fromkeys(COMMON.split()))
    seen = set(words)
    while len(words) < size:
        vowel = rng.choice(VOWELS)
        tone = rng.choice(TONES)
        word = unicodedata.normalize("NFC", rng.choice(ONSETS) + vowel + tone + rng.choice(CODAS))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def places(rng: random.Random, vocabulary: list[str], count: int = 300) -> list[str]:
    """``count`` two-syllable proper names, most written about first."""
    names = []
    for rank in range(count):
        name = PLACES.get(rank) or " ".join(rng.choice(vocabulary[200:]).capitalize() for _ in range(2))
        names.append(name)
    return names


class Corpus:
    """Articles whose words follow Zipf's law, as text does, each about one to three places.

    The build bench draws every article from the sample's 320 words, so every word is in every
    article and a one-word query matches the whole archive; search costs depend on how many
    articles a word is in, so this bench writes text with a realistic spread: a few words in
    every article (``và``, ``của``), most in few.
    """

    def __init__(self, seed: int, size: int = 8000) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng, size)
        self.places = places(self.rng, self.words)
        self.word_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(self.words))))
        self.place_weights = list(itertools.accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(self.places))))

    def sentence(self, length: int, about: list[str]) -> str:
        words = self.rng.choices(self.words, cum_weights=self.word_weights, k=length)
        if about and self.rng.random() < 0.4:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(about))
        return (" ".join(words) + ".").capitalize()

    def article(self, number: int) -> str:
        rng = self.rng
        about = list(dict.fromkeys(rng.choices(self.places, cum_weights=self.place_weights, k=rng.randint(1, 3))))
        day = f"20{10 + number % 15:02d}-{1 + number % 12:02d}-{1 + number % 28:02d}"
        front = [
            "---",
            f'title: "{about[0]}: {self.sentence(9, [])[:-1]}"',
            f"date: {day}",
            f'summary: "{self.sentence(30, about)}"',
            "tags: [công nghiệp, thương mại]",
            "---",
            "",
        ]
        body = [" ".join(self.sentence(rng.randint(12, 25), about) for _ in range(4)) for _ in range(12)]
        body.insert(5, f"## {self.sentence(6, about)[:-1]}")
        return "\n".join(front) + "\n\n".join(body) + "\n"


def make_site(root: Path, count: int) -> None:
    root.mkdir(parents=True)
    for name in ("site.toml", "templates", "static"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    corpus = Corpus(count)
    for number in range(count):
        folder = root / "content" / f"bai-{number:05d}"
        folder.mkdir(parents=True)
        (folder / "index.md").write_text(corpus.article(number), encoding="utf-8")
        write_catalog(folder / "index.md")


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


class Server:
    """The site served under /repo/ as GitHub Pages serves it (text gzipped), counting what it sends."""

    def __enter__(self) -> Server:
        from tests.test_external import PagesHandler

        self.scratch = Path(tempfile.mkdtemp())
        self.folder = self.scratch / "site"  # a link to the site being measured
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(PagesHandler, directory=str(self.folder))
        )
        self.server.sent = []
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/repo/"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def search(self, site: Path, query: str, edition: str = "") -> tuple[str, list[tuple[str, int]]]:
        """The search page's status line for ``query``, and what the server sent for search: the
        page's scripts and everything under searchindex/."""
        from tests.browser import chrome

        self.folder.unlink(missing_ok=True)
        self.folder.symlink_to(site.resolve())
        self.server.sent.clear()
        browser = chrome()
        try:
            browser.get(f"{self.base}{edition}search/?q={quote(query)}")
            deadline = time.monotonic() + 120
            status = ""
            while time.monotonic() < deadline:
                status = browser.find_element("id", "search-status").text
                if status and not status.endswith("…"):
                    break
                time.sleep(0.05)
            time.sleep(0.3)  # the last fragments' answers
        finally:
            browser.quit()
        sent = [(path, size) for path, size in self.server.sent if "/searchindex/" in path or path.endswith(".js")]
        return status, sent


def kilobytes(sent: list[tuple[str, int]]) -> str:
    parts: dict[str, int] = {}
    for path, size in sent:
        parts_of = path.split("?")[0].split("/")
        kind = {"b": "base shards", "d": "delta shards", "p": "fragments"}.get(parts_of[-2], parts_of[-1])
        parts[kind] = parts.get(kind, 0) + size
    return ", ".join(f"{kind} {size / 1024:.0f}" for kind, size in sorted(parts.items(), key=lambda kv: -kv[1]))


def bench(count: int, queries: list[str], work: Path, server: Server) -> None:
    root = work / f"site-{count}"
    started = time.perf_counter()
    make_site(root, count)
    made = time.perf_counter() - started
    started = time.perf_counter()
    build = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--root", str(root), "--base-url", server.base],
        capture_output=True,
        text=True,
    )
    built = time.perf_counter() - started
    if build.returncode != 0:
        sys.exit(build.stderr)
    site = root / "site"
    pages = {
        path.relative_to(site).as_posix(): page_digest(path.read_bytes())
        for path in site.rglob("index.html")
        if search.MARK in path.read_bytes()
    }
    languages = {"vi": "", "en": "en/"}
    started = time.perf_counter()
    search.place(site, work / f"index-{count}", languages, pages, {})
    indexed = time.perf_counter() - started
    edited = next(path for path in sorted(pages) if not path.startswith("en/"))
    page = site / edited
    page.write_bytes(page.read_bytes().replace(b"</h1>", b" Th\xc3\xaam.</h1>", 1))
    pages[edited] = page_digest(page.read_bytes())
    present = {
        path.relative_to(site / search.FOLDER).as_posix(): search._digest(path.read_text(encoding="utf-8"))
        for path in (site / search.FOLDER).rglob("*.json")
    }
    started = time.perf_counter()
    search.place(site, work / f"index-{count}", languages, pages, present)
    edit = time.perf_counter() - started
    index = site / search.FOLDER
    print(f"{count} articles ({2 * count} pages; generated in {made:.0f} s)")
    print(f"  cold build, empty caches, search index included: {built:.1f} s")
    print(f"  the index made again from the built pages alone: {indexed:.2f} s; after one edit: {edit:.3f} s")
    print(f"  index: {folder_bytes(index) / 1e6:.2f} MB in {sum(1 for _ in index.rglob('*'))} files")
    for query in queries:
        status, sent = server.search(site, query)
        print(f"  query {query!r}: {status!r}")
        print(
            f"    first result page downloads {sum(size for _, size in sent) / 1024:.0f} KB for search"
            f" (gzipped as Pages sends it; KB: {kilobytes(sent)})"
        )


def measure(site: Path, queries: list[str], server: Server) -> None:
    """A built site's index on disk and the bytes of each query's first page of results."""
    index = site / search.FOLDER
    pages = sum(1 for _ in site.rglob("index.html"))
    print(f"{site} ({pages} pages)")
    print(f"  index: {folder_bytes(index) / 1e6:.2f} MB in {sum(1 for _ in index.rglob('*'))} files")
    for query in queries:
        for edition in ("", "en/"):
            status, sent = server.search(site, query, edition)
            print(f"  query {query!r} in /{edition}: {status!r}")
            print(
                f"    first result page downloads {sum(size for _, size in sent) / 1024:.0f} KB for search"
                f" (gzipped as Pages sends it; KB: {kilobytes(sent)})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--query", nargs="+", default=["quảng ninh", "dien", "và"])
    parser.add_argument("--site", type=Path, help="a site built already: its index and queries measured, nothing built")
    args = parser.parse_args()
    if args.site is not None:
        with Server() as server:
            measure(args.site, args.query, server)
        return
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=base) as folder, Server() as server:
        for count in args.sizes:
            bench(count, args.query, Path(folder), server)


if __name__ == "__main__":
    main()
