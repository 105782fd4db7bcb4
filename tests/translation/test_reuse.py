"""The index of reviewed English kept for reuse (``.cache/translate-reuse.sqlite``).

Property: whatever happens to the catalogs between runs (entries reviewed, emptied, made fuzzy or
obsolete, catalogs removed, damaged, articles gone or new) and to the store itself (rows not sealed
by this user, the file removed or replaced by garbage), a lookup finds what reading every catalog
finds: the first reviewed entry for the source in another catalog, current entries before obsolete
ones, by article. And a run reads only the catalogs that changed since the index was brought up to
date, plus those a lookup names.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import time
from pathlib import Path

import polib
import pytest

from microsite.cache import TOO_RECENT
from microsite.errors import ContentError, display_path
from microsite.translation import reuse as reuse_module
from microsite.translation.merge import Reuse
from microsite.translation.pofile import read_document
from microsite.translation.reuse import STORE_NAME, ReuseIndex, first_reviewed
from microsite.translation.translate import plan_translation, run_translation

SOURCES = [f"Câu số {n} về kinh tế." for n in range(7)]
SLUGS = [f"bai-{n}" for n in range(6)]


def write_catalog(path, rng: random.Random) -> None:
    po = polib.POFile(wrapwidth=78)
    po.metadata = {"Language": "en", "Content-Type": "text/plain; charset=UTF-8"}
    for source in rng.sample(SOURCES, rng.randint(0, len(SOURCES))):
        po.append(entry(source, rng, obsolete=False))
    for source in rng.choices(SOURCES, k=rng.randint(0, 3)):  # (obsolete ones may repeat)
        po.append(entry(source, rng, obsolete=True))
    rng.shuffle(po)
    po.save(str(path))


def entry(source: str, rng: random.Random, obsolete: bool) -> polib.POEntry:
    english = rng.choice(["", "  ", f"English {rng.randint(0, 99)}"])
    flags = ["fuzzy"] if rng.random() < 0.3 else []
    return polib.POEntry(msgid=source, msgstr=english, flags=flags, obsolete=obsolete)


def oracle(catalogs: dict, source: str, slug: str) -> Reuse | None:
    """What reading every catalog finds (the way translate looked before the index)."""
    documents = {}
    for other, path in sorted(catalogs.items()):
        try:
            documents[other] = read_document(path, "en")
        except ContentError:
            continue
    for obsolete in (False, True):
        for other, document in documents.items():
            chunk = first_reviewed(document, source, obsolete) if other != slug else None
            if chunk:
                return Reuse(chunk.entry.msgstr, display_path(document.path))
    return None


def damage_store(path, rng: random.Random) -> None:
    how = rng.choice(["row", "file", "gone", "garbage"])
    if how == "gone":
        path.unlink(missing_ok=True)
    elif how == "garbage":
        path.write_bytes(b"not a database" * rng.randint(1, 50))
    elif path.exists():
        with sqlite3.connect(path) as connection:
            table = rng.choice(["catalogs", "sources", "meta"])
            keys = [row[0] for row in connection.execute(f"SELECT key FROM {table}")]
            if keys:
                value = rng.choice([b"", b"unsealed", b"\x80\x05N."])
                connection.execute(f"UPDATE {table} SET value = ? WHERE key = ?", (value, rng.choice(keys)))


@pytest.mark.parametrize("seed", range(12))
def test_a_lookup_finds_what_reading_every_catalog_finds(tmp_path, seed):
    rng = random.Random(seed)
    cache = tmp_path / "cache"
    cache.mkdir()
    content = tmp_path / "content"
    catalogs = {}
    for step in range(14):
        for slug in rng.sample(SLUGS, rng.randint(1, 3)):
            folder = content / slug
            folder.mkdir(parents=True, exist_ok=True)
            catalogs[slug] = folder / "en.po"
            action = rng.random()
            if action < 0.7:
                write_catalog(catalogs[slug], rng)
            elif action < 0.8:
                catalogs[slug].unlink(missing_ok=True)
            elif action < 0.9:
                catalogs[slug].write_text('msgid "x"\nbroken\n', encoding="utf-8")
            else:
                del catalogs[slug]  # the article is gone
        if rng.random() < 0.25:
            damage_store(cache / STORE_NAME, rng)
        if rng.random() < 0.5:
            time.sleep(TOO_RECENT + 0.02)  # old enough to be judged by their stat: kept in the index
        index = ReuseIndex("en", dict(catalogs), {}, cache)
        for slug in rng.sample(sorted(catalogs), min(3, len(catalogs))):
            with contextlib.suppress(ContentError):
                index.offer(slug, read_document(catalogs[slug], "en"))  # (read by this run already)
            if rng.random() < 0.3:
                write_catalog(catalogs[slug], rng)  # changed since: what was offered is not what it holds
        try:
            for source in SOURCES:
                for slug in [*catalogs, "bai-new"]:
                    expected = oracle(catalogs, source, slug)
                    assert index.lookup(source, slug) == expected, (step, source, slug)
        finally:
            index.close()


def test_without_a_cache_the_index_is_made_in_memory(tmp_path):
    rng = random.Random(7)
    catalogs = {}
    for slug in SLUGS:
        (tmp_path / slug).mkdir()
        catalogs[slug] = tmp_path / slug / "en.po"
        write_catalog(catalogs[slug], rng)
    index = ReuseIndex("en", catalogs, {}, None)
    for source in SOURCES:
        assert index.lookup(source, "bai-0") == oracle(catalogs, source, "bai-0")
    assert index.store is None and index.whole


BODY = "Đoạn chung của các bài.\n\nĐoạn riêng của bài {n}.\n"


def test_a_run_reads_only_the_catalogs_changed_since_and_those_a_lookup_names(site, fake_engine, monkeypatch):
    for n in range(8):
        site.article(f"bai-{n}", BODY.format(n=n))
    plan = plan_translation(site.config)
    run_translation(plan, lambda source, target: fake_engine)
    reviewed = site.root / "content" / "bai-3" / "en.po"
    po = polib.pofile(str(reviewed))
    for each in po:
        each.msgstr, each.flags = f"Reviewed: {each.msgid}", []
    po.save(str(reviewed))
    time.sleep(TOO_RECENT + 0.05)
    read = []
    original = reuse_module.read_document

    def counted(path, code):
        read.append(Path(path).parent.name)
        return original(path, code)

    monkeypatch.setattr(reuse_module, "read_document", counted)

    site.article("bai-new", "Đoạn chung của các bài.\n\nMột đoạn mới.\n")
    plan = plan_translation(site.config, ["bai-new"])
    # every catalog was written since the index was made (the first run wrote them all): all read once
    assert sorted(read) == sorted(f"bai-{n}" for n in range(8))
    update = plan.jobs[0].update
    assert update.reused["Đoạn chung của các bài."].text == "Reviewed: Đoạn chung của các bài."
    run_translation(plan, lambda source, target: fake_engine)
    time.sleep(TOO_RECENT + 0.05)

    read.clear()
    site.article("bai-newer", "Đoạn chung của các bài.\n\nĐoạn riêng của bài 5.\n")
    plan = plan_translation(site.config, ["bai-newer"])
    # the new article's own catalog, written since, and the reviewed one the lookup names: no other
    assert sorted(read) == ["bai-3", "bai-new"]
    assert plan.jobs[0].update.reused["Đoạn chung của các bài."].origin.endswith("bai-3/en.po")
    assert "Đoạn riêng của bài 5." not in plan.jobs[0].update.reused  # (a machine draft in bai-5: not reviewed)
