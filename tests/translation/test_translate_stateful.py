"""Property: whatever a newsroom does to an article and its catalog, translate never loses reviewed English.

Hypothesis drives sequences of source edits, moves, deletions, restorations, reviews and translate
runs (with the stand-in engine, for speed; test_machine.py runs the real one). After every run:
each reviewed English text from before the run is still in the file (current translation, kept on
a stale entry, or obsolete), reviewed entries whose source is unchanged are byte-identical, every
segment has English, and a second run writes nothing and loads no engine. CI runs 1,000 sequences.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from microsite.content.config import load_config
from microsite.translation.pofile import read_document
from microsite.translation.translate import plan_translation, run_translation
from tests.conftest import SITE_TOML, FakeEngine, examples

NOW = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
WORDS = ["công", "nghiệp", "thương", "mại", "tỉnh", "Quảng", "Ninh", "xuất", "khẩu", "biển", "du", "lịch", "năm"]
sentence = st.lists(st.sampled_from(WORDS), min_size=2, max_size=7).map(lambda words: " ".join(words) + ".")


def reviewed_texts(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {e.msgstr for e in polib.pofile(str(path)) if "fuzzy" not in e.flags and e.msgstr.strip()}


def all_texts(path: Path) -> set[str]:
    return {e.msgstr for e in polib.pofile(str(path))}


class Newsroom(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="newsroom-"))
        (self.root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
        self.folder = self.root / "content" / "bai-viet"
        self.folder.mkdir(parents=True)
        self.po = self.folder / "en.po"
        self.config = load_config(self.root / "site.toml")
        self.paragraphs: list[str] = ["Đoạn mở đầu về công nghiệp."]
        self.deleted: list[str] = []
        self.reviews = 0
        self.engine = FakeEngine()
        self.write_article()

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def write_article(self) -> None:
        body = "\n\n".join(self.paragraphs)
        text = f'---\ntitle: "Tiêu đề về công nghiệp"\ndate: 2021-06-25\n---\n\n{body}\n'
        (self.folder / "index.md").write_text(text, encoding="utf-8")

    @rule(text=sentence)
    def add(self, text: str) -> None:
        if text not in self.paragraphs:
            self.paragraphs.append(text)
            self.write_article()

    @precondition(lambda self: self.paragraphs)
    @rule(data=st.data(), word=st.sampled_from(WORDS))
    def edit(self, data, word: str) -> None:
        number = data.draw(st.integers(0, len(self.paragraphs) - 1))
        edited = self.paragraphs[number].rstrip(".") + f" {word}."
        if edited not in self.paragraphs:
            self.paragraphs[number] = edited
            self.write_article()

    @precondition(lambda self: len(self.paragraphs) > 1)
    @rule(data=st.data())
    def delete(self, data) -> None:
        number = data.draw(st.integers(0, len(self.paragraphs) - 1))
        self.deleted.append(self.paragraphs.pop(number))
        self.write_article()

    @precondition(lambda self: self.deleted)
    @rule(data=st.data())
    def restore(self, data) -> None:
        text = self.deleted.pop(data.draw(st.integers(0, len(self.deleted) - 1)))
        if text not in self.paragraphs:
            self.paragraphs.insert(data.draw(st.integers(0, len(self.paragraphs))), text)
            self.write_article()

    @precondition(lambda self: len(self.paragraphs) > 1)
    @rule(data=st.data())
    def move(self, data) -> None:
        text = self.paragraphs.pop(data.draw(st.integers(0, len(self.paragraphs) - 1)))
        self.paragraphs.insert(data.draw(st.integers(0, len(self.paragraphs))), text)
        self.write_article()

    @precondition(lambda self: self.po.exists())
    @rule(data=st.data())
    def review(self, data) -> None:
        """An editor corrects some entries and clears their fuzzy flag (as Poedit saves: whole file)."""
        po = polib.pofile(str(self.po), wrapwidth=78)
        active = [entry for entry in po if not entry.obsolete]
        chosen = data.draw(st.lists(st.sampled_from(active), unique_by=id, max_size=3)) if active else []
        for entry in chosen:
            self.reviews += 1
            entry.msgstr = f"Reviewed text number {self.reviews}."
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.previous_msgid = None
        po.save(str(self.po))

    @rule()
    def translate(self) -> None:
        before = reviewed_texts(self.po)
        unchanged = {}
        if self.po.exists():
            for chunk in read_document(self.po, "en").chunks:
                reviewed = chunk.entry is not None and not chunk.obsolete and "fuzzy" not in chunk.entry.flags
                if reviewed and chunk.msgid in self.paragraphs:
                    unchanged[chunk.msgid] = chunk.text.rstrip("\n")  # entries are separated by blank lines
        run_translation(plan_translation(self.config), lambda s, t: self.engine, now=NOW)

        assert before <= all_texts(self.po), "a translate run lost reviewed English"
        chunks = {
            chunk.msgid: chunk.text.rstrip("\n") for chunk in read_document(self.po, "en").chunks if not chunk.obsolete
        }
        for msgid, text in unchanged.items():
            assert chunks[msgid] == text, "a reviewed entry with an unchanged source was rewritten"
        current = {e.msgid: e.msgstr for e in polib.pofile(str(self.po)) if not e.obsolete}
        for paragraph in self.paragraphs:
            assert current.get(paragraph, "").strip(), f"no English for {paragraph!r}"

        after = self.po.read_bytes()
        calls = len(self.engine.calls)
        again = plan_translation(self.config)
        assert again.changed == [], "a second run would change the catalog"
        run_translation(again, lambda s, t: self.engine, now=NOW)
        assert self.po.read_bytes() == after and len(self.engine.calls) == calls

    @invariant()
    def catalog_is_readable(self) -> None:
        if self.po.exists():
            read_document(self.po, "en")


Newsroom.TestCase.settings = settings(
    max_examples=examples(1000),
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestNewsroom = pytest.mark.slow(Newsroom.TestCase)
