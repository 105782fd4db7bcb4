"""An archive's builds side by side with Hugo and Hugo + Pagefind; prints a table, asserts nothing.

    python bench/archive_vs_hugo.py                          # 1,000 articles with photos, 3 rounds
    python bench/archive_vs_hugo.py --articles 5000 --no-images --rounds 3
    python bench/archive_vs_hugo.py --articles 1000 --cold   # also empty caches (minutes: photo work)

With ``--cold`` and photos, the empty-caches row has a third Hugo figure: Hugo making the same photo
variants as ours (a ``figure`` shortcode that resizes each photo to 480 px as JPEG and to 480 px and
its full width as WebP, Lanczos, the same qualities: :data:`PHOTO_WORK`), timed once from empty
caches. The anchors' Hugo site only copies photos, so its plain figure is not the same work.

The anchors' ``make_corpus.py`` (``--anchors DIR``, default ``../shared/anchors``) writes the same
archive for both tools, in a RAM disk when there is one: ours gets this project's ``site.toml``,
``templates/`` and ``static/``; Hugo's the anchors' Hugo site. ``--no-images`` makes it text only
(the photo lines removed on both sides, as the anchors' README says). Each tool builds once
untimed, then the scenarios are interleaved, round after round, for every tool:

- nothing changed: build again as is;
- output removed: the output folder deleted, caches kept (ours: ``.cache/``; Hugo: ``resources/``);
- one article edited: a sentence appended to one article's Vietnamese (another article each round),
  right after the output was removed: ours also brings its standby copy back in step (removing
  ``site/`` moved the change time of the files the two trees shared, so they are linked again);
- another article edited: the same, right after that edit: an edit in the midst of editing;
- the same article edited again: another sentence appended to that article. Its first edit put an
  untranslated sentence into a reviewed article, so its English edition left the site (every list
  that showed it changed); this one changes only the article's own pages, feeds and search entries:
  an editor at work on one story;
- an article added: the newest article's folder copied under a new name, dated a day later (a
  newsroom's most frequent change: every home page of both editions shifts by one card);
- template edited: a comment put into the article template's main block (every article page changes;
  text outside the block would change nothing, or, in Hugo, replace the whole page).

Hugo builds with ``--buildFuture``: the anchors' archive dates article *i* 7 hours after article
*i - 1* from 2020, so past ~8,680 articles the rest lie in the future, and Hugo leaves those out by
default (this project publishes every article whatever its date). Without it Hugo's figures from
10,000 articles on were for fewer pages (at 100,000: 8,683 of them).

Hugo + Pagefind is Hugo's build, then ``pagefind --site`` over its output (the binary from the
``pagefind-bin`` wheel): the anchor for a site with a search index, as ours has. Medians of the
rounds; peak memory (PSS of the process tree, sampled) from one more run of "one article edited".
Each round also times the floor under a build of ours that renders anything: Python's start, and
its start with the build's modules imported (bytecode compiled first, as an installed package's).
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.build_speed import compiled  # noqa: E402
from bench.build_speed import run as timed  # noqa: E402

ANCHORS = REPO.parent / "shared" / "anchors"
SCENARIOS = (
    "nothing changed",
    "output removed",
    "one article edited",
    "another article edited",
    "the same article edited again",
    "an article added",
    "template edited",
)
# What every build that renders a page pays before its first step: Python's start and its imports.
IMPORTS = f"import sys; sys.path.insert(0, {str(REPO)!r}); import microsite.publish.builder"


# The same photo work as ours (microsite/publish/images.py: 480 px JPEG, WebP at 480 px and full size;
# JPEG quality 82, WebP 80; Lanczos), as a Hugo shortcode over the anchors' figure shortcode.
PHOTO_WORK = """{{- $photo := .Page.Resources.GetMatch (.Get "src") -}}
{{- $small := $photo.Resize "480x q82" -}}
{{- $smallWebp := $photo.Resize "480x webp q80" -}}
{{- $webp := $photo.Resize (printf "%dx webp q80" $photo.Width) -}}
<figure><picture><source type="image/webp"
  srcset="{{ $smallWebp.RelPermalink }} 480w, {{ $webp.RelPermalink }} {{ $photo.Width }}w">
