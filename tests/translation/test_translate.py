"""translate's catalog logic, with a stand-in engine: drafts, stale, obsolete, restore, reuse, no-op."""

from __future__ import annotations

import datetime as dt
import subprocess

import polib
import pytest

from microsite.content.article import parse_article
from microsite.errors import BuildError
from microsite.translation.catalog import MACHINE, REVIEWED, STALE, load_catalog
from microsite.translation.translate import plan_translation, run_translation

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
BODY = """\
Đoạn một nói về công nghiệp của tỉnh.

Đoạn hai nói về thương mại và xuất khẩu.

Đoạn ba nói về du lịch biển.
"""


def translate(site, engine, slugs=None):
    plan = plan_translation(site.config, slugs)
    return run_translation(plan, lambda source, target: engine, now=NOW)


def entries(path):
    return {entry.msgid: entry for entry in polib.pofile(str(path))}


def review(path, edit=lambda msgid, msgstr: msgstr.replace("EN<", "Reviewed <")):
    """What an editor does in Poedit: correct the English and clear the fuzzy flag, for every entry."""
    po = polib.pofile(str(path), wrapwidth=78)
    for entry in po:
        if not entry.obsolete:
            entry.msgstr = edit(entry.msgid, entry.msgstr)
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.previous_msgid = None
    po.save(str(path))


