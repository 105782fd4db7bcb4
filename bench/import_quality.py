"""How well `python build.py import` reads real saved pages, side by side with trafilatura.

Scores the shared evaluation set (``../shared/import-eval/``: 990 real pages and the snippets a
correct extraction must and must not hold) the way its README and trafilatura's own evaluation do:
whitespace normalised, a snippet counts when it is a substring of the extracted text, summed over
the corpus; precision = "with" found / ("with" found + "without" kept), recall = "with" found /
all "with". Our text is the imported summary, body and captions as plain text; a refused page
counts as nothing found. Also printed: pages refused and crashed, the title equal to the set's
title, the date equal to the set's date, the median seconds per page in one process, and the ten
worst pages (most "with" snippets missed plus "without" snippets kept).

    python bench/import_quality.py --eval ../shared/import-eval/trafilatura-eval.tar.gz
    python bench/import_quality.py --eval /dev/shm/ieval --limit 200 --jobs 2

``--eval`` takes the tarball (unpacked into a temporary folder) or a folder already unpacked.
trafilatura's column needs it installed (``pip install trafilatura``, as requirements.txt has it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def normalise(value: str) -> str:
    return " ".join(value.split())


def folded(value: str) -> str:
    """A title as compared: entities read; case, quotes, dashes and spacing alike (as import's own)."""
    from microsite.importing.saved_page import folded as import_folded

    return import_folded(value)


def ours(path: Path) -> dict:
    """Import one page: its text, title and date, or why it was refused."""
    from microsite.errors import ContentError
    from microsite.importing.saved_page import read_saved_page

    start = time.perf_counter()
    try:
        article = read_saved_page(path)
    except ContentError as exc:
        return {"refused": str(exc), "seconds": time.perf_counter() - start}
    except Exception as exc:  # the bench counts crashes rather than stopping on one
        return {"crashed": f"{type(exc).__name__}: {exc}", "seconds": time.perf_counter() - start}
    seconds = time.perf_counter() - start
    return {
        "text": plain_text(article),
        "body": plain_text(article, captions=False),
        "title": article.title,
        "date": article.date.isoformat()[:10] if article.date else "",
        "seconds": seconds,
    }


def plain_text(article, captions: bool = True) -> str:
    """The summary, the body's blocks and (unless told not to) the captions as a reader sees them
    (Markdown rendered, tags off)."""
    import markdown
    from bs4 import BeautifulSoup

    from microsite.importing.model import Photo

    parts = [article.summary]
    for block in article.blocks:
        if not isinstance(block, Photo):
            parts.append(block)
        elif captions:
            parts.append(block.caption)
    html = markdown.markdown("\n\n".join(part for part in parts if part), extensions=["tables"])
    return BeautifulSoup(html, "html.parser").get_text()


def anchor(path: Path) -> dict:
    """trafilatura on the same page (comments left out: they are not the article)."""
    import trafilatura

    html = path.read_bytes()
    start = time.perf_counter()
    result = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
    seconds = time.perf_counter() - start
    if result is None:
        return {"refused": "nothing extracted", "seconds": seconds}
    return {"text": result.text or "", "title": result.title or "", "date": result.date or "", "seconds": seconds}


def score(pages: list[tuple[str, dict]], results: dict[str, dict], key: str = "text") -> dict:
    found = kept = total = 0
    titles = titled = dates = dated = 0
    worst = []
    for name, expected in pages:
        result = results[name]
        text = normalise(result.get(key, result.get("text", "")))
        hits = sum(normalise(snippet) in text for snippet in expected["with"])
        misses = sum(normalise(snippet) in text for snippet in expected["without"])
        found, kept, total = found + hits, kept + misses, total + len(expected["with"])
        worst.append((len(expected["with"]) - hits + misses, name, hits, len(expected["with"]), misses, result))
        if expected.get("title"):
            titled += 1
            titles += folded(result.get("title", "")) == folded(expected["title"])
        if expected.get("date"):
            dated += 1
            dates += result.get("date", "")[:10] == expected["date"][:10]
    precision = found / (found + kept) if found + kept else 0.0
    recall = found / total if total else 0.0
    worst.sort(key=lambda row: (-row[0], row[1]))
    return {
        "recall": recall,
        "precision": precision,
        "kept_share": kept / (found + kept) if found + kept else 0.0,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "refused": sum("refused" in results[name] for name, _ in pages),
        "crashed": sum("crashed" in results[name] for name, _ in pages),
        "title": (titles, titled),
        "date": (dates, dated),
        "median": statistics.median(results[name]["seconds"] for name, _ in pages),
        "worst": worst[:10],
    }


def run(tool, paths: list[Path], jobs: int) -> list[dict]:
    if jobs <= 1:
        return [tool(path) for path in paths]
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(tool, paths, chunksize=8))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", required=True, type=Path, help="the shared set: its .tar.gz or its unpacked folder")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N pages (0: all)")
    parser.add_argument("--jobs", type=int, default=1, help="processes (the median per page is still one process's)")
    parser.add_argument("--no-anchor", action="store_true", help="leave trafilatura's column out")
    parser.add_argument("--json", type=Path, help="write every page's result here (to compare two runs)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.eval
        if folder.is_file():
            with tarfile.open(folder) as archive:
                archive.extractall(scratch, filter="data")
            folder = Path(scratch)
        evaldata = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
        pages: list[tuple[str, dict]] = []
        paths: list[Path] = []
        for entry in evaldata.values():
            for sub in ("eval", "cache"):
                if (folder / sub / entry["file"]).is_file():
                    pages.append((entry["file"], entry))
                    paths.append(folder / sub / entry["file"])
                    break
        if args.limit:
            pages, paths = pages[: args.limit], paths[: args.limit]
        sizes = sorted((path.stat().st_size, name) for path, (name, _) in zip(paths, pages, strict=True))
        tools = {"this project": ours}
        if not args.no_anchor:
            try:
                import trafilatura

                tools = {f"trafilatura {trafilatura.__version__}": anchor, **tools}
            except ImportError:
                print("trafilatura is not installed: its column is left out", file=sys.stderr)
        scores, everything = {}, {}
        for label, tool in tools.items():
            results = dict(zip((name for name, _ in pages), run(tool, paths, args.jobs), strict=True))
            everything[label] = results
            scores[label] = score(pages, results)
            if tool is ours:
                scores[label + ", captions apart"] = score(pages, results, "body")

    print(f"{len(pages)} pages ({folder if args.eval.is_dir() else args.eval})\n")
    print(
        '| tool | "with" found | "without" kept | F1 | refused | crashed | title equal | date equal | s/page (median) |'
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, row in scores.items():
        print(
            f"| {label} | {row['recall']:.3f} | {row['kept_share']:.3f} | **{row['f1']:.3f}** | {row['refused']} | "
            f"{row['crashed']} | {row['title'][0]}/{row['title'][1]} | {row['date'][0]}/{row['date'][1]} | "
            f"{row['median']:.3f} |"
        )
    print("\nMedian time per page by page size (quartiles of the pages' bytes): linear, or better?")
    quarter = max(1, len(sizes) // 4)
    for start in range(0, quarter * min(4, len(sizes)), quarter):
        part = sizes[start : start + quarter]
        kilobytes = statistics.median(size for size, _ in part) / 1000
        cells = [
            f"{label}: {statistics.median(everything[label][name]['seconds'] for _, name in part) * 1000:.0f} ms"
            for label in everything
        ]
        print(f"  {kilobytes:6.0f} kB  " + "  ".join(cells))
    row = scores["this project"]
    print('\nThe ten worst pages of this project ("with" missed + "without" kept):')
    for cost, name, hits, total, misses, result in row["worst"]:
        why = result.get("refused") or result.get("crashed") or ""
        print(f"  {cost:3d}  {name}: {hits}/{total} found, {misses} kept  {why[:100]}")
    if args.json:
        args.json.write_text(json.dumps(everything, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