<img src="{{ $photo.RelPermalink }}"
  srcset="{{ $small.RelPermalink }} 480w, {{ $photo.RelPermalink }} {{ $photo.Width }}w"
  alt="{{ .Get "alt" }}" width="{{ $photo.Width }}" height="{{ $photo.Height }}" loading="lazy"></picture>
<figcaption>{{ .Get "caption" }}</figcaption></figure>
"""


def with_photo_work(hugo_site: Path, copy: Path) -> Path:
    """A copy of the Hugo archive whose figures make the same photo variants as ours."""
    shutil.copytree(hugo_site, copy, ignore=shutil.ignore_patterns("resources"))
    (copy / "layouts" / "shortcodes").mkdir(parents=True, exist_ok=True)
    (copy / "layouts" / "shortcodes" / "figure.html").write_text(PHOTO_WORK, encoding="utf-8")
    with (copy / "hugo.toml").open("a", encoding="utf-8") as settings:
        settings.write('\n[imaging]\nresampleFilter = "Lanczos"\nquality = 82\n')
    return copy


def text_only(root: Path) -> None:
    """The photo lines out of every article (both formats), as the anchors' README does with sed."""
    for path in root.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^image: images/img-.*\n", "", text)
        text = re.sub(r"(?m)^!\[.*\]\(images/img-[0-9]\.jpg.*\n", "", text)
        text = re.sub(r"(?m)^\{\{< figure src=\"img-.*\n", "", text)
        path.write_text(text, encoding="utf-8")


def make_archives(folder: Path, anchors: Path, articles: int, no_images: bool) -> tuple[Path, Path]:
    """The anchors' archive written for us (``folder/ours``, with this project's settings,
    templates and static files) and for Hugo (``folder/hugo``, with the anchors' Hugo site)."""
    ours, theirs = folder / "ours", folder / "hugo"
    make = [sys.executable, str(anchors / "make_corpus.py"), str(articles)]
    make += ["--no-images"] if no_images else []
    subprocess.run([*make, str(ours), "--format", "microsite"], check=True, capture_output=True)
    subprocess.run([*make, str(theirs), "--format", "hugo"], check=True, capture_output=True)
    if no_images:
        text_only(ours)
        text_only(theirs)
    for name in ("site.toml", "templates", "static"):
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy2
        copy(REPO / name, ours / name)
    shutil.copytree(anchors / "hugo", theirs, dirs_exist_ok=True)
    return ours, theirs


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def add_article(folder: Path, name: str, days: int, slug_field: bool) -> None:
    """A new article: the newest one's folder copied as ``name``, dated ``days`` later (every
    Markdown file in it; ``slug_field``: its front matter names its slug, as Hugo's does)."""
    copy = folder.parent / name
    shutil.copytree(folder, copy)
    for path in copy.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        stamp = re.search(r"(?m)^date: (\d{4}-\d{2}-\d{2})", text)
        assert stamp is not None, path
        later = dt.date.fromisoformat(stamp.group(1)) + dt.timedelta(days=days)
        text = text.replace(f"date: {stamp.group(1)}", f"date: {later.isoformat()}", 1)
        if slug_field:
            text = re.sub(r"(?m)^slug: .*$", f"slug: {name}", text, count=1)
        path.write_text(text, encoding="utf-8")


def insert_after(path: Path, marker: str, text: str) -> None:
    """``text`` on a line of its own after the first line holding ``marker``."""
    content = path.read_text(encoding="utf-8")
    at = content.index(marker)
    at = content.index("\n", at) + 1
    path.write_text(content[:at] + text + "\n" + content[at:], encoding="utf-8")


