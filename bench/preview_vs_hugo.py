"""The preview beside ``hugo server``: an article's byline saved → its page reloaded; prints, asserts nothing.

    python bench/preview_vs_hugo.py                       # 1,000 articles with photos, 10 saves each
    python bench/preview_vs_hugo.py --articles 5000 --no-images --runs 5

The anchors' ``make_corpus.py`` (``--anchors DIR``, default ``../shared/anchors``) writes the same
archive for both tools, in a RAM disk when there is one, as ``bench/archive_vs_hugo.py`` does. Each
tool builds it once (untimed), then serves it: ``python build.py serve`` and ``hugo server`` (its
defaults: pages rendered to memory, only what an edit touches rendered again). One headless
Chromium has an article page of each open; the scenarios are interleaved, save after save: the
article's byline (ours: ``source:``, Hugo's: ``author:``) changed in its file as an editor saves
it, and timed from the save to the reloaded page's load event, read from the page itself
(``performance.timeOrigin`` + ``loadEventEnd``; the browser and this script share the clock).

For ours it also times the save → the end of the build that follows (the whole site and its search
index, read from serve's log): the pages of the edited article are shown before it
(:mod:`microsite.desk.preview`).

Needs hugo (``apt-get install hugo``), Debian's chromium and chromium-driver, and selenium.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.archive_vs_hugo import make_archives  # noqa: E402
from bench.review_speed import missing, ready, reloaded  # noqa: E402
from microsite.content.config import load_config  # noqa: E402
from tests.browser import chrome, free_port, serving, wait_for  # noqa: E402


def builds(log: str) -> int:
    return sum(line.startswith(("rebuilt in", "build failed")) for line in log.splitlines())


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (OSError, http.client.HTTPException):
        return False


def toggle(path: Path, field: str, run: int) -> None:
    """The byline with "X " put before it on even runs, taken away on odd ones (as an editor saves)."""
    text = path.read_text(encoding="utf-8")
    if run % 2 == 0:
        text = re.sub(rf'(?m)^{field}: "?', lambda m: m.group(0) + "X ", text, count=1)
    else:
        text = re.sub(rf'(?m)^({field}: "?)X ', r"\1", text, count=1)
    path.write_text(text, encoding="utf-8")


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--articles", type=int, default=1000)
    options.add_argument("--runs", type=int, default=10)
    options.add_argument("--no-images", action="store_true", help="a text-only archive")
    options.add_argument("--anchors", type=Path, default=REPO.parent / "shared" / "anchors")
    args = options.parse_args()
    hugo = shutil.which("hugo")
    reason = missing() or (None if hugo else "hugo is not installed (apt-get install hugo)")
    if reason is None and not (args.anchors / "make_corpus.py").is_file():
        reason = "the anchors' make_corpus.py is missing (--anchors DIR)"
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 1
    ram = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=ram) as folder:
        ours, theirs = make_archives(Path(folder), args.anchors, args.articles, args.no_images)
        subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(ours)], check=True, capture_output=True)
        hugo_build = [hugo, "--quiet", "--buildFuture", "-s", str(theirs), "-d", str(Path(folder) / "out")]
        subprocess.run(hugo_build, check=True)
        time.sleep(2.1)  # files this new are never kept as settled
        number = args.articles // 2
        ours_file = sorted((ours / "content").glob("*/index.md"))[number]
        theirs_file = sorted((theirs / "content" / "posts").glob("*/index.vi.md"))[number]
        slug = re.search(r"(?m)^slug: (\S+)", theirs_file.read_text(encoding="utf-8")).group(1)
        browser = chrome()
        hugo_server = None
        times: dict[str, list[float]] = {"this project": [], "hugo server": []}
        followed: list[float] = []
        try:
            with serving(ours) as served:  # (then Hugo: two servers starting at once slow each other)
                port = free_port()
                hugo_server = subprocess.Popen(
                    [hugo, "server", "--buildFuture", "-s", str(theirs), "--bind", "127.0.0.1", "--port", str(port),
                     "--baseURL", f"http://127.0.0.1:{port}/"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                hugo_url = f"http://127.0.0.1:{port}/posts/{slug}/"
                wait_for(lambda: answers(hugo_url), seconds=600, step=0.2)
                base = load_config(ours / "site.toml").base_path
                pages = {
                    "this project": (f"{served.url}{base}{ours_file.parent.name}/", ours_file, "source"),
                    "hugo server": (hugo_url, theirs_file, "author"),
                }
                handles = {}
                for name, (url, _, _) in pages.items():
                    browser.switch_to.new_window("tab")
                    browser.get(url)
                    handles[name] = browser.current_window_handle
                for run in range(args.runs + 1):  # the first run warms both up; not counted
                    for name, (_, path, field) in pages.items():
                        browser.switch_to.window(handles[name])
                        ready(browser)
                        time.sleep(0.1)
                        before = builds(served.log)
                        started = time.time() * 1000
                        toggle(path, field, run)
                        loaded = wait_for(lambda: reloaded(browser), seconds=30, step=0.005)
                        if name == "this project":
                            wait_for(lambda b=before: builds(served.log) > b, seconds=60, step=0.005)
                            done = time.time() * 1000
                        if run:
                            times[name].append(loaded - started)
                            if name == "this project":
                                followed.append(done - started)
                        time.sleep(0.5)  # the site settles (ours: any reload the build brings)
        finally:
            browser.quit()
            if hugo_server is not None:
                hugo_server.terminate()
                hugo_server.wait(timeout=30)
    kind = "text-only" if args.no_images else "with two photos each"
    print(f"{args.articles} articles {kind}; {args.runs} saves each, interleaved; RAM disk: {bool(ram)}")
    print("| byline saved → page reloaded | median | p90 | max |")
    print("| --- | --- | --- | --- |")
    for name, measured in [*times.items(), ("this project: → its build done (site, search)", followed)]:
        ordered = sorted(measured)
        p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
        print(f"| {name} | {statistics.median(measured):.0f} ms | {p90:.0f} ms | {ordered[-1]:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
