"""What one edit costs the search index as the edits since its base pile up; prints figures, asserts
nothing.

    python bench/search_edits.py                      # 20,000 pages, 200 changed a day, 25 days
    python bench/search_edits.py --pages 100000 --days 26

One edition's index (Vietnamese) over generated article pages (the text of bench/search_speed.py's
articles, ~1,000 words each, written straight as built pages: no site is built) is made once (its
base, timed). Then each "day" changes ``--day`` other pages at once (a newsroom's day of new
articles and corrections: what piles up since the base), and one more page is edited on its own
and the index brought up to date: that edit is timed, with the bytes of the index's state it
rewrote in the cache. Each is placed as a build places it: the kept files checked as they are
copied, not all before (``thorough=False``). Each day's line shows the pages changed since the base and the segment
each is in (``middle``: made again when the delta passes its small share; ``delta``); once the
pages changed since the base pass their share the base is made again (that day's line says so).

Run it at two commits (a worktree each) to compare their edits on the same pages.
"""

from __future__ import annotations

import argparse
import json
import random
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


def base_stamp(cache: Path) -> int:
    return (cache / "vi" / search.BASE).stat().st_mtime_ns


def state_bytes(cache: Path) -> dict[str, int]:
    return {path.name: path.stat().st_size for path in (cache / "vi").glob("*.pickle")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--day", type=int, default=200, help="pages changed between two measured edits")
    parser.add_argument("--days", type=int, default=25)
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
        print(f"base made: {time.perf_counter() - started:.1f} s; state {state_bytes(cache)}")
        print("day | changed since base | segments (shards; pages overridden) | day's changes | one edit | state")
        edited = args.pages - 1
        for day in range(1, args.days + 1):
            started = time.perf_counter()
            for number in rng.sample(range(args.pages - 1), args.day):
                write(number)
            kept = base_stamp(cache)
            present = search.place(tree, cache, {"vi": ""}, dict(pages), present, thorough=False)
            changes = time.perf_counter() - started
            if base_stamp(cache) != kept:  # (the base made again from every page)
                since.clear()
            before = state_bytes(cache)
            write(edited)
            started = time.perf_counter()
            present = search.place(tree, cache, {"vi": ""}, dict(pages), present, thorough=False)
            edit = time.perf_counter() - started
            meta = json.loads((tree / search.FOLDER / "vi/meta.json").read_text(encoding="utf-8"))
            segments = meta.get("segments") or [  # (the format before the middle segment)
                {"name": "b", "shards": meta["base"], "overridden": meta["overridden"]},
                {"name": "d", "shards": meta["delta"], "overridden": []},
            ]
            shape = ", ".join(f"{s['name']} {s['shards']}; {len(s['overridden'])}" for s in segments)
            rewritten = {name: size for name, size in state_bytes(cache).items() if before.get(name) != size}
            print(f"{day:3d} | {len(since):6d} | {shape} | {changes:6.2f} s | {edit:6.3f} s | {rewritten}")


if __name__ == "__main__":
    main()