def rewrite(index, old, new):
    index.write_text(index.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_new_segments_become_machine_drafts_naming_the_engine(site, fake_engine):
    index = site.article("bai-mot", BODY)
    result = translate(site, fake_engine)
    po_path = index.parent / "en.po"
    assert result.written == [po_path]
    po = polib.pofile(str(po_path))
    assert po.metadata["Language"] == "en" and po.metadata["Last-Translator"] == "machine draft (fake-engine 1.0)"
    sources = [s.source for s in parse_article(index).segments()]
    assert [entry.msgid for entry in po] == sources
    for entry in po:
        assert "fuzzy" in entry.flags
        assert entry.tcomment == "machine draft: fake-engine 1.0"
        assert entry.msgstr == f"EN<{entry.msgid}>"
    catalog = load_catalog(po_path, "en")
    assert {catalog.state(s) for s in sources} == {MACHINE}
    assert entries(po_path)["Đoạn hai nói về thương mại và xuất khẩu."].occurrences == [("index.md", "10")]


def test_a_second_run_changes_nothing_and_loads_no_engine(site, fake_engine):
    index = site.article("bai-mot", BODY)
    translate(site, fake_engine)
    before = (index.parent / "en.po").read_bytes()
    mtime = (index.parent / "en.po").stat().st_mtime_ns

    def no_engine(source, target):
        raise AssertionError("the engine was loaded")

    plan = plan_translation(site.config)
    assert plan.changed == []
    result = run_translation(plan, no_engine, now=NOW)
    assert result.written == []
    assert (index.parent / "en.po").read_bytes() == before
    assert (index.parent / "en.po").stat().st_mtime_ns == mtime


def test_reviewed_entries_are_untouched_byte_for_byte_when_others_change(site, fake_engine):
    index = site.article("bai-mot", BODY)
    translate(site, fake_engine)
    po_path = index.parent / "en.po"
    review(po_path)
    reviewed = po_path.read_text(encoding="utf-8")
    kept = reviewed[reviewed.index("#. paragraph") : reviewed.index("Reviewed <Đoạn một nói về công nghiệp của tỉnh.>")]

    rewrite(index, "Đoạn ba nói về du lịch biển.", "Đoạn ba nói về du lịch biển.\n\nĐoạn bốn hoàn toàn mới.")
    translate(site, fake_engine)
    assert fake_engine.calls[-1] == ["Đoạn bốn hoàn toàn mới."]
    after = po_path.read_text(encoding="utf-8")
    assert kept in after  # the first paragraph's entry, byte for byte
    assert after.startswith(reviewed.rstrip("\n"))  # every old chunk kept; the new one appended
    assert entries(po_path)["Đoạn bốn hoàn toàn mới."].msgstr == "EN<Đoạn bốn hoàn toàn mới.>"


def test_a_changed_source_keeps_the_english_as_stale_with_the_previous_source(site, fake_engine):
    index = site.article("bai-mot", BODY)
    translate(site, fake_engine)
    po_path = index.parent / "en.po"
    review(po_path, lambda msgid, msgstr: "Paragraph two is about trade and exports." if "hai" in msgid else msgstr)

    rewrite(index, "thương mại và xuất khẩu.", "thương mại, dịch vụ và xuất khẩu.")
    translate(site, fake_engine)
    new = "Đoạn hai nói về thương mại, dịch vụ và xuất khẩu."
    entry = entries(po_path)[new]
    assert entry.msgstr == "Paragraph two is about trade and exports."
    assert "fuzzy" in entry.flags
    assert entry.previous_msgid == "Đoạn hai nói về thương mại và xuất khẩu."
    assert f"source changed; new machine draft (fake-engine 1.0): EN<{new}>" in " ".join(entry.tcomment.split("\n"))
    assert load_catalog(po_path, "en").state(new) == STALE
    assert "Đoạn hai nói về thương mại và xuất khẩu." not in entries(po_path)  # inherited, not obsolete

    # Changed again before review: the previous source stays the one the English was written for.
    rewrite(index, "dịch vụ", "dịch vụ, du lịch")
    translate(site, fake_engine)
    entry = entries(po_path)["Đoạn hai nói về thương mại, dịch vụ, du lịch và xuất khẩu."]
    assert entry.previous_msgid == "Đoạn hai nói về thương mại và xuất khẩu."
    assert entry.msgstr == "Paragraph two is about trade and exports."
    assert entry.tcomment.count("source changed") == 1


def test_removed_then_restored_segment_comes_back_in_its_state(site, fake_engine):
    index = site.article("bai-mot", BODY)
    translate(site, fake_engine)
    po_path = index.parent / "en.po"
    review(po_path)
    gone = "Đoạn ba nói về du lịch biển."
    rewrite(index, "\n" + gone, "")
    translate(site, fake_engine)
    obsolete = [entry for entry in polib.pofile(str(po_path)) if entry.obsolete]
    assert [(entry.msgid, entry.msgstr) for entry in obsolete] == [(gone, f"Reviewed <{gone}>")]
    assert po_path.read_text(encoding="utf-8").rstrip().endswith(f'#~ msgstr "Reviewed <{gone}>"')
    assert gone not in load_catalog(po_path, "en").entries

    calls = len(fake_engine.calls)
    rewrite(index, "Đoạn hai nói về thương mại và xuất khẩu.", f"Đoạn hai nói về thương mại và xuất khẩu.\n\n{gone}")
    translate(site, fake_engine)
    assert len(fake_engine.calls) == calls  # nothing to translate
    catalog = load_catalog(po_path, "en")
    assert catalog.state(gone) == REVIEWED
    assert catalog.translation(gone) == f"Reviewed <{gone}>"
    assert not [entry for entry in polib.pofile(str(po_path)) if entry.obsolete]


def test_a_stale_entry_removed_and_restored_is_still_stale(site, fake_engine):
    index = site.article("bai-mot", BODY)
    translate(site, fake_engine)
    po_path = index.parent / "en.po"
    review(po_path)
    rewrite(index, "du lịch biển.", "du lịch biển đảo.")
    translate(site, fake_engine)
    edited = "Đoạn ba nói về du lịch biển đảo."
    rewrite(index, "\n" + edited, "")
    translate(site, fake_engine)
    assert "#~| msgid" in po_path.read_text(encoding="utf-8")
    rewrite(index, "thương mại và xuất khẩu.", f"thương mại và xuất khẩu.\n\n{edited}")
    translate(site, fake_engine)
    entry = entries(po_path)[edited]
    assert not entry.obsolete
    assert entry.previous_msgid == "Đoạn ba nói về du lịch biển."
    assert entry.msgstr == "Reviewed <Đoạn ba nói về du lịch biển.>"


def test_moving_a_paragraph_changes_nothing(site, fake_engine):
    index = site.article("bai-mot", BODY)
    translate(site, fake_engine)
    before = (index.parent / "en.po").read_bytes()
    rewrite(index, "Đoạn một nói về công nghiệp của tỉnh.\n\n", "")
    first = "Đoạn một nói về công nghiệp của tỉnh."
    rewrite(index, "Đoạn ba nói về du lịch biển.", f"Đoạn ba nói về du lịch biển.\n\n{first}")
    assert plan_translation(site.config).changed == []
    assert translate(site, fake_engine).written == []
    assert (index.parent / "en.po").read_bytes() == before


def test_reviewed_text_from_another_article_is_reused_as_a_draft(site, fake_engine):
    first = site.article("bai-mot", BODY)
    translate(site, fake_engine)
    review(first.parent / "en.po")
    second = site.article("bai-hai", "Đoạn một nói về công nghiệp của tỉnh.\n\nMột đoạn khác hẳn.\n")
    calls = len(fake_engine.calls)
    translate(site, fake_engine, ["bai-hai"])
    assert "Đoạn một nói về công nghiệp của tỉnh." not in fake_engine.calls[calls]
    entry = entries(second.parent / "en.po")["Đoạn một nói về công nghiệp của tỉnh."]
    assert entry.msgstr == "Reviewed <Đoạn một nói về công nghiệp của tỉnh.>"
    assert "fuzzy" in entry.flags
    assert entry.tcomment.startswith("reused: ") and "bai-mot/en.po" in entry.tcomment


def test_an_empty_translation_is_drafted_and_editor_comments_kept(site, fake_engine):
    index = site.article("bai-mot", "Một đoạn.\n", front='title: "Tiêu đề"\ndate: 2021-06-25\n')
    (index.parent / "en.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '# ask the desk about this one\nmsgid "Tiêu đề"\nmsgstr ""\n\nmsgid "Một đoạn."\nmsgstr "One paragraph."\n',
        encoding="utf-8",
    )
    translate(site, fake_engine)
    entry = entries(index.parent / "en.po")["Tiêu đề"]
    assert entry.msgstr == "EN<Tiêu đề>"
    assert entry.tcomment.splitlines() == ["ask the desk about this one", "machine draft: fake-engine 1.0"]
    assert entries(index.parent / "en.po")["Một đoạn."].msgstr == "One paragraph."


def test_a_catalog_saved_by_an_editor_during_the_run_is_left_alone(site, fake_engine):
    index = site.article("bai-mot", BODY)
    translate(site, fake_engine)
    rewrite(index, "biển.", "biển đảo.")
    plan = plan_translation(site.config)
    po_path = index.parent / "en.po"
    po_path.write_text(po_path.read_text(encoding="utf-8") + "\n# an editor's note\n", encoding="utf-8")
    saved = po_path.read_bytes()
    result = run_translation(plan, lambda s, t: fake_engine, now=NOW)
    assert result.conflicts == [po_path] and result.written == []
    assert result.translated == 0  # nothing drafted reached a catalog: none is reported as translated
    assert po_path.read_bytes() == saved


def test_unknown_slug_is_a_clear_error(site, fake_engine):
    site.article("bai-mot", BODY)
    with pytest.raises(BuildError) as caught:
        plan_translation(site.config, ["bai-mott"])
    assert "no article 'bai-mott'; did you mean 'bai-mot'?" in str(caught.value)


def test_generated_catalogs_pass_msgfmt(site, fake_engine):
    from tests.needs import need

    index = site.article("bai-mot", BODY + "\n- Mục *một*\n- Mục [hai](https://example.org/a_b)\n")
    translate(site, fake_engine)
    review(index.parent / "en.po")
    rewrite(index, "biển.", "biển đảo.")
    rewrite(index, "Đoạn một nói về công nghiệp của tỉnh.\n", "")
    translate(site, fake_engine)
    msgfmt = need("msgfmt")
    run = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(index.parent / "en.po")], capture_output=True)
    assert run.returncode == 0, run.stderr.decode()


