"""How fast the preview follows the editor, measured in real headless Chromium.

1. Save on the review desk → the English page, open in another browser, has reloaded.
2. A content file saved (as an editor saves it) → the Vietnamese page has reloaded.

Both are wall-clock times from the moment of the save to the reloaded page's load event, read from
the page itself (``performance.timeOrigin`` + the navigation's ``loadEventEnd``; the browser and
this script share the system clock). Targets: under 300 ms each, on the sample site and on a
generated archive of 1,000 articles (``--articles 1000``, made as bench/build_speed.py makes them).

    python bench/review_speed.py [--runs 20] [--articles N]

Needs what the browser tests need: Debian's chromium and chromium-driver, and selenium.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from microsite.content.config import load_config  # noqa: E402
from microsite.desk.review import review_articles  # noqa: E402
from tests.browser import FIRST_BUILD, chrome, serving, wait_for  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from build_speed import make_site  # noqa: E402

LOADED_AT = (
    "const nav = performance.getEntriesByType('navigation')[0];"
    "return nav && nav.loadEventEnd > 0 ? performance.timeOrigin + nav.loadEventEnd : null;"
)


def missing() -> str | None:
    """What the browser needs and this machine lacks, or None."""
    import shutil

    for tool in ("chromium", "chromedriver"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -r requirements-dev.txt)"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="saves of each kind to time (default: 20)")
    parser.add_argument("--articles", type=int, default=0, help="a generated site of N articles (default: the sample)")
    args = parser.parse_args()
    reason = missing()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="review-bench-") as folder:
        root = Path(folder) / "site"
        make_site(root, args.articles)
        subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root)], check=True, capture_output=True)
        time.sleep(2.1)  # files this new are never kept as settled
        started = time.perf_counter()  # the desk overview, never opened before: every article read
        review_articles(load_config(root / "site.toml"))
        print(f"Desk overview, first time ever: {time.perf_counter() - started:.2f} s ({args.articles or 1} articles)")
        slug = next(path.parent.name for path in sorted((root / "content").glob("*/index.md")))
        with serving(root) as served:
            started = time.perf_counter()  # a new desk process: the summaries kept in .cache/
            urllib.request.urlopen(f"{served.url}/_review/", timeout=60).read()
            print(f"Desk overview, first load after a restart: {time.perf_counter() - started:.2f} s")
            desk, reader = chrome(), chrome()
            try:
                save = desk_saves(served, desk, reader, slug, args.runs)
                edit = content_saves(served, reader, root / "content" / slug / "index.md", slug, args.runs)
            finally:
                desk.quit()
                reader.quit()
            log = served.log.splitlines()
            first = next(n for n, line in enumerate(log) if FIRST_BUILD.match(line))  # (serve's start)
            rebuilds = [float(line.split()[2]) * 1000 for line in log[first + 1 :] if line.startswith("rebuilt in")]
            early = [float(line.split()[2]) * 1000 for line in log if line.startswith("shown in")]
    report("Save on the desk → English page reloaded", save)
    report("index.md saved → Vietnamese page reloaded", edit)
    report("  the edited article's pages made early (serve's own log)", early)
    report("The build that follows, search index included (serve's own log)", rebuilds)
    return 0


def desk_saves(served, desk, reader, slug: str, runs: int) -> list[float]:
    """Approve the title again and again, with a new text each time; time the English page's reload."""
    desk.get(f"{served.url}/_review/en/{slug}/")
    reader.get(desk.find_element("css selector", "#english-page").get_attribute("href"))
    original = desk.find_element("css selector", "#s-1 textarea").get_attribute("value")
    times = []
    builds = built(served)
    for run in range(runs + 1):  # the first run warms up both browsers; not counted
        ready(reader)
        started = desk.execute_script(
            "const form = document.querySelector('#s-1 form');"
            "form.elements.text.value = arguments[0];"
            "const started = Date.now();"
            "form.querySelector('button[value=approve]').click();"
            "return started;",
            original if run % 2 else f"{original} ({run})",
        )
        loaded = wait_for(lambda: reloaded(reader), seconds=10, step=0.005)
        wait_for(
            lambda: desk.execute_script("return document.querySelector('#status').textContent.startsWith('Approved')")
        )
        settled(served, builds)
        builds = built(served)
        desk.execute_script("document.querySelector('#status').textContent = ''")
        if run:
            times.append(loaded - started)
    return times


def content_saves(served, reader, index: Path, slug: str, runs: int) -> list[float]:
    """Save index.md with a changed byline, as an editor would; time the Vietnamese page's reload."""
    reader.get(f"{served.url}{load_config(index.parents[2] / 'site.toml').base_path}{slug}/")
    text = index.read_text(encoding="utf-8")
    times = []
    builds = built(served)
    for run in range(runs + 1):
        ready(reader)
        time.sleep(0.1)  # let the watcher settle: a real editor does not save twice in 0.1 s
        started = time.time() * 1000
        index.write_text(text.replace("source: ", "source: X" if run % 2 == 0 else "source: ", 1), encoding="utf-8")
        loaded = wait_for(lambda: reloaded(reader), seconds=10, step=0.005)
        if run:
            times.append(loaded - started)
        settled(served, builds)
        builds = built(served)
    index.write_text(text, encoding="utf-8")
    return times


def built(served) -> int:
    """How many builds the preview has logged (a good one or a failed one)."""
    return sum(line.startswith(("rebuilt in", "build failed")) for line in served.log.splitlines())


def settled(served, builds: int) -> None:
    """Wait for the build that follows a save (the page may have been shown before it), and for
    the reload it may bring, so that the next save is timed alone."""
    wait_for(lambda: built(served) > builds, seconds=30)
    time.sleep(0.3)


def ready(reader) -> None:
    """Wait until the page has loaded and livereload is connected, then mark it."""
    wait_for(lambda: reader.execute_script(LOADED_AT) and reader.execute_script("return !!window.LiveReload"))
    time.sleep(0.05)  # the websocket handshake follows the script's load
    reader.execute_script("window.benchMark = true")


def reloaded(reader) -> float | None:
    if reader.execute_script("return window.benchMark === true"):
        return None
    return reader.execute_script(LOADED_AT)


def report(title: str, times: list[float]) -> None:
    if not times:
        print(f"{title}: no measurements")
        return
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    print(
        f"{title}: median {statistics.median(times):.0f} ms, p90 {p90:.0f} ms, "
        f"min {ordered[0]:.0f} ms, max {ordered[-1]:.0f} ms ({len(times)} runs)"
    )


if __name__ == "__main__":
    sys.exit(main())
