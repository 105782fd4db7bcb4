"""Build speed and memory on generated bilingual sites; prints figures, asserts nothing.

    python bench/build_speed.py                 # sample site, N = 100 and N = 1000, medians of 5
    python bench/build_speed.py --sizes 100 --repeat 3
    python bench/build_speed.py --sizes 1000 5000 --no-images --hugo --repeat 3
    python bench/build_speed.py --sizes 100000 --no-images --no-cold --repeat 1 --folder /var/tmp

Each generated article has ~900 words of Vietnamese (headings, a list, a quote, a table), a
complete en.po, and two photos. Sites and output live in a RAM disk (/dev/shm) when there is one.
Every figure is a whole `python build.py` process, as a user runs it (the project's bytecode
compiled first, as an installed package's is: :func:`compiled`); peak memory is the largest
sum of PSS over the process and its workers, sampled every few milliseconds. "Empty caches"
removes .cache/ (photo variants, compiled templates, the manifest, cached articles and pages);
"caches kept" removes only the output; "nothing changed" builds again as is (the manifest's
no-op); "one article changed" adds a sentence to one article's Vietnamese; "one template
changed" adds a comment to article.html (every article page is rendered again). "check" and
"translate --dry-run" run after a build (check a second time: the findings of the first are kept);
"translate one new article" (`translate SLUG --dry-run`) adds an article whose text is another's,
so each of its segments is looked up among the English reviewed elsewhere (`.cache/`'s index).
"English title fixed" changes the article's title in en.po (its cards change, not its place).

``--no-images``: the articles without photos (text only). ``--tags N``: each article has one to
three of N tags, the first ones far more used (else every article has the same two: related
reading is then trivial). ``--hugo``: after each size's figures,
the anchors' archive of the same size (``../shared/anchors/make_corpus.py``: the same articles
written for both tools) side by side with Hugo and Hugo + Pagefind, scenarios interleaved
(:func:`bench.archive_vs_hugo.compare`, ``--repeat`` rounds). ``--folder``: where the sites are
made (a RAM disk by default; 100,000 articles need ~20 GB).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polib
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from microsite.content.article import parse_article  # noqa: E402

SEED = REPO / "content" / "thao-go-kho-khan-cho-quang-ninh" / "index.md"
BODY = SEED.read_text(encoding="utf-8").split("---", 2)[2]
WORDS = [w.strip('"[]()!') for w in BODY.split() if "images/" not in w and w.strip('"[]()!')]


def sentence(rng: random.Random, length: int) -> str:
    start = rng.randrange(len(WORDS) - length)
    text = " ".join(WORDS[start : start + length])
    return text.strip(" ,;") + "."


def article_text(rng: random.Random, number: int, photos: bool = True, tags: list[str] | None = None) -> str:
    day = f"20{10 + number % 15:02d}-{1 + number % 12:02d}-{1 + number % 28:02d}"
    parts = [
        "---",
        f'title: "Bài {number}: {sentence(rng, 12)}"',
        f"date: {day}",
        "source: NDO",
        f'summary: "{sentence(rng, 35)}"',
        *(["image: images/anh-1.jpg"] if photos else []),
        f"tags: [{', '.join(tags or ['công nghiệp', 'thương mại'])}]",
        "---",
        "",
    ]
    body = [" ".join(sentence(rng, 20) for _ in range(3)) for _ in range(8)]
    body.insert(1, '![Ảnh minh họa một](images/anh-1.jpg "Chú thích ảnh một.")')
    body.insert(4, f"## {sentence(rng, 6)}")
    body.insert(5, "\n".join(f"- {sentence(rng, 10)}" for _ in range(3)))
    body.insert(7, "> " + sentence(rng, 25))
    body.insert(8, '![Ảnh minh họa hai](images/anh-2.jpg "Chú thích ảnh hai.")')
    if not photos:
        body = [block for block in body if not block.startswith("![")]
    body.append("| Chỉ số | Giá trị |\n|---|--:|\n| Tăng trưởng | 38,95% |\n| Xuất khẩu | 1.234,5 triệu USD |")
    body += [" ".join(sentence(rng, 22) for _ in range(3)) for _ in range(4)]
    return "\n".join(parts) + "\n\n".join(body) + "\n"


def write_catalog(index: Path) -> None:
    po = polib.POFile(wrapwidth=78)
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
    for source in dict.fromkeys(s.source for s in parse_article(index).segments()):
        po.append(polib.POEntry(msgid=source, msgstr="EN " + source[::-1]))
    po.save(str(index.parent / "en.po"))


def pick_tags(rng: random.Random, pool: int) -> list[str] | None:
    """One to three of ``pool`` tags, the first ones far more used (as a newsroom's are: a tag's
    use falls as 1/rank); None without a pool (every article: the same two)."""
    if not pool:
        return None
    names = [f"chủ đề {number}" for number in range(pool)]
    chosen = rng.choices(names, weights=[1 / (rank + 1) for rank in range(pool)], k=rng.randrange(1, 4))
    return list(dict.fromkeys(chosen))


def make_site(root: Path, count: int, photos: bool = True, tags: int = 0) -> None:
    """A site with ``count`` generated articles (0: the repository's sample content); ``tags``:
    a pool of that many tags (:func:`pick_tags`)."""
    root.mkdir(parents=True)
    for name in ("site.toml", "templates", "static"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    if count == 0:
        shutil.copytree(REPO / "content", root / "content")
        return
    rng = random.Random(count)
    for number in range(count):
        folder = root / "content" / f"bai-{number:04d}"
        (folder / "images").mkdir(parents=True)
        for photo in ("anh-1.jpg", "anh-2.jpg") if photos else ():
            color = tuple(rng.randrange(256) for _ in range(3))
            image = Image.new("RGB", (1200, 800), color)
            image.paste(tuple(255 - c for c in color), (rng.randrange(900), rng.randrange(500), 1200, 800))
            image.save(folder / "images" / photo, "JPEG", quality=80)
        index = folder / "index.md"
        index.write_text(article_text(rng, number, photos, pick_tags(rng, tags)), encoding="utf-8")
        write_catalog(index)


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (those alive while we looked)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # the process ended while we looked
        found.append(current)
    return sorted(found)


def _ended(pid: int) -> bool:
    """Whether a process has ended and waits to be reaped (a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def tree_pss(pid: int) -> int | None:
    """Proportional set size (kB) of a process and all its descendants: shared pages counted once.

    None when a process started or ended while they were read (each read takes milliseconds): the
    shares of one moment summed with another's can count a page twice, or not at all (a build
    that forks a worker per batch would otherwise show peaks it never had)."""
    processes = _tree(pid)
    total = 0
    for current in processes:
        if _ended(current):  # (a child that has ended, not yet reaped: it holds no memory)
            continue
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(next(line.split()[1] for line in rollup.splitlines() if line.startswith("Pss:")))
        except (OSError, StopIteration, ValueError):
            return None
    return total if _tree(pid) == processes else None


def run(command: list[str], sample: bool = False) -> tuple[float, float]:
    """Wall seconds of one run; with ``sample``, also its peak memory (MB) over the process tree.

    Sampling costs the machine a little CPU, so timed runs do not sample.
    """
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: check prints megabytes there
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0
        while sample and process.poll() is None:
            peak = max(peak, tree_pss(process.pid) or 0)
            time.sleep(0.005)
        process.wait()
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode()[-3000:]}")
    return seconds, peak / 1024


def compiled() -> None:
    """This project's modules compiled to bytecode before anything is timed, as pip does for an
    installed package and Python does on a first run. This machine sets PYTHONDONTWRITEBYTECODE,
    under which Python writes none: every build would compile ~40 modules again (~0.1 s)."""
    modules = [str(REPO / "microsite"), str(REPO / "build.py")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *modules], check=True, stdout=subprocess.DEVNULL)


