"""Search index figures on generated bilingual sites; prints figures, asserts nothing.

    python bench/search_speed.py                      # 1,000 and 10,000 articles
    python bench/search_speed.py --sizes 1000 --query "Quảng"

For each size: a site of generated articles (~900 words of Vietnamese each and their English, as
bench/build_speed.py makes them, without photos: photos do not change the index, only the
build's time) is built once with empty caches (`python build.py`, timed); then Pagefind indexes
the built site again on its own (timed), and the index's bytes are counted per edition. Last,
headless Chromium opens the Vietnamese search page with a one-word query and the bytes it
downloaded for the first page of results are summed from the browser's resource timing (the
search page's script and everything under pagefind/), as a reader's phone would fetch them.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.build_speed import article_text, write_catalog  # noqa: E402
from microsite.publish.search import pagefind_binary  # noqa: E402


def make_site(root: Path, count: int) -> None:
    import random

    root.mkdir(parents=True)
    for name in ("site.toml", "templates", "static"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    rng = random.Random(count)
    for number in range(count):
        folder = root / "content" / f"bai-{number:05d}"
        folder.mkdir(parents=True)
        lines = [line for line in article_text(rng, number).split("\n") if "images/" not in line]
        (folder / "index.md").write_text("\n".join(lines), encoding="utf-8")
        write_catalog(folder / "index.md")


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def first_query_bytes(site: Path, query: str) -> tuple[int, int, str]:
    """Bytes the search page fetched for its first results: (search machinery + index, all), status."""
    from tests.browser import chrome

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = chrome()
    try:
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/search/?q={quote(query)}")
        deadline = time.monotonic() + 60
        status = ""
        while time.monotonic() < deadline:
            status = browser.find_element("id", "search-status").text
            if status and not status.endswith("…"):
                break
            time.sleep(0.05)
        entries = browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => [e.name, e.encodedBodySize || e.transferSize]);"
        )
        searching = sum(size for name, size in entries if "/pagefind/" in name or name.endswith("search.js"))
        return searching, sum(size for _name, size in entries), status
    finally:
        browser.quit()
        server.shutdown()


def bench(count: int, query: str, work: Path) -> None:
    root = work / f"site-{count}"
    started = time.perf_counter()
    make_site(root, count)
    made = time.perf_counter() - started
    started = time.perf_counter()
    build = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(root)], capture_output=True, text=True
    )
    built = time.perf_counter() - started
    if build.returncode != 0:
        sys.exit(build.stderr)
    site = root / "site"
    copy = work / f"copy-{count}"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("pagefind"))
    started = time.perf_counter()
    subprocess.run([str(pagefind_binary()), "--site", str(copy), "--quiet"], check=True, capture_output=True)
    indexed = time.perf_counter() - started
    index = site / "pagefind"
    searching, everything, status = first_query_bytes(site, query)
    print(f"{count} articles ({2 * count} pages; generated in {made:.0f} s)")
    print(f"  cold build, empty caches, search index included: {built:.1f} s")
    print(
        f"  Pagefind alone on the built site: {indexed:.2f} s "
        f"({100 * indexed / (built - indexed):.0f}% of the rest of the build)"
    )
    print(f"  index: {folder_bytes(index) / 1e6:.2f} MB in {sum(1 for _ in index.rglob('*'))} files")
    print(f"  search page, query {query!r}: {status!r}")
    print(
        f"  first result page downloads {searching / 1024:.0f} KB for search (script, Pagefind, index, fragments);"
        f" {everything / 1024:.0f} KB with the page's own CSS and fonts"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--query", default="Quảng")
    args = parser.parse_args()
    if pagefind_binary() is None:
        sys.exit("Pagefind is not installed: python -m pip install -r requirements.txt")
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=base) as folder:
        for count in args.sizes:
            bench(count, args.query, Path(folder))


if __name__ == "__main__":
    main()