def test_an_untouched_machine_draft_is_redrafted_when_its_source_changes(site, fake_engine):
    """A machine draft nobody touched is worth nothing once its source changed: the fresh draft replaces it."""
    index = site.article("bai-mot", BODY)
    translate(site, fake_engine)
    po_path = index.parent / "en.po"
    rewrite(index, "thương mại và xuất khẩu.", "thương mại và xuất khẩu 1.234,5 tấn.")
    translate(site, fake_engine)
    new = "Đoạn hai nói về thương mại và xuất khẩu 1.234,5 tấn."
    entry = entries(po_path)[new]
    assert entry.msgstr == "EN<Đoạn hai nói về thương mại và xuất khẩu 1,234.5 tấn.>"  # the new numbers
    assert entry.previous_msgid is None and "fuzzy" in entry.flags
    assert entry.tcomment == "machine draft: fake-engine 1.0"
    assert load_catalog(po_path, "en").state(new) == MACHINE
    assert "Đoạn hai nói về thương mại và xuất khẩu." not in entries(po_path)


def test_an_editors_draft_keeps_its_english_when_the_source_changes(site, fake_engine):
    index = site.article("bai-mot", BODY)
    translate(site, fake_engine)
    po_path = index.parent / "en.po"
    po = polib.pofile(str(po_path), wrapwidth=78)
    for entry in po:
        if "hai" in entry.msgid:
            entry.msgstr, entry.tcomment = "Paragraph two, drafted by an editor.", ""  # as the desk's Save draft
    po.save(str(po_path))
    rewrite(index, "thương mại và xuất khẩu.", "thương mại, dịch vụ và xuất khẩu.")
    translate(site, fake_engine)
    entry = entries(po_path)["Đoạn hai nói về thương mại, dịch vụ và xuất khẩu."]
    assert entry.msgstr == "Paragraph two, drafted by an editor."
    assert entry.previous_msgid == "Đoạn hai nói về thương mại và xuất khẩu."


