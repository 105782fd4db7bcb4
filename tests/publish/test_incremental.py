"""An incremental build writes exactly what a clean build of the same sources writes (stateful property).

Random sequences of a newsroom's edits (article text and front matter, en.po entries, photos,
articles added, deleted and renamed, drafts, templates, static files, strings, site.toml, the
glossary; sometimes two articles at once), each followed by a build that may use the manifest and
the article cache, compared byte for byte with a clean build of a copy of the same sources in
another folder (the search index, made edit by edit, by what it answers: tests/index_reader.py).
Every edit that can be planned from the last site's record is (however many articles it changed).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from microsite import cache
from microsite.content.config import load_config
from microsite.errors import BuildError, ContentError, display_path
from microsite.publish import builder, pages, search
from microsite.publish.builder import build_site
from microsite.publish.manifest import up_to_date
from tests.conftest import Site, examples, make_photo
from tests.index_reader import answers, without_index

SOURCES = ("content", "templates", "static", "site.toml")
# A template and where an edit there shows on the pages it renders (None: at its end).
TEMPLATE_EDITS = [
    ("article.html", "</h1>"),
    ("base.html", None),
    ("list.html", "{% block main %}"),
    ("home.html", "{% block intro %}"),
    ("index_list.html", "{% block main %}"),
    ("_card.html", None),
    ("_related.html", None),
    ("sitemap.xml", None),
]
TAG_SETS = [["Cảng"], ["Cảng", "Quảng Ninh"], [], ["Quảng Ninh"], ["Cảng", "xuất khẩu"]]  # related reading
WORDS = ["Cảng", "tăng", "Quảng Ninh", "xuất khẩu", "đạt", "38,95%", "năm 2021", "**mạnh**", "hàng hóa"]


def tree(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def outcome(root: Path, incremental: bool) -> tuple[str, dict[str, bytes]]:
    """Build as the command line does; what happened (errors with paths from the root) and site/."""
    config = load_config(root / "site.toml")
    try:
        if not (incremental and up_to_date(config) is not None):
            build_site(config)
    except BuildError as exc:
        return "\n".join(sorted(str(p).replace(str(root), "ROOT") for p in exc.problems)), {}
    return "ok", tree(root / "site")


class Newsroom(RuleBasedStateMachine):
    """One site edited and built incrementally; a copy built clean after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.base = Path(self._tmp.mktemp("newsroom"))
        self.site = Site(self.base / "site-root")
        self.slugs: list[str] = []
        self.counter = 0

    _tmp = None  # set by the test (pytest's tmp_path_factory)
    per_page: int | None = None  # site.toml's (None: its default)

    @initialize()
    def start(self) -> None:
        if self.per_page is not None:  # several home and tag pages, each showing some cards
            toml = self.site.root / "site.toml"
            toml.write_text(f"per_page = {self.per_page}\n" + toml.read_text(encoding="utf-8"), encoding="utf-8")
        for _ in range(3):
            self.add()
        self.site.translate(self.slugs[0])
        self.site.translate(self.slugs[1], fuzzy=True)
        self.site.translate(self.slugs[2])  # (in English with the first, sharing a tag: each one's reading)

    def add(self) -> str:
        self.counter += 1
        slug = f"bai-{self.counter}"
        self.site.article(
            slug,
            body=f'Đoạn {self.counter} về cảng.\n\n![Ảnh cảng](images/a.jpg "Chú thích {self.counter}.")\n\nHết.\n',
            front=f'title: "Bài {self.counter}"\ndate: 2021-06-{10 + self.counter % 18:02d}\nsummary: "Tóm tắt."\n'
            f"tags: [{', '.join(TAG_SETS[self.counter % len(TAG_SETS)])}]\n",
            photos=("images/a.jpg",),
        )
        self.slugs.append(slug)
        return slug

    def index(self, slug: str) -> Path:
        return self.site.root / "content" / slug / "index.md"

    slug = st.integers(min_value=0, max_value=50)

    def pick(self, number: int) -> str | None:
        return self.slugs[number % len(self.slugs)] if self.slugs else None

    # --- the edits ---------------------------------------------------------------------------

    @rule(number=slug, word=st.sampled_from(WORDS))
    def edit_text(self, number: int, word: str) -> None:
        if slug := self.pick(number):
            path = self.index(slug)
            path.write_text(path.read_text(encoding="utf-8").replace("Hết.", f"Hết {word}."), encoding="utf-8")

    @rule(number=slug, title=st.sampled_from(["Tin mới", "Cảng biển", "Bài 1"]))
    def edit_front_matter(self, number: int, title: str) -> None:
        if slug := self.pick(number):
            path = self.index(slug)
            text = path.read_text(encoding="utf-8")
            start = text.index('title: "') + len('title: "')
            path.write_text(text[:start] + title + text[text.index('"', start) :], encoding="utf-8")

    @rule(number=slug, tags=st.sampled_from(TAG_SETS))
    def edit_tags(self, number: int, tags: list[str]) -> None:
        if slug := self.pick(number):
            path = self.index(slug)
            lines = path.read_text(encoding="utf-8").split("\n")
            lines = [f"tags: [{', '.join(tags)}]" if line.startswith("tags:") else line for line in lines]
            path.write_text("\n".join(lines), encoding="utf-8")

    @rule(
        first=slug,
        second=slug,
        title=st.sampled_from(["Tin mới", "Bài 1"]),
        tags=st.sampled_from(TAG_SETS),
        texts=st.booleans(),
    )
    def two_at_once(self, first: int, second: int, title: str, tags: list[str], texts: bool) -> None:
        """Two articles changed before one build (its plan then holds both): a new title and new
        tags, or a sentence nobody translated in each (each leaves the English edition if in it)."""
        if texts:
            for number, word in ((first, "mới"), (second, "khác")):
                if slug := self.pick(number):
                    with self.index(slug).open("a", encoding="utf-8") as file:
                        file.write(f"\nMột câu {word} chưa dịch.\n")
        else:
            self.edit_front_matter(first, title)
            self.edit_tags(second, tags)

    @rule(number=slug)
    def toggle_draft(self, number: int) -> None:
        if slug := self.pick(number):
            path = self.index(slug)
            text = path.read_text(encoding="utf-8")
            text = (
                text.replace("draft: true\n", "")
                if "draft: true" in text
                else text.replace("---\n", "---\ndraft: true\n", 1)
            )
            path.write_text(text, encoding="utf-8")

    @rule(number=slug, fuzzy=st.booleans())
    def translate(self, number: int, fuzzy: bool) -> None:
        if slug := self.pick(number):
            with contextlib.suppress(ContentError):  # a broken article cannot be translated: left as it is
                self.site.translate(slug, fuzzy=fuzzy)

    @rule(number=slug, text=st.sampled_from(["Port news", "EN **bold**", "Ports grew 38.95%"]))
    def edit_entry(self, number: int, text: str) -> None:
        slug = self.pick(number)
        po_path = self.site.root / "content" / str(slug) / "en.po"
        if slug and po_path.exists():
            po = polib.pofile(str(po_path))
            if len(po):
                po[-1].msgstr = text
                if "fuzzy" in po[-1].flags:
                    po[-1].flags.remove("fuzzy")
                po.save(str(po_path))

    @rule(number=slug, color=st.sampled_from(["red", "navy", "olive"]))
    def replace_photo(self, number: int, color: str) -> None:
        if slug := self.pick(number):
            make_photo(self.site.root / "content" / slug / "images/a.jpg", color=color)

    @rule(number=slug)
    def add_unused_photo(self, number: int) -> None:
        if slug := self.pick(number):
            make_photo(self.site.root / "content" / slug / "images/b.jpg", color="teal")

    @rule(number=slug)
    def remove_photo(self, number: int) -> None:  # a broken article: both builds must refuse alike
        if slug := self.pick(number):
            (self.site.root / "content" / slug / "images/a.jpg").unlink(missing_ok=True)

    @rule()
    def add_article(self) -> None:
        self.add()

    @rule(number=slug)
    def delete_article(self, number: int) -> None:
        if (slug := self.pick(number)) and len(self.slugs) > 1:
            shutil.rmtree(self.site.root / "content" / slug)
            self.slugs.remove(slug)

    @rule(number=slug)
    def rename_article(self, number: int) -> None:
        if slug := self.pick(number):
            self.counter += 1
            new = f"doi-ten-{self.counter}"
            (self.site.root / "content" / slug).rename(self.site.root / "content" / new)
            self.slugs[self.slugs.index(slug)] = new

    @rule(text=st.sampled_from(["<!-- a -->", "<!-- b -->"]), where=st.sampled_from(TEMPLATE_EDITS))
    def edit_template(self, text: str, where: tuple[str, str | None]) -> None:
        name, anchor = where  # each page and list page keyed by the templates it is rendered with
        path = self.site.root / "templates" / name
        old = path.read_text(encoding="utf-8")
        assert anchor is None or anchor in old, f"{name} has no {anchor}: the edit would change no page"
        path.write_text(old + text if anchor is None else old.replace(anchor, anchor + text, 1), encoding="utf-8")

    @rule()
    def edit_static(self) -> None:
        path = self.site.root / "static" / "style.css"
        path.write_text(path.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")

    @rule(name=st.sampled_from(["Bản tin", "Tin cảng"]))
    def edit_strings(self, name: str) -> None:
        path = self.site.root / "templates" / "strings.toml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('read_original = "', f'read_original = "{name} ', 1), encoding="utf-8")

    @rule()
    def toggle_policy(self) -> None:
        path = self.site.root / "site.toml"
        text = path.read_text(encoding="utf-8")
        if 'publish = "drafts"' in text:
            path.write_text(text.replace('publish = "drafts"\n', ""), encoding="utf-8")
        else:
            self.site.publish_drafts()

    @rule(keep=st.booleans())
    def edit_glossary(self, keep: bool) -> None:
        path = self.site.root / "content" / "glossary.yaml"
        if keep:
            path.write_text("keep: [Quảng Ninh]\n", encoding="utf-8")
        else:
            path.unlink(missing_ok=True)

    # --- the property --------------------------------------------------------------------------

    @invariant()
    def incremental_equals_clean(self) -> None:
        if not self.slugs and not (self.site.root / "content").exists():
            return
        clean = self.base / "clean"  # a clean build: of .cache/ only its owner's mark and the photos' variants stay
        kept = {clean / ".cache" / "images", clean / ".cache" / "owner"}
        for target in [*(clean / name for name in [*SOURCES, "site"]), *(clean / ".cache").glob("*")]:
            if target not in kept and target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif target not in kept:
                target.unlink(missing_ok=True)
        assert {path.name for path in (clean / ".cache").glob("*")} <= {"images", "owner"}
        clean.mkdir(exist_ok=True)
        for name in SOURCES:
            source = self.site.root / name
            if source.is_dir():
                shutil.copytree(source, clean / name)
            else:
                shutil.copy2(source, clean / name)
        expected = outcome(clean, incremental=False)
        actual = outcome(self.site.root, incremental=True)
        assert actual[0] == expected[0].replace(str(clean), "ROOT"), display_path(self.site.root)
        if actual[0] == "ok":  # byte for byte, and the search index (base and delta) answering the same
            assert without_index(actual[1]) == without_index(expected[1])
            assert answers(self.site.root / "site") == answers(clean / "site")


@pytest.fixture
def newsroom(tmp_path_factory, monkeypatch):
    monkeypatch.setattr(cache, "TOO_RECENT", 0.05)  # stats decide for files older than this
    monkeypatch.setattr(builder, "PLANNED_APART", 1)  # (a few articles: every edit planned from the last site)
    Newsroom._tmp = tmp_path_factory
    yield Newsroom
    Newsroom._tmp = None


@pytest.mark.slow
@pytest.mark.parametrize("half", [1, 2])
def test_incremental_builds_equal_clean_builds(newsroom, half, monkeypatch) -> None:
    """120 random sequences in CI, run as two halves of 60 so that each core takes one (each step
    builds the site twice: incrementally, and clean from only the photos' variants, ~3 s a
    sequence; 120 keep CI's suite under its 8 minutes; INCREMENTAL_EXAMPLES asks for more). The
    first half's sites list two articles a page (several home and tag pages); the second half's
    have a sitemap index (as a site of more than 1,000 pages has), and a search index whose
    middle segment is made again whenever its delta holds two pages."""
    if half == 2:
        monkeypatch.setattr(pages, "SITEMAP_URLS", 4)
        monkeypatch.setattr(search, "FRESH_MINIMUM", 1)
    run = settings(
        max_examples=int(os.environ.get("INCREMENTAL_EXAMPLES") or examples(120)) // 2,
        stateful_step_count=6,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )(type(f"NewsroomHalf{half}", (newsroom,), {"per_page": 2 if half == 1 else None}))  # a class per half
    run.TestCase().runTest()