class Tool:
    """One tool's build of its copy of the archive, and how each scenario prepares it."""

    def __init__(
        self, name: str, commands: list[list[str]], output: Path, caches: Path, article, template, newest
    ) -> None:
        self.name, self.commands, self.output, self.caches = name, commands, output, caches
        self.article: Callable[[int], Path] = article
        self.template = template
        self.newest: tuple[Path, bool] = newest  # the newest article's folder; whether a slug field names it

    def prepare(self, scenario: str, round_: int) -> None:
        if scenario == "output removed":
            shutil.rmtree(self.output, ignore_errors=True)
        elif scenario == "one article edited":
            append(self.article(round_), f"\nThêm một câu ở vòng {round_}.\n")
        elif scenario == "another article edited":
            append(self.article(round_ + 500), f"\nThêm một câu nữa ở vòng {round_}.\n")
        elif scenario == "the same article edited again":
            append(self.article(round_ + 500), f"\nVà một câu nữa ở vòng {round_}.\n")
        elif scenario == "an article added":
            folder, slug_field = self.newest
            tag = re.sub(r"[^a-z]+", "-", self.name.lower())
            add_article(folder, f"moi-{tag}{round_}", round_ + 1, slug_field)
        elif scenario == "template edited":
            path, marker = self.template
            insert_after(path, marker, f"<!-- round {round_} -->")

    def run(self, sample: bool = False) -> tuple[float, float]:
        seconds, peak = 0.0, 0.0
        for command in self.commands:
            took, memory = timed(command, sample)
            seconds, peak = seconds + took, max(peak, memory)
        return seconds, peak


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--articles", type=int, default=1000)
    options.add_argument("--rounds", type=int, default=3)
    options.add_argument("--no-images", action="store_true", help="a text-only archive")
    options.add_argument("--cold", action="store_true", help="also time a build with empty caches (once)")
    options.add_argument("--anchors", type=Path, default=ANCHORS)
    options.add_argument("--folder", type=Path, help="where the archives are made (default: a RAM disk if any)")
    args = options.parse_args()
    compare(args.articles, args.rounds, args.no_images, args.cold, args.anchors, args.folder)