def test_articles_with_nothing_to_do_are_not_read_again_until_they_change(site, fake_engine, monkeypatch):
    """At archive scale a run with nothing to do must end at once: settled articles are skipped
    by their files' stats, and any change to their text or catalog brings them back."""
    import time

    from microsite.cache import TOO_RECENT
    from microsite.translation import translate as module

    for slug in ("mot", "hai"):
        site.article(slug, body=BODY)
    translate(site, fake_engine)
    time.sleep(TOO_RECENT + 0.1)  # the catalogs just written are old enough to be trusted
    assert not plan_translation(site.config).changed  # nothing to do: both are remembered as settled
    read = []
    original = module.parse_articles
    monkeypatch.setattr(
        module,
        "parse_articles",
        lambda config, only=None, paths=None: read.append(only) or original(config, only, paths),
    )
    plan = plan_translation(site.config)
    assert read == [[]] and plan.jobs == [] and plan.settled == 2  # neither article was parsed
    rewrite(site.root / "content" / "hai" / "index.md", "du lịch biển", "du lịch núi")
    plan = plan_translation(site.config)
    assert [job.article.slug for job in plan.changed] == ["hai"]
    assert plan.pending("en") == ["Đoạn ba nói về du lịch núi."]
    (site.config.cache_dir / "translate-settled.json").write_text("{not json", encoding="utf-8")
    assert len(plan_translation(site.config).jobs) == 2  # a damaged record: everything is read