def figure(prepare, command: list[str], repeat: int) -> str:
    """Median wall time of ``repeat`` runs, and peak memory of one more, each after ``prepare()``."""
    times = []
    for number in range(repeat):
        prepare(number)
        times.append(run(command)[0])
    prepare(repeat)
    memory = run(command, sample=True)[1]
    return f"{statistics.median(times):7.3f} s   peak {memory:6.0f} MB"


def bench(root: Path, repeat: int, cold: bool = True) -> None:
    build = [sys.executable, str(REPO / "build.py"), "--root", str(root), "--out", str(root / "site")]
    index = next((root / "content").glob("*/index.md"))

    def empty(_: int) -> None:
        shutil.rmtree(root / ".cache", ignore_errors=True)
        shutil.rmtree(root / "site", ignore_errors=True)

    def no_output(_: int) -> None:
        shutil.rmtree(root / "site", ignore_errors=True)

    def unchanged(_: int) -> None:
        pass

    def change_one(number: int) -> None:
        text = index.read_text(encoding="utf-8")
        index.write_text(text.replace("\n\n", f"\n\nThêm một câu {number}.\n\n", 1), encoding="utf-8")

    template = root / "templates" / "article.html"
    catalog = index.parent / "en.po"

    def correct_title(number: int) -> None:  # (its cards change: every page showing them is made again)
        po = polib.pofile(str(catalog))
        po.find(parse_article(index).title.source).msgstr = f"EN corrected title {number}"
        po.save(str(catalog))

    def change_template(number: int) -> None:
        template.write_text(template.read_text(encoding="utf-8") + f"{{# edit {number} #}}\n", encoding="utf-8")

    command = [sys.executable, str(REPO / "build.py")]
    check = [*command, "check", "--root", str(root)]
    translate = [*command, "translate", "--root", str(root), "--dry-run"]
    if cold:
        print(f"  full build, empty caches       {figure(empty, build, repeat)}")
    else:  # the first build fills the caches
        run(build)
    print(f"  full build, caches kept        {figure(no_output, build, repeat)}")
    print(f"  rebuild, nothing changed       {figure(unchanged, build, repeat)}")
    original, layout = index.read_text(encoding="utf-8"), template.read_text(encoding="utf-8")
    print(f"  rebuild, one article changed   {figure(change_one, build, repeat)}")
    index.write_text(original, encoding="utf-8")  # back in the English edition
    run(build)
    print(f"  rebuild, English title fixed   {figure(correct_title, build, repeat)}")
    print(f"  rebuild, one template changed  {figure(change_template, build, max(1, repeat // 2))}")
    index.write_text(original, encoding="utf-8")  # as they were: translate has nothing to do
    template.write_text(layout, encoding="utf-8")
    time.sleep(2.1)  # files this recent are never taken as unchanged (their stats could not tell)
    run(build)
    print(f"  check, findings known          {figure(lambda _: run(check), check, repeat)}")
    print(f"  translate --dry-run, nothing   {figure(lambda _: run(translate), translate, repeat)}")
    new = root / "content" / "zz-bench-new"  # a new article, its text another's: its English looked up
    shutil.copytree(index.parent, new, ignore=shutil.ignore_patterns("*.po"))
    one = [*command, "translate", "zz-bench-new", "--root", str(root), "--dry-run"]
    print(f"  translate one new article      {figure(lambda _: None, one, repeat)}  (--dry-run)")
    shutil.rmtree(new)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000], help="article counts (besides the sample)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--no-cold", action="store_true", help="skip the empty-caches figure (minutes at 1,000)")
    parser.add_argument("--no-images", action="store_true", help="articles without photos (text only)")
    parser.add_argument("--hugo", action="store_true", help="also the anchors' archive beside Hugo and Hugo + Pagefind")
    parser.add_argument("--anchors", type=Path, default=REPO.parent / "shared" / "anchors")
    parser.add_argument("--folder", type=Path, help="where the sites are made (default: a RAM disk if any)")
    parser.add_argument("--tags", type=int, default=0, help="a pool of this many tags (default: the same two)")
    args = parser.parse_args()
    ram = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    compiled()
    with tempfile.TemporaryDirectory(dir=args.folder or ram, prefix="microsite-bench-") as folder:
        floor = figure(lambda _: None, [sys.executable, "-c", "import jinja2, markdown, bs4"], args.repeat)
        print(f"import floor (jinja2, markdown, bs4)  {floor}")
        for count in [0, *args.sizes]:
            root = Path(folder) / f"site-{count}"
            started = time.perf_counter()
            make_site(root, count, not args.no_images, args.tags)
            kind = " (text only)" if args.no_images and count else ""
            label = "sample site" if count == 0 else f"{count} articles{kind}"
            print(f"{label} (generated in {time.perf_counter() - started:.1f} s)")
            bench(root, args.repeat, not args.no_cold)
            shutil.rmtree(root)
            if args.hugo and count:
                from bench.archive_vs_hugo import compare

                compare(count, args.repeat, args.no_images, not args.no_cold, args.anchors, args.folder)


if __name__ == "__main__":
    main()