def compare(
    articles: int, rounds: int, no_images: bool, cold_too: bool, anchors: Path = ANCHORS, where: Path | None = None
) -> None:
    """Print the table: the anchors' archive of ``articles`` built by each tool, scenarios interleaved."""
    hugo = shutil.which("hugo")
    pagefind = glob.glob(str(Path(sys.prefix) / "lib" / "python3*" / "site-packages" / "pagefind_bin" / "pagefind*"))
    if hugo is None or not pagefind or not (anchors / "make_corpus.py").is_file():
        sys.exit("needs hugo (apt-get install hugo), pagefind-bin and the anchors' make_corpus.py (--anchors DIR)")
    ram = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    compiled()
    with tempfile.TemporaryDirectory(dir=where or ram) as folder:
        ours, theirs = make_archives(Path(folder), anchors, articles, no_images)
        ours_articles = sorted((ours / "content").glob("*/index.md"))
        hugo_articles = sorted((theirs / "content" / "posts").glob("*/index.vi.md"))
        out = Path(folder) / "hugo-out"
        hugo_build = [hugo, "--quiet", "--buildFuture", "-s", str(theirs), "-d", str(out)]
        tools = [
            Tool(
                "this project",
                [[sys.executable, str(REPO / "build.py"), "--root", str(ours)]],
                ours / "site",
                ours / ".cache",
                lambda n: ours_articles[(n * 7919) % len(ours_articles)],
                (ours / "templates" / "article.html", "{% block main %}"),
                (ours_articles[-1].parent, False),
            ),
            Tool(
                "Hugo",
                [hugo_build],
                out,
                theirs / "resources",
                lambda n: hugo_articles[(n * 7919) % len(hugo_articles)],
                (theirs / "layouts" / "_default" / "single.html", '{{ define "main" }}'),
                (hugo_articles[-1].parent, True),
            ),
            Tool(
                "Hugo + Pagefind",
                [hugo_build, [pagefind[0], "--site", str(out)]],
                out,
                theirs / "resources",
                lambda n: hugo_articles[(n * 7919 + 1) % len(hugo_articles)],
                (theirs / "layouts" / "_default" / "single.html", '{{ define "main" }}'),
                (hugo_articles[-1].parent, True),
            ),
        ]
        cold: dict[str, float] = {}
        for tool in tools:
            shutil.rmtree(tool.caches, ignore_errors=True)
            shutil.rmtree(tool.output, ignore_errors=True)
            cold[tool.name] = tool.run()[0]  # the untimed first build, timed for --cold
        times: dict[tuple[str, str], list[float]] = {}
        floors = {"start": [sys.executable, "-c", "pass"], "imports": [sys.executable, "-c", IMPORTS]}
        for round_ in range(rounds):
            for scenario in SCENARIOS:
                for tool in tools:
                    tool.prepare(scenario, round_)
                    times.setdefault((tool.name, scenario), []).append(tool.run()[0])
            for name, command in floors.items():
                times.setdefault(("floor", name), []).append(timed(command)[0])
        if cold_too and not no_images:  # Hugo doing the same photo work, from empty caches, once
            photos = with_photo_work(theirs, Path(folder) / "hugo-photos")
            command = [hugo, "--quiet", "--buildFuture", "-s", str(photos), "-d", str(Path(folder) / "hugo-photos-out")]
            cold["Hugo, same photo work"] = timed(command)[0]
        memory = {}
        for tool in tools:
            tool.prepare("one article edited", rounds)
            memory[tool.name] = tool.run(sample=True)[1]
        kind = "text-only" if no_images else "with two photos each"
        disk = "RAM disk" if where is None and ram else f"on disk ({folder})"
        print(f"{articles} articles {kind} (the anchors' archive); medians of {rounds} interleaved rounds; {disk}")
        print("| scenario | " + " | ".join(tool.name for tool in tools) + " | ours / Hugo |")
        print("| --- |" + " --- |" * (len(tools) + 1))
        rows = list(SCENARIOS) + (["empty caches (first build)"] if cold_too else [])
        for scenario in rows:
            if scenario.startswith("empty"):
                values = [cold[tool.name] for tool in tools]
            else:
                values = [statistics.median(times[(tool.name, scenario)]) for tool in tools]
            cells = [f"{value:.2f} s" for value in values]
            if scenario == "one article edited":
                cells = [f"{cell}, {memory[tool.name]:.0f} MB" for cell, tool in zip(cells, tools, strict=True)]
            ratio = f"{values[0] / values[1]:.2f}×"
            if scenario.startswith("empty") and "Hugo, same photo work" in cold:  # (plain Hugo copies photos)
                ratio = f"{values[0] / cold['Hugo, same photo work']:.2f}× Hugo making the same photos"
            print(f"| {scenario} | " + " | ".join(cells) + f" | {ratio} |")
        if "Hugo, same photo work" in cold:
            hugo_photos = cold["Hugo, same photo work"]
            print(
                f"Empty caches, Hugo making the same photo variants (480 px JPEG, WebP at 480 px and full width):"
                f" {hugo_photos:.2f} s; ours {cold[tools[0].name]:.2f} s = {cold[tools[0].name] / hugo_photos:.2f}×"
                " (the goal: ≤ 0.4×)"
            )
        start, imports = (statistics.median(times[("floor", name)]) for name in floors)
        plain = statistics.median(times[("Hugo", "one article edited")])
        print(
            f"Under any build that renders: Python's start {start:.2f} s, and with the modules a build renders"
            f" with imported {imports:.2f} s = {imports / plain:.2f}× Hugo's edit (the goal for an edit: 0.30×)"
        )


if __name__ == "__main__":
    main()