def test_a_run_in_parts_writes_what_one_part_writes_and_checks_every_article_first(site, fake_engine, tmp_path):
    """An archive is planned, drafted and saved a part at a time (memory), to the same catalogs; a
    broken article in a later part stops the run before any part is saved."""
    import shutil

    from microsite.errors import NoModel
    from microsite.translation.translate import TranslationResult, loaded_once, translation_plans

    for n in range(5):
        site.article(f"bai-{n}", f"Đoạn chung.\n\nĐoạn riêng {n}.\n")
    whole = tmp_path / "whole"
    shutil.copytree(site.root, whole)
    translate(site, fake_engine)  # (one part)
    broken = site.root / "content" / "bai-4" / "index.md"
    parts_site = tmp_path / "parts"
    shutil.copytree(whole, parts_site)
    from microsite.content.config import load_config

    config = load_config(parts_site / "site.toml")
    (parts_site / "content" / "bai-4" / "index.md").write_text("---\ntitle: [unclosed\n---\nx\n", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        next(translation_plans(config, batch=2))
    assert "bai-4" in str(caught.value)
    assert not list((parts_site / "content").glob("*/en.po"))  # nothing saved: the error came first
    (parts_site / "content" / "bai-4" / "index.md").write_text(broken.read_text(encoding="utf-8"), encoding="utf-8")

    loads = []
    engines = loaded_once(lambda source, target: loads.append(target) or fake_engine)
    result, sizes = TranslationResult(), []
    for plan in translation_plans(config, batch=2):
        sizes.append((len({job.article.slug for job in plan.jobs}), plan.part, plan.parts))
        result.add(run_translation(plan, engines, now=NOW))
    assert sizes == [(2, 1, 3), (2, 2, 3), (1, 3, 3)] and loads == ["en"] and len(result.written) == 5
    for n in range(5):
        one = (site.root / "content" / f"bai-{n}" / "en.po").read_bytes()
        assert (parts_site / "content" / f"bai-{n}" / "en.po").read_bytes() == one
    import time

    from microsite.cache import TOO_RECENT

    time.sleep(TOO_RECENT + 0.05)  # (the catalogs just saved, old enough to be judged by their stats)
    assert sum(len(plan.jobs) for plan in translation_plans(config, batch=2)) == 5 * len(config.targets)
    plans = list(translation_plans(config, batch=2))  # the run before found nothing to do and kept that once
    assert [(len(plan.jobs), plan.settled) for plan in plans] == [(0, 5 * len(config.targets))]

    def missing(source, target):
        loads.append("missing")
        raise NoModel("no model here")

    once = loaded_once(missing)
    for _ in range(3):
        with pytest.raises(NoModel, match="no model here"):
            once("vi", "en")
    assert loads.count("missing") == 1


def test_an_article_broken_while_a_run_in_parts_goes_on_stops_it_keeping_the_parts_saved(
    site, fake_engine, monkeypatch, capsys
):
    """Every article is checked before the first part is saved; one broken after that check (an
    editor saving a bad file while the engine runs) stops the run at its part, and the command
    says how many catalogs the parts before it saved (each whole)."""
    from build import main
    from microsite.translation import machine
    from microsite.translation import translate as module

    for n in range(5):
        site.article(f"bai-{n}", f"Đoạn chung.\n\nĐoạn riêng {n}.\n")
    monkeypatch.setattr(module, "BATCH", 2)
    monkeypatch.setattr(machine, "load_engine", lambda source, target: fake_engine)
    calls, original = [], module._read

    def read(config, todo, paths, indexes=None):
        calls.append([path.parent.name for path in todo])
        if len(calls) == 5:  # (three parts checked, the first two read in their turn: now the third)
            (site.root / "content" / "bai-4" / "index.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
        return original(config, todo, paths, indexes)

    monkeypatch.setattr(module, "_read", read)
    assert main(["translate", "--root", str(site.root)]) == 1
    err = capsys.readouterr().err
    assert "bai-4" in err and "1 error(s); 4 catalog(s) were saved before it." in err
    assert "Translating (part 1 of 3)" in err and "Translating (part 2 of 3)" in err  # (each part's bar says so)
    saved = sorted(path.parent.name for path in (site.root / "content").glob("*/en.po"))
    assert saved == ["bai-0", "bai-1", "bai-2", "bai-3"]
    for name in saved:  # (each whole: every segment drafted)
        drafts = [entry.msgstr for entry in polib.pofile(str(site.root / "content" / name / "en.po"))]
        assert len(drafts) >= 2 and all(text.startswith("EN<") for text in drafts)
