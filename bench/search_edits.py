"""What one edit costs the search index as the edits since its base pile up; prints figures, asserts
nothing.

    python bench/search_edits.py                      # 20,000 pages, 200 changed a day, 26 days
    python bench/search_edits.py --pages 100000 --days 26

One edition's index (Vietnamese) over generated article pages (the text of bench/search_speed.py's
articles, ~1,000 words each, written straight as built pages: no site is built) is made once (its
base, timed). Then each "day" changes ``--day`` pages (a newsroom's new articles and corrections:
what piles up since the base) in ``--edits`` builds, each bringing the index up to date as a build
does (the kept files checked as they are copied, not all before: ``thorough=False``), timed. Each
day's line shows the pages changed since the base, the segments, the median and the longest of
the day's edits (and which segment the longest made again, if any: the middle, when the delta
passes its small share; the base, when the pages changed since it pass theirs), and the size of
the state kept beside the base's.

Run it at two commits (a worktree each) to compare their edits on the same pages.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.search_speed import Corpus  # noqa: E402
from microsite.publish import search  # noqa: E402


def page_html(corpus: Corpus, number: int, version: int) -> bytes:
    """An article page as the build writes its story (the index reads from the marked tag on)."""
    text = corpus.article(number * 7 + version * 100_003)
    title = text.split('title: "', 1)[1].split('"', 1)[0]
    body = "".join(f"<p>{part}</p>" for part in text.split("---", 2)[2].split("\n\n") if part.strip())
    return (
        f'<html><body><article data-pagefind-body><h1>{title}</h1><p class="meta">'
        f"<time>{number}</time></p>{body}</article></body></html>"
    ).encode()


def stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


def state_files(cache: Path) -> dict[str, Path]:
    return {path.name: path for path in (cache / "vi").glob("*.pickle")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--day", type=int, default=200, help="pages changed a day")
    parser.add_argument("--edits", type=int, default=10, help="builds a day (each changes day / edits pages)")
    parser.add_argument("--days", type=int, default=26)
    args = parser.parse_args()
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    corpus = Corpus(5)
    rng = random.Random(3)
    with tempfile.TemporaryDirectory(dir=base) as folder:
        tree, cache = Path(folder) / "site", Path(folder) / "cache"
        pages: dict[str, str] = {}
        versions: dict[int, int] = {}
        since: set[int] = set()  # the pages changed since the base

        def write(number: int) -> None:
            versions[number] = versions.get(number, -1) + 1
            since.add(number)
            data = page_html(corpus, number, versions[number])
            path = f"bai-{number:06d}/index.html"
            (tree / path).parent.mkdir(parents=True, exist_ok=True)
            (tree / path).write_bytes(data)
            pages[path] = search.page_digest(data)

        started = time.perf_counter()
        for number in range(args.pages):
            write(number)
        print(f"{args.pages} pages written in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        present = search.place(tree, cache, {"vi": ""}, dict(pages), {})
        since.clear()
        print(f"base made: {time.perf_counter() - started:.1f} s")
        print("day | changed since base | segments (shards; overridden) | an edit: median, max (made) | state")
        for day in range(1, args.days + 1):
            times, labels = [], []
            for _ in range(args.edits):
                for number in rng.sample(range(args.pages), args.day // args.edits):
                    write(number)
                kept = {name: stamp(path) for name, path in state_files(cache).items()}
                started = time.perf_counter()
                present = search.place(tree, cache, {"vi": ""}, dict(pages), present, thorough=False)
                times.append(time.perf_counter() - started)
                remade = [name for name, path in state_files(cache).items() if kept.get(name) != stamp(path)]
                if search.BASE in remade:
                    since.clear()
                labels.append(" (base)" if search.BASE in remade else " (middle)" if search.MIDDLE in remade else "")
            meta = json.loads((tree / search.FOLDER / "vi/meta.json").read_text(encoding="utf-8"))
            segments = meta.get("segments") or [  # (the format before the middle segment)
                {"name": "b", "shards": meta["base"], "overridden": meta["overridden"]},
                {"name": "d", "shards": meta["delta"], "overridden": []},
            ]
            longest = max(times)
            edits = f"{statistics.median(times):.2f} s, {longest:.2f} s{labels[times.index(longest)]}"
            shape = ", ".join(f"{s['name']} {s['shards']}; {len(s['overridden'])}" for s in segments)
            sizes = {name: path.stat().st_size for name, path in state_files(cache).items() if name != search.BASE}
            print(f"{day:3d} | {len(since):6d} | {shape} | {edits} | {sizes}")


if __name__ == "__main__":
    main()
